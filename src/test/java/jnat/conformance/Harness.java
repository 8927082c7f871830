package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.conntrack.ConntrackPrinter;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.nat.Transmit;
import jnat.pcap.LinkType;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.tcpdump.TcpdumpPrinter;
import jnat.wire.Checksum;
import jnat.wire.EthernetRepr;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TransportRepr;
import jnat.wire.UdpRepr;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a {@link Scenario} on the kernel ({@link KernelLab}) and on jnat ({@link NatEngine},
 * in-process) step by step, and compares what each transmits, frame by frame, byte for byte;
 * then the nat table's counters ({@code iptables -t nat -nvxL}) and the connection table
 * ({@code conntrack -L}, timeouts aside).
 *
 * <p>Where the kernel chooses at random by design (a flow the scenario marks random: a source port
 * or echo id remapped after a clash, {@code --random}, {@code --random-fully}, a port outside the
 * SNAT range), the translated port may differ: there the frames must be equal but for that port
 * and the checksums covering it, jnat's checksums must be right, its port must lie in the range
 * and be unique among the scenario's flows, and the replies (built by each side from its own
 * output) must come back translated to the same bytes.
 */
final class Harness {
    /** What one scenario gave: frames compared and the mismatches, described for a human. */
    record Outcome(int framesCompared, int randomPortFrames, int generatedFrames, List<String> mismatches) {}

    private static final int HEADROOM = 32;
    private static final Host HOST = Host.parse(ScenarioGenerator.HOST, "conformance-host.ip");

    private final KernelLab kernel;
    private final String hostFile;
    private final boolean verbose;
    /** Frames compared over the harness's life, per family (IPv4 with ARP; IPv6). */
    long framesCompared4, framesCompared6;
    /** IPv6 fragment trains injected, and the fragments among the IPv6 frames compared (their identification mapped). */
    long trains6, fragmentsCompared6;

    /**
     * {@code hostFile}: the lab's host ({@link ScenarioGenerator#HOST}, or {@link ScenarioGenerator6#HOST}
     * with IPv6; the devices and MACs are the same). {@code verbose}: print every step and what each
     * side transmitted (to debug one scenario).
     */
    Harness(KernelLab kernel, String hostFile, boolean verbose) {
        this(kernel, hostFile, verbose, 1);
    }

    /**
     * With {@code lanes} above 1 the engine runs on that many lanes (as `jnat gateway --workers`):
     * step i's frame goes to lane i mod lanes through {@link NatEngine#receiveConcurrent}, shared
     * where the lane's check allows it, and the host's own packets and the answers to its
     * solicitations run with the engine to itself.
     */
    Harness(KernelLab kernel, String hostFile, boolean verbose, int lanes) {
        this.kernel = kernel;
        this.hostFile = hostFile;
        this.verbose = verbose;
        this.lanes = lanes;
    }

    private final int lanes;
    /** The frames the lanes ran shared, over the scenarios (NatEngine.concurrentPackets). */
    long sharedPackets;

    /** A frame of step {@code step} into the engine: on its lane when there are lanes. */
    private void receive(NatEngine engine, int step, jnat.host.Interface in, byte[] buf, int len, long now, Transmit tx) {
        if (lanes > 1) engine.lane(step % lanes).receiveConcurrent(in, buf, HEADROOM, len, now, new jnat.wire.Offload(), tx);
        else engine.receive(in, buf, HEADROOM, len, now, tx);
    }

    /** The host's own packet: with lanes, with the engine to itself. */
    private void send(NatEngine engine, byte[] buf, int len, long now, Transmit tx) {
        if (lanes > 1) {
            engine.exclusive(() -> {
                engine.send(buf, HEADROOM, len, now, tx);
                return null;
            });
        } else {
            engine.send(buf, HEADROOM, len, now, tx);
        }
    }

    /** On the IPv4 harness host ({@link ScenarioGenerator#HOST}). */
    Harness(KernelLab kernel, boolean verbose) {
        this(kernel, ScenarioGenerator.HOST, verbose);
    }

    /** The MAC of the harness host's {@code device}. */
    static long hostMac(String device) {
        return HOST.device(device).macBits();
    }

    /** One side's view of a flow: the last frame its original direction and its reply left with. */
    static final class Seen {
        String origDev, replyDev;
        byte[] orig, reply;

        int natPort() {
            return Frames6.isIpv6(orig) ? Frames6.translatedPort(orig) : translatedPort(orig);
        }
    }

    /** What a step injects: one frame, or (a fragmented step) the frames of its fragments in sending order. */
    record Injection(String device, byte[] frame, List<byte[]> fragments) {
        Injection(String device, byte[] frame) {
            this(device, frame, null);
        }
    }

    /** How far from the 2-second UDP stream border a UDP flow's packets are sent. */
    static final long UDP_STREAM_MARGIN_NANOS = 150_000_000L;

