package jnat.nat;

import jnat.conntrack.ConnRowExport;
import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.host.Host;
import jnat.host.LocalSockets;
import jnat.host.Interface;
import jnat.host.RouteType;
import jnat.nft.NfTablesCore;
import jnat.nft.NftRuleset;
import jnat.rules.NptTarget;
import jnat.rules.RejectTarget;
import jnat.rules.Ruleset;
import jnat.rules.Target;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.Icmpv6Packet;
import jnat.wire.Offload;
import jnat.wire.WireError;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The packet path of a Linux host with the nat table and connection tracking, as the kernel
 * runs it (IPv4, and IPv6 beside it with an ip6tables ruleset, {@link #setRuleset6}): a frame in on an interface, out on another (or delivered, or dropped with a reason).
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
 * <p>This class holds the public API and the order of the stages; each stage is the class of the
 * kernel file it mirrors: {@link IpInput} (ip_input.c), {@link NfHooks} (the hooks' functions in
 * priority order), {@link ConntrackHook}, {@link NatHook} and {@link NatProto} (nf_nat_proto.c),
 * {@link IpForward}, {@link IpOutput} (ip_output.c), {@link RouteCache} (route.c), {@link Icmp}
 * (icmp.c), {@link RejectIpv4} (nf_reject_ipv4.c), {@link Arp} (arp.c); for IPv6 {@link Ip6Input}
 * (ip6_input.c), {@link Ip6Forward} and {@link Ip6Output} (ip6_output.c), {@link Icmpv6}
 * (net/ipv6/icmp.c, ndisc.c's solicitations), {@link RejectIpv6} (nf_reject_ipv6.c). Every fact of the packet
 * lives in its {@link PacketState}.
 *
 * Packets are rewritten in place. A frame from a layer-3 interface leaving on a layer-2 one needs
 * {@link EthernetFrame#HEADER_LENGTH} bytes of headroom before the IP header; without it the
 * packet is copied into a scratch buffer first.
 */
public final class NatEngine {
    /**
     * Engine settings.
     *
     * @param conntrackMax      nf_conntrack_max
     * @param randomSeed        seeds the choices the kernel makes at random (a port after a clash)
     * @param conntrackChecksum net.netfilter.nf_conntrack_checksum: verify L4 checksums of arriving
     *                          packets and treat bad ones as INVALID (captures taken on a sending host
     *                          with checksum offload carry wrong checksums: turn it off for those)
     * @param conntrackHashsize connections the conntrack hash and the NAT by-source index are built
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
    private final NatCore core;
    private final Prandom random;
    private volatile Ruleset ruleset;
    private volatile Ruleset ruleset6 = new Ruleset(true);

    /** The engine whose lane this is (itself for lane 0), and this lane's number (the CPU its rules count on). */
    private final NatEngine primary;
    private final int cpu;
    private final Config config;
    /** The lanes (the primary's; {@link #setLanes}): lane 0 is the engine itself. */
    private NatEngine[] lanes;
    /** The lanes' lock (the primary's), and this lane's check before it runs a packet under it shared. */
    private final Lanes laneLock;
    private final LaneCheck laneCheck;
    private final Snmp snmp = new Snmp(this);
    private final Trace trace;
    final NetStats stats;
    private final RouteCache routes;
    private final IpDefrag defrag;
    private final NfCtFrag6 defrag6;
    private final NfHooks hooks;
    /** The nf_tables base chains at the hooks (null: none). */
    private List<NfTablesCore.BaseChain> nftChains;
    private NftRuleset nftRuleset;
    private final ConntrackHook conntrack;
    private final IpInput input;
    private final IpForward forward;
    final IpOutput output;
    final Icmp icmp;
    private final RejectIpv4 reject;
    final Arp arp;
    /** eth_type_trans and the protocol demux of a frame from a device with a MAC. */
    private final EthTypeTrans ethRcv;
    final Ip6Output output6;
    final Icmpv6 icmp6;
    private final RejectIpv6 reject6;
    private final Ip6Input input6;
    private final Ip6Forward forward6;
    /** The raw socket (root's) {@link #send} writes whole packets through, as a harness's IP_HDRINCL socket. */
    private static final LocalSockets.Sock RAW_ROOT = LocalSockets.raw(0, 0);
    /** The raw socket of the last owner {@link #sendFromSocket} was given. */
    private LocalSockets.Sock rawOwned = RAW_ROOT;
    /** The host's sockets: which local ports are open, and who owns them. */
    private final LocalSockets sockets;
    final Udp udp;
    final TcpIpv4 tcp;
    final Udp6 udp6;
    final TcpIpv6 tcp6;
    final NeighTable neigh4, neigh6;
    final Ndisc ndisc;
    /** The offload state of a packet without one: CHECKSUM_NONE, no GSO (never changed). */
    private final Offload none = new Offload();
    /** The packet being received or sent; the host's own packets have theirs in {@link IpOutput}. */
    /** -j TEE's duplicators, which every packet state below reaches (filled once the output paths exist). */
    private final NfDup dups = new NfDup();
    /** SYNPROXY; its syncookie secret is drawn from SecureRandom, never from the seed (a known secret forges cookies). */
    private final NfSynproxy synproxy;
    private final PacketState received;
    /** The first fragment of an IPv6 queue that timed out, for its time exceeded. */
    private final PacketState expiredHead;
    /** The time of the last {@link #expire} call. */
    private long expireClock;

    public NatEngine(Host host, Ruleset ruleset) {
        this(host, ruleset, Config.defaults());
    }

    public NatEngine(Host host, Ruleset ruleset, Config config) {
        this(host, ruleset, config, IpDefrag.Config.defaults());
    }

    /** With the reassembly sysctls {@code defragConfig} (ipfrag_high_thresh, ipfrag_time). */
    public NatEngine(Host host, Ruleset ruleset, Config config, IpDefrag.Config defragConfig) {
        this(host, ruleset, config, defragConfig, NfCtFrag6.Config.defaults());
    }

    /** With both families' reassembly sysctls (and nf_conntrack_frag6_high_thresh, _timeout). */
    public NatEngine(Host host, Ruleset ruleset, Config config, IpDefrag.Config defragConfig, NfCtFrag6.Config defrag6Config) {
        this(null, 0, host, ruleset, config, defragConfig, defrag6Config);
    }

    /**
     * The engine ({@code parent} null, lane 0) or lane {@code cpu} of {@code parent}: a lane has
     * its own packet path (the packet states, the stages, the route cache, the counters: what the
     * kernel keeps per CPU) and shares the namespace's state with its parent (the host, the
     * conntrack table, NAT's bindings, the rulesets and xt state, the reassembly queues, the
     * neighbours, the sockets, SYNPROXY, ICMP's rate limits and ids, the seeded random).
     */
    private NatEngine(NatEngine parent, int cpu, Host host, Ruleset ruleset, Config config, IpDefrag.Config defragConfig,
                      NfCtFrag6.Config defrag6Config) {
        this.primary = parent == null ? this : parent;
        this.cpu = cpu;
        this.config = config;
        this.host = host;
        if (parent == null) {
            this.defrag6 = new NfCtFrag6(defrag6Config);
            this.defrag6.setExpireListener(this::frag6Expired);
            this.defrag = new IpDefrag(defragConfig);
            this.table = new ConnTable(config.conntrackMax(), Math.min(config.conntrackMax(), 1024), ConnTable.DEFAULT_SEED,
                    config.conntrackHashsize());
            this.random = new Prandom(config.randomSeed());
            this.core = new NatCore(table, random);
            this.synproxy = new NfSynproxy(host, table, new java.security.SecureRandom());
            this.table.setDestroyListener(core::destroyed);
            this.trace = new Trace();
            this.sockets = new LocalSockets();
        } else {
            this.defrag6 = parent.defrag6;
            this.defrag = parent.defrag;
            this.table = parent.table;
            this.random = parent.random;
            this.core = parent.core;
            this.synproxy = parent.synproxy;
            this.trace = parent.trace;
            this.sockets = parent.sockets;
        }
        this.stats = new NetStats(trace);
        // TODO(icmp): ip_expire sends ICMP time exceeded, code 1 (fragment reassembly), quoting the
        // first fragment, when it came and the datagram was for the host itself (conntrack's users
        // skip it on a router: frag_expire_skip_icmp). Set defrag's ExpireListener to generate it;
        // until then a timed-out queue is only counted (FRAG_TIMEOUT).
        if (parent == null) defrag.setExpireListener((user, iif, buf, off, len) -> stats.count(DropReason.FRAG_TIMEOUT, false));
        this.received = state();
        this.expiredHead = state();
        this.neigh4 = parent == null ? new NeighTable(stats, false) : parent.neigh4;
        this.neigh6 = parent == null ? new NeighTable(stats, true) : parent.neigh6;
        this.routes = new RouteCache(host, neigh4, neigh6);
        this.conntrack = new ConntrackHook(table, new Conntrack(table, cpu), config.conntrackChecksum(), stats, trace);
        conntrack.touchBySource(core.bySource());
        conntrack.touchNat(core);
        this.laneLock = parent == null ? new Lanes(table) : parent.laneLock;
        this.laneCheck = new LaneCheck(host, table, routes, conntrack);
        NatHook nat = new NatHook(host, table, core, new NatProto(table, trace), routes, stats, trace);
        conntrack.touchRules(nat, cpu);
        // REJECT answers through ICMP and the output path, which run the hooks again: bound late.
        this.hooks = new NfHooks(conntrack, nat, stats, new NfHooks.Reject() {
            @Override
            public void reject(PacketState p, Target target) {
                NatEngine.this.reject(p, target);
            }

            @Override
            public void reject(PacketState p, int icmpCode) {
                if (p.ipv6) reject6.reject(p, icmpCode);
                else NatEngine.this.reject.reject(p, icmpCode);
            }
        }, trace, parent == null ? null : parent.hooks);
        if (parent == null) hooks.xtNet.setClock(this::xtClock);
        IpDefragHook defragHook = new IpDefragHook(defrag, none, stats, trace);
        this.output = new IpOutput(hooks, routes, defragHook, defrag, state(), none, stats, trace,
                p -> input().loopbackRcv(p));
        this.icmp = new Icmp(host, output, config.icmp(), config.randomSeed(), parent == null ? null : parent.icmp);
        this.reject = new RejectIpv4(host, icmp, output);
        this.udp = new Udp(sockets, icmp);
        this.tcp = new TcpIpv4(host, sockets, output);
        this.input = new IpInput(hooks, defragHook, routes, icmp, udp, tcp, stats, trace);
        this.forward = new IpForward(hooks, output, icmp, stats, trace);
        this.arp = new Arp(host, stats, neigh4, output, icmp, state(), none);
        this.ethRcv = new EthTypeTrans(stats, arp);
        Ip6DefragHook defragHook6 = new Ip6DefragHook(defrag6, none, stats, trace);
        this.output6 = new Ip6Output(host, state(), hooks, output, routes, defragHook6, defrag6, new Ip6Fragmenter(random),
                p -> input6().loopbackRcv(p), none, stats, trace);
        this.icmp6 = new Icmpv6(host, output6, config.icmp(), icmp.rateLimit(), icmp.random(),
                parent == null ? null : parent.icmp6);
        this.dups.ipv4 = new NfDupIpv4(host, output, state(), trace);
        if (parent == null) this.synproxy.setOutput(output, output6);
        this.hooks.setSynproxy(synproxy);
        this.dups.ipv6 = new NfDupIpv6(host, output6, state(), trace);
        this.ndisc = new Ndisc(host, neigh6, output6, output, icmp6, state(), state(),
                state(), none);
        this.icmp6.setNdisc(ndisc);
        this.reject6 = new RejectIpv6(host, icmp6, output6);
        this.udp6 = new Udp6(sockets, icmp6);
        this.tcp6 = new TcpIpv6(host, sockets, output6);
        this.input6 = new Ip6Input(host, hooks, icmp6, udp6, tcp6, defragHook6, stats, trace);
        this.forward6 = new Ip6Forward(hooks, output6, icmp6, ndisc, stats, trace);
        this.lanes = new NatEngine[] {this};
        if (parent == null) {
            setRuleset(ruleset);
        } else {
            this.ruleset = parent.ruleset;
            this.ruleset6 = parent.ruleset6;
            hooks.tablesChanged();
            hooks.setNftRuleset(parent.nftChains == null ? null : NfTablesCore.forLane(parent.nftChains), table,
                    parent.nftConntrack4, parent.nftConntrack6);
        }
    }

    /** A packet state of this engine's: it reaches the engine's -j TEE duplicators. */
    private PacketState state() {
        PacketState p = new PacketState(host, table, sockets);
        p.cpu = cpu;
        p.dup = dups;
        p.synproxy = synproxy;
        return p;
    }

    private Ip6Input input6() {
        return input6;
    }

    /**
     * ip6frag_expire_frag_queue (conntrack's queues too, nf_ct_frag6_expire): counted, and when the
     * first fragment came, ICMPv6 time exceeded (fragment reassembly) quoting it, as though it had
     * just arrived on the device the queue's last fragment came in on. It leaves through the
     * transmitter of the last packet handed in, at the later of that packet's time and the expiry's.
     */
    private void frag6Expired(int user, int iif, byte[] buf, int off, int len) {
        stats.count(DropReason.IPV6_FRAG_TIMEOUT, true);
        Interface in = host.deviceByIndex(iif);
        if (len == 0 || in == null || received.tx == null) return;
        PacketState p = expiredHead;
        p.reset(in, Math.max(expireClock, received.now), none, received.tx, false);
        p.ipv6 = true;
        if (p.ip6.wrap(buf, off, len) != jnat.wire.WireError.OK) return;
        icmp6.send(p, Icmpv6Packet.ICMPV6_TIME_EXCEED, Icmpv6Packet.ICMPV6_EXC_FRAGTIME, 0);
    }

    /**
     * reject_tg's answer in the packet's family, or ip6t_NPT's parameter problem pointing at the
     * address it could not translate (bound late: both run the output hooks again).
     */
    private void reject(PacketState p, Target target) {
        if (target instanceof NptTarget npt) {
            icmp6.send(p, Icmpv6Packet.ICMPV6_PARAMPROB, Icmpv6Packet.ICMPV6_HDR_FIELD, npt.failedPointer());
        } else if (p.ipv6) {
            reject6.reject(p, (RejectTarget) target);
        } else {
            reject.reject(p, (RejectTarget) target);
        }
    }

    private IpInput input() {
        return input;
    }

    /** Replaces the (iptables) ruleset: the next packet sees the new one whole. */
    public void setRuleset(Ruleset rules) {
        if (rules.ipv6) throw new IllegalArgumentException("an ip6tables ruleset: use setRuleset6");
        this.ruleset = rules;
        if (lanes != null && rules.cpus() < lanes.length) rules.setCpus(lanes.length);
        if (rules.needsAccounting()) table.setAccounting(true);
        if (rules.needsLabels()) table.useLabels();
        hooks.setRuleset(rules, random, trace);
        lanesTablesChanged();
    }

    /** The lanes see the tables the primary just bound (NAT's lookup list is each lane's). */
    private void lanesTablesChanged() {
        if (lanes == null) return; // the constructor's first ruleset
        for (NatEngine l : lanes) {
            if (l == this) continue;
            l.ruleset = ruleset;
            l.ruleset6 = ruleset6;
            l.hooks.tablesChanged();
        }
    }

    /**
     * Registers an nf_tables ruleset's base chains at their hooks beside the iptables tables (null: none).
     * A ruleset with anything the engine cannot run ({@link NfTablesCore#refused}) is refused whole, with
     * those lines, and the chains in place stay.
     */
    public void setNftRuleset(NftRuleset rules) {
        if (rules != null) {
            List<String> why = NfTablesCore.refused(rules);
            if (!why.isEmpty()) throw new IllegalArgumentException("jnat cannot run this nft ruleset yet:\n" + String.join("\n", why));
        }
        this.nftChains = rules == null ? null : NfTablesCore.baseChains(rules);
        this.nftRuleset = rules;
        nftConntrack4 = rules != null && NfTablesCore.usesConntrack(rules, false);
        nftConntrack6 = rules != null && NfTablesCore.usesConntrack(rules, true);
        nftConcurrentSafe = nftChains == null || NfTablesCore.concurrentSafe(nftChains);
        if (nftChains != null) NfTablesCore.setCpus(nftChains, lanes.length);
        for (NatEngine l : lanes) {
            l.hooks.setNftRuleset(l == this || nftChains == null ? nftChains : NfTablesCore.forLane(nftChains), table,
                    nftConntrack4, nftConntrack6);
        }
    }

    /** Whether the nft ruleset lets lanes share ({@link NfTablesCore#concurrentSafe}); true without one. */
    private boolean nftConcurrentSafe = true;

    /** Whether the nft ruleset's expressions take conntrack, per family. */
    private boolean nftConntrack4, nftConntrack6;

    /** The nf_tables ruleset the engine runs (null: none), its counters live. */
    public NftRuleset nftRuleset() {
        return nftRuleset;
    }

    /**
     * The packets and bytes an nft rule's counter counted since its ruleset was set (family, table,
     * chain, the rule's position), or null when there is no such rule or counter.
     */
    public long[] nftCounter(String family, String table, String chain, int rule) {
        if (nftChains == null) return null;
        for (NfTablesCore.BaseChain c : nftChains)
            if (c.family().equals(family) && c.table().equals(table)) return c.core().counter(chain, rule);
        return null;
    }

    /** /proc/net/stat/synproxy summed: syn_received, cookie_invalid, cookie_valid, cookie_retrans, conn_reopened. */
    public long[] synproxyStat() {
        return new long[] {synproxy.synReceived, synproxy.cookieInvalid, synproxy.cookieValid, synproxy.cookieRetrans,
                synproxy.connReopened};
    }

    /** Replaces the ip6tables ruleset (an empty one until set: every IPv6 packet is accepted, and tracked). */
    public void setRuleset6(Ruleset rules) {
        if (!rules.ipv6) throw new IllegalArgumentException("an iptables ruleset: use setRuleset");
        this.ruleset6 = rules;
        if (lanes != null && rules.cpus() < lanes.length) rules.setCpus(lanes.length);
        if (rules.needsAccounting()) table.setAccounting(true);
        if (rules.needsLabels()) table.useLabels();
        hooks.setRuleset(rules, random, trace);
        lanesTablesChanged();
    }

    /** The xt modules' state of the engine's namespace: -m recent's lists. */
    public jnat.rules.XtNet xtNet() {
        return hooks.xtNet;
    }

    public Ruleset ruleset6() {
        return ruleset6;
    }

    /**
     * Traces every packet (null: off): where it came in, its conntrack state, each rule it
     * matched (named as the TRACE target names them), its translation, route, and where it left
     * or why it was dropped. Costs nothing when off.
     */
    public void setTracer(PacketTracer tracer) {
        setTraceEvents(tracer == null ? null : new TraceLines(tracer));
    }

    /** Tells {@code events} each step of every packet's walk (null: off); costs nothing when off. */
    public void setTraceEvents(TraceEvents events) {
        trace.set(events);
        hooks.setTracer(trace);
    }

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
     * Puts back a connection row exported with {@link jnat.conntrack.ConnRowExport#exportRow} (a state file after a
     * restart) and re-files its NAT binding, so the source keeps its mapping. Returns the id, or -1
     * when the row was not taken (see {@link jnat.conntrack.ConnRowExport#importRow}).
     */
    public int restoreConnection(long[] longs, int[] ints, long now) {
        int id = ConnRowExport.importRow(table, longs, ints, now);
        if (id >= 0) core.restored(id);
        return id;
    }

    /** The host's MIB counters (/proc/net/snmp, snmp6 and netstat), summed over the lanes. */
    public Snmp snmp() {
        return snmp;
    }

    /** Packets dropped for {@code reason}, both families. */
    public long drops(DropReason reason) {
        return sum(l -> l.stats.drops(reason));
    }

    /** IPv6 packets ({@code ipv6}) or IPv4 ones dropped for {@code reason}. */
    public long drops(DropReason reason, boolean ipv6) {
        return sum(l -> l.stats.drops(reason, ipv6));
    }

    /** The host's TCP and UDP sockets (none until a user names them: {@code --listen}). */
    public LocalSockets sockets() {
        return sockets;
    }

    /** Packets conntrack found INVALID: passed on untracked, so not NATed (conntrack -S "invalid"). */
    public long invalid() {
        return sum(l -> l.stats.invalid(false) + l.stats.invalid(true));
    }

    /** IPv6 packets ({@code ipv6}) or IPv4 ones conntrack found INVALID. */
    public long invalid(boolean ipv6) {
        return sum(l -> l.stats.invalid(ipv6));
    }

    public long rxPackets(Interface dev) { return sum(l -> l.stats.rxPackets(dev)); }
    public long rxBytes(Interface dev) { return sum(l -> l.stats.rxBytes(dev)); }
    public long txPackets(Interface dev) { return sum(l -> l.stats.txPackets(dev)); }
    public long txBytes(Interface dev) { return sum(l -> l.stats.txBytes(dev)); }

    /**
     * Runs conntrack's garbage collection over up to {@code budget} entries (gc_worker), expires the
     * fragment queues whose time is up (ip_expire, nf_ct_frag6_expire: an IPv6 one whose first fragment
     * came is answered with time exceeded) and runs the neighbour timers (neigh_timer_handler: the
     * solicitations again, or the unreachables of a neighbour that never answered). What they send
     * leaves through the transmitter of the last packet handed in.
     */
    public int expire(long now, int budget) {
        expireClock = now;
        defrag.expire(now);
        defrag6.expire(now);
        neigh4.timers(now);
        neigh6.timers(now);
        return table.gc(now, budget);
    }

    /** The reassembly queues (nf_defrag_ipv4): their count, memory and Reasm* counters. */
    public IpDefrag defrag() {
        return defrag;
    }

    /** The IPv6 reassembly queues (nf_defrag_ipv6): their count, memory and counters. */
    public NfCtFrag6 defrag6() {
        return defrag6;
    }

    /** Neighbour advertisements the host sent, answering solicitations for its addresses (ndisc_recv_ns). */

    /** The ICMP sysctls the engine runs with. */
    public IcmpConfig icmpConfig() {
        return icmp.config();
    }

    /** Forgets cached routes and neighbours (the caches also notice the host's changes by themselves, through its genid). */
    public void hostChanged() {
        for (NatEngine l : lanes) l.routes.hostChanged();
    }

    /**
     * The xt modules' clock: the latest time the engine was told, by a packet of any lane or an
     * expiry (each lane keeps its own last time: one shared field written by every packet would
     * bounce between the lanes' cores).
     */
    private long xtClock() {
        long t = expireClock;
        for (NatEngine l : lanes) t = Math.max(t, l.received.now);
        return t;
    }

    /** A counter summed over the lanes (the kernel's per-CPU counters, summed when read). */
    long sum(java.util.function.ToLongFunction<NatEngine> counter) {
        long n = 0;
        for (NatEngine l : lanes) n += counter.applyAsLong(l);
        return n;
    }

    // ---- lanes: the packet path once per worker (the kernel's per-CPU softirq) ----------------

    /**
     * Makes {@code n} lanes (lane 0 is this engine): each is an engine of its own for the packet
     * path that shares this one's namespace state (see the lane constructor), so that worker k
     * runs its packets through lane k. Lanes run concurrently only through {@link #receiveConcurrent};
     * otherwise one thread at a time, as one engine. Each table's rules count per lane, and
     * conntrack -S per lane ({@link ConnTable#setCpus}).
     */
    public void setLanes(int n) {
        if (primary != this) throw new IllegalStateException("lanes are made on the engine, not on a lane");
        if (n < 1) throw new IllegalArgumentException("at least one lane");
        NatEngine[] l = java.util.Arrays.copyOf(lanes, n);
        for (int k = lanes.length; k < n; k++) {
            l[k] = new NatEngine(this, k, host, ruleset, config, null, null);
        }
        lanes = l;
        if (table.cpus() < n) table.setCpus(n);
        ruleset.setCpus(n); // each lane counts its rules and walks on its own stack (per-CPU xt_counters, jumpstack)
        ruleset6.setCpus(n);
        if (nftChains != null) NfTablesCore.setCpus(nftChains, n); // and its nft counters (nft_counter_percpu_priv)
        for (NatEngine lane : l) lane.lanes = l;
    }

    /** Lane {@code k} ({@link #setLanes}); lane 0 is this engine. */
    public NatEngine lane(int k) {
        return primary.lanes[k];
    }

    /** How many lanes the engine has. */
    public int laneCount() {
        return primary.lanes.length;
    }

    // ---- the stages ---------------------------------------------------------------------------

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
        PacketState p = received;
        p.reset(in, now, offload, tx, false);
        stats.rx(in, len);
        int ipOff = off, ipLen = len;
        int type;
        if (in.hasMac()) {
            type = ethRcv.rcv(p, buf, off, len);
            if (type < 0) return;
            ipOff = p.eth.payloadOffset();
            ipLen = p.eth.payloadLength();
        } else {
            type = len > 0 && (buf[off] & 0xf0) == 0x60 ? EtherType.IPV6 : EtherType.IPV4; // tun's version nibble
        }
        if (type == EtherType.IPV6) {
            receive6(p, buf, ipOff, ipLen);
            return;
        }
        if (!input.rcv(p, buf, ipOff, ipLen)) return;   // ip_rcv_core, nf_defrag_ipv4
        if (!hooks.preRouting(p)) return;               // raw, conntrack, mangle, nat DST
        if (!input.route(p)) return;                    // ip_rcv_finish's route, ip_error
        if (p.route().type() != RouteType.UNICAST) {
            input.localDeliver(p);                      // LOCAL_IN, delivered, icmp_rcv
        } else {
            forward.forward(p);                         // FORWARD, POSTROUTING, out
        }
    }

    /** ipv6_rcv to ip6_input or ip6_forward: the IPv6 stages, the hooks written once in {@link NfHooks}. */
    private void receive6(PacketState p, byte[] buf, int off, int len) {
        if (!input6.rcv(p, buf, off, len)) return;       // ip6_rcv_core
        if (!hooks.preRouting(p)) return;               // raw, conntrack, mangle, nat DST
        if (!input6.route(p)) return;                   // ip6_rcv_finish's route
        if (p.route6.type() != RouteType.UNICAST) {
            input6.localDeliver(p);                     // LOCAL_IN, delivered
        } else {
            forward6.forward(p);                        // FORWARD, POSTROUTING, out
        }
    }

    /**
     * The frames of {@code batch} (netif_receive_skb_list's list), each as
     * {@link #receive(Interface, byte[], int, int, long, Offload, Transmit)} takes one. Conntrack's
     * lookups are started for the whole batch first (every frame's hash slot read, then every row
     * they point to, so that their cache misses overlap as in VPP's vector nodes), then each packet
     * runs the path to its end in turn. The result is that of receiving them one by one, in order:
     * a packet's new connection is confirmed before the next packet is looked up (the kernel's
     * ip_list_rcv, running PREROUTING over the whole list first, would let two SYNs of one flow
     * both miss), and traces stay in packet order. The batch is left as it was; clear it to reuse it.
     */
    public void receive(PacketBatch batch, Transmit tx) {
        int n = batch.size;
        if (n > 1) conntrack.touch(batch);
        for (int i = 0; i < n; i++) {
            Offload o = batch.offload[i];
            receive(batch.in[i], batch.buf[i], batch.off[i], batch.len[i], batch.now[i], o == null ? none : o, tx);
        }
    }

    // ---- lanes running concurrently (Lanes, LaneCheck) ------------------------------------------

    /** Packets the lanes ran concurrently ({@link #receiveConcurrent} under the shared lock), summed. */
    public long concurrentPackets() {
        return sum(l -> l.laneCheck.sharedPackets);
    }

    /**
     * Lets the lanes run established packets concurrently through {@link #receiveConcurrent}. From
     * now on, everyone else who touches the engine (commands, counters, timers) goes through
     * {@link #exclusive}.
     */
    public void startConcurrent() {
        if (primary != this) throw new IllegalStateException("on the engine, not on a lane");
        laneLock.start();
    }

    /**
     * Runs {@code work} with the engine to itself (the lanes' lock held exclusively: no lane runs a
     * packet meanwhile); for control commands and timers once {@link #startConcurrent} was called.
     */
    public <T> T exclusive(java.util.function.Supplier<T> work) {
        return primary.laneLock.exclusive(cpu, work);
    }

    /**
     * Lane {@link #cpu}'s frame (call it on the lane, from its worker's thread only), as
     * {@link #receive(Interface, byte[], int, int, long, Offload, Transmit)} takes it
     * ({@code offload} null: none). A packet of a confirmed, live connection that needs nothing
     * changed but its own row ({@link LaneCheck#eligible}) runs under the shared lock, beside the
     * other lanes' packets; any other with the engine to itself. Lanes share the lock only when the
     * engine allows it ({@link #lanesMayShare}).
     */
    public void receiveConcurrent(Interface in, byte[] buf, int off, int len, long now, Offload offload, Transmit tx) {
        primary.laneLock.receive(primary, this, cpu, laneCheck, in, buf, off, len, now, offload, tx);
    }

    /**
     * {@link #receiveConcurrent(Interface, byte[], int, int, long, Offload, Transmit)} for a batch:
     * conntrack's lookups touched together first, then the frames in order, as many as can under
     * the shared lock; the first that needs the engine to itself and all after it (their order
     * kept) with the engine to itself.
     */
    public void receiveConcurrent(PacketBatch batch, Transmit tx) {
        primary.laneLock.receive(primary, this, cpu, laneCheck, batch, tx);
    }

    /**
     * Whether lanes may share the lock (checked per packet or batch: each a field or two): the
     * rulesets' matches and targets all safe on two lanes at once ({@link LaneCheck#concurrentSafe}),
     * no tracer (a conntrack event listener only narrows LaneCheck's packets), policy routing rules only
     * where no table marks before routing, and an nft ruleset (if any)
     * whose expressions are all safe on two lanes at once ({@link NfTablesCore#concurrentSafe}).
     */
    boolean lanesMayShare() {
        return !trace.on() && primary.nftConcurrentSafe
                && (!host.rules().custom() && !host.rules6().custom() || !marksBeforeRouting())
                && LaneCheck.concurrentSafe(ruleset) && LaneCheck.concurrentSafe(ruleset6);
    }

    /**
     * Whether the packet's mark may change before its input route (LaneCheck.marksBeforeRouting, or
     * an nft ruleset's `meta mark set`): with policy rules the lanes then run every packet exclusively.
     */
    private boolean marksBeforeRouting() {
        return LaneCheck.marksBeforeRouting(ruleset) || LaneCheck.marksBeforeRouting(ruleset6)
                || primary.nftRuleset != null && NfTablesCore.setsMark(primary.nftChains);
    }

    /**
     * A packet the host itself sends (a raw socket's, IP_HDRINCL): {@code buf[off, off+len)} is a
     * whole IPv4 packet, checksums filled in (or an IPv6 one, by the version nibble: the same hooks
     * with ip6tables' tables, no fragments). LOCAL_OUT: raw, conntrack (checksums not verified),
     * mangle, nat OUTPUT (DST) and a new route if the destination changed (nf_nat_ipv4_local_fn,
     * ip_route_me_harder), filter, security; then POSTROUTING: mangle, nat SRC, confirm, out. A
     * packet routed to the host itself goes round through lo: PREROUTING and INPUT, then it is
     * delivered.
     */
    public void send(byte[] buf, int off, int len, long now, Transmit tx) {
        send(buf, off, len, now, tx, RAW_ROOT, false);
    }

    /**
     * As {@link #send(byte[], int, int, long, Transmit)} for a packet a process of {@code uid} and
     * {@code gid} sends from a connected TCP or UDP socket (connect(2)): the socket is the host's
     * from then on, so replies to it are delivered (no RST or port unreachable), and -m owner sees
     * its owner. Other protocols come from a raw socket of that owner.
     */
    public void sendFromSocket(byte[] buf, int off, int len, long now, Transmit tx, int uid, int gid) {
        if (rawOwned.uid != uid || rawOwned.gid != gid) rawOwned = LocalSockets.raw(uid, gid);
        send(buf, off, len, now, tx, rawOwned, true);
    }

    private void send(byte[] buf, int off, int len, long now, Transmit tx, LocalSockets.Sock raw, boolean connect) {
        PacketState p = received;
        p.reset(null, now, none, tx, false);
        p.sk = raw;
        if (len > 0 && (buf[off] & 0xf0) == 0x60) { // an IPv6 socket's
            if (!output6.hdrinc(p, buf, off, len)) return;
            if (connect) p.sk = DatagramConnect.connect6(sockets, p.ip6, raw);
            output6.localOut(p);
            return;
        }
        if (!output.hdrinc(p, buf, off, len)) return;   // nf_defrag_ipv4 (LOCAL_OUT), the route
        if (connect) p.sk = DatagramConnect.connect4(sockets, p.ip, raw);
        output.localOut(p);                             // LOCAL_OUT, POSTROUTING, out or lo
    }
}
