package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.Ipv6ExtHeaders;
import jnat.wire.Ipv6FragmentHeader;
import jnat.wire.Ipv6Packet;

/**
 * IPv6 reassembly for connection tracking: nf_ct_frag6_gather (net/ipv6/netfilter/nf_conntrack_reasm.c)
 * on {@link InetFrag}'s queues (its own fqdir: nf_conntrack_frag6_high_thresh, _timeout), which
 * nf_defrag_ipv6 runs before conntrack ({@link Ip6DefragHook}). Fragments are queued by
 * (source, destination, identification, user, in interface), struct frag_v6_compare_key; the
 * fragment completing a datagram gets it back whole in {@link #buffer()}, its fragment header
 * removed, to go on through conntrack and NAT as one packet.
 *
 * <p>The kernel's rules, which differ from IPv4's ({@link IpDefrag}) where marked:
 * <ul>
 * <li>a packet without a fragment header in its extension chain (find_prev_fhdr), a jumbogram, and a
 *     first fragment without its whole upper-layer header (ipv6frag_thdr_truncated, RFC 8200 4.5:
 *     TCP 20, UDP 8, ICMPv6 8 bytes, another protocol 1) go on as they are ({@link #ACCEPT});</li>
 * <li>a fragment header cut short is dropped;</li>
 * <li>a non-last fragment whose end is not a multiple of 8 discards its queue and goes on as it is
 *     (-EPROTO, which nf_ct_frag6_gather turns into NF_ACCEPT: the stack's own reassembly answers
 *     it with a parameter problem);</li>
 * <li>an end beyond 65535, a last fragment ending before data already held or elsewhere than an
 *     earlier last one, data beyond a known end, and an empty fragment drop the fragment and keep the
 *     queue (IPv4 discards it);</li>
 * <li>a duplicate (wholly inside a run) is dropped, the queue kept; any other overlap discards the
 *     queue (RFC 5722);</li>
 * <li>an atomic fragment (offset 0, M clear) is a queue of one fragment: it is "reassembled" at
 *     once, its fragment header removed (the kernel's conntrack path has no special case; its
 *     frag_max_size then keeps it whole on output);</li>
 * <li>the reassembled packet has the first fragment's headers with the fragment header's next
 *     header in its place, payload length (headers + data) at most 65535, an ECN mix refused or CE
 *     set as ip_frag_ecn_table says, and frag_max_size 40 + the largest fragment's payload length.</li>
 * </ul>
 * The first fragment's header, up to the fragment header, is kept up to {@value #MAX_HEADER} bytes
 * (the kernel has no such limit; a longer one is dropped as invalid).
 */
public final class NfCtFrag6 {
    /** ip6_defrag_users: IP6_DEFRAG_CONNTRACK_IN (PREROUTING) and IP6_DEFRAG_CONNTRACK_OUT (LOCAL_OUT), zone 0. */
    public static final int USER_CONNTRACK_IN = 1, USER_CONNTRACK_OUT = 2;

    /** What {@link #gather} did: the packet goes on as it is, was queued, completed a datagram, or was dropped. */
    public static final int ACCEPT = 0, QUEUED = 1, REASSEMBLED = 2, DROPPED = 3;

    /** Free bytes before the reassembled packet in {@link #buffer()}: an Ethernet header fits. */
    public static final int HEADROOM = 16;
    /** IPV6_MAXPLEN. */
    public static final int MAX_PAYLOAD = 65535;
    static final int MAX_HEADER = 512;

    private static final int IP6_MF = Ipv6FragmentHeader.IP6_MF, IP6_OFFSET = Ipv6FragmentHeader.IP6_OFFSET;

    /**
     * The sysctls (net.netfilter.*).
     *
     * @param highThresh   nf_conntrack_frag6_high_thresh, bytes
     * @param timeoutNanos nf_conntrack_frag6_timeout, in nanoseconds
     */
    public record Config(long highThresh, long timeoutNanos) {
        /** IPV6_FRAG_HIGH_THRESH, IPV6_FRAG_TIMEOUT. */
        public static final long DEFAULT_HIGH_THRESH = 4L * 1024 * 1024;
        public static final long DEFAULT_TIMEOUT_NANOS = 60_000_000_000L;

        public static Config defaults() {
            return new Config(DEFAULT_HIGH_THRESH, DEFAULT_TIMEOUT_NANOS);
        }