    /**
     * A UDP connection's packet sent 2 s after its first becomes a stream (nf_conntrack_udp_packet's
     * stream_ts, in jiffies): jnat reads its clock just before the kernel's copy is sent, so a packet
     * within a few milliseconds of that border may fall on different sides of it. Wait until it is clear.
     */
    private static void clearOfUdpStreamBorder(Scenario.Flow flow, Map<Integer, Long> udpFirstSeen) {
        if (flow.protocol != 17 && flow.protocol != 136) return;
        long nowNanos = System.nanoTime();
        long age = nowNanos - udpFirstSeen.computeIfAbsent(flow.id, k -> nowNanos);
        long border = 2_000_000_000L;
        if (Math.abs(age - border) < UDP_STREAM_MARGIN_NANOS) {
            long wait = border + UDP_STREAM_MARGIN_NANOS - age;
            try {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    Outcome run(Scenario sc) throws IOException {
        List<String> bad = new ArrayList<>();
        int compared = 0;
        randomPortFrames = 0;
        generatedFrames = 0;
        Host host = Host.parse(hostFile, "conformance-host.ip");
        Ruleset rules, rules6 = null;
        jnat.ipset.IpSetCore sets = new jnat.ipset.IpSetCore();
        try {
            if (sc.ipset != null) jnat.ipset.Ipset.load(sets, sc.ipset);
            rules = Ruleset.parse(sc.rules, false, sets);
            if (sc.rules6 != null) rules6 = Ruleset.parse(sc.rules6, true, sets);
        } catch (RuntimeException e) {
            throw new AssertionError(sc + ": jnat refuses the rules: " + e.getMessage() + "\n" + sc.rules
                    + (sc.rules6 == null ? "" : sc.rules6), e);
        }
        NatEngine engine = new NatEngine(host, rules,
                new NatEngine.Config(NatEngine.Config.DEFAULT_CONNTRACK_MAX, sc.seed, true).withIcmp(KernelLab.ICMP));
        if (rules6 != null) engine.setRuleset6(rules6);
        if (lanes > 1) engine.setLanes(lanes);
        jnat.nft.NftRuleset nft = sc.nft == null ? null : NftScenarioGenerator.load(engine, sc);
        kernel.listenIn(engine);
        if (lanes > 1) engine.startConcurrent();
        kernel.load(sc.rules, sc.rules6, sc.nft, sc.ipset);
        Map<Integer, Seen> kSeen = new HashMap<>(), jSeen = new HashMap<>();
        // jnat's clock follows the real one, so time-dependent states (UDP streams) agree.
        long base = 1_700_000_000_000_000_000L, started = System.nanoTime(), now = base;
        byte[] buf = new byte[HEADROOM + 2048];
        Map<Integer, Long> udpFirstSeen = new HashMap<>();
        for (int i = 0; i < sc.steps.size(); i++) {
            Step step = sc.steps.get(i);
            clearOfUdpStreamBorder(step.flow(), udpFirstSeen);
            Seen ks = kSeen.computeIfAbsent(step.flow().id, k -> new Seen());
            Seen js = jSeen.computeIfAbsent(step.flow().id, k -> new Seen());
            Injection ki = build(step, i, ks), ji = build(step, i, js);
            if (ki == null && ji == null) continue; // nothing to answer on either side
            String where = sc + " step " + i + ": " + step;
            if (ki == null || ji == null) {
                bad.add(where + ": only " + (ki == null ? "jnat" : "the kernel") + " has the packet it answers");
                continue;
            }
            // jnat first: how many frames it sends tells the kernel side how long to wait.
            List<KernelLab.Frame> jOut = new ArrayList<>();
            now = Math.max(now + 1, base + System.nanoTime() - started);
            Transmit tx = (out, b, off, len) -> jOut.add(new KernelLab.Frame(out.name(), Arrays.copyOfRange(b, off, off + len)));
            List<KernelLab.Frame> kOut;
            if (ji.fragments != null) {
                if (step.flow().ipv6 && step.isFragmented()) trains6++;
                // fragment by fragment, each side in turn: what jnat sent for one tells the kernel side how long to wait
                kOut = new ArrayList<>();
                for (int n = 0; n < ji.fragments.size(); n++) {
                    byte[] fr = ji.fragments.get(n);
                    int before = jOut.size();
                    System.arraycopy(fr, 0, buf, HEADROOM, fr.length);
                    if (ji.device.equals(Scenario.LOCAL)) send(engine, buf, fr.length, now, tx);
                    else receive(engine, i, host.device(ji.device), buf, fr.length, now, tx);
                    int expected = jOut.size() - before;
                    kOut.addAll(caused(ki.device.equals(Scenario.LOCAL) ? kernel.sendLocal(ki.fragments.get(n), expected)
                            : kernel.send(ki.device, ki.fragments.get(n), expected)));
                }
            } else {
                System.arraycopy(ji.frame, 0, buf, HEADROOM, ji.frame.length);
                if (ji.device.equals(Scenario.LOCAL)) send(engine, buf, ji.frame.length, now, tx);
                else receive(engine, i, host.device(ji.device), buf, ji.frame.length, now, tx);
                kOut = caused(ki.device.equals(Scenario.LOCAL) ? kernel.sendLocal(ki.frame, jOut.size())
                        : kernel.send(ki.device, ki.frame, jOut.size()));
            }
            answerSolicitations(engine, host, now, tx, jOut, kOut);
            if (verbose) {
                System.out.println("step " + i + ": " + step + "\n  kernel:\n" + describe(kOut).indent(4)
                        + "  jnat:\n" + describe(jOut).indent(4));
            }
            observe(step, injectedId(step.flow(), i), ks, kOut);
            observe(step, injectedId(step.flow(), i), js, jOut);
            compared += Math.min(kOut.size(), jOut.size());
            for (int n = 0; n < Math.min(kOut.size(), jOut.size()); n++) {
                if (Frames6.isIpv6(kOut.get(n).bytes())) framesCompared6++;
                else framesCompared4++;
            }
            compareFrames(where, step.flow(), i, injectedId(step.flow(), i), ks, js, kOut, jOut, jSeen, sc, bad);
        }
        List<KernelLab.Frame> late = caused(kernel.drain(20));
        if (!late.isEmpty()) bad.add(sc + ": the kernel transmitted after the last step:\n" + describe(late));

        String kList = kernel.natListing();
        String jList = Iptables.run(engine.ruleset(), List.of("-t", "nat", "-nvxL")).output();
        jList = numericProt(jList);
        if (!kList.equals(jList)) bad.add(sc + ": iptables -t nat -nvxL differs\n--- kernel\n" + kList + "--- jnat\n" + jList);
        // the other tables the scenario has (filter, raw, mangle, security): their counters say which rules each packet hit
        for (jnat.rules.Table t : engine.ruleset().tables()) {
            if (t.name.equals("nat")) continue;
            String k = kernel.listing(t.name);
            String j = numericProt(Iptables.run(engine.ruleset(), List.of("-t", t.name, "-nvxL")).output());
            if (!k.equals(j)) bad.add(sc + ": iptables -t " + t.name + " -nvxL differs\n--- kernel\n" + k + "--- jnat\n" + j);
        }
        if (rules6 != null) {
            for (jnat.rules.Table t : engine.ruleset6().tables()) {
                String k = kernel.listing6(t.name);
                String j = numericProt(Iptables.run(engine.ruleset6(), List.of("-t", t.name, "-nvxL")).output());
                if (!k.equals(j)) bad.add(sc + ": ip6tables -t " + t.name + " -nvxL differs\n--- kernel\n" + k + "--- jnat\n" + j);
            }
        }

        if (nft != null) bad.addAll(NftScenarioGenerator.compareListings(sc, kernel, nft));
        if (sc.ipset != null) {
            // the sets' members and counters after the packets (-m set's counters, -j SET's adds and deletes)
            String k = kernel.ipsetListing(), j = jnat.ipset.Ipset.run(engine.xtNet().ipset(), List.of("list"), null).out();
            if (!k.equals(j)) bad.add(sc + ": ipset list differs\n--- kernel\n" + k + "--- jnat\n" + j);
        }

        String kCt = kernel.conntrackListing();
        String jCt = new ConntrackPrinter().list(engine.connections(), now);
        // Where each side chose a port at random, put the kernel's choice in jnat's reply tuple.
        List<String[]> swaps = new ArrayList<>();
        for (Flow f : sc.flows) {
            Seen k = kSeen.get(f.id), j = jSeen.get(f.id);
            if (f.isRandom() && k != null && j != null && k.orig != null && j.orig != null && k.natPort() != j.natPort()) {
                swaps.add(f.ipv6 ? new String[] {Frames6.replyTuple(j.orig, j.natPort()), Frames6.replyTuple(j.orig, k.natPort())}
                        : new String[] {replyTuple(j.orig, j.natPort()), replyTuple(j.orig, k.natPort())});
            }
        }
        jCt = substitute(jCt, swaps);
        String kSet = entries(kCt), jSet = entries(jCt);
        if (!kSet.equals(jSet)) bad.add(sc + ": conntrack -L differs (timeouts aside)\n--- kernel\n" + kSet + "\n--- jnat\n" + jSet);
        if (lanes > 1) sharedPackets += engine.concurrentPackets();
        return new Outcome(compared, randomPortFrames, generatedFrames, bad);
    }

    /** Answers injected into jnat (an advertisement per solicitation, an ARP reply per request, of an answering neighbour). */
    long advertisements6, arpReplies4;

    /**
     * The far side answers the host's solicitations for its neighbours ({@link Frames6#answeringMac})
     * as a real host does, at once: each side's own solicitation gets its advertisement, and what the
     * side then sends (the packets that waited for the neighbour) belongs to the step.
     */
    private void answerSolicitations(NatEngine engine, Host host, long now, Transmit tx, List<KernelLab.Frame> jOut,
                                     List<KernelLab.Frame> kOut) throws IOException {
        List<KernelLab.Frame> jNs = new ArrayList<>(), kNs = new ArrayList<>();
        for (KernelLab.Frame f : jOut) if (Frames6.solicitsAnswering(f.bytes()) || Frames6.requestsAnswering(f.bytes())) jNs.add(f);
        for (KernelLab.Frame f : kOut) if (Frames6.solicitsAnswering(f.bytes()) || Frames6.requestsAnswering(f.bytes())) kNs.add(f);
        byte[] buf = new byte[HEADROOM + 2048];
        for (int n = 0; n < Math.max(jNs.size(), kNs.size()); n++) {
            int before = jOut.size();
            if (n < jNs.size()) {
                byte[] na = answer(jNs.get(n).bytes());
                System.arraycopy(na, 0, buf, HEADROOM, na.length);
                if (lanes > 1) {
                    jnat.host.Interface in = host.device(jNs.get(n).device());
                    engine.exclusive(() -> {
                        engine.receive(in, buf, HEADROOM, na.length, now, tx);
                        return null;
                    });
                } else {
                    engine.receive(host.device(jNs.get(n).device()), buf, HEADROOM, na.length, now, tx);
                }
                if (u16(na, 12) == 0x0806) arpReplies4++;
                else advertisements6++;
            }
            if (n < kNs.size()) {
                kOut.addAll(caused(kernel.send(kNs.get(n).device(), answer(kNs.get(n).bytes()), jOut.size() - before)));
            }
        }
    }

    private static byte[] answer(byte[] request) {
        return u16(request, 12) == 0x0806 ? Frames6.arpReply(request) : Frames6.advertisement(request);
    }

    /**
     * Only what the scenario can cause: IPv4, ARP (which the kernel must not need) and IPv6 but the
     * kernel's own NDP and MLD noise ({@link Frames6#kernelNoise}).
     */
    static List<KernelLab.Frame> caused(List<KernelLab.Frame> frames) {
        List<KernelLab.Frame> out = new ArrayList<>();
        for (KernelLab.Frame f : frames) {
            int type = f.bytes().length >= 14 ? u16(f.bytes(), 12) : 0;
            if (type == 0x0800 || type == 0x0806 || type == Frames6.ETHERTYPE && !Frames6.kernelNoise(f.bytes())) out.add(f);
        }
        return out;
    }

    /** A frame the host built itself rather than passed on (ARP too: its requests). */
    private static boolean built(byte[] f, int injectedId) {
        if (f.length >= 14 && u16(f, 12) == 0x0806) return true;
        return Frames6.isIpv6(f) ? Frames6.hostGenerated(f) : hostGenerated(f, injectedId);
    }

    static void observe(Step step, int injectedId, Seen s, List<KernelLab.Frame> out) {
        KernelLab.Frame f = null;
        for (KernelLab.Frame o : out) {
            if (built(o.bytes(), injectedId)) continue; // the host's answer or solicitation, not the packet passed on
            if (f != null) return; // several (fragments): none is the flow's packet
            f = o;
        }
        if (f == null) return;
        if (step.kind() == Kind.ORIGINAL && !step.untracked()) {
            s.origDev = f.device();
            s.orig = f.bytes();
        } else if (step.kind() == Kind.REPLY) {
            s.replyDev = f.device();
            s.reply = f.bytes();
        }
    }

    // ---- building frames ---------------------------------------------------------------------

    /** The frame of {@code step} on one side, or null when the packet it answers never left. */
    static Injection build(Step step, int index, Seen seen) {
        Flow f = step.flow();
        if (f.ipv6) return Frames6.build(step, index, seen);
        int id = injectedId(f, index);
        int ttl = step.mangle() == Step.TTL_ONE ? 1 : 64;
        switch (step.kind()) {
            case ORIGINAL -> {
                Ipv4Repr ip = Ipv4Repr.of(f.client, f.dst).withIdentification(id).withDontFragment(f.protocol != 1)
                        .withTtl(f.ttl != 0 && step.mangle() != Step.TTL_ONE ? f.ttl : ttl).withTos(f.tos);
                if (f.clientDevice.equals(Scenario.LOCAL)) {
                    return new Injection(Scenario.LOCAL, ip.packet(transport(step, index, f.clientPort, f.dstPort)));
                }
                long routerMac = f.dstMac != 0 ? f.dstMac : HOST.device(f.clientDevice).macBits();
                if (f.protocol == ESP) {
                    return new Injection(f.clientDevice, EthernetRepr.of(f.clientMac, routerMac).withEtherType(0x0800)
                            .frame(ip.withProtocol(ESP).packet(esp(step, index))));
                }
                byte[] frame = EthernetRepr.of(f.clientMac, routerMac).frame(ip, transport(step, index, f.clientPort, f.dstPort));
                switch (step.mangle()) {
                    case Step.BAD_L4_CHECKSUM -> corruptChecksum(frame);
                    case Step.BAD_IP_CHECKSUM -> put16(frame, 24, u16(frame, 24) ^ 0x0101);
                    case Step.NO_UDP_CHECKSUM -> put16(frame, 14 + (frame[14] & 0x0f) * 4 + 6, 0);
                    default -> { }
                }
                return step.isFragmented() ? new Injection(f.clientDevice, frame, fragments(frame, step))
                        : new Injection(f.clientDevice, frame);
            }
            case REPLY -> {
                if (seen.orig == null) return null;
                byte[] o = seen.orig;
                Ipv4Repr ip = Ipv4Repr.of(u32(o, 30), u32(o, 26)).withIdentification(id)
                        .withDontFragment(f.protocol != 1).withTtl(ttl);
                int l4 = 14 + (o[14] & 0x0f) * 4;
                int sport = u16(o, l4), dport = u16(o, l4 + 2);
                TransportRepr t = f.protocol == 1 ? transport(step, index, u16(o, l4 + 4), 0)
                        : transport(step, index, dport, sport);
                byte[] frame = EthernetRepr.of(u48(o, 0), u48(o, 6)).frame(ip, t);
                return step.isFragmented() ? new Injection(seen.origDev, frame, fragments(frame, step))
                        : new Injection(seen.origDev, frame);
            }
            case ERROR_ABOUT_ORIGINAL, ERROR_ABOUT_REPLY -> {
                byte[] o = step.kind() == Kind.ERROR_ABOUT_ORIGINAL ? seen.orig : seen.reply;
                String dev = step.kind() == Kind.ERROR_ABOUT_ORIGINAL ? seen.origDev : seen.replyDev;
                if (o == null) return null;
                byte[] quoted = Arrays.copyOfRange(o, 14, o.length);
                int from = step.from() != 0 ? step.from() : u32(o, 30);
                Ipv4Repr ip = Ipv4Repr.of(from, u32(o, 26)).withIdentification(id).withDontFragment(false);
                // length: how much of the datagram a router quotes (0: as Linux does); seq: the rest of the header (MTU)
                int quote = step.length() > 0 ? (quoted[0] & 0x0f) * 4 + 8 : IcmpRepr.LINUX_MAX_QUOTE;
                IcmpRepr icmp = new IcmpRepr(step.icmpType(), step.icmpCode(), step.seq(), IcmpRepr.quote(quoted, quote));
                return new Injection(dev, EthernetRepr.of(u48(o, 0), u48(o, 6)).frame(ip, icmp));
            }
        }
        throw new AssertionError(step.kind());
    }

    static final int ESP = 50;

    /** An ESP header (SPI {@code step.seq()}, sequence number 1) and {@code step.length()} bytes; 3 bytes of it for {@link Step#SHORT_HEADER}. */
    static byte[] esp(Step step, int index) {
        byte[] payload = payload(step, index);
        byte[] b = new byte[8 + payload.length];
        put16(b, 0, step.seq() >>> 16);
        put16(b, 2, step.seq());
        put16(b, 6, 1);
        System.arraycopy(payload, 0, b, 8, payload.length);
        return step.mangle() == Step.SHORT_HEADER ? Arrays.copyOf(b, 3) : b;
    }

    /** The IP id of the frame injected at step {@code index}: what forwarding keeps, and the host's own packets do not have. */
    static int injectedId(Flow f, int index) {
        int id = (f.id * 1000 + index * 7) & 0xffff;
        return id == 0 ? 0x6a6e : id; // a raw socket's packet with id 0 would get one chosen by the kernel
    }

    /**
     * A packet the host built itself (an ICMP error or echo reply from its ICMP socket), not one
     * it passed on: ICMP of those types with another IP id than the injected frame's.
     */
    static boolean hostGenerated(byte[] f, int injectedId) {
        if (f.length < 14 + 20 + 8 || u16(f, 12) != 0x0800 || f[23] != 1) return false;
        int type = f[14 + (f[14] & 0x0f) * 4] & 0xff;
        return (type == 0 || type == 3 || type == 11) && u16(f, 18) != injectedId;
    }

    /** A TCP RST the host built (REJECT --reject-with tcp-reset, nf_send_reset): IP id 0, which no injected frame has. */
    static boolean hostReset(byte[] f) {
        if (f.length < 14 + 20 + 20 || u16(f, 12) != 0x0800 || f[23] != 6 || u16(f, 18) != 0) return false;
        return (f[14 + (f[14] & 0x0f) * 4 + 13] & 0x04) != 0;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) sum;
    }

    /**
     * The kernel's RST leaves as CHECKSUM_PARTIAL: its TCP checksum field holds the pseudo-header
     * sum for the device to complete, which a NIC does and the lab's veth does not. Completed here,
     * as the wire would carry it; a frame whose field is not that sum is left as it is.
     */
    static byte[] completedTcpChecksum(byte[] f) {
        int hl = (f[14] & 0x0f) * 4, t = 14 + hl, len = u16(f, 16) - hl;
        long pseudo = u16(f, 26) + u16(f, 28) + u16(f, 30) + u16(f, 32) + 6 + len;
        if (u16(f, t + 16) != fold(pseudo)) return f;
        byte[] c = f.clone();
        put16(c, t + 16, 0);
        long sum = pseudo;
        for (int i = 0; i + 1 < len; i += 2) sum += u16(c, t + i);
        if ((len & 1) != 0) sum += (c[t + len - 1] & 0xff) << 8;
        put16(c, t + 16, ~fold(sum) & 0xffff);
        return c;
    }

    /**
     * The Ethernet frame {@code frame} as a sending host fragments it: {@code step.ack()} bytes of
     * data a fragment (the last the rest), each with the full header, in order or last first.
     */
    static List<byte[]> fragments(byte[] frame, Step step) {
        int hl = (frame[14] & 0x0f) * 4;
        int data = u16(frame, 16) - hl;
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < data; at += step.ack()) {
            int n = Math.min(step.ack(), data - at);
            boolean more = at + n < data;
            byte[] f = new byte[14 + hl + n];
            System.arraycopy(frame, 0, f, 0, 14 + hl);
            System.arraycopy(frame, 14 + hl + at, f, 14 + hl, n);
            put16(f, 16, hl + n);
            put16(f, 20, (u16(frame, 20) & 0x4000) | (more ? 0x2000 : 0) | at >>> 3);
            put16(f, 24, 0);
            put16(f, 24, Checksum.compute(f, 14, hl));
            out.add(f);
        }
        if (step.mangle() == Step.FRAGMENTED_REVERSED) java.util.Collections.reverse(out);
        return out;
    }

    /** The payload of step {@code index}: its length in letters. */
    static byte[] payload(Step step, int index) {
        byte[] payload = new byte[step.length()];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) ('a' + (i + index) % 26);
        return payload;
    }

