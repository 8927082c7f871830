package jnat.nat;

import jnat.wire.Jhash;
import jnat.conntrack.ConnTable;
import jnat.conntrack.Status;
import jnat.conntrack.Tuple;
import jnat.rules.NatRange;

/**
 * nf_nat_core for IPv4 and IPv6: binds a new connection to a translated tuple (nf_nat_setup_info
 * with get_unique_tuple), keeps the by-source index that makes one source keep its mapping
 * (find_appropriate_src), and knows which manipulations a connection has. An IPv6 connection takes
 * an IPv6 {@link InetNatRange}; addresses are chosen with the kernel's jhash2 over the four address
 * words, the by-source index is keyed on the full IPv6 source, ICMPv6 ids are searched as ICMP's.
 *
 * <p>Only new connections come here; the per-packet rewrite is {@link NatProto}'s.
 */
final class NatCore {
    static final int MANIP_SRC = 0, MANIP_DST = 1;

    /** max_attempts in nf_nat_l4proto_unique_tuple. */
    private static final int MAX_ATTEMPTS = 128;

    private final ConnTable table;
    private final Prandom random;

    // scratch tuples, reused
    private final Tuple curr = new Tuple();
    private final Tuple cand = new Tuple();
    private final Tuple inv = new Tuple();
    private final Tuple other = new Tuple();
    /** The range of the call in progress, reused (a NatRange's copy, or a null binding's). */
    private final InetNatRange scratchRange = new InetNatRange();

    NatCore(ConnTable table, Prandom random) {
        this.table = table;
        this.random = random;
        this.bySource = new NfNatBySource(table);
    }

    static boolean initialized(int status, int manip) {
        return (status & (manip == MANIP_SRC ? Status.SRC_NAT_DONE : Status.DST_NAT_DONE)) != 0;
    }

    /**
     * nf_nat_setup_info: chooses the tuple this connection's packets will carry after the
     * manipulation, records the reply tuple replies will carry, marks the manipulation done.
     * When no unique tuple is left the binding is made anyway, as in the kernel: the clash is
     * caught when the connection is confirmed, and the packet dropped there. Returns false in
     * that case (the range was exhausted: the kernel cannot tell this clash from others; jnat
     * counts it apart).
     */
    boolean setupInfo(int id, NatRange range, int manip, long now) {
        return setupInfo(id, scratchRange.set(range), manip, now);
    }

    /** {@link #setupInfo(int, NatRange, int, long)} for a range of either family (the connection's). */
    boolean setupInfo(int id, InetNatRange range, int manip, long now) {
        if (table.confirmed(id)) return true;
        if (range.has(NatRange.MAP_IPS) && range.ipv6() != table.ipv6(id)) {
            throw new IllegalArgumentException("a " + (range.ipv6() ? "IPv6" : "IPv4") + " range for connection " + id);
        }
        // What we've got looks like the inverse of the reply (prior manipulations included).
        table.tuple(id, ConnTable.REPLY, inv);
        inv.invert(curr);
        if (manip == MANIP_DST && randomSource != 0) touchRandomSourceGuess(curr, range);
        boolean free = uniqueTuple(cand, curr, range, id, manip, now) || !usedTuple(cand, id, now);
        if (!cand.sameAs(curr)) {
            if (manip == MANIP_SRC) {
                boolean kept = cand.srcPort == curr.srcPort;
                if (cand.ipv6()) lastSource6 = kept ? Tuple.fold(cand.srcHi, cand.srcLo) : 0;
                else lastSource = kept ? cand.src : 0;
            }
            cand.invert(inv);
            table.alterReplyTuple(id, inv);
            table.setStatus(id, manip == MANIP_SRC ? Status.SRC_NAT : Status.DST_NAT);
        }
        if (manip == MANIP_SRC && !initialized(table.status(id), MANIP_SRC)) bySource.add(id);
        table.setStatus(id, manip == MANIP_SRC ? Status.SRC_NAT_DONE : Status.DST_NAT_DONE);
        return free;
    }