        private static String key(String name) {
            return name.strip().replace('/', '.').toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether {@code name} is one of these sysctls (as sysctl -w takes it, dots or slashes). */
        public static boolean names(String name) {
            String key = key(name);
            return key.equals("net.netfilter.nf_conntrack_frag6_timeout") || key.equals("net.netfilter.nf_conntrack_frag6_high_thresh");
        }

        /**
         * This config with sysctl {@code name} set: nf_conntrack_frag6_timeout in seconds
         * (proc_dointvec_jiffies), nf_conntrack_frag6_high_thresh in bytes.
         */
        public Config with(String name, String value) {
            long v;
            try {
                v = Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sysctl " + name + ": not a number: " + value);
            }
            if (v < 0) throw new IllegalArgumentException("sysctl " + name + ": must not be negative: " + value);
            return switch (key(name)) {
                case "net.netfilter.nf_conntrack_frag6_timeout" -> {
                    if (v > Integer.MAX_VALUE / 1000) throw new IllegalArgumentException("sysctl " + name + ": too large: " + value);
                    yield new Config(highThresh, v * 1_000_000_000L);
                }
                case "net.netfilter.nf_conntrack_frag6_high_thresh" -> new Config(v, timeoutNanos);
                default -> throw new IllegalArgumentException("sysctl " + name + ": not an IPv6 reassembly sysctl");
            };
        }
    }

    /**
     * Told of a queue that timed out (nf_ct_frag6_expire): {@code buf[off, off+len)} holds the first
     * fragment as received, header and fragment header included (valid until return), or
     * {@code len} is 0 when the first fragment never came.
     */
    @FunctionalInterface
    public interface ExpireListener {
        void expired(int user, int iif, byte[] buf, int off, int len);
    }

    private final InetFrag frags;
    private ExpireListener expireListener;

    /** Allocated with the first datagram, then reused. */
    private byte[] out = new byte[0];
    private int outLen, outFragMax, outUnfragmentable;
    private DropReason dropReason;

    // ---- counters (Ip6: Reasm*; the kernel's conntrack path counts only timeouts there) ----
    private long reasmReqds, reasmOks, reasmFails, reasmTimeouts, reasmOverlaps, queued;

    public NfCtFrag6() {
        this(Config.defaults());
    }

    public NfCtFrag6(Config config) {
        // the kept header: up to and with the fragment header (its next header goes into the datagram)
        this.frags = new InetFrag(config.highThresh(), config.timeoutNanos(), MAX_HEADER + Ipv6FragmentHeader.LENGTH, this::expired);
    }

    public void setExpireListener(ExpireListener l) {
        this.expireListener = l;
    }

    // ---- results -------------------------------------------------------------------------------

    /** The buffer the last {@link #REASSEMBLED} packet is in, at {@link #HEADROOM}; valid until the next call. */
    public byte[] buffer() { return out; }
    public int offset() { return HEADROOM; }
    public int length() { return outLen; }
    /** IP6CB(skb)->frag_max_size: 40 + the largest fragment's payload length. */
    public int fragMaxSize() { return outFragMax; }
    /** How many fragments the last reassembled packet was received in. */
    public int fragmentCount() { return frags.fragmentCount(); }
    /** The end of fragment {@code i}'s data in the datagram (fragments in offset order). */
    public int fragmentEnd(int i) { return frags.fragmentEnd(i); }
    /** The bytes before the datagram's data in the reassembled packet: the first fragment's unfragmentable part. */
    public int unfragmentableLength() { return outUnfragmentable; }
    public DropReason dropReason() { return dropReason; }

    public int queues() { return frags.queues(); }
    public long memory() { return frags.memory(); }
    public long reasmReqds() { return reasmReqds; }
    public long reasmOks() { return reasmOks; }
    public long reasmFails() { return reasmFails; }
    public long reasmTimeouts() { return reasmTimeouts; }
    public long reasmOverlaps() { return reasmOverlaps; }
    public long queued() { return queued; }

    /** nf_ct_frag6_expire for every queue whose time is up; returns how many expired. */
    public int expire(long now) {
        return frags.expire(now);
    }

    /** ip6frag_expire_frag_queue: counted, and told to the listener with the first fragment when it came. */
    private void expired(int q) {
        reasmFails++;
        reasmTimeouts++;
        if (expireListener == null) return;
        if (out.length == 0) out = new byte[HEADROOM + Ipv6Packet.HEADER_LENGTH + MAX_PAYLOAD];
        int n = 0;
        if ((frags.flags(q) & InetFrag.FIRST_IN) != 0) {
            int hl = frags.headerLength(q);
            frags.copyHeader(q, out, HEADROOM);
            int data = frags.firstFragmentEnd(q);
            frags.copyFirstData(q, data, out, HEADROOM + hl);
            n = hl + data;
        }
        long k4 = frags.key(q, 4);
        expireListener.expired((int) k4 & 0xff, frags.iif(q), out, HEADROOM, n);
    }