    /** The TCP segment of step {@code index}: Linux's SYN options, timestamps on the rest, none on a RST. */
    static TcpRepr tcp(Step step, int index, int sport, int dport, byte[] payload) {
        int ts = 1_000_000 + index * 10;
        TcpRepr t = TcpRepr.of(sport, dport).withSeq(step.seq()).withAck(step.ack()).withFlags(step.tcpFlags())
                .withPayload(payload);
        if (step.synOptions()) return t.withLinuxSynOptions(ts).withWindow(64240);
        if ((step.tcpFlags() & ScenarioGenerator.RST) == 0) return t.withTimestamps(ts, ts - 5).withWindow(502);
        return t.withWindow(0);
    }

    private static TransportRepr transport(Step step, int index, int sport, int dport) {
        byte[] payload = payload(step, index);
        return switch (step.flow().protocol) {
            case 6 -> tcp(step, index, sport, dport, payload);
            case 17 -> UdpRepr.of(sport, dport).withPayload(payload);
            default -> step.kind() == Kind.REPLY ? IcmpRepr.echoReply(sport, step.seq(), payload)
                    : IcmpRepr.echoRequest(sport, step.seq(), payload);
        };
    }

    private static void corruptChecksum(byte[] frame) {
        int l4 = 14 + (frame[14] & 0x0f) * 4;
        int at = switch (frame[23]) {
            case 6 -> l4 + 16;
            case 17 -> l4 + 6;
            default -> l4 + 2;
        };
        put16(frame, at, u16(frame, at) ^ 0x0101);
    }

