package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.Ipv4Packet;

/**
 * IPv4 reassembly as nf_defrag_ipv4 runs it before conntrack: ip_defrag (net/ipv4/ip_fragment.c)
 * on the inet_frag queues of net/ipv4/inet_fragment.c. Fragments are queued by (source,
 * destination, id, protocol, user); the fragment that completes a datagram gets it back whole, in
 * {@link #buffer()}, to go on through conntrack and NAT as one packet.
 *
 * <p>The kernel's rules, as of the 2018 rework (the rb-tree of "runs"):
 * <ul>
 * <li>a fragment wholly inside what a run of adjacent fragments already holds is a duplicate: it is
 *     dropped and the queue kept (IPFRAG_DUP); any other overlap discards the whole queue
 *     (IPFRAG_OVERLAP, RFC 5722's rule applied to IPv4 too);</li>
 * <li>a last fragment that ends before data already received, or elsewhere than an earlier last
 *     fragment, a fragment beyond a known end, and an empty fragment discard the queue; a non-last
 *     fragment's length is cut to a multiple of 8;</li>
 * <li>a queue lives net.ipv4.ipfrag_time (30 s) from its first fragment, however many follow;</li>
 * <li>while the memory held exceeds ipfrag_high_thresh (4 MB) every fragment is refused, for new
 *     queues and existing ones alike (inet_frag_find); nothing is evicted: since 4.17 the kernel has
 *     no evictor and ipfrag_low_thresh is only a bound of the sysctl;</li>
 * <li>a datagram whose header and data exceed 65535 bytes fails when complete; so does one whose
 *     fragments mix ECN-capable and not-ECT codepoints (ip_frag_ecn_table), and CE in any ECT mix
 *     sets CE on the whole;</li>
 * <li>the reassembled header is the first fragment's, with the total length, DF only when the
 *     largest fragment carried it, and frag_max_size (the largest fragment, header included) kept
 *     for refragmentation on output ({@link IpFragmenter}).</li>
 * </ul>
 * Not mirrored: ipfrag_max_dist (inet_peer's count of a source's fragments between two of one
 * queue, which restarts a queue after more than 64 others).
 *
 * <p>The queues, their runs, storage and memory count are {@link InetFrag}'s (inet_fragment.c, shared
 * with IPv6's {@link NfCtFrag6}); this class is what ip_fragment.c adds: the key, the fragment's
 * checks, the header and the counters. The reassembled datagram is gathered into one buffer,
 * {@link #HEADROOM} bytes in.
 *
 * <p>One thread at a time, as the engine.
 */
public final class IpDefrag {
    /** ip_defrag_users: IP_DEFRAG_CONNTRACK_IN (PREROUTING) and IP_DEFRAG_CONNTRACK_OUT (LOCAL_OUT), zone 0. */
    public static final int USER_CONNTRACK_IN = 1, USER_CONNTRACK_OUT = 2;

    /** What {@link #queue} did with a fragment. */
    public static final int QUEUED = 0, REASSEMBLED = 1, DROPPED = 2;

    /** Free bytes before the reassembled packet in {@link #buffer()}: an Ethernet header fits. */
    public static final int HEADROOM = 16;
    public static final int MAX_DATAGRAM = 65535;

    private static final int MAX_HEADER = 60;

    /**
     * The sysctls.
     *
     * @param highThresh   net.ipv4.ipfrag_high_thresh, bytes
     * @param timeoutNanos net.ipv4.ipfrag_time, in nanoseconds
     */
    public record Config(long highThresh, long timeoutNanos) {
        public static final long DEFAULT_HIGH_THRESH = 4L * 1024 * 1024;
        public static final long DEFAULT_TIMEOUT_NANOS = 30_000_000_000L;

        public static Config defaults() {
            return new Config(DEFAULT_HIGH_THRESH, DEFAULT_TIMEOUT_NANOS);
        }

        /** Whether {@code name} is one of these sysctls (as sysctl -w takes it, dots or slashes). */
        public static boolean names(String name) {
            String key = name.strip().replace('/', '.').toLowerCase(java.util.Locale.ROOT);
            return key.equals("net.ipv4.ipfrag_time") || key.equals("net.ipv4.ipfrag_high_thresh");
        }