    // ---- nf_ct_frag6_gather --------------------------------------------------------------------

    /**
     * nf_ct_frag6_gather: {@code ip} (wrapped as ip6_rcv_core left it) for {@code user}, arrived on
     * interface index {@code iif}. Returns {@link #ACCEPT}, {@link #QUEUED}, {@link #REASSEMBLED}
     * (the packet is in {@link #buffer()}) or {@link #DROPPED} ({@link #dropReason()}).
     */
    public int gather(Ipv6Packet ip, int user, int iif, long now) {
        if (ip.payloadLengthField() == 0) return ACCEPT; // a jumbo payload inhibits the fragment header
        byte[] b = ip.buffer();
        int off = ip.offset(), end = off + ip.length();
        // find_prev_fhdr: the fragment header and the next-header byte that names it
        int nexthdr = ip.nextHeader();
        int prevOff = off + Ipv6Packet.OFF_NEXT_HEADER;
        int start = off + Ipv6Packet.HEADER_LENGTH;
        while (nexthdr != Ipv6ExtHeaders.NEXTHDR_FRAGMENT) {
            if (!Ipv6ExtHeaders.isExtHeader(nexthdr) || nexthdr == Ipv6ExtHeaders.NEXTHDR_NONE) return ACCEPT;
            if (end - start < 2) return ACCEPT;
            int hdrlen = Ipv6ExtHeaders.length(b, start, nexthdr);
            prevOff = start;
            nexthdr = b[start + Ipv6ExtHeaders.OFF_NEXT_HEADER] & 0xff;
            start += hdrlen;
        }
        if (start > end) return ACCEPT;
        int fhoff = start;
        if (thdrTruncated(b, fhoff, end)) return ACCEPT; // RFC 8200 4.5: left to the stack, which drops it
        reasmReqds++;
        if (fhoff + Ipv6FragmentHeader.LENGTH > end) return fail(DropReason.IPV6_FRAG_INVALID); // pskb_may_pull
        // fq_find's key: saddr, daddr, id, user, iif
        long id = Bytes.i32(b, fhoff + Ipv6FragmentHeader.OFF_IDENTIFICATION) & 0xffffffffL;
        long k4 = id << 32 | (long) (iif & 0xffffff) << 8 | user;
        int q = frags.find(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(), k4, now);
        if (q < 0) return fail(DropReason.IPV6_FRAG_MEMORY_FULL); // inet_frag_find: above high_thresh
        return fragQueue(q, ip, fhoff, prevOff, iif);
    }