    // ---- comparing ---------------------------------------------------------------------------

    /** The source port (TCP, UDP) or echo id (ICMP) of an original-direction frame as it left. */
    static int translatedPort(byte[] frame) {
        int l4 = 14 + (frame[14] & 0x0f) * 4;
        return frame[23] == 1 ? u16(frame, l4 + 4) : u16(frame, l4);
    }

    /** Frames of this scenario equal but for a port each side chose at random (checked by property). */
    private int randomPortFrames;
    /** Frames the host built itself (ICMP errors, echo replies: compared but for the IP id; REJECT's RSTs). */
    private int generatedFrames;

    /** A copy of {@code f} with IP id {@code id} and its header checksum redone. */
    static byte[] withIpId(byte[] f, int id) {
        byte[] c = f.clone();
        int hl = (c[14] & 0x0f) * 4;
        put16(c, 18, id);
        put16(c, 24, 0);
        put16(c, 24, Checksum.compute(c, 14, hl));
        return c;
    }

    private void compareFrames(String where, Flow flow, int injectedIndex, int injectedId, Seen ks, Seen js, List<KernelLab.Frame> kOut,
                                      List<KernelLab.Frame> jOut, Map<Integer, Seen> jSeen, Scenario sc, List<String> bad) {
        if (kOut.size() != jOut.size()) {
            bad.add(where + ": the kernel transmitted " + kOut.size() + " frames, jnat " + jOut.size()
                    + "\n--- kernel\n" + describe(kOut) + "--- jnat\n" + describe(jOut));
            return;
        }
        Map<Integer, Integer> fragmentIds = new HashMap<>(); // jnat's identification for each of the kernel's
        for (int n = 0; n < kOut.size(); n++) {
            KernelLab.Frame k = kOut.get(n), j = jOut.get(n);
            if (Frames6.isFragment(k.bytes()) && Frames6.isFragment(j.bytes())) {
                // ip6_fragment draws a random identification per datagram (ipv6_select_ident): compared as a
                // mapping, one of jnat's for each of the kernel's and never the identification received
                int kId = Frames6.fragmentId(k.bytes()), jId = Frames6.fragmentId(j.bytes());
                Integer had = fragmentIds.putIfAbsent(kId, jId);
                if (had != null && had != jId || had == null && fragmentIds.values().stream().filter(v -> v == jId).count() > 1
                        || jId == Frames6.fragmentId(flow, injectedIndex)) {
                    bad.add(where + ": jnat's fragment identification " + Integer.toHexString(jId) + " is not one new id per datagram"
                            + "\n--- kernel\n" + describe(kOut) + "--- jnat\n" + describe(jOut));
                    return;
                }
                j = new KernelLab.Frame(j.device(), Frames6.withFragmentId(j.bytes(), kId));
                fragmentsCompared6++;
            }
            if (Frames6.isIpv6(k.bytes()) && Frames6.hostGenerated(k.bytes()) && Frames6.isIpv6(j.bytes())
                    && Frames6.hostGenerated(j.bytes())) {
                generatedFrames++; // no IP id: compared as they are
            } else if (hostGenerated(k.bytes(), injectedId) && hostGenerated(j.bytes(), injectedId)) {
                // The kernel's ICMP socket picks the IP id by a keyed hash (__ip_select_ident): take
                // jnat's header checksum as proof of its own id, then compare with the kernel's id.
                if (!Checksum.verify(j.bytes(), 14, (j.bytes()[14] & 0x0f) * 4)) {
                    bad.add(where + ": jnat's IP header checksum is wrong\n--- jnat\n" + describe(List.of(j)));
                    continue;
                }
                generatedFrames++;
                j = new KernelLab.Frame(j.device(), withIpId(j.bytes(), u16(k.bytes(), 18)));
            } else if (hostReset(k.bytes()) && hostReset(j.bytes())) {
                generatedFrames++;
                k = new KernelLab.Frame(k.device(), completedTcpChecksum(k.bytes()));
            }
            boolean same = k.device().equals(j.device()) && Arrays.equals(k.bytes(), j.bytes());
            if (!same && flow.isRandom() && k.device().equals(j.device()) && ks.orig != null && js.orig != null) {
                String why = randomlyEqual(flow, ks.natPort(), js.natPort(), k.bytes(), j.bytes());
                if (why == null) why = uniqueness(flow, js, jSeen, sc);
                if (why == null) {
                    randomPortFrames++;
                    continue;
                }
                bad.add(where + ": " + why + "\n--- kernel\n" + describe(List.of(k)) + "--- jnat\n" + describe(List.of(j)));
                continue;
            }
            if (!same) {
                bad.add(where + ": frames differ\n--- kernel\n" + describe(List.of(k)) + "--- jnat\n" + describe(List.of(j)));
            }
        }
    }

