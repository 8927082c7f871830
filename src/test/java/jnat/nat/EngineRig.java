package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.wire.EthernetFrame;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.Offload;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.Transport6Repr;
import jnat.wire.TransportRepr;
import jnat.wire.WireError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test rig: one engine on a host built from ip(8)-style lines and a ruleset from iptables-restore
 * text, a clock that moves {@link #step} nanoseconds before each packet, and what came out: every
 * frame transmitted with its interface ({@link #sent()}), the packets delivered to the host
 * ({@link #delivered()}), the drop counters. Each packet handed in is a copy, so a test may keep
 * comparing against the frame it built. {@link #rules}, {@link #config} and {@link #defragConfig}
 * (re)build the engine on the same host, keeping the clock and what was captured.
 */
final class EngineRig {
    /** The seed's Docker host: the container, docker0, eth0 and the uplink router. */
    static final String CONTAINER_MAC = "02:42:ac:11:00:02", DOCKER0_MAC = "02:42:d5:35:3a:3c";
    static final String ETH0_MAC = "56:00:04:7c:7c:23", GATEWAY_MAC = "06:7c:16:88:fe:87";
    static final long MS = 1_000_000L, SEC = 1_000_000_000L;
    static final String SEED_RULES = resource("/demo/seed-docker.rules");

    /**
     * The seed's Docker host with IPv6 as Docker sets it up with --ipv6 (a ULA on docker0): eth0's
     * 2001:db8::10/64, the default route via the router's link-local address, the containers ::2 and ::3
     * (and ::2's link-local address), a prohibit route to 2001:db8:dead::/48.
     */
    static final String DOCKER6_HOST = """
            addr add 2001:db8::10/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            neigh add fe80::1 lladdr 06:7c:16:88:fe:87 dev eth0
            addr add fd49:efd7:54aa::1/64 dev docker0
            neigh add fd49:efd7:54aa::2 lladdr 02:42:ac:11:00:02 dev docker0
            neigh add fd49:efd7:54aa::3 lladdr 02:42:ac:11:00:03 dev docker0
            neigh add fe80::42:acff:fe11:2 lladdr 02:42:ac:11:00:02 dev docker0
            route add prohibit 2001:db8:dead::/48
            """;
    static final String CONTAINER6 = "fd49:efd7:54aa::2", CONTAINER6_B = "fd49:efd7:54aa::3", PUBLIC6 = "2001:db8::10";

    /**
     * Docker's ip6tables rules for that host (ip6tables-save): MASQUERADE of the containers' ULA out
     * of every other device, the published port 8080 DNATed to the container's 80, and the filter's
     * FORWARD DROP policy with the established and published traffic let through.
     */
    static final String DOCKER6_RULES = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER
            -A POSTROUTING -s fd49:efd7:54aa::/64 ! -o docker0 -j MASQUERADE
            -A DOCKER -i docker0 -j RETURN
            -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd49:efd7:54aa::2]:80
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :DOCKER - [0:0]
            -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -o docker0 -j DOCKER
            -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
            -A FORWARD -i docker0 -o docker0 -j ACCEPT
            -A DOCKER -d fd49:efd7:54aa::2/128 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
            COMMIT
            """;

    /** A frame the engine transmitted on {@code dev}; its IPv4 header at {@code ipOffset}; the offload state it left with, or null. */
    record Sent(String dev, byte[] frame, int ipOffset, Offload offload) {
        /** The IPv4 packet in the frame (asserted valid). */
        Ipv4Packet ip() {
            return wrap(frame, ipOffset);
        }

        /** The IPv6 packet in the frame (asserted valid). */
        Ipv6Packet ip6() {
            Ipv6Packet p = new Ipv6Packet();
            assertEquals(WireError.OK, p.wrap(frame, ipOffset, frame.length - ipOffset));
            return p;
        }

        /** The Ethernet type of the frame (asserted to have a link header). */
        int etherType() {
            assertEquals(EthernetFrame.HEADER_LENGTH, ipOffset, "a frame with a link-layer header");
            return (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
        }

        /** "dev [src]:sport > [dst]:dport" of an IPv6 TCP or UDP packet, "dev src > dst icmp6 TYPE id ID" of ICMPv6. */
        String summary6() {
            Ipv6Packet p = ip6();
            String src = Ipv6Address.format(p.srcHi(), p.srcLo()), dst = Ipv6Address.format(p.dstHi(), p.dstLo());
            if (p.hasPorts()) return dev + " [" + src + "]:" + p.srcPort() + " > [" + dst + "]:" + p.dstPort();
            String s = dev + " " + src + " > " + dst + " icmp6 " + p.icmpType();
            return p.hasIcmpId() ? s + " id " + p.icmpId() : s;
        }

        /** The IPv4 packet's bytes (the frame without its link-layer header). */
        byte[] packet() {
            return ipOffset == 0 ? frame : Arrays.copyOfRange(frame, ipOffset, frame.length);
        }

        int u8(int ipByte) {
            return frame[ipOffset + ipByte] & 0xff;
        }

        int u16(int ipByte) {
            return u8(ipByte) << 8 | u8(ipByte + 1);
        }

        /** The bytes an ICMP message behind a 20-byte header quotes (after its 8-byte header). */
        byte[] quoted() {
            return Arrays.copyOfRange(frame, ipOffset + 20 + 8, frame.length);
        }

        /** skb_checksum_help on a copy: the packet as it leaves a device that sums in software. */
        byte[] completed() {
            byte[] b = packet().clone();
            Offload o = new Offload();
            o.ipSummed = offload.ipSummed;
            o.csumStart = offload.csumStart;
            o.csumOffset = offload.csumOffset;
            o.checksumHelp(b, 0, b.length);
            return b;
        }

        /**
         * "dev src[:sport] > dst[:dport]", then " icmp TYPE" for ICMP and " about ADDR:PORT" (the
         * quoted datagram's destination) for an unreachable or time exceeded.
         */
        String summary() {
            Ipv4Packet p = ip();
            byte[] b = frame;
            String s = dev + " " + Ipv4Address.format(p.src());
            if (p.hasPorts()) s += ":" + p.srcPort();
            s += " > " + Ipv4Address.format(p.dst());
            if (p.hasPorts()) s += ":" + p.dstPort();
            if (p.protocol() == 1) s += " icmp " + p.icmpType();
            if (p.protocol() == 1 && (p.icmpType() == 3 || p.icmpType() == 11)) {
                int q = p.payloadOffset() + 8, ihl = (b[q] & 0xf) * 4;
                s += " about " + Ipv4Address.format((b[q + 16] & 0xff) << 24 | (b[q + 17] & 0xff) << 16
                        | (b[q + 18] & 0xff) << 8 | (b[q + 19] & 0xff)) + ":" + ((b[q + ihl + 2] & 0xff) << 8 | (b[q + ihl + 3] & 0xff));
            }
            return s;
        }
    }

    private final Host host;
    private String rules;
    /** The ip6tables-save text of the engine's IPv6 ruleset, or null for none. */
    private String rules6;
    private NatEngine.Config config = NatEngine.Config.defaults();
    private IpDefrag.Config defragConfig = IpDefrag.Config.defaults();
    private PacketTracer tracer;
    private NatEngine engine;

    /** The engine's clock: moved by {@link #step} before each packet handed in. */
    long now = 1000 * SEC;
    private long step = MS;
    private int headroom;
    private boolean keepOffload, ipv4Only;

    private final List<Sent> sent = new ArrayList<>();
    private final List<byte[]> delivered = new ArrayList<>();

    final Transmit capture = new Transmit() {
        @Override
        public void transmit(Interface out, byte[] buf, int off, int len) {
            if (keepOffload) throw new AssertionError("a layer-3 packet leaves with its offload state");
            add(out, Arrays.copyOfRange(buf, off, off + len), null);
        }

        @Override
        public void transmit(Interface out, byte[] buf, int off, int len, Offload o) {
            if (!keepOffload) {
                Transmit.super.transmit(out, buf, off, len, o);
                return;
            }
            Offload copy = new Offload();
            copy.ipSummed = o.ipSummed;
            copy.csumStart = o.csumStart;
            copy.csumOffset = o.csumOffset;
            copy.gsoSize = o.gsoSize;
            copy.gsoType = o.gsoType;
            add(out, Arrays.copyOfRange(buf, off, off + len), copy);
        }

        @Override
        public void deliver(byte[] buf, int off, int len) {
            byte[] p = Arrays.copyOfRange(buf, off, off + len);
            if (ipv4Only) wrap(p, 0);
            delivered.add(p);
        }
    };

    private void add(Interface out, byte[] frame, Offload o) {
        Sent s = new Sent(out.name(), frame, out.hasMac() ? EthernetFrame.HEADER_LENGTH : 0, o);
        if (ipv4Only) s.ip();
        sent.add(s);
    }

    EngineRig(Host host) {
        this.host = host;
    }

    /** A host from ip(8)-style lines ("link set ...", "addr add ...", "route add ...", "neigh add ..."). */
    static EngineRig host(String lines) {
        return new EngineRig(Host.parse(lines, "rig.ip"));
    }

    /** The seed's Docker host (hosts/seed-docker-host.ip), without an engine yet. */
    static EngineRig seedDockerHost() {
        return new EngineRig(Host.fromResource("/hosts/seed-docker-host.ip"));
    }

    /** The seed's Docker host with Docker's rules (demo/seed-docker.rules). */
    static EngineRig seedDocker() {
        return seedDockerHost().rules(SEED_RULES);
    }

    /** The seed's Docker host with IPv6 ({@link #DOCKER6_HOST}), Docker's rules for both families. */
    static EngineRig seedDocker6() {
        return host(resource("/hosts/seed-docker-host.ip") + DOCKER6_HOST).rules6(DOCKER6_RULES).rules(SEED_RULES);
    }

    /** The lab's gateway host (scripts/lab-host.ip: layer-3 docker0 and eth0), without an engine yet. */
    static EngineRig labHost() {
        return host(file("scripts/lab-host.ip"));
    }

    /** The lab's gateway host with the lab's rules (scripts/lab.rules: Docker's, MASQUERADE out of eth0). */
    static EngineRig labGateway() {
        return labHost().rules(file("scripts/lab.rules"));
    }

    /** A new engine with the ruleset {@code iptablesRestore} (parsed anew: its counters start at 0). */
    EngineRig rules(String iptablesRestore) {
        this.rules = iptablesRestore;
        return rebuild();
    }

    /** The IPv6 ruleset {@code ip6tablesRestore} (ip6tables-save text), set on this engine and every rebuilt one. */
    EngineRig rules6(String ip6tablesRestore) {
        this.rules6 = ip6tablesRestore;
        if (engine != null) engine.setRuleset6(Ruleset.parse(ip6tablesRestore, true));
        return this;
    }

    EngineRig config(NatEngine.Config c) {
        this.config = c;
        return rebuild();
    }

    EngineRig icmp(IcmpConfig icmp) {
        return config(config.withIcmp(icmp));
    }

    EngineRig defragConfig(IpDefrag.Config c) {
        this.defragConfig = c;
        return rebuild();
    }

    /** Traces each packet's walk (null: off), as --trace does; kept across rebuilds. */
    EngineRig tracer(PacketTracer t) {
        this.tracer = t;
        if (engine != null) engine.setTracer(t);
        return this;
    }

    /** Where the clock starts and how far it moves before each packet. */
    EngineRig clock(long start, long step) {
        this.now = start;
        this.step = step;
        return this;
    }

    /** Bytes in front of each packet handed in (a buffer with headroom, as a TUN read leaves it). */
    EngineRig headroom(int bytes) {
        this.headroom = bytes;
        return this;
    }

    /**
     * On: the transmitter passes the offload state on, as a TUN device with IFF_VNET_HDR does:
     * every packet must leave by {@link Transmit#transmit(Interface, byte[], int, int, Offload)}
     * (the other is an error) and is captured with a copy of its state. Off (the default): the
     * default transmitter's, which completes a partial checksum.
     */
    EngineRig keepOffload(boolean on) {
        this.keepOffload = on;
        return this;
    }

    /** Every frame sent and packet delivered must be IPv4 (asserted as it comes out: no ARP expected). */
    EngineRig ipv4Only() {
        this.ipv4Only = true;
        return this;
    }

    private EngineRig rebuild() {
        if (rules == null) return this;
        engine = new NatEngine(host, Ruleset.parse(rules), config, defragConfig);
        if (rules6 != null) engine.setRuleset6(Ruleset.parse(rules6, true));
        if (tracer != null) engine.setTracer(tracer);
        return this;
    }

    NatEngine engine() {
        return engine;
    }

    Host host() {
        return host;
    }

    Interface device(String name) {
        return host.device(name);
    }

    /** {@code frame} arrives on {@code in} (an Ethernet frame, or an IPv4 packet on a layer-3 interface). */
    void receive(Interface in, byte[] frame) {
        now += step;
        byte[] buf = withHeadroom(frame);
        engine.receive(in, buf, headroom, frame.length, now, capture);
    }

    void receive(String dev, byte[] frame) {
        receive(device(dev), frame);
    }

    /**
     * The frames arrive together, {@code ins.get(i)} bringing {@code frames.get(i)}: one
     * {@link NatEngine#receive(PacketBatch, Transmit)} per {@code batchSize} of them, with the times
     * {@link #receive(Interface, byte[])} would have given each.
     */
    void receiveBatch(List<Interface> ins, List<byte[]> frames, int batchSize) {
        PacketBatch b = new PacketBatch(batchSize);
        for (int i = 0; i < frames.size(); i++) {
            now += step;
            byte[] f = frames.get(i);
            b.add(ins.get(i), withHeadroom(f), headroom, f.length, now);
            if (b.full()) {
                engine.receive(b, capture);
                b.clear();
            }
        }
        engine.receive(b, capture);
        b.clear();
    }

    /** As {@link #receive(Interface, byte[])} with offload state (a TUN device's virtio_net_hdr). */
    void receive(Interface in, byte[] packet, Offload offload) {
        now += step;
        byte[] buf = withHeadroom(packet);
        engine.receive(in, buf, headroom, packet.length, now, offload, capture);
    }

    /** The host sends {@code packet} (an IPv4 packet) itself. */
    void send(byte[] packet) {
        now += step;
        byte[] buf = withHeadroom(packet);
        engine.send(buf, headroom, packet.length, now, capture);
    }

    /** The host sends {@code packet} from a TCP or UDP socket of {@code uid} and {@code gid} (replay's --in local=). */
    void sendFromSocket(byte[] packet, int uid, int gid) {
        now += step;
        byte[] buf = withHeadroom(packet);
        engine.sendFromSocket(buf, headroom, packet.length, now, capture, uid, gid);
    }

    private byte[] withHeadroom(byte[] p) {
        byte[] buf = new byte[headroom + p.length];
        System.arraycopy(p, 0, buf, headroom, p.length);
        return buf;
    }

    /** Every frame transmitted since the last clear, in order (the live list: tests clear and take from it). */
    List<Sent> sent() {
        return sent;
    }

    /** The one frame sent (asserted), taken from {@link #sent()}. */
    Sent only() {
        assertEquals(1, sent.size(), "frames sent: " + sent.size() + ", drops: " + dropSummary());
        return sent.removeFirst();
    }

    /** The one frame sent (asserted), on {@code dev} (asserted), taken from {@link #sent()}. */
    Sent only(String dev) {
        Sent s = only();
        assertEquals(dev, s.dev(), "the interface it left on");
        return s;
    }

    /** The IPv4 packets sent (each frame without its link-layer header). */
    List<byte[]> packets() {
        return sent.stream().map(Sent::packet).toList();
    }

    /** The interface each frame sent left on. */
    List<String> devices() {
        return sent.stream().map(Sent::dev).toList();
    }

    /** {@link Sent#summary()} of each frame sent. */
    List<String> summaries() {
        return sent.stream().map(Sent::summary).toList();
    }

    /** The IPv4 packets delivered to the host (after INPUT), in order (the live list). */
    List<byte[]> delivered() {
        return delivered;
    }

    long drops(DropReason r) {
        return engine.drops(r);
    }

    /** "reason=count " for each reason that dropped something. */
    String dropSummary() {
        StringBuilder b = new StringBuilder();
        for (DropReason r : DropReason.values()) if (engine.drops(r) > 0) b.append(r.text()).append('=').append(engine.drops(r)).append(' ');
        return b.toString();
    }

    // ---- frames and helpers ---------------------------------------------------------------

    static byte[] fromContainer(Ipv4Repr ip, TransportRepr l4) {
        return EthernetRepr.of(CONTAINER_MAC, DOCKER0_MAC).frame(ip, l4);
    }

    static byte[] fromContainer(String src, String dst, TransportRepr l4) {
        return fromContainer(Ipv4Repr.of(src, dst), l4);
    }

    static byte[] fromInternet(Ipv4Repr ip, TransportRepr l4) {
        return EthernetRepr.of(GATEWAY_MAC, ETH0_MAC).frame(ip, l4);
    }

    static byte[] fromInternet(String src, String dst, TransportRepr l4) {
        return fromInternet(Ipv4Repr.of(src, dst), l4);
    }

    /** An IPv6 frame from the container ::2 (its MAC) to docker0. */
    static byte[] fromContainer6(Ipv6Repr ip, Transport6Repr l4) {
        return EthernetRepr.of(CONTAINER_MAC, DOCKER0_MAC).frame(ip, l4);
    }

    static byte[] fromContainer6(String src, String dst, Transport6Repr l4) {
        return fromContainer6(Ipv6Repr.of(src, dst), l4);
    }

    /** An IPv6 frame from the uplink router to eth0. */
    static byte[] fromInternet6(Ipv6Repr ip, Transport6Repr l4) {
        return EthernetRepr.of(GATEWAY_MAC, ETH0_MAC).frame(ip, l4);
    }

    static byte[] fromInternet6(String src, String dst, Transport6Repr l4) {
        return fromInternet6(Ipv6Repr.of(src, dst), l4);
    }

    /** hi:lo of an IPv6 address's text. */
    static long[] ip6(String a) {
        byte[] b = Ipv6Address.parse(a);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }

    /** Every checksum of an IPv6 packet that leaves, summed from scratch. */
    static void assertChecksums(Ipv6Packet p) {
        assertTrue(p.verifyTransportChecksum(), "transport checksum of " + p);
    }

    /** A SYN from {@code sport} to {@code dport}: seq 1000, window 64240. */
    static TcpRepr syn(int sport, int dport) {
        return TcpRepr.of(sport, dport).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240);
    }

    /** {@code n} bytes of "abc...z" repeated. */
    static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }

    static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    /** The IPv4 packet in an Ethernet frame. */
    static byte[] ipOf(byte[] frame) {
        return Arrays.copyOfRange(frame, EthernetFrame.HEADER_LENGTH, frame.length);
    }

    /** A view of the IPv4 packet at {@code off} of {@code b} (asserted valid). */
    static Ipv4Packet wrap(byte[] b, int off) {
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(WireError.OK, p.wrap(b, off, b.length - off));
        return p;
    }

    static void assertChecksums(Ipv4Packet p) {
        assertTrue(p.verifyChecksum(), "IP header checksum");
        assertTrue(p.verifyTransportChecksum(), "transport checksum");
    }

    static String resource(String name) {
        try (InputStream in = EngineRig.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String file(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