    /**
     * nf_nat_alloc_null_binding: a connection no rule translated still gets a binding to its own
     * address, so that a clash with an existing mapping moves its port (for SRC), as in the kernel.
     */
    boolean nullBinding(int id, int manip, long now) {
        int dir = ConnTable.REPLY;
        if (table.ipv6(id)) {
            long hi = manip == MANIP_SRC ? table.dstHi(id, dir) : table.srcHi(id, dir);
            long lo = manip == MANIP_SRC ? table.dstLo(id, dir) : table.srcLo(id, dir);
            return setupInfo(id, scratchRange.set6(NatRange.MAP_IPS, hi, lo, hi, lo, 0, 0), manip, now);
        }
        int ip = manip == MANIP_SRC ? table.dstAddr(id, dir) : table.srcAddr(id, dir);
        return setupInfo(id, scratchRange.set4(NatRange.MAP_IPS, ip, ip, 0, 0), manip, now);
    }

    /**
     * get_unique_tuple: writes into {@code t} the tuple for {@code orig} under {@code range}.
     * Returns true when the result is known to be free.
     */
    private boolean uniqueTuple(Tuple t, Tuple orig, InetNatRange range, int id, int manip, long now) {
        int flags = range.flags;
        boolean randomAll = (flags & (NatRange.PROTO_RANDOM | NatRange.PROTO_RANDOM_FULLY)) != 0;
        // 1) For SRC, keep the original tuple if it fits, or reuse this source's current mapping.
        if (manip == MANIP_SRC && !randomAll) {
            if (inRange(orig, range)) {
                if (!usedTuple(orig, id, now)) {
                    t.copyFrom(orig);
                    return true;
                }
            } else if (findAppropriateSrc(orig, t, range, table.zone(id)) && !usedTuple(t, id, now)) {
                return true;
            }
        }
        // 2) Pick the address within the range.
        t.copyFrom(orig);
        findBestIps(t, range, manip);
        // 3) Only bother with the port if it is not already in range and unique.
        if (!randomAll) {
            if ((flags & NatRange.PROTO_SPECIFIED) != 0) {
                if ((flags & NatRange.PROTO_OFFSET) == 0 && l4InRange(t, manip, range.minPort, range.maxPort)
                        && (range.minPort == range.maxPort || !usedTuple(t, id, now))) {
                    return range.minPort != range.maxPort;
                }
            } else if (!usedTuple(t, id, now)) {
                return true;
            }
        }
        return l4UniqueTuple(t, range, manip, id, now);
    }

    /** nf_nat_used_tuple: would replies to {@code t} collide with another connection's? */
    private boolean usedTuple(Tuple t, int ignoredId, long now) {
        if (!t.invert(other)) return false;
        return table.tupleTaken(other, ignoredId, now);
    }

    /** in_range: is the tuple's source inside the range (address and, if given, port)? */
    private static boolean inRange(Tuple t, InetNatRange range) {
        if ((range.flags & NatRange.MAP_IPS) != 0 && !range.sourceInRange(t)) return false;
        if ((range.flags & NatRange.PROTO_SPECIFIED) == 0) return true;
        return l4InRange(t, MANIP_SRC, range.minPort, range.maxPort);
    }

    /** l4proto_in_range. */
    private static boolean l4InRange(Tuple t, int manip, int min, int max) {
        int port;
        switch (t.protocol) {
            case Tuple.IPPROTO_ICMP, Tuple.IPPROTO_ICMPV6 -> port = t.srcPort;
            case Tuple.IPPROTO_TCP, Tuple.IPPROTO_UDP -> port = manip == MANIP_SRC ? t.srcPort : t.dstPort;
            default -> { return true; }
        }
        return port >= min && port <= max;
    }

    /**
     * find_appropriate_src: this source's mapping in another connection of the zone, if it fits the
     * range; the newest such connection first, as the kernel walks its bysource chain.
     */
    private boolean findAppropriateSrc(Tuple orig, Tuple result, InetNatRange range, int zone) {
        for (int other = bySource.first(orig, zone); other >= 0; other = bySource.next()) {
            // Copy the source part from the other connection's reply tuple.
            table.tuple(other, ConnTable.REPLY, inv);
            inv.invert(result);
            result.dst = orig.dst;
            result.dstHi = orig.dstHi;
            result.dstLo = orig.dstLo;
            result.dstPort = orig.dstPort;
            if (inRange(result, range)) return true;
        }
        return false;
    }

