package jnat.conntrack;

/**
 * nf_conntrack_in for IPv4 and IPv6: finds or creates the packet's connection, runs the protocol tracker
 * and tells the engine what the packet is (enum ip_conntrack_info) or that it is INVALID (not
 * tracked, and so not NATed) or must be DROPped (table full).
 *
 * <p>Use, one packet at a time: fill a {@link CtPacket}, call {@link #in}; for a NEW packet run
 * the nat chains (they may {@link ConnTable#alterReplyTuple}), then {@link ConnTable#confirm} when
 * the packet leaves (POSTROUTING / INPUT), or {@link ConnTable#release} if it is dropped before.
 *
 * <p>Protocols: TCP ({@link TcpTracker}), UDP (30 s unreplied, 120 s once it is a stream),
 * ICMP queries (30 s; only requests create), ICMP errors RELATED to the connection they quote,
 * anything else by address (600 s); the same trackers for both families. ICMPv6 as
 * nf_conntrack_proto_icmpv6.c: echo and node information queries by id (30 s; only requests
 * create), errors (types below 128) RELATED to the connection they quote, MLD and NDP
 * {@link #UNTRACKED}.
 */
public final class Conntrack {
    // enum ip_conntrack_info
    public static final int IP_CT_ESTABLISHED = 0, IP_CT_RELATED = 1, IP_CT_NEW = 2,
            IP_CT_IS_REPLY = 3, IP_CT_ESTABLISHED_REPLY = 3, IP_CT_RELATED_REPLY = 4;
    /** -NF_ACCEPT from a tracker: the packet passes without a connection (ctstate INVALID). */
    public static final int INVALID = -1;
    /** NF_DROP: no room for a new connection (table full, nothing to early-drop) or a clash. */
    public static final int DROP = -2;
    /**
     * IP_CT_UNTRACKED set by a tracker (icmpv6_error for MLD and NDP, noct_valid_new): the packet
     * passes without a connection, not INVALID (ctstate UNTRACKED, as after NOTRACK).
     */
    public static final int UNTRACKED = -3;

    public static final int ORIGINAL = ConnTable.ORIGINAL, REPLY = ConnTable.REPLY;

    private static final long SEC = 1_000_000_000L;
    /** nf_ct_udp_timeout (unreplied) and nf_ct_udp_timeout_stream (replied). */
    public static final long UDP_TIMEOUT = 30 * SEC, UDP_TIMEOUT_STREAM = 120 * SEC;
    /** How long a replied UDP flow must live before it counts as a stream (stream_ts). */
    public static final long UDP_STREAM_DELAY = 2 * SEC;
    /** nf_ct_icmp_timeout. */
    public static final long ICMP_TIMEOUT = 30 * SEC;
    /** nf_ct_icmpv6_timeout. */
    public static final long ICMPV6_TIMEOUT = 30 * SEC;
    /** nf_ct_generic_timeout. */
    public static final long GENERIC_TIMEOUT = 600 * SEC;

    private final ConnTable table;
    private final Tuple scratch = new Tuple();
    /** The CPU (engine lane) this tracker counts for, or -1: the table's counting CPU ({@link ConnTable#setCpu}). */
    private final int cpu;

    public Conntrack(ConnTable table) {
        this(table, -1);
    }

    /** The tracker of engine lane {@code cpu}: conntrack -S counts its packets on that CPU's line. */
    public Conntrack(ConnTable table, int cpu) {
        this.table = table;
        this.cpu = cpu;
    }

    /** The ref the lane's check before the packet found for its IPv4 tuple in the default zone (NOT_FOUND: none). */
    private int hint = ConnTable.NOT_FOUND;

    /**
     * The next packet's lookup was just made by the lane's check ({@code ref}, of an IPv4 tuple in
     * the default zone): used again when the packet's tuple is that one, while lanes run concurrently.
     */
    public void hint(int ref) {
        hint = ref;
    }

    /** The counters this tracker's packets go to (this_cpu's ip_conntrack_stat). */
    public ConntrackStat stat() {
        return cpu < 0 || table.cpus() <= cpu ? table.stat() : table.stat(cpu);
    }

    public ConnTable table() {
        return table;
    }

    /** Whether a ctinfo is one of the reply kinds (CTINFO2DIR). */
    public static boolean isReply(int ctinfo) {
        return ctinfo >= IP_CT_IS_REPLY;
    }