    /** Null when the frames are equal but for the port each side chose (and checksums over it). */
    private static String randomlyEqual(Flow flow, int kPort, int jPort, byte[] k, byte[] j) {
        if (jPort < flow.randomLo || jPort > flow.randomHi) {
            return "jnat's port " + jPort + " is outside " + flow.randomLo + "-" + flow.randomHi;
        }
        if (k.length != j.length) return "frames differ in length";
        boolean v6 = Frames6.isIpv6(j);
        if (!(v6 ? Frames6.checksumsRight(j) : checksumsRight(j))) return "jnat's checksums are wrong";
        byte[] km = k.clone(), jm = j.clone();
        if (v6) {
            Frames6.mask(km, kPort);
            Frames6.mask(jm, jPort);
            return Arrays.equals(km, jm) ? null : "frames differ beyond the randomly chosen port";
        }
        mask(km, kPort);
        mask(jm, jPort);
        return Arrays.equals(km, jm) ? null : "frames differ beyond the randomly chosen port";
    }

    private static String uniqueness(Flow flow, Seen js, Map<Integer, Seen> jSeen, Scenario sc) {
        String mine = tupleOf(js.orig);
        for (Map.Entry<Integer, Seen> e : jSeen.entrySet()) {
            if (e.getKey() != flow.id && e.getValue().orig != null && mine.equals(tupleOf(e.getValue().orig))) {
                return "jnat gave flows " + flow.id + " and " + e.getKey() + " the same tuple " + mine;
            }
        }
        return null;
    }

