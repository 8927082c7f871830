package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Status;
import jnat.conntrack.Tuple;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.InterfaceAddress;
import jnat.host.RouteResult;
import jnat.host.RouteType;
import jnat.host.Scope;
import jnat.rules.Hook;
import jnat.rules.NatRange;
import jnat.rules.NatTarget;
import jnat.rules.RejectTarget;
import jnat.rules.Ruleset;
import jnat.rules.Table;
import jnat.rules.Target;
import jnat.wire.ArpPacket;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpPacket;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;
import jnat.wire.MacAddress;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.UdpDatagram;
import jnat.wire.WireError;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The IPv4 packet path of a Linux host with the nat table and connection tracking, as the kernel
 * runs it: a frame in on an interface, out on another (or delivered, or dropped with a reason).
 * No I/O and no threads: the caller hands in frames and a {@link Transmit} that takes what
 * leaves. One thread at a time.
 *
 * <pre>
 * in ─▶ L2 ─▶ ip_rcv checks ─▶ PREROUTING: defrag, raw, conntrack in, mangle, nat (DST) ─▶ route
 *    ─▶ local: INPUT mangle, filter, security, nat (SRC), confirm, delivered
 *    ─▶ forward: TTL, MTU ─▶ FORWARD: mangle, filter, security
 *       ─▶ POSTROUTING: mangle, nat (SRC), confirm ─▶ L2 ─▶ out
 * own: OUTPUT: raw, conntrack, mangle, nat (DST), re-route, filter, security ─▶ POSTROUTING as above
 * </pre>
 *
 * Each table walks only if the ruleset has it (else one null check); a verdict other than ACCEPT
 * drops the packet with the table's {@link DropReason}.
 *
 * Packets are rewritten in place. A frame from a layer-3 interface leaving on a layer-2 one needs
 * {@link EthernetFrame#HEADER_LENGTH} bytes of headroom before the IP header; without it the
 * packet is copied into a scratch buffer first.
 */
public final class NatEngine {
    /** Takes a frame leaving on {@code out}: buf[off, off+len) is valid until the call returns. */
    @FunctionalInterface
    public interface Transmit {
        void transmit(Interface out, byte[] buf, int off, int len);

        /**
         * A packet leaving a layer-3 interface with its {@link Offload} state (the IP header at
         * {@code off}): a transmitter that passes it on to a device with offloads writes it as it is
         * (a TUN device's virtio_net_hdr). This default is a device without them: a
         * CHECKSUM_PARTIAL packet gets its checksum completed (skb_checksum_help), then
         * {@link #transmit(Interface, byte[], int, int)}. A GSO packet goes out whole.
         */
        default void transmit(Interface out, byte[] buf, int off, int len, Offload offload) {
            offload.checksumHelp(buf, off, len);
            transmit(out, buf, off, len);
        }

        /** An IPv4 packet for the host itself (after INPUT); buf[off, off+len) valid until return. */
        default void deliver(byte[] buf, int off, int len) {
        }
    }

    /** Receives the readable trace of each packet's walk (--trace), one line at a time. */
    @FunctionalInterface
    public interface PacketTracer {
        void line(String text);
    }

    /**
     * Engine settings.
     *
     * @param conntrackMax      nf_conntrack_max
     * @param randomSeed        seeds the choices the kernel makes at random (a port after a clash)
     * @param conntrackChecksum net.netfilter.nf_conntrack_checksum: verify L4 checksums of arriving
     *                          packets and treat bad ones as INVALID (captures taken on a sending host
     *                          with checksum offload carry wrong checksums: turn it off for those)
     * @param conntrackHashsize connections the conntrack hash and the NAT by-source buckets are built
     *                          for up front (nf_conntrack's hashsize): below it, a growing table copies
     *                          its rows but never rehashes; 0 lets the hash grow with the table
     * @param icmp              the ICMP sysctls of the host's own ICMP messages
     */
    public record Config(int conntrackMax, long randomSeed, boolean conntrackChecksum, int conntrackHashsize,
                         IcmpConfig icmp) {
        public static final int DEFAULT_CONNTRACK_MAX = 262_144;
        public static final long DEFAULT_SEED = 0x6a6e6174L;

        /** A hash that grows with the table (small engines: tests, replays), the kernel's ICMP sysctls. */
        public Config(int conntrackMax, long randomSeed, boolean conntrackChecksum) {
            this(conntrackMax, randomSeed, conntrackChecksum, 0, IcmpConfig.defaults());
        }

        /** The kernel's ICMP sysctls ({@link IcmpConfig#defaults()}). */
        public Config(int conntrackMax, long randomSeed, boolean conntrackChecksum, int conntrackHashsize) {
            this(conntrackMax, randomSeed, conntrackChecksum, conntrackHashsize, IcmpConfig.defaults());
        }

        public static Config defaults() {
            return new Config(DEFAULT_CONNTRACK_MAX, DEFAULT_SEED, true);
        }

        public Config withIcmp(IcmpConfig icmp) {
            return new Config(conntrackMax, randomSeed, conntrackChecksum, conntrackHashsize, icmp);
        }
    }

    private final Host host;
    private final ConnTable table;
    private final Conntrack conntrack;
    private final NatCore core;
    private final RandomGenerator random;
    private final boolean conntrackChecksum;
    private volatile Ruleset ruleset;
    /**
     * The tables the ruleset has, each walked at its hooks in the kernel's priority order
     * (NF_IP_PRI_*: raw -300, conntrack -200, mangle -150, nat DST -100, filter 0, security 50,
     * nat SRC 100); null where the ruleset has no such table, as with its module not loaded.
     */
    private Table raw, mangle, nat, filter, security;

    /** The packet being processed: {@link #received}, or {@link #generated} while the host sends one of its own ICMP messages about it. */
    private PacketState pkt;
    private final PacketState received;
    private final PacketState generated;
    private PacketTracer tracer;
    private final jnat.rules.Tracer tableTracer = new jnat.rules.Tracer() {
        @Override
        public void rule(Table table, jnat.rules.Chain chain, int number, jnat.rules.Rule rule) {
            StringBuilder b = new StringBuilder("  ").append(table.name).append(':').append(chain.name())
                    .append(":rule:").append(number).append(' ');
            if (rule.jump() != null) b.append(rule.isGoto ? "goto " : "-> ").append(rule.jump().name());
            else b.append(rule.target == null ? "(no target)" : describe(rule.target));
            tracer.line(b.toString());
        }

        @Override
        public void leave(Table table, jnat.rules.Chain chain, int number, boolean policy) {
            tracer.line("  " + table.name + ':' + chain.name() + (policy ? ":policy:" + number + ' ' + chain.policy()
                    : ":return:" + number));
        }
    };
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final TcpSegment tcp = new TcpSegment();
    private final UdpDatagram udp = new UdpDatagram();
    private final Tuple target = new Tuple();
    private final Tuple scratchTuple = new Tuple();
    private byte[] headroomScratch = new byte[65536 + EthernetFrame.HEADER_LENGTH];
    /** The offload state of the packet being processed: {@link #none} (never changed) unless the caller gave one. */
    private final Offload none = new Offload();
    private Offload offload = none;

    /** nf_defrag_ipv4's queues, and ip_do_fragment for what leaves larger than the MTU or was reassembled. */
    private final IpDefrag defrag;
    private final IpFragmenter fragmenter = new IpFragmenter();
    /** IPCB(skb)->frag_max_size of the packet being processed: 0 unless it was reassembled. */
    private int fragMax;
    private Interface fragOut;
    private long fragDstMac;
    private Transmit fragTx;
    private final IpFragmenter.Sink fragSink = this::fragmentOut;
    private final Ipv4Packet fragView = new Ipv4Packet();

    private final long[] drops = new long[DropReason.values().length];
    private long[] rxPackets = new long[8], rxBytes = new long[8], txPackets = new long[8], txBytes = new long[8];
    private long delivered;
    private long invalid;

    public NatEngine(Host host, Ruleset ruleset) {
        this(host, ruleset, Config.defaults());
    }

    public NatEngine(Host host, Ruleset ruleset, Config config) {
        this(host, ruleset, config, IpDefrag.Config.defaults());
    }

    /** With the reassembly sysctls {@code defragConfig} (ipfrag_high_thresh, ipfrag_time). */
    public NatEngine(Host host, Ruleset ruleset, Config config, IpDefrag.Config defragConfig) {
        this.host = host;
        this.defrag = new IpDefrag(defragConfig);
        // TODO(icmp): ip_expire sends ICMP time exceeded, code 1 (fragment reassembly), quoting the
        // first fragment, when it came and the datagram was for the host itself (conntrack's users
        // skip it on a router: frag_expire_skip_icmp). Set defrag's ExpireListener to generate it;
        // until then a timed-out queue is only counted (FRAG_TIMEOUT).
        this.defrag.setExpireListener((user, iif, buf, off, len) -> drops[DropReason.FRAG_TIMEOUT.ordinal()]++);
        this.table = new ConnTable(config.conntrackMax(), Math.min(config.conntrackMax(), 1024), ConnTable.DEFAULT_SEED,
                config.conntrackHashsize());
        this.conntrack = new Conntrack(table);
        this.random = new SplittableRandom(config.randomSeed());
        this.conntrackChecksum = config.conntrackChecksum();
        this.core = new NatCore(table, random);
        this.table.setDestroyListener(core::destroyed);
        this.received = new PacketState(host, table);
        this.generated = new PacketState(host, table);
        this.pkt = received;
        this.icmpConfig = config.icmp();
        SplittableRandom icmpRandom = new SplittableRandom(config.randomSeed() ^ 0x69636d70L);
        this.icmpRandom = icmpRandom;
        this.ipIdent = icmpRandom.nextInt(1 << 16);
        setRuleset(ruleset);
    }

    /** Replaces the ruleset: the next packet sees the new one whole. */
    public void setRuleset(Ruleset rules) {
        this.ruleset = rules;
        this.raw = attach(rules.existing("raw"));
        this.mangle = attach(rules.existing("mangle"));
        this.nat = attach(rules.existing("nat"));
        this.filter = attach(rules.existing("filter"));
        this.security = attach(rules.existing("security"));
    }

    private Table attach(Table t) {
        if (t != null) {
            t.setRandom(random);
            t.setTracer(tracer == null ? null : tableTracer);
        }
        return t;
    }

    /**
     * Traces every packet (null: off): where it came in, its conntrack state, each nat rule it
     * matched (named as the TRACE target names them), its translation, route, and where it left
     * or why it was dropped. Costs nothing when off.
     */
    public void setTracer(PacketTracer tracer) {
        this.tracer = tracer;
        for (Table t : new Table[] {raw, mangle, nat, filter, security}) {
            if (t != null) t.setTracer(tracer == null ? null : tableTracer);
        }
    }

    private static String describe(Target t) {
        StringBuilder b = new StringBuilder(t.name());
        StringBuilder detail = new StringBuilder();
        t.print(detail, true);
        if (!detail.isEmpty()) b.append(' ').append(detail.toString().trim());
        return b.toString();
    }

    /** "TCP 1.2.3.4:5 > 6.7.8.9:10" for the trace. */
    private static String summary(Ipv4Packet ip) {
        StringBuilder b = new StringBuilder();
        int p = ip.protocol();
        b.append(switch (p) {
            case IpProtocol.TCP -> "TCP";
            case IpProtocol.UDP -> "UDP";
            case IpProtocol.ICMP -> "ICMP";
            default -> "proto " + p;
        }).append(' ').append(jnat.wire.Ipv4Address.format(ip.src()));
        if (ip.hasPorts()) b.append(':').append(ip.srcPort());
        b.append(" > ").append(jnat.wire.Ipv4Address.format(ip.dst()));
        if (ip.hasPorts()) b.append(':').append(ip.dstPort());
        if (p == IpProtocol.ICMP && ip.payloadLength() >= 2) b.append(" type ").append(ip.icmpType()).append(" code ").append(ip.icmpCode());
        if (ip.hasIcmpId()) b.append(" id ").append(ip.icmpId());
        b.append(" len ").append(ip.totalLength());
        return b.toString();
    }

    private static final String[] CTINFO = {"ESTABLISHED", "RELATED", "NEW", "ESTABLISHED reply", "RELATED reply"};

    public Ruleset ruleset() {
        return ruleset;
    }

    public Host host() {
        return host;
    }

    /** The connection tracking table (conntrack -L reads it). */
    public ConnTable connections() {
        return table;
    }

    /**
     * Puts back a connection row exported with {@link ConnTable#exportRow} (a state file after a
     * restart) and re-files its NAT binding, so the source keeps its mapping. Returns the id, or -1
     * when the row was not taken (see {@link ConnTable#importRow}).
     */
    public int restoreConnection(long[] longs, int[] ints, long now) {
        int id = table.importRow(longs, ints, now);
        if (id >= 0) core.restored(id);
        return id;
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    public long deliveredLocally() {
        return delivered;
    }

    /** Packets conntrack found INVALID: passed on untracked, so not NATed (conntrack -S "invalid"). */
    public long invalid() {
        return invalid;
    }

    public long rxPackets(Interface dev) { return at(rxPackets, dev); }
    public long rxBytes(Interface dev) { return at(rxBytes, dev); }
    public long txPackets(Interface dev) { return at(txPackets, dev); }
    public long txBytes(Interface dev) { return at(txBytes, dev); }

    private static long at(long[] a, Interface dev) {
        return dev.index() < a.length ? a[dev.index()] : 0;
    }

    /**
     * Runs conntrack's garbage collection over up to {@code budget} entries (gc_worker), and
     * expires the fragment queues whose ipfrag_time is up (ip_expire).
     */
    public int expire(long now, int budget) {
        defrag.expire(now);
        return table.gc(now, budget);
    }

    /** The reassembly queues (nf_defrag_ipv4): their count, memory and Reasm* counters. */
    public IpDefrag defrag() {
        return defrag;
    }

    /** Datagrams sent as fragments (Ip: FragOKs). */
    public long fragmented() {
        return fragmenter.fragOks();
    }

    /** Fragments sent (Ip: FragCreates). */
    public long fragmentsCreated() {
        return fragmenter.fragCreates();
    }

    // ---- the receive path -------------------------------------------------------------------

    /**
     * A frame arrived on {@code in} at time {@code now} (nanoseconds of any clock that only moves
     * forward: pcap time in replay, the monotonic clock live). Ethernet on a device with a MAC,
     * a bare IPv4 packet on a layer-3 one.
     */
    public void receive(Interface in, byte[] buf, int off, int len, long now, Transmit tx) {
        receive(in, buf, off, len, now, none, tx);
    }

    /**
     * As {@link #receive(Interface, byte[], int, int, long, Transmit)} for a packet with offload
     * state (from a TUN device with IFF_VNET_HDR): conntrack does not verify the L4 checksum of a
     * CHECKSUM_PARTIAL or CHECKSUM_UNNECESSARY packet (nf_ip_checksum), NAT keeps a PARTIAL
     * packet's pseudo-header sum right (inet_proto_csum_replace4), a GSO packet larger than the
     * out MTU is forwarded when its segments fit (ip_exceeds_mtu), and the transmitter gets
     * {@code offload} back with the packet. {@code offload} is not kept; it becomes CHECKSUM_NONE
     * where the checksum is completed (out of a layer-2 interface, which has no offloads here).
     */
    public void receive(Interface in, byte[] buf, int off, int len, long now, Offload offload, Transmit tx) {
        this.offload = offload;
        fragMax = 0;
        count(in, len, true);
        pkt.reset(in);
        pktTypeHost = true;
        int ipOff = off, ipLen = len;
        if (in.hasMac()) {
            if (eth.wrap(buf, off, len) != WireError.OK) {
                drop(DropReason.L2_TRUNCATED);
                return;
            }
            long dst = eth.dst();
            if (dst != in.macBits() && !MacAddress.isMulticast(dst)) { // broadcast is multicast too
                drop(DropReason.L2_NOT_FOR_US);
                return;
            }
            pktTypeHost = dst == in.macBits(); // else PACKET_BROADCAST / PACKET_MULTICAST
            if (eth.vlanTagCount() > 0) {
                drop(DropReason.L2_VLAN);
                return;
            }
            switch (eth.etherType()) {
                case EtherType.IPV4 -> { }
                case EtherType.ARP -> {
                    arpInput(in, buf, off, len, tx);
                    return;
                }
                default -> {
                    drop(DropReason.L2_UNKNOWN_ETHERTYPE);
                    return;
                }
            }
            ipOff = eth.payloadOffset();
            ipLen = eth.payloadLength();
        }
        Ipv4Packet ip = pkt.ip;
        if (ip.wrap(buf, ipOff, ipLen) != WireError.OK) {
            drop(DropReason.IP_MALFORMED);
            return;
        }
        ip.setChecksumPartial(offload.ipSummed == Offload.CHECKSUM_PARTIAL);
        if (!ip.verifyChecksum()) {
            drop(DropReason.IP_BAD_CHECKSUM);
            return;
        }
        // nf_defrag_ipv4 (PREROUTING, priority -400): a fragment waits in its queue; the one that
        // completes the datagram carries it on through conntrack and NAT whole.
        if (ip.isFragment() && !defragment(in, IpDefrag.USER_CONNTRACK_IN, now)) return;
        if (tracer != null) tracer.line(in.name() + " in: " + summary(ip));
        // PREROUTING: raw (priority -300), conntrack (-200), mangle (-150), nat DST (-100)
        if (raw != null && !walk(raw, Hook.PREROUTING, DropReason.RAW_DROP, now, tx)) return;
        if (!conntrackIn(now, conntrackChecksum && this.offload.ipSummed == Offload.CHECKSUM_NONE)) return;
        if (tracer != null) {
            tracer.line("  conntrack: " + (pkt.tracked() ? CTINFO[pkt.ct.ctinfo]
                    : pkt.untracked ? "UNTRACKED (NOTRACK: not NATed)" : "INVALID (untracked: not NATed)"));
        }
        if (mangle != null && !walk(mangle, Hook.PREROUTING, DropReason.MANGLE_DROP, now, tx)) return;
        if (!natHook(Hook.PREROUTING, NatCore.MANIP_DST, now)) return;

        RouteResult rt = routeInput(ip.dst(), ip.src(), in);
        if (rt.isError()) {
            boolean martian = rt.error().startsWith("martian");
            if (!martian) ipError(rt, now, tx); // the route's dst.input: ip_error
            dropPacket(martian ? DropReason.ROUTE_MARTIAN : DropReason.ROUTE_UNREACHABLE);
            return;
        }
        if (rt.type() != RouteType.UNICAST) {
            // LOCAL, BROADCAST, MULTICAST: ip_local_deliver; INPUT mangle, filter, security, nat (SRC), then confirm.
            if (!inputTables(now, tx)) return;
            if (!natHook(Hook.INPUT, NatCore.MANIP_SRC, now)) return;
            if (!confirm(now)) return;
            delivered++;
            if (tracer != null) tracer.line("  delivered to the host: " + summary(ip));
            tx.deliver(ip.buffer(), ip.offset(), ip.totalLength());
            localAnswer(rt, now, tx); // the host's own stack answers what it must (icmp_rcv)
            return;
        }
        forward(rt, now, tx);
    }

    // A direct-mapped cache of input routes by destination, as the kernel keeps routes in its
    // nexthops: the FIB walk and source selection run once per destination, not per packet.
    private static final int ROUTE_CACHE_BITS = 12;
    private final int[] routeCacheDst = new int[1 << ROUTE_CACHE_BITS];
    private final RouteResult[] routeCache = new RouteResult[1 << ROUTE_CACHE_BITS];
    /**
     * The nexthop's link-layer address per output device and nexthop, as the kernel keeps the
     * neighbour in the route's nexthop: the local table walk of arp_constructor's address type
     * ran for every packet before.
     */
    private static final int NEIGH_CACHE_BITS = 8;
    private final int[] neighCacheNexthop = new int[1 << NEIGH_CACHE_BITS];
    private final Interface[] neighCacheDev = new Interface[1 << NEIGH_CACHE_BITS];
    private final long[] neighCacheMac = new long[1 << NEIGH_CACHE_BITS];
    /** The host's genid the caches were filled in; another one empties them. */
    private int cacheGenid;

    /** Forgets cached routes and neighbours (the caches also notice the host's changes by themselves, through its genid). */
    public void hostChanged() {
        java.util.Arrays.fill(routeCache, null);
        java.util.Arrays.fill(neighCacheDev, null);
        cacheGenid = host.genid();
    }

    private void checkGenid() {
        if (host.genid() != cacheGenid) hostChanged();
    }

    /** Host.linkAddress through the neighbour cache; unresolved addresses are not cached. */
    private long linkAddress(Interface out, int nexthop) {
        checkGenid();
        int slot = (nexthop * 0x9E3779B1) >>> (32 - NEIGH_CACHE_BITS);
        if (neighCacheDev[slot] == out && neighCacheNexthop[slot] == nexthop) return neighCacheMac[slot];
        long mac = host.linkAddress(out, nexthop);
        if (mac != Interface.NO_MAC) {
            neighCacheDev[slot] = out;
            neighCacheNexthop[slot] = nexthop;
            neighCacheMac[slot] = mac;
        }
        return mac;
    }

    private RouteResult routeInput(int dst, int src, Interface in) {
        int srcTop = src >>> 24;
        boolean plainSource = srcTop != 0 && srcTop != 127 && (src >>> 28) != 0xe && src != -1;
        if (!plainSource || dst == 0) return host.routeInput(dst, src, in); // martian checks on the slow path
        checkGenid();
        int slot = (dst * 0x9E3779B1) >>> (32 - ROUTE_CACHE_BITS);
        RouteResult r = routeCache[slot];
        if (r != null && routeCacheDst[slot] == dst) return r;
        r = host.routeInput(dst, src, in);
        if (!r.isError()) {
            routeCache[slot] = r;
            routeCacheDst[slot] = dst;
        }
        return r;
    }

    // ---- the local output path ----------------------------------------------------------------

    /**
     * A packet the host itself sends (ip_local_out): {@code buf[off, off+len)} is a whole IPv4
     * packet, checksums filled in. LOCAL_OUT: conntrack (priority -200, checksums not verified),
     * nat OUTPUT (DST, -100) and a new route if the destination changed (nf_nat_ipv4_local_fn,
     * ip_route_me_harder); then POSTROUTING: nat SRC, confirm, out. A packet routed to the host
     * itself goes round through lo: PREROUTING and INPUT apply its binding, then it is delivered.
     */
    public void send(byte[] buf, int off, int len, long now, Transmit tx) {
        offload = none;
        fragMax = 0;
        pkt.reset(null);
        Ipv4Packet ip = pkt.ip;
        if (ip.wrap(buf, off, len) != WireError.OK) {
            drop(DropReason.IP_MALFORMED);
            return;
        }
        // nf_defrag_ipv4 at LOCAL_OUT (-400): the host's own fragments (a raw socket's) are reassembled too.
        if (ip.isFragment() && !defragment(null, IpDefrag.USER_CONNTRACK_OUT, now)) return;
        RouteResult rt = host.routeOutput(ip.dst());
        if (rt.isError()) {
            drop(DropReason.ROUTE_UNREACHABLE);
            return;
        }
        pkt.out = rt.out();
        pkt.nexthop = rt.nexthop();
        if (tracer != null) tracer.line("local out: " + summary(ip));
        // OUTPUT: raw (-300), conntrack (-200), mangle (-150), nat DST (-100), filter (0), security (50)
        if (raw != null && !walk(raw, Hook.OUTPUT, DropReason.RAW_DROP, now, tx)) return;
        if (!conntrackIn(now, false)) return;
        if (mangle != null && !walk(mangle, Hook.OUTPUT, DropReason.MANGLE_DROP, now, tx)) return;
        int dst = ip.dst();
        if (!natHook(Hook.OUTPUT, NatCore.MANIP_DST, now)) return;
        if (ip.dst() != dst) {
            rt = host.routeOutput(ip.dst());
            if (rt.isError()) {
                dropPacket(DropReason.ROUTE_UNREACHABLE);
                return;
            }
            pkt.out = rt.out();
            pkt.nexthop = rt.nexthop();
        }
        if (!outputTables(now, tx)) return;
        if (rt.type() != RouteType.UNICAST) {
            // Out through lo and back in: POSTROUTING, then PREROUTING and INPUT see a known connection.
            if (mangle != null && !walk(mangle, Hook.POSTROUTING, DropReason.MANGLE_DROP, now, tx)) return;
            if (!natHook(Hook.POSTROUTING, NatCore.MANIP_SRC, now)) return;
            pkt.in = pkt.out;
            pkt.out = null;
            if (raw != null && !walk(raw, Hook.PREROUTING, DropReason.RAW_DROP, now, tx)) return;
            if (mangle != null && !walk(mangle, Hook.PREROUTING, DropReason.MANGLE_DROP, now, tx)) return;
            if (!natHook(Hook.PREROUTING, NatCore.MANIP_DST, now)) return;
            if (!inputTables(now, tx)) return;
            if (!natHook(Hook.INPUT, NatCore.MANIP_SRC, now)) return;
            if (!confirm(now)) return;
            delivered++;
            tx.deliver(ip.buffer(), ip.offset(), ip.totalLength());
            return;
        }
        Interface out = rt.out();
        if (exceedsMtu(ip, out.mtu())) {
            dropPacket(DropReason.FRAG_NEEDED);
            return;
        }
        if (mangle != null && !walk(mangle, Hook.POSTROUTING, DropReason.MANGLE_DROP, now, tx)) return;
        if (!natHook(Hook.POSTROUTING, NatCore.MANIP_SRC, now)) return;
        if (!confirm(now)) return;
        output(out, pkt.nexthop, tx);
    }

    /** ip_forward, then POSTROUTING and the neighbour output. */
    private void forward(RouteResult rt, long now, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        if (ip.ttl() <= 1) {
            icmpSend(IcmpPacket.TIME_EXCEEDED, 0, 0, now, tx); // too_many_hops
            dropPacket(DropReason.TTL_EXCEEDED);
            return;
        }
        Interface out = rt.out();
        if (exceedsMtu(ip, out.mtu())) {
            icmpSend(IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, out.mtu(), now, tx);
            dropPacket(DropReason.FRAG_NEEDED);
            return;
        }
        ip.decrementTtl();
        pkt.out = out;
        pkt.nexthop = rt.nexthop();
        if (tracer != null) {
            tracer.line("  route: forward out " + out.name() + " via " + jnat.wire.Ipv4Address.format(rt.nexthop()));
        }
        // FORWARD: mangle (-150), filter (0), security (50), every forwarded packet, not only a connection's first
        if (mangle != null && !walk(mangle, Hook.FORWARD, DropReason.MANGLE_DROP, now, tx)) return;
        if (filter != null && !walk(filter, Hook.FORWARD, DropReason.FILTER_DROP, now, tx)) return;
        if (security != null && !walk(security, Hook.FORWARD, DropReason.SECURITY_DROP, now, tx)) return;
        // POSTROUTING: mangle (-150), nat SRC (100), then conntrack confirm (last)
        if (mangle != null && !walk(mangle, Hook.POSTROUTING, DropReason.MANGLE_DROP, now, tx)) return;
        if (!natHook(Hook.POSTROUTING, NatCore.MANIP_SRC, now)) return;
        if (!confirm(now)) return;
        output(out, pkt.nexthop, tx);
    }

    /**
     * ipt_do_table for one table at one hook (iptable_*_hook): an ACCEPT verdict goes on; DROP, a
     * DROP policy, or any other verdict drops the packet, counted as {@code reason}.
     */
    private boolean walk(Table t, Hook hook, DropReason reason, long now, Transmit tx) {
        Target verdict = t.traverse(hook, pkt);
        if (verdict == Target.ACCEPT) return true;
        if (verdict instanceof RejectTarget r) reject(r, now, tx);
        dropPacket(reason);
        return false;
    }

    /**
     * reject_tg: the sender of the packet being dropped is told, by a destination unreachable
     * (nf_send_unreach: icmp_send, unless a TCP or UDP checksum is wrong) or a TCP RST
     * (nf_send_reset). Not for the host's own packets: the answer would be for the host itself,
     * which jnat does not deliver.
     */
    private void reject(RejectTarget r, long now, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        if (pkt != received || ip.fragmentOffset() != 0 || host.isLocalAddress(ip.src())) return;
        if (!r.tcpReset()) {
            if (!rejectChecksumOk(ip)) return;
            icmpSend(IcmpPacket.DEST_UNREACH, r.icmpCode, 0, now, tx);
            return;
        }
        // nf_reject_ip_tcphdr_get: TCP, a whole header, not a RST, checksum right
        if (ip.protocol() != IpProtocol.TCP || tcp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength()) != WireError.OK
                || (tcp.flags() & TcpSegment.RST) != 0 || !rejectChecksumOk(ip)) {
            return;
        }
        RouteType dstType = host.addressType(ip.dst());
        if (dstType == RouteType.BROADCAST || dstType == RouteType.MULTICAST) return; // RTCF_BROADCAST | RTCF_MULTICAST
        RouteResult back = host.routeOutput(ip.src()); // ip_route_me_harder
        if (back.isError() || back.type() != RouteType.UNICAST) return;
        int len = buildReset(ip);
        int ctinfo = Conntrack.isReply(pkt.ct.ctinfo) ? Conntrack.IP_CT_RELATED : Conntrack.IP_CT_RELATED_REPLY;
        localOutput(len, pkt.tracked() ? pkt.ct.id : -1, ctinfo, back, now, tx);
    }

    /** nf_reject_verify_csum and nf_ip_checksum: a TCP or UDP (with a checksum) packet's must be right. */
    private boolean rejectChecksumOk(Ipv4Packet ip) {
        if (offload.ipSummed != Offload.CHECKSUM_NONE) return true; // skb_csum_unnecessary
        byte[] b = ip.buffer();
        int l4 = ip.payloadOffset(), l4len = ip.payloadLength();
        return switch (ip.protocol()) {
            case IpProtocol.TCP -> tcp.wrap(b, l4, l4len) == WireError.OK && tcp.verifyChecksum(ip.src(), ip.dst());
            case IpProtocol.UDP -> udp.wrap(b, l4, l4len) == WireError.OK && (!udp.hasChecksum() || udp.verifyChecksum(ip.src(), ip.dst()));
            default -> true;
        };
    }

    /**
     * nf_reject_iphdr_put and nf_reject_ip_tcphdr_put in {@link #genBuf}: from the packet's
     * destination to its source, id 0, DF, TTL 64; RST with the acknowledged sequence, or RST|ACK
     * acknowledging what the packet carried when it acknowledged nothing. Returns the IP length.
     */
    private int buildReset(Ipv4Packet ip) {
        byte[] b = genBuf;
        int o = GEN_HEADROOM;
        int total = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH;
        java.util.Arrays.fill(b, o, o + total, (byte) 0);
        b[o] = 0x45;
        put16(b, o + 2, total);
        put16(b, o + 6, 0x4000);
        b[o + 8] = 64;
        b[o + 9] = (byte) IpProtocol.TCP;
        put32(b, o + 12, ip.dst());
        put32(b, o + 16, ip.src());
        put16(b, o + 10, jnat.wire.Checksum.compute(b, o, Ipv4Packet.MIN_HEADER_LENGTH));
        int t = o + Ipv4Packet.MIN_HEADER_LENGTH;
        put16(b, t, tcp.dstPort());
        put16(b, t + 2, tcp.srcPort());
        int flags = TcpSegment.RST;
        if ((tcp.flags() & TcpSegment.ACK) != 0) {
            put32(b, t + 4, tcp.ack());
        } else {
            int f = tcp.flags();
            int seqSpace = ((f & TcpSegment.SYN) != 0 ? 1 : 0) + ((f & TcpSegment.FIN) != 0 ? 1 : 0)
                    + ip.totalLength() - ip.headerLength() - tcp.headerLength();
            put32(b, t + 8, tcp.seq() + seqSpace);
            flags |= TcpSegment.ACK;
        }
        b[t + 12] = 0x50;
        b[t + 13] = (byte) flags;
        put16(b, t + 16, tcpChecksum(b, t, ip.dst(), ip.src()));
        return total;
    }

    private static int tcpChecksum(byte[] b, int t, int src, int dst) {
        long sum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + IpProtocol.TCP + TcpSegment.MIN_HEADER_LENGTH;
        for (int i = 0; i < TcpSegment.MIN_HEADER_LENGTH; i += 2) sum += (b[t + i] & 0xff) << 8 | (b[t + i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    /** LOCAL_IN before nat SRC: mangle (-150), filter (0), security (50). */
    private boolean inputTables(long now, Transmit tx) {
        return (mangle == null || walk(mangle, Hook.INPUT, DropReason.MANGLE_DROP, now, tx))
                && (filter == null || walk(filter, Hook.INPUT, DropReason.FILTER_DROP, now, tx))
                && (security == null || walk(security, Hook.INPUT, DropReason.SECURITY_DROP, now, tx));
    }

    /** LOCAL_OUT after nat DST (and its new route): filter (0), security (50). */
    private boolean outputTables(long now, Transmit tx) {
        return (filter == null || walk(filter, Hook.OUTPUT, DropReason.FILTER_DROP, now, tx))
                && (security == null || walk(security, Hook.OUTPUT, DropReason.SECURITY_DROP, now, tx));
    }

    /**
     * ip_exceeds_mtu: larger than the MTU with DF set. A reassembled packet (skb->ignore_df, as
     * nf_ct_ipv4_gather_frags sets it) exceeds it only when one of its fragments did; a GSO packet
     * counts by its segments.
     */
    private boolean exceedsMtu(Ipv4Packet ip, int mtu) {
        if (ip.totalLength() <= mtu || !ip.dontFragment()) return false;
        if (fragMax != 0) return fragMax > mtu;
        return !(offload.isGso() && offload.gsoNetworkSegmentLength(ip) <= mtu);
    }

    /**
     * ip_defrag for {@code user}: false when the fragment was queued or dropped; true when it
     * completed its datagram, which {@code pkt.ip} now wraps (CHECKSUM_NONE, frag_max_size kept).
     */
    private boolean defragment(Interface in, int user, long now) {
        int r = defrag.queue(pkt.ip, user, in == null ? 0 : in.index(), now);
        if (r == IpDefrag.QUEUED) {
            if (tracer != null) tracer.line((in == null ? "local out" : in.name() + " in") + ": fragment " + summary(pkt.ip) + " queued for reassembly");
            return false;
        }
        if (r == IpDefrag.DROPPED) {
            drop(defrag.dropReason());
            return false;
        }
        pkt.ip.wrap(defrag.buffer(), defrag.offset(), defrag.length());
        fragMax = defrag.fragMaxSize();
        offload = none;
        if (tracer != null) tracer.line("  reassembled from " + defrag.fragmentCount() + " fragments");
        return true;
    }

    /**
     * ip_finish_output: a packet larger than the MTU, or reassembled from fragments, leaves as
     * fragments (ip_fragment); a GSO packet leaves whole, its segments fitting.
     */
    private void output(Interface out, int nexthop, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        if ((fragMax != 0 || ip.totalLength() > out.mtu()) && !offload.isGso()) {
            fragmentOutput(out, nexthop, tx);
            return;
        }
        finishOutput(out, nexthop, tx);
    }

    /** ip_fragment: DF refused unless reassembled with fragments that fit; else ip_do_fragment. */
    private void fragmentOutput(Interface out, int nexthop, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        int mtu = out.mtu();
        if (ip.dontFragment() && (fragMax == 0 || fragMax > mtu)) {
            drop(DropReason.FRAG_NEEDED);
            return;
        }
        long dstMac = Interface.NO_MAC;
        if (out.hasMac()) {
            dstMac = linkAddress(out, nexthop);
            if (dstMac == Interface.NO_MAC) {
                drop(DropReason.NO_NEIGHBOUR);
                return;
            }
        }
        offload.checksumHelp(ip.buffer(), ip.offset(), ip.totalLength()); // offloaded checksums are done first
        fragOut = out;
        fragDstMac = dstMac;
        fragTx = tx;
        if (!fragmenter.fragment(ip, mtu, fragMax, defrag, fragSink)) drop(DropReason.FRAG_NEEDED);
        fragTx = null;
    }

    /** ip_finish_output2 for one fragment. */
    private void fragmentOut(byte[] buf, int off, int len) {
        Interface out = fragOut;
        if (tracer != null) {
            fragView.wrap(buf, off, len);
            tracer.line(out.name() + " out: fragment " + summary(fragView) + " offset " + fragView.fragmentOffset() * 8
                    + (fragView.moreFragments() ? " MF" : ""));
        }
        if (!out.hasMac()) {
            count(out, len, false);
            fragTx.transmit(out, buf, off, len, none);
            return;
        }
        int start = off - EthernetFrame.HEADER_LENGTH;
        MacAddress.write(buf, start, fragDstMac);
        MacAddress.write(buf, start + 6, out.macBits());
        buf[start + 12] = (byte) (EtherType.IPV4 >>> 8);
        buf[start + 13] = (byte) EtherType.IPV4;
        count(out, len + EthernetFrame.HEADER_LENGTH, false);
        fragTx.transmit(out, buf, start, len + EthernetFrame.HEADER_LENGTH);
    }

    /** ip_finish_output2: the link header for {@code out} and the frame out. */
    private void finishOutput(Interface out, int nexthop, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        byte[] buf = ip.buffer();
        int ipOff = ip.offset();
        int ipLen = ip.totalLength();
        if (tracer != null) tracer.line(out.name() + " out: " + summary(ip));
        if (!out.hasMac()) {
            count(out, ipLen, false);
            tx.transmit(out, buf, ipOff, ipLen, offload);
            return;
        }
        offload.checksumHelp(buf, ipOff, ipLen); // the layer-2 devices here have no offloads
        long dstMac = linkAddress(out, nexthop);
        if (dstMac == Interface.NO_MAC) {
            drop(DropReason.NO_NEIGHBOUR);
            return;
        }
        int start = ipOff - EthernetFrame.HEADER_LENGTH;
        if (start < 0) {
            System.arraycopy(buf, ipOff, headroomScratch, EthernetFrame.HEADER_LENGTH, ipLen);
            buf = headroomScratch;
            start = 0;
        }
        MacAddress.write(buf, start, dstMac);
        MacAddress.write(buf, start + 6, out.macBits());
        buf[start + 12] = (byte) (EtherType.IPV4 >>> 8);
        buf[start + 13] = (byte) EtherType.IPV4;
        int len = ipLen + EthernetFrame.HEADER_LENGTH;
        count(out, len, false);
        tx.transmit(out, buf, start, len);
    }

    // ---- what the host sends itself: ICMP errors and echo replies (net/ipv4/icmp.c) ----------

    private static final int NR_ICMP_TYPES = 18;
    /** INADDR_DUMMY (192.0.0.8): the source of an error when the host has no address to send it from. */
    private static final int INADDR_DUMMY = 0xc0000008;
    private static final int ICMP_PKT_FILTERED = 13;
    /** Bytes before the IP header of a packet the host builds: room for the Ethernet header. */
    private static final int GEN_HEADROOM = 16;

    private final IcmpConfig icmpConfig;
    private final RandomGenerator icmpRandom;
    private final IcmpRateLimit icmpLimit = new IcmpRateLimit();
    private final byte[] genBuf = new byte[GEN_HEADROOM + 65536];
    private int ipIdent;
    /** skb->pkt_type == PACKET_HOST: the frame was not sent to a link-layer broadcast or multicast address. */
    private boolean pktTypeHost;
    private long icmpErrorsSent, icmpEchoRepliesSent, icmpRateLimited;

    /** ICMP errors the host sent (time exceeded, fragmentation needed, unreachable): ICMP_MIB_OUTERRORS-like. */
    public long icmpErrorsSent() {
        return icmpErrorsSent;
    }

    /** Echo replies the host sent to pings of its own addresses. */
    public long icmpEchoRepliesSent() {
        return icmpEchoRepliesSent;
    }

    /** ICMP messages not sent because a rate limit said no (ICMP_MIB_RATELIMITGLOBAL + RATELIMITHOST, and ip_error's). */
    public long icmpRateLimited() {
        return icmpRateLimited;
    }

    /** The ICMP sysctls the engine runs with. */
    public IcmpConfig icmpConfig() {
        return icmpConfig;
    }

    /** icmp_pointers[type].error: the types the kernel treats as errors (unknown ones too). */
    private static boolean icmpIsError(int type) {
        return switch (type) {
            case 0, 8, 13, 14, 15, 16, 17, 18 -> false;
            default -> true;
        };
    }

    /** icmpv4_mask_allow: types outside icmp_ratemask, and fragmentation needed, are never limited. */
    private static boolean icmpMaskAllow(int type, int code, IcmpConfig c) {
        if (type > NR_ICMP_TYPES) return true;
        if (type == IcmpPacket.DEST_UNREACH && code == IcmpPacket.FRAG_NEEDED) return true;
        return ((1 << type) & c.ratemask()) == 0;
    }

    /** icmpv4_xrlim_allow: the destination's token bucket, then the host-wide credit is taken. */
    private boolean icmpXrlimAllow(boolean apply, RouteResult back, int daddr, long ms) {
        if (!apply) return true;
        IcmpConfig c = icmpConfig;
        boolean rc = c.ratelimitMs() == 0 || back.out().isLoopback() || icmpLimit.peerAllow(daddr, ms, c.ratelimitMs());
        if (rc) icmpLimit.globalConsume(icmpRandom);
        else icmpRateLimited++;
        return rc;
    }

    private static long millis(long now) {
        return Math.floorDiv(now, 1_000_000L);
    }

    /**
     * ip_error: a packet whose input route is an error (dst.input = ip_error) gets a destination
     * unreachable as route.c maps the errno: no route (ENETUNREACH) net unreachable, an
     * {@code unreachable} route (EHOSTUNREACH) host unreachable, {@code prohibit} (EACCES)
     * communication administratively prohibited; {@code blackhole} (EINVAL) nothing. Its own token
     * bucket per source (route/error_cost, error_burst) comes before icmp_send's limits.
     */
    private void ipError(RouteResult rt, long now, Transmit tx) {
        int code;
        switch (rt.type()) {
            case UNREACHABLE -> code = rt.route() == null ? IcmpPacket.NET_UNREACH : IcmpPacket.HOST_UNREACH;
            case PROHIBIT -> code = ICMP_PKT_FILTERED;
            default -> {
                return;
            }
        }
        IcmpConfig c = icmpConfig;
        if (!icmpLimit.routeErrorAllow(pkt.ip.src(), millis(now), c.routeErrorCostMs(), c.routeErrorBurstMs())) {
            icmpRateLimited++;
            return;
        }
        icmpSend(IcmpPacket.DEST_UNREACH, code, 0, now, tx);
    }

    /**
     * __icmp_send: an ICMP error about the packet being processed, quoting it as it is now
     * (PREROUTING's DNAT applied, TTL not yet decremented): its IP header and as much of the rest
     * as fits in 576 bytes. Not about a packet sent to a link-layer broadcast or multicast address,
     * a non-first fragment, an ICMP error, or from a source that is not one unicast host. The source
     * address is the one the route back picks (icmp_errors_use_inbound_ifaddr=0), or the in
     * device's. The error belongs to the packet's connection (nf_ct_attach: RELATED in the other
     * direction), so OUTPUT and POSTROUTING translate it as nf_nat_icmp_reply_translation does,
     * and the sender sees it quote its own packet.
     */
    private void icmpSend(int type, int code, int info, long now, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        if (!pktTypeHost || ip.fragmentOffset() != 0) return;
        if (icmpIsError(type) && ip.protocol() == IpProtocol.ICMP) {
            if (ip.payloadLength() < 1) return;
            int inner = ip.buffer()[ip.payloadOffset()] & 0xff;
            if (inner > NR_ICMP_TYPES || icmpIsError(inner)) return;
        }
        int daddr = ip.src();
        // ip_route_input's martian checks drop most other sources before; our own addresses too
        if (host.addressType(daddr) != RouteType.UNICAST) return;
        IcmpConfig c = icmpConfig;
        long ms = millis(now);
        boolean apply = false;
        if (!icmpMaskAllow(type, code, c) && (pkt.in == null || !pkt.in.isLoopback())) {
            if (!icmpLimit.globalAllow(ms, c)) {
                icmpRateLimited++;
                return;
            }
            apply = true;
        }
        int saddr = 0;
        if (c.errorsUseInboundIfaddr() && pkt.in != null) saddr = host.selectSourceAddress(pkt.in, daddr, Scope.LINK);
        RouteResult back = host.routeOutput(daddr); // icmp_route_lookup
        if (back.isError() || back.type() != RouteType.UNICAST) return;
        if (saddr == 0) saddr = back.source();
        if (!icmpXrlimAllow(apply, back, daddr, ms)) return;
        // RFC 1812: as much as fits without exceeding 576 bytes
        int room = Math.min(back.out().mtu(), 576) - Ipv4Packet.MIN_HEADER_LENGTH - IcmpPacket.HEADER_LENGTH;
        if (room <= Ipv4Packet.MIN_HEADER_LENGTH) return;
        int dataLen = Math.min(Math.min(ip.totalLength(), ip.length()), room);
        if (saddr == 0) saddr = INADDR_DUMMY;
        int tos = (ip.tos() & 0x1e) | 0xc0; // RT_TOS | IPTOS_PREC_INTERNETCONTROL
        int len = buildIcmp(tos, saddr, daddr, type, code, info, ip.buffer(), ip.offset(), dataLen);
        icmpErrorsSent++;
        int id = pkt.ct.id;
        int ctinfo = Conntrack.isReply(pkt.ct.ctinfo) ? Conntrack.IP_CT_RELATED : Conntrack.IP_CT_RELATED_REPLY;
        localOutput(len, id, ctinfo, back, now, tx);
    }

    /**
     * icmp_rcv for a packet delivered to the host: an echo request gets its echo reply (icmp_echo,
     * icmp_reply) unless icmp_echo_ignore_all, or icmp_echo_ignore_broadcasts for one sent to a
     * broadcast or multicast address. A bad checksum or a short message is dropped silently.
     */
    private void localAnswer(RouteResult rt, long now, Transmit tx) {
        Ipv4Packet ip = pkt.ip;
        if (ip.protocol() != IpProtocol.ICMP || ip.fragmentOffset() != 0) return;
        byte[] buf = ip.buffer();
        int l4 = ip.payloadOffset();
        int l4len = Math.min(ip.totalLength(), ip.length()) - ip.headerLength();
        if (l4len < IcmpPacket.HEADER_LENGTH) return;
        if (offload.ipSummed == Offload.CHECKSUM_NONE && !jnat.wire.Checksum.verify(buf, l4, l4len)) return;
        if ((buf[l4] & 0xff) != IcmpPacket.ECHO_REQUEST) return;
        IcmpConfig c = icmpConfig;
        boolean toGroup = rt.type() == RouteType.BROADCAST || rt.type() == RouteType.MULTICAST;
        if (c.echoIgnoreAll() || toGroup && c.echoIgnoreBroadcasts()) return;
        // icmp_reply
        long ms = millis(now);
        boolean apply = false;
        if (!icmpMaskAllow(IcmpPacket.ECHO_REPLY, buf[l4 + 1] & 0xff, c)) {
            if (!icmpLimit.globalAllow(ms, c)) {
                icmpRateLimited++;
                return;
            }
            apply = true;
        }
        int daddr = ip.src();
        RouteResult back = host.routeOutput(daddr);
        if (back.isError() || back.type() != RouteType.UNICAST) return;
        int saddr = rt.type() == RouteType.LOCAL ? ip.dst() : back.source(); // fib_compute_spec_dst
        if (!icmpXrlimAllow(apply, back, daddr, ms)) return;
        int len = buildIcmp(ip.tos(), saddr, daddr, IcmpPacket.ECHO_REPLY, buf[l4 + 1] & 0xff,
                (buf[l4 + 4] & 0xff) << 24 | (buf[l4 + 5] & 0xff) << 16 | (buf[l4 + 6] & 0xff) << 8 | (buf[l4 + 7] & 0xff),
                buf, l4 + IcmpPacket.HEADER_LENGTH, l4len - IcmpPacket.HEADER_LENGTH);
        icmpEchoRepliesSent++;
        localOutput(len, -1, 0, back, now, tx);
    }

    /**
     * Lays out a packet of the kernel's ICMP socket in {@link #genBuf}: IPv4 (no options, no DF:
     * the socket is IP_PMTUDISC_DONT; TTL 64; the next IP id) and ICMP with {@code rest} as bytes
     * 4-7, then {@code dataLen} bytes of {@code data}. Returns the IP length.
     */
    private int buildIcmp(int tos, int src, int dst, int type, int code, int rest, byte[] data, int dataOff, int dataLen) {
        byte[] b = genBuf;
        int o = GEN_HEADROOM;
        int total = Ipv4Packet.MIN_HEADER_LENGTH + IcmpPacket.HEADER_LENGTH + dataLen;
        ipIdent = (ipIdent + 1) & 0xffff;
        b[o] = 0x45;
        b[o + 1] = (byte) tos;
        put16(b, o + 2, total);
        put16(b, o + 4, ipIdent);
        put16(b, o + 6, 0);
        b[o + 8] = 64;
        b[o + 9] = (byte) IpProtocol.ICMP;
        put16(b, o + 10, 0);
        put32(b, o + 12, src);
        put32(b, o + 16, dst);
        put16(b, o + 10, jnat.wire.Checksum.compute(b, o, Ipv4Packet.MIN_HEADER_LENGTH));
        int i = o + Ipv4Packet.MIN_HEADER_LENGTH;
        b[i] = (byte) type;
        b[i + 1] = (byte) code;
        put16(b, i + 2, 0);
        put32(b, i + 4, rest);
        System.arraycopy(data, dataOff, b, i + IcmpPacket.HEADER_LENGTH, dataLen);
        put16(b, i + 2, jnat.wire.Checksum.compute(b, i, IcmpPacket.HEADER_LENGTH + dataLen));
        return total;
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    private static void put32(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }

    /**
     * The host's own packet in {@link #genBuf} leaves as ip_local_out sends it: OUTPUT (conntrack,
     * nat DST, a new route if the destination changed), POSTROUTING (nat SRC, confirm), out. With
     * {@code attachId} >= 0 it carries that connection as {@code ctinfo} (nf_ct_attach): conntrack
     * leaves it alone, NAT translates it as a RELATED ICMP error, and it confirms nothing. The
     * packet being processed is kept aside meanwhile and restored after.
     */
    private void localOutput(int len, int attachId, int ctinfo, RouteResult rt, long now, Transmit tx) {
        PacketState original = pkt;
        Offload originalOffload = offload;
        int originalFragMax = fragMax;
        pkt = generated;
        offload = none;
        fragMax = 0; // the host's own packet was never fragments: output must not cut it like the original
        try {
            generated.reset(null);
            generated.ct.id = attachId;
            Ipv4Packet ip = generated.ip;
            if (ip.wrap(genBuf, GEN_HEADROOM, len) != WireError.OK) return;
            generated.out = rt.out();
            generated.nexthop = rt.nexthop();
            if (tracer != null) tracer.line("  host sends: " + summary(ip));
            if (attachId >= 0) {
                CtPacket ct = generated.ct.reset();
                ct.id = attachId;
                ct.ctinfo = ctinfo;
                ct.dir = Conntrack.isReply(ctinfo) ? ConnTable.REPLY : ConnTable.ORIGINAL;
            }
            // OUTPUT: raw (-300), conntrack (-200), mangle (-150), nat DST (-100), filter (0), security (50)
            if (raw != null && !walk(raw, Hook.OUTPUT, DropReason.RAW_DROP, now, tx)) return;
            if (attachId < 0 && !conntrackIn(now, false)) return;
            if (mangle != null && !walk(mangle, Hook.OUTPUT, DropReason.MANGLE_DROP, now, tx)) return;
            int dst = ip.dst();
            if (!natHook(Hook.OUTPUT, NatCore.MANIP_DST, now)) return;
            if (ip.dst() != dst) { // ip_route_me_harder
                rt = host.routeOutput(ip.dst());
                if (rt.isError()) {
                    dropPacket(DropReason.ROUTE_UNREACHABLE);
                    return;
                }
                generated.out = rt.out();
                generated.nexthop = rt.nexthop();
            }
            if (!outputTables(now, tx)) return;
            if (rt.type() != RouteType.UNICAST) return; // back to the host itself: not looped through lo
            if (mangle != null && !walk(mangle, Hook.POSTROUTING, DropReason.MANGLE_DROP, now, tx)) return;
            if (!natHook(Hook.POSTROUTING, NatCore.MANIP_SRC, now)) return;
            if (attachId < 0 && !confirm(now)) return;
            output(rt.out(), generated.nexthop, tx);
        } finally {
            // A translation that failed freed the (unconfirmed) connection: the original holds it no more.
            if (attachId >= 0 && generated.ct.id != attachId) original.ct.id = -1;
            pkt = original;
            offload = originalOffload;
            fragMax = originalFragMax;
        }
    }

    // ---- conntrack ---------------------------------------------------------------------------

    /**
     * nf_conntrack_in: fills the conntrack view of the packet, with the checks the protocols'
     * *_error functions make first (a packet that fails them passes untracked: INVALID, not NATed).
     * Returns false when the packet was dropped (table full).
     */
    private boolean conntrackIn(long now, boolean verifyChecksums) {
        if (pkt.untracked) return true; // NOTRACK in raw: nf_conntrack_in leaves IP_CT_UNTRACKED alone
        Ipv4Packet ip = pkt.ip;
        CtPacket ct = pkt.ct.reset();
        ct.ipLength = ip.totalLength();
        byte[] buf = ip.buffer();
        int l4 = ip.payloadOffset(), l4len = ip.payloadLength();
        int proto = ip.protocol();
        switch (proto) {
            case IpProtocol.TCP -> {
                // tcp_error: truncated header, bad data offset, checksum, flag combination (tracker)
                if (tcp.wrap(buf, l4, l4len) != WireError.OK
                        || verifyChecksums && !tcp.verifyChecksum(ip.src(), ip.dst())) {
                    return untracked();
                }
                ct.tuple.set(proto, ip.src(), ip.dst(), tcp.srcPort(), tcp.dstPort());
                ct.tcp(tcp.flags(), tcp.seq(), tcp.ack(), tcp.window(), tcp.payloadLength());
                ct.headerLength = tcp.headerLength();
                if (tcp.headerLength() > TcpSegment.MIN_HEADER_LENGTH) {
                    ct.wscale = tcp.windowScale();
                    ct.sackPerm = tcp.sackPermitted();
                    int n = Math.min(tcp.sackBlockCount(), ct.sackRight.length);
                    for (int i = 0; i < n; i++) ct.sackRight[i] = tcp.sackRight(i);
                    ct.sackCount = n;
                }
            }
            case IpProtocol.UDP -> {
                // udp_error: truncated, bad length, checksum (0 means none)
                if (udp.wrap(buf, l4, l4len) != WireError.OK
                        || verifyChecksums && udp.hasChecksum() && !udp.verifyChecksum(ip.src(), ip.dst())) {
                    return untracked();
                }
                ct.tuple.set(proto, ip.src(), ip.dst(), udp.srcPort(), udp.dstPort());
            }
            case IpProtocol.ICMP -> {
                // icmp_error: short packet, checksum
                if (l4len < IcmpPacket.HEADER_LENGTH
                        || verifyChecksums && !jnat.wire.Checksum.verify(buf, l4, l4len)) {
                    return untracked();
                }
                int type = ip.icmpType();
                ct.tuple.setIcmp(ip.src(), ip.dst(), u16(buf, l4 + 4), type, ip.icmpCode());
                if (Tuple.isIcmpError(type) && !quotedTuple(buf, l4 + IcmpPacket.HEADER_LENGTH,
                        l4len - IcmpPacket.HEADER_LENGTH, ct.quoted)) {
                    return untracked();
                }
            }
            default -> ct.tuple.set(proto, ip.src(), ip.dst(), 0, 0);
        }
        int verdict = conntrack.in(ct, now);
        if (verdict == Conntrack.DROP) {
            drop(DropReason.CONNTRACK_FULL);
            return false;
        }
        if (verdict == Conntrack.INVALID) invalid++;
        return true;
    }

    /** nf_ct_get_tuplepr on the datagram an ICMP error quotes: its header and 8 bytes of L4. */
    private boolean quotedTuple(byte[] buf, int off, int len, Tuple out) {
        Ipv4Packet q = pkt.inner;
        if (q.wrapQuoted(buf, off, len) != WireError.OK) return false;
        int l4 = q.payloadOffset(), l4len = q.payloadLength();
        int proto = q.protocol();
        switch (proto) {
            case IpProtocol.TCP, IpProtocol.UDP -> {
                if (l4len < 8) return false;
                out.set(proto, q.src(), q.dst(), u16(buf, l4), u16(buf, l4 + 2));
            }
            case IpProtocol.ICMP -> {
                if (l4len < IcmpPacket.HEADER_LENGTH) return false;
                out.setIcmp(q.src(), q.dst(), u16(buf, l4 + 4), buf[l4] & 0xff, buf[l4 + 1] & 0xff);
            }
            default -> out.set(proto, q.src(), q.dst(), 0, 0);
        }
        return true;
    }

    private static int u16(byte[] buf, int off) {
        return (buf[off] & 0xff) << 8 | (buf[off + 1] & 0xff);
    }

    private boolean untracked() {
        invalid++;
        pkt.ct.id = -1;
        pkt.ct.ctinfo = Conntrack.INVALID;
        return true;
    }

    /** nf_conntrack_confirm: a new connection enters the table as its first packet leaves. */
    private boolean confirm(long now) {
        int id = pkt.ct.id;
        if (id < 0 || table.confirmed(id)) return true;
        boolean exhausted = core.takeExhausted(id);
        if (!table.confirm(id, now)) {
            pkt.ct.id = -1;
            drop(exhausted ? DropReason.NAT_NO_FREE_TUPLE : DropReason.CONNTRACK_CLASH);
            return false;
        }
        return true;
    }

    // ---- NAT ---------------------------------------------------------------------------------

    /**
     * nf_nat_ipv4_fn / nf_nat_inet_fn at one hook: a new connection walks the nat chain (or gets
     * a null binding); then the packet is manipulated as its connection's binding says.
     * Returns false when the packet was dropped.
     */
    private boolean natHook(Hook hook, int manip, long now) {
        if (!pkt.tracked()) return true;
        int id = pkt.ct.id;
        int ctinfo = pkt.ct.ctinfo;
        boolean related = ctinfo == Conntrack.IP_CT_RELATED || ctinfo == Conntrack.IP_CT_RELATED_REPLY;
        if (related && pkt.ip.protocol() == IpProtocol.ICMP) {
            if (!icmpReplyTranslation(id, ctinfo, manip)) {
                dropPacket(DropReason.NAT_ICMP_ERROR);
                return false;
            }
            return true;
        }
        if (ctinfo == Conntrack.IP_CT_NEW || related) {
            if (!NatCore.initialized(table.status(id), manip)) {
                Table t = nat;
                Target verdict = t == null ? Target.ACCEPT : t.traverse(hook, pkt);
                if (verdict == Target.DROP) {
                    dropPacket(DropReason.NAT_DROP);
                    return false;
                }
                if (verdict instanceof NatTarget nt && !applyTarget(nt, hook, id, now)) return false;
                if (!NatCore.initialized(table.status(id), manip)) core.nullBinding(id, manip, now);
            } else if (oifChanged(hook, ctinfo, id)) {
                return oifChangedDrop(id);
            }
        } else if (oifChanged(hook, ctinfo, id)) {
            return oifChangedDrop(id);
        }
        natPacket(id, ctinfo, manip);
        return true;
    }

    /** The NAT targets' functions (xt_nat, nf_nat_masquerade_ipv4, nf_nat_redirect_ipv4, xt_NETMAP). */
    private boolean applyTarget(NatTarget t, Hook hook, int id, long now) {
        NatRange r = t.range;
        switch (t.kind) {
            case SNAT -> core.setupInfo(id, r, NatCore.MANIP_SRC, now);
            case DNAT -> core.setupInfo(id, r, NatCore.MANIP_DST, now);
            case MASQUERADE -> {
                // A locally generated packet with source 0.0.0.0 is not masqueraded.
                if (table.srcAddr(id, ConnTable.ORIGINAL) == 0) return true;
                int newSrc = host.selectSourceAddress(pkt.out, pkt.nexthop);
                if (newSrc == 0) { // "%s ate my IP address"
                    dropPacket(DropReason.NAT_UNMAPPABLE);
                    return false;
                }
                table.setNatInt(id, pkt.out.index()); // masq_index
                core.setupInfo(id, new NatRange(r.flags | NatRange.MAP_IPS, newSrc, newSrc, r.minPort, r.maxPort),
                        NatCore.MANIP_SRC, now);
            }
            case REDIRECT -> {
                int newDst;
                if (hook == Hook.OUTPUT) {
                    newDst = 0x7f000001;
                } else {
                    InterfaceAddress first = pkt.in == null || pkt.in.addresses().isEmpty() ? null : pkt.in.addresses().get(0);
                    newDst = first == null ? 0 : first.local();
                    if (newDst == 0) {
                        dropPacket(DropReason.NAT_UNMAPPABLE);
                        return false;
                    }
                }
                core.setupInfo(id, new NatRange(r.flags | NatRange.MAP_IPS, newDst, newDst, r.minPort, r.maxPort),
                        NatCore.MANIP_DST, now);
            }
            case NETMAP -> {
                int netmask = ~(r.minAddr ^ r.maxAddr);
                boolean dst = hook == Hook.PREROUTING || hook == Hook.OUTPUT;
                int addr = dst ? pkt.ip.dst() : pkt.ip.src();
                int newIp = (addr & ~netmask) | (r.minAddr & netmask);
                core.setupInfo(id, new NatRange(r.flags | NatRange.MAP_IPS, newIp, newIp, r.minPort, r.maxPort),
                        dst ? NatCore.MANIP_DST : NatCore.MANIP_SRC, now);
            }
        }
        return true;
    }

    /** nf_nat_oif_changed: a masqueraded connection must keep leaving through its device. */
    private boolean oifChanged(Hook hook, int ctinfo, int id) {
        int masqIndex = table.natInt(id);
        return masqIndex != 0 && hook == Hook.POSTROUTING && !Conntrack.isReply(ctinfo)
                && pkt.out != null && masqIndex != pkt.out.index();
    }

    private boolean oifChangedDrop(int id) {
        table.kill(id);
        pkt.ct.id = -1;
        drop(DropReason.NAT_OIF_CHANGED);
        return false;
    }

    /** nf_nat_packet: rewrite the packet if its direction has this manipulation. */
    private void natPacket(int id, int ctinfo, int manip) {
        int dir = Conntrack.isReply(ctinfo) ? ConnTable.REPLY : ConnTable.ORIGINAL;
        int statusBit = manip == NatCore.MANIP_SRC ? Status.SRC_NAT : Status.DST_NAT;
        if (dir == ConnTable.REPLY) statusBit ^= Status.NAT_MASK;
        if ((table.status(id) & statusBit) == 0) return;
        // We are aiming to look like the inverse of the other direction.
        table.tuple(id, dir ^ 1, scratchTuple);
        scratchTuple.invert(target);
        manipPacket(pkt.ip, target, manip);
        if (tracer != null) tracer.line("  " + (manip == NatCore.MANIP_SRC ? "SNAT" : "DNAT") + ": " + summary(pkt.ip));
    }

    /** nf_nat_ipv4_manip_pkt: the transport part, then the address, checksums kept right. */
    private static void manipPacket(Ipv4Packet ip, Tuple t, int manip) {
        int proto = ip.protocol();
        if (manip == NatCore.MANIP_SRC) {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) ip.setSrcPort(t.srcPort);
            else if (proto == IpProtocol.ICMP) ip.setIcmpId(t.srcPort);
            ip.setSrc(t.src);
        } else {
            if (proto == IpProtocol.TCP || proto == IpProtocol.UDP) ip.setDstPort(t.dstPort);
            else if (proto == IpProtocol.ICMP) ip.setIcmpId(t.srcPort);
            ip.setDst(t.dst);
        }
    }

    /**
     * nf_nat_icmp_reply_translation: an ICMP error about a NATed connection gets its quoted
     * datagram translated back (as the peer sent it) and its outer header as a reply would be.
     */
    private boolean icmpReplyTranslation(int id, int ctinfo, int manip) {
        Ipv4Packet ip = pkt.ip;
        int dir = Conntrack.isReply(ctinfo) ? ConnTable.REPLY : ConnTable.ORIGINAL;
        int status = table.status(id);
        if (ip.icmpType() == IcmpPacket.REDIRECT) {
            if ((status & Status.NAT_DONE_MASK) != Status.NAT_DONE_MASK) return false;
            if ((status & Status.NAT_MASK) != 0) return false;
        }
        int statusBit = manip == NatCore.MANIP_SRC ? Status.SRC_NAT : Status.DST_NAT;
        if (dir == ConnTable.REPLY) statusBit ^= Status.NAT_MASK;
        if ((status & statusBit) == 0) return true;
        int icmpOff = ip.payloadOffset();
        Ipv4Packet inner = pkt.inner;
        if (inner.wrapQuoted(ip.buffer(), icmpOff + IcmpPacket.HEADER_LENGTH,
                ip.payloadLength() - IcmpPacket.HEADER_LENGTH, icmpOff + 2) != WireError.OK) {
            return false;
        }
        // The quoted packet travelled the other way: make it look like the other direction's tuple.
        table.tuple(id, dir ^ 1, target);
        manipPacket(inner, target, manip ^ 1);
        // The outer header looks like the reply to an incoming packet.
        target.invert(scratchTuple);
        if (manip == NatCore.MANIP_SRC) ip.setSrc(scratchTuple.src);
        else ip.setDst(scratchTuple.dst);
        return true;
    }

    // ---- ARP ---------------------------------------------------------------------------------

    /** arp_process: answer requests for our addresses (arp_ignore=0: any local address). */
    private void arpInput(Interface in, byte[] buf, int off, int len, Transmit tx) {
        int arpOff = eth.payloadOffset();
        if (arp.wrap(buf, arpOff, off + len - arpOff) != WireError.OK) {
            drop(DropReason.ARP_MALFORMED);
            return;
        }
        if (arp.operation() != ArpPacket.REQUEST || !host.isLocalAddress(arp.targetIp())) {
            delivered++;
            return;
        }
        long requester = arp.senderMac();
        int requesterIp = arp.senderIp();
        int wanted = arp.targetIp();
        arp.setOperation(ArpPacket.REPLY);
        arp.setTargetMac(requester);
        arp.setTargetIp(requesterIp);
        arp.setSenderMac(in.macBits());
        arp.setSenderIp(wanted);
        eth.setDst(requester);
        eth.setSrc(in.macBits());
        int frameLen = arpOff + ArpPacket.LENGTH - off;
        count(in, frameLen, false);
        tx.transmit(in, buf, off, frameLen);
    }

    // ---- accounting --------------------------------------------------------------------------

    private void drop(DropReason reason) {
        drops[reason.ordinal()]++;
        if (tracer != null) {
            boolean early = reason.ordinal() <= DropReason.FRAG_TIMEOUT.ordinal(); // before the "in:" line
            tracer.line((early && pkt.in != null ? pkt.in.name() + " in: " : "  ") + "dropped: " + reason.text());
        }
    }

    /** Drops the packet being processed, freeing its connection if it was never confirmed. */
    private void dropPacket(DropReason reason) {
        int id = pkt.ct.id;
        if (id >= 0 && !table.confirmed(id)) {
            table.release(id);
            pkt.ct.id = -1;
        }
        drop(reason);
    }

    private void count(Interface dev, int len, boolean rx) {
        int i = dev.index();
        if (i >= rxPackets.length) {
            int n = Math.max(i + 1, rxPackets.length * 2);
            rxPackets = java.util.Arrays.copyOf(rxPackets, n);
            rxBytes = java.util.Arrays.copyOf(rxBytes, n);
            txPackets = java.util.Arrays.copyOf(txPackets, n);
            txBytes = java.util.Arrays.copyOf(txBytes, n);
        }
        if (rx) {
            rxPackets[i]++;
            rxBytes[i] += len;
        } else {
            txPackets[i]++;
            txBytes[i] += len;
        }
    }
}