    /**
     * nf_conntrack_in: tracks one packet. Returns the ctinfo (also left in {@code p.ctinfo}, with
     * the connection in {@code p.id} and the direction in {@code p.dir}), or INVALID / DROP with
     * {@code p.id = -1}. A NEW packet's connection is unconfirmed until {@link ConnTable#confirm}.
     */
    public int in(CtPacket p, long now) {
        if (table.concurrent()) return inConcurrent(p, now);
        table.reapDying(); // the previous packet is done with entries it killed
        table.clock(now);
        Tuple t = p.tuple;
        if (t.protocol == Tuple.IPPROTO_ICMP) {
            int type = t.icmpType();
            if (type > Tuple.NR_ICMP_TYPES) return error(p); // icmp_error: "invalid icmp type"
            if (Tuple.isIcmpError(type)) return related(p, now);
        } else if (t.protocol == Tuple.IPPROTO_ICMPV6) { // nf_conntrack_icmpv6_error
            int type = t.icmpType();
            if (Tuple.isIcmpv6Untracked(type)) {
                p.id = -1;
                return verdict(p, UNTRACKED);
            }
            if (Tuple.isIcmpv6Error(type)) return related(p, now);
        }
        for (;;) {
            int ctinfo;
            int id, dir;
            int ref = table.find(t, p.zone, now);
            if (ref == ConnTable.NOT_FOUND) {
                // init_conntrack
                if (!t.invert(scratch)) return invalid(p);
                id = table.alloc(t, scratch, now);
                if (id < 0) { // "Too stressed to deal"
                    stat().drop++;
                    return verdict(p, DROP);
                }
                if (p.zone != 0) table.setZone(id, p.zone);
                if (p.synproxyTemplate) table.addSynproxy(id); // init_conntrack: the template's extensions
                dir = ORIGINAL;
                ctinfo = IP_CT_NEW;
            } else {
                id = ConnTable.id(ref);
                dir = ConnTable.dir(ref);
                ctinfo = ctinfo(table.status(id), dir);
            }
            if (table.hasEvents()) snapshot(p, id);
            int res = switch (t.protocol) {
                case Tuple.IPPROTO_TCP -> table.tcpPacket(id, dir, p, now);
                case Tuple.IPPROTO_UDP -> udp(id, dir, p, now);
                case Tuple.IPPROTO_ICMP -> icmp(id, dir, p, now);
                case Tuple.IPPROTO_ICMPV6 -> icmpv6(id, dir, p, now);
                default -> generic(id, dir, p, now);
            };
            if (res == TcpTracker.PKT_REPEAT) continue; // reopened: the old entry is gone, look up again
            if (res != TcpTracker.PKT_ACCEPT) {
                if (!table.confirmed(id)) table.release(id);
                return invalid(p);
            }
            if (dir == REPLY) table.setStatus(id, Status.SEEN_REPLY);
            p.id = id;
            p.dir = dir;
            return verdict(p, ctinfo);
        }
    }

    /**
     * {@link #in} while engine lanes run concurrently ({@link ConnTable#concurrent}): the packet is
     * one of a confirmed, live connection that needs no change to the table (the lane checked it
     * first), so this is the lookup and the tracker under the connection's lock (ct->lock, which
     * tcp_packet takes), and nothing else: no reaping, no clock, and no event (with a listener the
     * lane's check lets only packets by that change no event bit: {@link #deliver} throws if one does).
     */
    private int inConcurrent(CtPacket p, long now) {
        Tuple t = p.tuple;
        int ref = hint;
        hint = ConnTable.NOT_FOUND;
        if (ref < 0 || p.zone != 0 || table.tupleL4(ref) != t.l4() || table.tupleAddrs(ref) != t.addrs()
                || (t.l4() >>> 32 & Tuple.L4_IPV6) != 0) {
            ref = table.find(t, p.zone, now);
        }
        if (ref == ConnTable.NOT_FOUND) throw new IllegalStateException("a concurrent lane's packet has no connection");
        int id = ConnTable.id(ref), dir = ConnTable.dir(ref);
        int stripe = table.lanes.lock(id);
        try {
            if (table.hasEvents()) snapshot(p, id); // the lane's check let only packets that change no event bit by
            int ctinfo = ctinfo(table.status(id), dir);
            int res = switch (t.protocol) {
                case Tuple.IPPROTO_TCP -> table.tcpPacket(id, dir, p, now);
                case Tuple.IPPROTO_UDP -> udp(id, dir, p, now);
                default -> throw new IllegalStateException("a concurrent lane's packet is neither TCP nor UDP");
            };
            if (res != TcpTracker.PKT_ACCEPT) return invalid(p);
            if (dir == REPLY) table.setStatus(id, Status.SEEN_REPLY);
            p.id = id;
            p.dir = dir;
            return verdict(p, ctinfo);
        } finally {
            table.lanes.unlock(stripe);
        }
    }