        /** This config with sysctl {@code name} set: ipfrag_time in seconds, ipfrag_high_thresh in bytes. */
        public Config with(String name, String value) {
            String key = name.strip().replace('/', '.').toLowerCase(java.util.Locale.ROOT);
            long v;
            try {
                v = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sysctl " + name + ": not a number: " + value);
            }
            if (v < 0) throw new IllegalArgumentException("sysctl " + name + ": must not be negative: " + value);
            return switch (key) {
                case "net.ipv4.ipfrag_time" -> {
                    if (v > Integer.MAX_VALUE / 1000) throw new IllegalArgumentException("sysctl " + name + ": too large: " + value);
                    yield new Config(highThresh, v * 1_000_000_000L);
                }
                case "net.ipv4.ipfrag_high_thresh" -> new Config(v, timeoutNanos);
                default -> throw new IllegalArgumentException("sysctl " + name + ": not a reassembly sysctl");
            };
        }
    }

    /**
     * Told of a queue that timed out (ip_expire). The kernel sends ICMP time exceeded, "fragment
     * reassembly time exceeded" (type 11 code 1), quoting the first fragment, only when that
     * fragment was received, and for conntrack's users only when the datagram was for the host
     * itself (frag_expire_skip_icmp: a router does not send it). {@code buf[off, off+len)} holds
     * the first fragment's header and up to 8 bytes of its data (valid until return), or
     * {@code len} is 0 when the first fragment never came.
     */
    @FunctionalInterface
    public interface ExpireListener {
        void expired(int user, int iif, byte[] buf, int off, int len);
    }

    private final InetFrag frags;
    private ExpireListener expireListener;

    // ---- the last reassembled datagram ----
    /** Allocated with the first datagram (an engine that never sees a fragment keeps 64 KB less), then reused. */
    private byte[] out = new byte[0];
    private int outLen, outFragMax;
    private DropReason dropReason;

    // ---- counters (the kernel's Ip: Reasm* SNMP counters) ----
    private long reasmReqds, reasmOks, reasmFails, reasmTimeouts, reasmOverlaps, queued;

    public IpDefrag() {
        this(Config.defaults());
    }

    public IpDefrag(Config config) {
        this.frags = new InetFrag(config.highThresh(), config.timeoutNanos(), MAX_HEADER, this::expired);
    }

    /** The ICMP "fragment reassembly time exceeded" hook (null: none). */
    public void setExpireListener(ExpireListener l) {
        this.expireListener = l;
    }

    // ---- results -------------------------------------------------------------------------------

    /** The buffer the last {@link #REASSEMBLED} datagram is in, at {@link #HEADROOM}; valid until the next call. */
    public byte[] buffer() { return out; }
    public int offset() { return HEADROOM; }
    public int length() { return outLen; }
    /** IPCB(skb)->frag_max_size of the last reassembled datagram: its largest fragment, header included. */
    public int fragMaxSize() { return outFragMax; }
    /** How many fragments the last reassembled datagram was received in. */
    public int fragmentCount() { return frags.fragmentCount(); }
    /** The end of fragment {@code i}'s data in the datagram (fragments in offset order). */
    public int fragmentEnd(int i) { return frags.fragmentEnd(i); }
    /** Why the last {@link #DROPPED} fragment was dropped. */
    public DropReason dropReason() { return dropReason; }

    /** The queues (ipv4's fqdir), for the fragmenter's geometry. */
    InetFrag frags() { return frags; }

    public int queues() { return frags.queues(); }
    public long memory() { return frags.memory(); }
    public long reasmReqds() { return reasmReqds; }
    public long reasmOks() { return reasmOks; }
    public long reasmFails() { return reasmFails; }
    public long reasmTimeouts() { return reasmTimeouts; }
    public long reasmOverlaps() { return reasmOverlaps; }
    /** Fragments {@link #queue} answered {@link #QUEUED}: held for a datagram not yet whole. */
    public long queued() { return queued; }

    // ---- ip_defrag ----------------------------------------------------------------------------

    /**
     * ip_defrag: queues the fragment {@code ip} (wrapped, header checksum verified) for
     * {@code user}, arrived on interface index {@code iif}. Returns {@link #QUEUED},
     * {@link #REASSEMBLED} (the datagram is in {@link #buffer()}) or {@link #DROPPED}
     * ({@link #dropReason()}).
     */
    public int queue(Ipv4Packet ip, int user, int iif, long now) {
        reasmReqds++;
        // ip_find's key (struct frag_v4_compare_key): saddr, daddr, id, protocol, user
        long k0 = (long) ip.src() << 32 | (ip.dst() & 0xffffffffL);
        long k1 = (long) ip.identification() << 16 | ip.protocol() << 8 | user;
        int q = frags.find(k0, k1, 0, 0, 0, now);
        if (q < 0) return fail(DropReason.FRAG_MEMORY_FULL); // inet_frag_find: above ipfrag_high_thresh
        return fragQueue(q, ip, iif);
    }