    /** find_best_ips_proto: the address from the range, hashed as the kernel hashes it. */
    private static void findBestIps(Tuple t, InetNatRange range, int manip) {
        if ((range.flags & NatRange.MAP_IPS) == 0) return;
        if (range.ipv6()) {
            findBestIps6(t, range, manip);
            return;
        }
        int chosen;
        if (range.min4 == range.max4) {
            chosen = range.min4;
        } else {
            boolean persistent = (range.flags & NatRange.PERSISTENT) != 0;
            int j = Jhash.jhash2Ipv4(t.src, persistent ? 0 : Jhash.wordOf(t.dst));
            int dist = range.max4 - range.min4 + 1;
            chosen = range.min4 + Jhash.reciprocalScale(j, dist);
        }
        if (manip == MANIP_SRC) t.src = chosen;
        else t.dst = chosen;
    }

    /**
     * find_best_ips_proto for IPv6: jhash2 over the source's four words (initval the destination's
     * last word unless persistent), then word by word: within [min, max] while the words so far
     * sit at the range's maximum, the whole word after that, the hash xored with each destination
     * word in turn. The kernel xors with tuple->dst.u3.all[i] after writing var_ipp->all[i]: for DST
     * that is the word just chosen, not the original destination's.
     */
    private static void findBestIps6(Tuple t, InetNatRange range, int manip) {
        if (range.singleAddress()) {
            set6(t, manip, range.minHi, range.minLo);
            return;
        }
        boolean persistent = (range.flags & NatRange.PERSISTENT) != 0;
        int j = Jhash.jhash2(le(t.srcHi >>> 32), le(t.srcHi), le(t.srcLo >>> 32), le(t.srcLo), persistent ? 0 : le(t.dstLo));
        long hi = 0, lo = 0;
        boolean fullRange = false;
        for (int i = 0; i < 4; i++) {
            int minip, dist;
            if (!fullRange) {
                minip = range.minWord(i);
                dist = range.maxWord(i) - minip + 1;
            } else {
                minip = 0;
                dist = ~0;
            }
            int w = minip + Jhash.reciprocalScale(j, dist);
            if (i < 2) hi |= (w & 0xffffffffL) << (i == 0 ? 32 : 0);
            else lo |= (w & 0xffffffffL) << (i == 2 ? 32 : 0);
            if (w != range.maxWord(i)) fullRange = true;
            if (!persistent) j ^= le(manip == MANIP_DST ? w : InetNatRange.word(t.dstHi, t.dstLo, i));
        }
        set6(t, manip, hi, lo);
    }

    private static void set6(Tuple t, int manip, long hi, long lo) {
        if (manip == MANIP_SRC) t.setSrc6(hi, lo);
        else t.setDst6(hi, lo);
    }

    /** A network-order address word (the low 32 bits of {@code w}) as the u32 x86 loads from memory. */
    private static int le(long w) {
        return Integer.reverseBytes((int) w);
    }

    /** nf_nat_l4proto_unique_tuple: search the port (or ICMP id) range for a free tuple. */
    private boolean l4UniqueTuple(Tuple t, InetNatRange range, int manip, int id, long now) {
        int min, rangeSize;
        boolean icmp = t.protocol == Tuple.IPPROTO_ICMP || t.protocol == Tuple.IPPROTO_ICMPV6;
        boolean srcKey = icmp || manip == MANIP_SRC;
        if (icmp) {
            if ((range.flags & NatRange.PROTO_SPECIFIED) == 0) {
                min = 0;
                rangeSize = 65536;
            } else {
                min = range.minPort;
                rangeSize = range.maxPort - range.minPort + 1;
            }
        } else if (t.protocol == Tuple.IPPROTO_TCP || t.protocol == Tuple.IPPROTO_UDP) {
            if ((range.flags & NatRange.PROTO_SPECIFIED) == 0) {
                if (manip == MANIP_DST) return !usedTuple(t, id, now); // can't change a DST port
                int port = t.srcPort;
                if (port < 1024) {
                    // Loose convention: below 512 is credential passing.
                    if (port < 512) {
                        min = 1;
                        rangeSize = 511;
                    } else {
                        min = 600;
                        rangeSize = 1023 - 600 + 1;
                    }
                } else {
                    min = 1024;
                    rangeSize = 65535 - 1024 + 1;
                }
            } else {
                int lo = Math.min(range.minPort, range.maxPort), hi = Math.max(range.minPort, range.maxPort);
                min = lo;
                rangeSize = hi - lo + 1;
            }
        } else {
            return !usedTuple(t, id, now);
        }
        // A shifted range (p-q/base) starts at the packet's port less the base (a u16); a DST port range
        // is searched from its start (off = 0); SRC and --random* from anywhere.
        boolean randomAll = (range.flags & (NatRange.PROTO_RANDOM | NatRange.PROTO_RANDOM_FULLY)) != 0;
        int off = (range.flags & NatRange.PROTO_OFFSET) != 0 ? ((srcKey ? t.srcPort : t.dstPort) - range.basePort) & 0xffff
                : randomAll || manip != MANIP_DST ? random.nextInt(65536) : 0;
        if (randomAll && srcKey && !icmp && !t.ipv6()) {
            randomSource = t.src; // what touchRandomSourceGuess guesses the next one will choose
            randomMin = min;
            randomRangeSize = rangeSize;
        }
        int attempts = Math.min(rangeSize, MAX_ATTEMPTS);
        for (;;) {
            for (int i = 0; i < attempts; i++, off = (off + 1) & 0xffff) {
                int port = min + off % rangeSize;
                if (srcKey) t.srcPort = port;
                else t.dstPort = port;
                if (!usedTuple(t, id, now)) return true;
            }
            if (attempts >= rangeSize || attempts < 16) return false;
            attempts /= 2;
            off = random.nextInt(65536);
        }
    }