    /** resolve_normal_ct's ctinfo for a packet in direction {@code dir} of an entry with status {@code st}. */
    private static int ctinfo(int st, int dir) {
        if (dir == REPLY) return IP_CT_ESTABLISHED_REPLY;
        if ((st & Status.SEEN_REPLY) != 0) return IP_CT_ESTABLISHED;
        return (st & Status.EXPECTED) != 0 ? IP_CT_RELATED : IP_CT_NEW;
    }

    /** What the entry was before this packet, so {@link #deliver} can tell what it changed. */
    private void snapshot(CtPacket p, int id) {
        p.statusBefore = table.confirmed(id) ? table.status(id) | Status.CONFIRMED : 0;
        p.stateBefore = table.tcpState(id);
        p.markBefore = table.mark(id);
        p.snapId = id;
    }

    /**
     * nf_ct_deliver_cached_events, as the packet passes the confirm hook: NEW for the connection it
     * confirmed, else UPDATE when it changed the entry (IPCT_REPLY: the first reply; IPCT_ASSURED;
     * IPCT_PROTOINFO: a new TCP state; IPCT_MARK: a new connection mark). Nothing when nobody listens,
     * for an untracked packet, or one whose connection is not (or no longer) confirmed.
     */
    public void deliver(CtPacket p) {
        if (!table.hasEvents()) return;
        ConntrackEvents events = table.events();
        if (events == null || p.id < 0 || p.snapId != p.id || !table.confirmed(p.id)
                || (table.status(p.id) & Status.DYING) != 0) {
            return;
        }
        int id = p.id, bits;
        if ((p.statusBefore & Status.CONFIRMED) == 0) {
            bits = (table.status(id) & Status.EXPECTED) != 0 ? 1 << ConntrackEvents.IPCT_RELATED : 1 << ConntrackEvents.IPCT_NEW;
        } else {
            int st = table.status(id), gained = st & ~p.statusBefore;
            bits = 0;
            if ((gained & Status.SEEN_REPLY) != 0) bits |= 1 << ConntrackEvents.IPCT_REPLY;
            if ((gained & Status.ASSURED) != 0) bits |= 1 << ConntrackEvents.IPCT_ASSURED;
            if (table.tcpState(id) != p.stateBefore) bits |= 1 << ConntrackEvents.IPCT_PROTOINFO;
            if (table.mark(id) != p.markBefore) bits |= 1 << ConntrackEvents.IPCT_MARK;
        }
        if (bits == 0) return;
        if (table.concurrent()) throw new IllegalStateException("a concurrent lane's packet changed connection " + id + "'s events: " + bits);
        snapshot(p, id); // delivered: a second pass through a confirm hook has nothing new
        events.event(bits, table, id);
    }

    /**
     * nf_conntrack_icmpv4_error / nf_conntrack_inet_error: an ICMP error is RELATED to the
     * connection of the packet it quotes. The quoted packet went the other way, so its tuple is
     * inverted before the lookup; the outer destination must be that direction's destination.
     */
    private int related(CtPacket p, long now) {
        int ref = relatedLookup(p.quoted, p.tuple, p.zone, now);
        if (ref == ConnTable.NOT_FOUND) return error(p); // -NF_ACCEPT from nf_conntrack_inet_error
        p.id = ConnTable.id(ref);
        p.dir = ConnTable.dir(ref);
        if (table.hasEvents()) snapshot(p, p.id);
        return verdict(p, p.dir == REPLY ? IP_CT_RELATED_REPLY : IP_CT_RELATED);
    }

    /**
     * The lookup icmp_error_message does for an error quoting {@code quoted} and sent to
     * {@code outerDst}: the ref (id, direction of the error) of the connection, or NOT_FOUND.
     */
    public int relatedLookup(Tuple quoted, int outerDst, long now) {
        return relatedLookup(quoted, outerDst, 0, now);
    }

    /** {@link #relatedLookup(Tuple, int, long)} in {@code zone} (the error's CT template's, nf_conntrack_inet_error). */
    public int relatedLookup(Tuple quoted, int outerDst, int zone, long now) {
        if (!quoted.invert(scratch)) return ConnTable.NOT_FOUND;
        int ref = table.find(scratch, zone, now);
        if (ref == ConnTable.NOT_FOUND) return ref;
        // "outer daddr != inner": the error must go where that direction's packets go.
        if (table.dstAddr(ConnTable.id(ref), ConnTable.dir(ref)) != outerDst) return ConnTable.NOT_FOUND;
        return ref;
    }