    private static String tupleOf(byte[] f) {
        if (Frames6.isIpv6(f)) return Frames6.tupleOf(f);
        int l4 = 14 + (f[14] & 0x0f) * 4;
        int proto = f[23];
        return proto + " " + u32(f, 26) + ":" + translatedPort(f) + " > " + u32(f, 30) + ":"
                + (proto == 1 ? 0 : u16(f, l4 + 2));
    }

    /** Zeroes {@code port} wherever a translation may have put it, and the checksums over it. */
    private static void mask(byte[] f, int port) {
        int l4 = 14 + (f[14] & 0x0f) * 4;
        maskL4(f, f[23], l4, port);
        if (f[23] == 1 && (f[l4] == 3 || f[l4] == 11) && f.length >= l4 + 8 + 20) {
            int inner = l4 + 8;
            int innerL4 = inner + (f[inner] & 0x0f) * 4;
            if (f.length >= innerL4 + 8) maskL4(f, f[inner + 9], innerL4, port);
        }
    }

    private static void maskL4(byte[] f, int proto, int l4, int port) {
        int end = f.length;
        if (proto == 1) {
            if (l4 + 8 <= end && (f[l4] == 0 || f[l4] == 8) && u16(f, l4 + 4) == port) put16(f, l4 + 4, 0);
            if (l4 + 4 <= end) put16(f, l4 + 2, 0);
            return;
        }
        if (l4 + 4 > end) return;
        if (u16(f, l4) == port) put16(f, l4, 0);
        if (u16(f, l4 + 2) == port) put16(f, l4 + 2, 0);
        int sum = proto == 6 ? l4 + 16 : l4 + 6;
        if (sum + 2 <= end) put16(f, sum, 0);
    }