    /**
     * The IPv4 source address the last source manipulation chose, if it kept the port (0 before
     * one, and after one that moved the port, as --random-fully's do): the batch's touch guesses
     * that a new connection's MASQUERADE or SNAT picks it again, port kept, and reads the slot
     * nf_nat_used_tuple will probe for it (a guess only: the rules decide, after the touch).
     */
    private int lastSource;
    /** {@link #lastSource} for IPv6: the chosen address folded, as the conntrack hash keys it (Tuple.fold). */
    private int lastSource6;

    /**
     * The IPv4 address, port range start and size of the last --random or --random-fully source
     * port search (0: none yet): kube-proxy's MASQUERADE --random-fully after a service's DNAT.
     */
    private int randomSource, randomMin, randomRangeSize;

    /**
     * A DNAT's guess at the source manipulation to come: if it is a --random or --random-fully one
     * like the last ({@link #randomSource}), its first candidate port is the one the next draw
     * gives ({@link Prandom#peekInt}: nothing in between draws when the DNAT ends the walk, as
     * kube-proxy's KUBE-SEP chains do), and nf_nat_used_tuple will look up the reply tuple that
     * port gives. That slot is read now, so its miss overlaps the DNAT's own lookup instead of
     * coming after it (jnat's, not the kernel's: a guess only, which changes nothing).
     */
    private void touchRandomSourceGuess(Tuple orig, InetNatRange range) {
        if (orig.ipv6() || (orig.protocol != Tuple.IPPROTO_TCP && orig.protocol != Tuple.IPPROTO_UDP)) return;
        table.touch().slot(randomSourceGuessAddrs(orig, range), randomSourceGuessL4(orig, range));
    }

    /** The guessed reply tuple's addresses, packed as {@link Tuple#addrs()}: from the DNAT's destination to the last random source. */
    long randomSourceGuessAddrs(Tuple orig, InetNatRange range) {
        int dst = range.has(NatRange.MAP_IPS) ? range.min4 : orig.dst;
        return (long) dst << 32 | (randomSource & 0xffffffffL);
    }

    /** The guessed reply tuple's protocol and ports, packed as {@link Tuple#l4()}: to the port the next draw gives. */
    long randomSourceGuessL4(Tuple orig, InetNatRange range) {
        int dport = range.has(NatRange.PROTO_SPECIFIED) ? range.minPort : orig.dstPort;
        int port = randomMin + (random.peekInt() & 0xffff) % randomRangeSize;
        return (long) orig.protocol << 32 | (long) dport << 16 | port;
    }

    int lastSource() {
        return lastSource;
    }

    int lastSource6() {
        return lastSource6;
    }

    // ---- by-source index (nf_nat_bysource: NfNatBySource) ---------------------------------------
    // A connection is filed once, when its SRC manipulation is set up (SRC_NAT_DONE then says it
    // is), and unfiled when it is destroyed.

    private final NfNatBySource bySource;

    /** A connection put back from a state file: file it by source again if it was source-NATed. */
    void restored(int id) {
        if (initialized(table.status(id), MANIP_SRC) && !bySource.contains(id)) bySource.add(id);
    }

    /** nf_nat_cleanup_conntrack: the connection is gone; unfile it. */
    void destroyed(int id) {
        if (initialized(table.status(id), MANIP_SRC)) bySource.remove(id);
    }

    /** The index (tests). */
    NfNatBySource bySource() {
        return bySource;
    }
}