    /** ip_expire for every queue whose time is up; returns how many expired. */
    public int expire(long now) {
        return frags.expire(now);
    }

    /** ip_expire: counted, and told to the listener with the first fragment's header and 8 bytes. */
    private void expired(int q) {
        reasmFails++;
        reasmTimeouts++;
        if (expireListener == null) return;
        if (out.length == 0) out = new byte[HEADROOM + MAX_DATAGRAM];
        int hl = (frags.flags(q) & InetFrag.FIRST_IN) != 0 ? frags.headerLength(q) : 0;
        int n = 0;
        if (hl > 0) {
            frags.copyHeader(q, out, HEADROOM);
            n = Math.min(8, frags.firstFragmentEnd(q));
            frags.copyFirstData(q, n, out, HEADROOM + hl);
        }
        expireListener.expired((int) frags.key(q, 1) & 0xff, frags.iif(q), out, HEADROOM, hl == 0 ? 0 : hl + n);
    }

    private int fail(DropReason reason) {
        reasmFails++;
        dropReason = reason;
        return DROPPED;
    }

    private int discard(int q, DropReason reason) {
        frags.kill(q);
        return fail(reason);
    }

    /** ip_frag_queue. */
    private int fragQueue(int q, Ipv4Packet ip, int dev) {
        int ihl = ip.headerLength();
        int offset = ip.fragmentOffset() << 3;
        boolean more = ip.moreFragments();
        int end = offset + ip.totalLength() - ihl;
        int len = frags.len(q);
        boolean lastIn = (frags.flags(q) & InetFrag.LAST_IN) != 0;
        if (!more) {
            // If we already have some bits beyond end or have a different end, the segment is corrupted.
            if (end < len || lastIn && end != len) return discard(q, DropReason.FRAG_INVALID);
            frags.addFlags(q, InetFrag.LAST_IN);
            frags.setLen(q, end);
        } else {
            end &= ~7;
            if (end > len) {
                if (lastIn) return discard(q, DropReason.FRAG_INVALID);
                frags.setLen(q, end);
            }
        }
        if (end == offset) return discard(q, DropReason.FRAG_INVALID);

        int r = frags.insert(q, offset, end);
        if (r == InetFrag.INSERT_DUP) return fail(DropReason.FRAG_DUPLICATE); // the queue keeps what it has
        if (r == InetFrag.INSERT_OVERLAP) {
            reasmOverlaps++;
            return discard(q, DropReason.FRAG_OVERLAP);
        }
        frags.add(q, ip.buffer(), ip.payloadOffset(), offset, end);
        if (offset == 0) frags.setHead(q, ip.buffer(), ip.offset(), ihl);
        frags.setIif(q, dev);
        frags.addEcn(q, 1 << (ip.tos() & 3));
        int fragsize = end - offset + ihl;
        frags.raiseMaxSize(q, fragsize);
        if (ip.dontFragment() && fragsize > frags.aux(q)) frags.setAux(q, fragsize); // max_df_size
        if (frags.flags(q) == (InetFrag.FIRST_IN | InetFrag.LAST_IN) && frags.meat(q) == frags.len(q)) return reassemble(q);
        queued++;
        return QUEUED;
    }

    /** ip_frag_reasm: the datagram into {@link #out}, the queue gone. */
    private int reassemble(int q) {
        int e = InetFrag.ecnTable(frags.ecn(q));
        if (e == 0xff) return discard(q, DropReason.FRAG_INVALID);
        int hl = frags.headerLength(q);
        int total = hl + frags.len(q);
        if (total > MAX_DATAGRAM) return discard(q, DropReason.FRAG_OVERSIZE);
        if (out.length == 0) out = new byte[HEADROOM + MAX_DATAGRAM];
        frags.copyHeader(q, out, HEADROOM);
        frags.reasm(q, out, HEADROOM + hl);
        outLen = total;
        int maxSize = frags.maxSize(q), maxDfSize = frags.aux(q);
        outFragMax = Math.max(maxDfSize, maxSize);
        int h = HEADROOM;
        Bytes.put16(out, h + Ipv4Packet.OFF_TOTAL_LENGTH, total);
        out[h + Ipv4Packet.OFF_TOS] |= (byte) e;
        // DF only when the largest fragment had it: refragmentation must not send DF fragments
        // larger than the sender did (IPSKB_FRAG_PMTU).
        Bytes.put16(out, h + Ipv4Packet.OFF_FRAG, maxDfSize == maxSize ? Ipv4Packet.FLAG_DF : 0);
        Ipv4Packet.fillChecksum(out, h);
        frags.kill(q);
        reasmOks++;
        return REASSEMBLED;
    }
}