    private static boolean checksumsRight(byte[] f) {
        int hl = (f[14] & 0x0f) * 4;
        if (!Checksum.verify(f, 14, hl)) return false;
        int total = u16(f, 16);
        int l4 = 14 + hl, len = total - hl;
        return switch (f[23]) {
            case 6 -> Checksum.verifyTransport(f, l4, len, u32(f, 26), u32(f, 30), 6);
            case 17 -> u16(f, l4 + 6) == 0 || Checksum.verifyTransport(f, l4, len, u32(f, 26), u32(f, 30), 17);
            default -> Checksum.verify(f, l4, len);
        };
    }

    static String describe(List<KernelLab.Frame> frames) {
        StringBuilder sb = new StringBuilder();
        for (KernelLab.Frame f : frames) {
            TcpdumpPrinter p = new TcpdumpPrinter(new TcpdumpPrinter.Options(true, 1, 2, ZoneOffset.UTC));
            String line;
            try {
                line = p.format(0, LinkType.ETHERNET, f.bytes(), f.bytes().length, f.bytes().length);
            } catch (RuntimeException e) {
                line = "(unprintable: " + e + ")";
            }
            sb.append(f.device()).append(": ").append(line).append('\n');
            sb.append("  ").append(HexFormat.of().formatHex(f.bytes())).append('\n');
        }
        return sb.toString();
    }