    /**
     * ipv6frag_thdr_truncated: the walk from the fragment header (ipv6_skip_exthdr's, which gives up
     * only where it cannot read a header) ends in a first fragment that lacks its upper-layer header.
     */
    private static boolean thdrTruncated(byte[] b, int start, int end) {
        int nexthdr = Ipv6ExtHeaders.NEXTHDR_FRAGMENT;
        int fragOff = 0;
        while (Ipv6ExtHeaders.isExtHeader(nexthdr)) {
            if (nexthdr == Ipv6ExtHeaders.NEXTHDR_NONE || start + 2 > end) return false; // -1
            int hdrlen;
            if (nexthdr == Ipv6ExtHeaders.NEXTHDR_FRAGMENT) {
                if (start + Ipv6FragmentHeader.OFF_FRAG_OFF + 2 > end) return false;
                fragOff = Bytes.u16(b, start + Ipv6FragmentHeader.OFF_FRAG_OFF);
                if ((fragOff & ~0x7) != 0) break;
                hdrlen = Ipv6FragmentHeader.LENGTH;
            } else {
                hdrlen = Ipv6ExtHeaders.length(b, start, nexthdr);
            }
            nexthdr = b[start + Ipv6ExtHeaders.OFF_NEXT_HEADER] & 0xff;
            start += hdrlen;
        }
        if ((fragOff & IP6_OFFSET) != 0) return false;
        int need = switch (nexthdr) {
            case Ipv6ExtHeaders.NEXTHDR_TCP -> 20;
            case Ipv6ExtHeaders.NEXTHDR_UDP, Ipv6ExtHeaders.NEXTHDR_ICMP -> 8;
            default -> 1;
        };
        return start + need > end;
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

    /** nf_ct_frag6_queue. */
    private int fragQueue(int q, Ipv6Packet ip, int fhoff, int prevOff, int dev) {
        byte[] b = ip.buffer();
        int off = ip.offset();
        int payloadLen = ip.payloadLengthField();
        int field = Bytes.u16(b, fhoff + Ipv6FragmentHeader.OFF_FRAG_OFF);
        int offset = field & ~0x7;
        int dataAt = fhoff + Ipv6FragmentHeader.LENGTH;
        int end = offset + (payloadLen - (dataAt - (off + Ipv6Packet.HEADER_LENGTH)));
        if (end > MAX_PAYLOAD) return fail(DropReason.IPV6_FRAG_INVALID); // "offset is too large": queue kept
        int len = frags.len(q);
        boolean lastIn = (frags.flags(q) & InetFrag.LAST_IN) != 0;
        if ((field & IP6_MF) == 0) {
            // If we already have some bits beyond end or have a different end, the segment is corrupted.
            if (end < len || lastIn && end != len) return fail(DropReason.IPV6_FRAG_INVALID);
            frags.addFlags(q, InetFrag.LAST_IN);
            frags.setLen(q, end);
        } else {
            if ((end & 0x7) != 0) { // RFC 8200: a non-last fragment is a multiple of 8 bytes
                frags.kill(q);
                return ACCEPT;      // -EPROTO: it goes on as it is
            }
            if (end > len) {
                if (lastIn) return fail(DropReason.IPV6_FRAG_INVALID); // some bits beyond end
                frags.setLen(q, end);
            }
        }
        if (end == offset) return fail(DropReason.IPV6_FRAG_INVALID);
        int hl = dataAt - off;
        if (offset == 0 && hl > MAX_HEADER + Ipv6FragmentHeader.LENGTH) return fail(DropReason.IPV6_FRAG_INVALID);

        int r = frags.insert(q, offset, end);
        if (r == InetFrag.INSERT_DUP) { // "no error for duplicates, pretend they got queued"
            dropReason = DropReason.IPV6_FRAG_DUPLICATE;
            return DROPPED;
        }
        if (r == InetFrag.INSERT_OVERLAP) {
            reasmOverlaps++;
            return discard(q, DropReason.IPV6_FRAG_OVERLAP);
        }
        frags.add(q, b, dataAt, offset, end);
        frags.setIif(q, dev);
        frags.addEcn(q, 1 << ip.ecn());
        frags.raiseMaxSize(q, payloadLen);
        if (offset == 0) {
            frags.setHead(q, b, off, hl);  // the headers with the fragment header
            frags.setAux(q, prevOff - off); // nhoffset
        }
        if (frags.flags(q) == (InetFrag.FIRST_IN | InetFrag.LAST_IN) && frags.meat(q) == frags.len(q)) return reasm(q);
        queued++;
        return QUEUED;
    }

    /** nf_ct_frag6_reasm: the packet into {@link #out} without its fragment header, the queue gone. */
    private int reasm(int q) {
        int e = InetFrag.ecnTable(frags.ecn(q));
        if (e == 0xff) return discard(q, DropReason.IPV6_FRAG_INVALID);
        int hl = frags.headerLength(q) - Ipv6FragmentHeader.LENGTH; // up to the fragment header
        int payload = hl - Ipv6Packet.HEADER_LENGTH + frags.len(q);
        if (payload > MAX_PAYLOAD) return discard(q, DropReason.IPV6_FRAG_OVERSIZE);
        if (out.length == 0) out = new byte[HEADROOM + Ipv6Packet.HEADER_LENGTH + MAX_PAYLOAD];
        int h = HEADROOM;
        frags.copyHeader(q, out, h);
        int fragNext = out[h + hl + Ipv6FragmentHeader.OFF_NEXT_HEADER];
        out[h + frags.aux(q)] = (byte) fragNext; // the header before the fragment header names what followed it
        frags.reasm(q, out, h + hl);
        Bytes.put16(out, h + Ipv6Packet.OFF_PAYLOAD_LENGTH, payload);
        // ipv6_change_dsfield(hdr, 0xff, ecn): the traffic class's ECN bits ORed
        out[h + 1] |= (byte) (e << 4);
        outLen = Ipv6Packet.HEADER_LENGTH + payload;
        outFragMax = Ipv6Packet.HEADER_LENGTH + frags.maxSize(q);
        outUnfragmentable = hl;
        frags.kill(q);
        reasmOks++;
        return REASSEMBLED;
    }
}