    /**
     * nf_conntrack_inet_error for either family: {@link #relatedLookup(Tuple, int, long)} with the
     * error's own tuple {@code outer}, whose destination (all 128 bits for IPv6) must be the
     * found direction's destination.
     */
    public int relatedLookup(Tuple quoted, Tuple outer, long now) {
        return relatedLookup(quoted, outer, 0, now);
    }

    /** {@link #relatedLookup(Tuple, Tuple, long)} in {@code zone}. */
    public int relatedLookup(Tuple quoted, Tuple outer, int zone, long now) {
        int ref = relatedLookup(quoted, outer.dst, zone, now);
        if (ref == ConnTable.NOT_FOUND || !outer.ipv6()) return ref;
        int id = ConnTable.id(ref), dir = ConnTable.dir(ref);
        if (!table.ipv6(id) || table.dstHi(id, dir) != outer.dstHi || table.dstLo(id, dir) != outer.dstLo) {
            return ConnTable.NOT_FOUND;
        }
        return ref;
    }

    /** The key icmp_error_message looks up for a quoted tuple: its inverse (false if none). */
    public static boolean relatedKey(Tuple quoted, Tuple out) {
        return quoted.invert(out);
    }

    /** nf_conntrack_udp_packet. */
    private int udp(int id, int dir, CtPacket p, long now) {
        int st = table.status(id);
        if ((st & Status.CONFIRMED) == 0) table.setUdpStreamTs(id, now + UDP_STREAM_DELAY);
        if ((st & Status.SEEN_REPLY) != 0) {
            long extra = UDP_TIMEOUT;
            boolean stream = false;
            // Still active after two seconds? Then it is a stream: longer timeout, ASSURED.
            if (now - table.udpStreamTs(id) > 0) {
                extra = UDP_TIMEOUT_STREAM;
                stream = (st & Status.ASSURED) == 0;
            }
            table.refreshAcct(id, dir, p.ipLength, extra, now);
            if ((st & Status.NAT_CLASH) != 0) return TcpTracker.PKT_ACCEPT;
            if (stream) table.setStatus(id, Status.ASSURED);
        } else {
            table.refreshAcct(id, dir, p.ipLength, UDP_TIMEOUT, now);
        }
        return TcpTracker.PKT_ACCEPT;
    }

    /** nf_conntrack_icmp_packet: only query types (echo, timestamp, info, address mask) may create. */
    private int icmp(int id, int dir, CtPacket p, long now) {
        if (table.ipv6(id)) return TcpTracker.PKT_INVALID; // ICMP is IPv4's only (state->pf check)
        int type = table.dstPort(id, ORIGINAL) >>> 8;
        switch (type) {
            case Tuple.ICMP_ECHO, Tuple.ICMP_TIMESTAMP, Tuple.ICMP_INFO_REQUEST, Tuple.ICMP_ADDRESS -> { }
            default -> { return TcpTracker.PKT_INVALID; } // can't create a new ICMP "conn" with this
        }
        table.refreshAcct(id, dir, p.ipLength, ICMP_TIMEOUT, now);
        return TcpTracker.PKT_ACCEPT;
    }

    /**
     * nf_conntrack_icmpv6_packet: only echo and node information queries may create; an ICMPv6
     * connection is IPv6's only (state->pf check).
     */
    private int icmpv6(int id, int dir, CtPacket p, long now) {
        if (!table.ipv6(id)) return TcpTracker.PKT_INVALID;
        if (!table.confirmed(id)) {
            int type = table.dstPort(id, ORIGINAL) >>> 8;
            if (type != Tuple.ICMPV6_ECHO_REQUEST && type != Tuple.ICMPV6_NI_QUERY) return TcpTracker.PKT_INVALID;
        }
        table.refreshAcct(id, dir, p.ipLength, ICMPV6_TIMEOUT, now);
        return TcpTracker.PKT_ACCEPT;
    }

    /** nf_conntrack_generic: other protocols, tracked by address. */
    private int generic(int id, int dir, CtPacket p, long now) {
        table.refreshAcct(id, dir, p.ipLength, GENERIC_TIMEOUT, now);
        return TcpTracker.PKT_ACCEPT;
    }

    /** Passed without a connection, counted as nf_conntrack_in counts it (invalid). */
    private int invalid(CtPacket p) {
        stat().invalid++;
        p.id = -1;
        return verdict(p, INVALID);
    }

    /** An ICMP message nf_conntrack_handle_icmp refused: passed without a connection, counted as error. */
    private int error(CtPacket p) {
        stat().error++;
        p.id = -1;
        return verdict(p, INVALID);
    }

    private static int verdict(CtPacket p, int v) {
        p.ctinfo = v;
        return v;
    }
}