    /** How conntrack -L prints the reply tuple of the connection {@code frame} left by, with {@code port} as its NAT port. */
    static String replyTuple(byte[] frame, int port) {
        int l4 = 14 + (frame[14] & 0x0f) * 4;
        String head = "src=" + Ipv4Address.format(u32(frame, 30)) + " dst=" + Ipv4Address.format(u32(frame, 26));
        if (frame[23] == 1) return head + " type=0 code=0 id=" + port + " ";
        return head + " sport=" + u16(frame, l4 + 2) + " dport=" + port + " ";
    }

    /** Replaces each swap's first string by its second, all at once (no replacement is replaced again). */
    static String substitute(String text, List<String[]> swaps) {
        String out = text;
        for (int i = 0; i < swaps.size(); i++) out = out.replace(swaps.get(i)[0], "\u0000" + i + "\u0000");
        for (int i = 0; i < swaps.size(); i++) out = out.replace("\u0000" + i + "\u0000", swaps.get(i)[1]);
        return out;
    }

    private static final Pattern PROT = Pattern.compile("(?m)^(\\s*\\d+\\s+\\d+\\s+(?:\\S+\\s+)?)(all|tcp|udp|icmp|icmpv6|esp|ah)( +)");

    /**
     * The prot column (of rules with and without a target) as Debian's iptables 1.8.9 prints it with -n: numbers. jnat prints names there
     * on purpose (iptables 1.8.10 does; see jnat.rules.Protocols.listName).
     */
    static String numericProt(String listing) {
        Matcher m = PROT.matcher(listing);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String num = switch (m.group(2)) {
                case "all" -> "0";
                case "tcp" -> "6";
                case "udp" -> "17";
                case "icmpv6" -> "58";
                case "esp" -> "50";
                case "ah" -> "51";
                default -> "1";
            };
            int width = Math.max(5, num.length() + 1); // iptables' "%-5s" and a space, the number never filling it
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + num + " ".repeat(width - num.length())));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static final Pattern TIMEOUT = Pattern.compile("^(\\S+ +\\d+ )(\\d+)( .*)$");

    /** conntrack -L lines with the timeout replaced by T, sorted. */
    static String entries(String listing) {
        TreeSet<String> set = new TreeSet<>();
        for (String l : listing.lines().toList()) {
            if (l.isBlank()) continue;
            Matcher m = TIMEOUT.matcher(l);
            set.add(m.matches() ? m.group(1) + "T" + m.group(3) : l);
        }
        return String.join("\n", set);
    }

    // network-order access to test frames
    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static int u32(byte[] b, int i) {
        return u16(b, i) << 16 | u16(b, i + 2);
    }

    static long u48(byte[] b, int i) {
        return (long) u16(b, i) << 32 | (u32(b, i + 2) & 0xffffffffL);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
