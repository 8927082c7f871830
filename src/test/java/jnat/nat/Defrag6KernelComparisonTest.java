package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.EtherType;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv6Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel as the oracle for nf_defrag_ipv6 and ip6_fragment: a router namespace with ip6tables
 * MASQUERADE and DNAT between two veths receives fragment trains (raw frames written to the peers
 * with AF_PACKET sockets in a second namespace, which also captures what the router sends); jnat,
 * given the router's host and its ip6tables-save output, receives the same frames. What each sends
 * must be the kernel's byte for byte: fragment sizes, offsets, M flags, the NATed headers and data,
 * and packet too big; only the identification differs (ipv6_select_ident draws a random one), and
 * both must draw one new id per datagram, not the received one.
 */
class Defrag6KernelComparisonTest {
    static final String R_C_MAC = "02:00:00:00:0c:01", C_MAC = "02:00:00:00:0c:02";
    static final String R_S_MAC = "02:00:00:00:05:01", S_MAC = "02:00:00:00:05:02";
    static final String CLIENT = "fd00:c::2", ROUTER_C = "fd00:c::1", ROUTER_S = "2001:db8:5::1", SERVER = "2001:db8:5::2";

    /**
     * Sends each "dev hex" line of stdin out of dev, then prints "dev hex" for every IPv6 frame received
     * within a second of quiet (or the seconds of its second argument).
     */
    static final String WIRE = """
            import socket, sys, select, time
            devs = sys.argv[1].split(",")
            rx = {}
            for d in devs:
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86dd)); s.bind((d, 0)); rx[s] = d
            for line in sys.stdin.read().split():
                d, h = line.split("=")
                t = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); t.bind((d, 0)); t.send(bytes.fromhex(h)); t.close()
            end = time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
            while time.time() < end:
                r, _, _ = select.select(list(rx), [], [], max(0.0, end - time.time()))
                for s in r:
                    data, addr = s.recvfrom(70000)
                    if addr[2] == socket.PACKET_OUTGOING: continue
                    print(rx[s] + "=" + data.hex()); end = max(end, time.time() + 0.5)
            """;

    static String host(int mtuS) {
        return """
                link set dev rC address %s mtu 1500 up
                link set dev rS address %s mtu %d up
                addr add %s/64 dev rC
                addr add %s/64 dev rS
                -6 neigh add %s lladdr %s dev rC
                -6 neigh add %s lladdr %s dev rS
                """.formatted(R_C_MAC, R_S_MAC, mtuS, ROUTER_C, ROUTER_S, CLIENT, C_MAC, SERVER, S_MAC);
    }

    record Frame(String dev, byte[] bytes) {}

    /** One train: frames in (on the peer's device name: vC faces rC, sS faces rS). */
    record Train(String name, List<Frame> in) {}

    @Test
    void fragmentTrainsThroughNat66LeaveAsTheKernelSendsThem() {
        Tools.requireRoot();
        Tools.require("ip6tables");
        Tools.require("python3");
        try (Netns r = Netns.create("dfr6"); Netns x = Netns.create("dfx6")) {
            setUp(r, x, 1500);
            String rules = r.exec("ip6tables-save").checked().stdout();
            List<Train> trains = trains();
            int compared = 0;
            for (Train t : trains) {
                r.exec("conntrack", "-F");
                List<Frame> kernel = wire(x, t.in());
                List<Frame> ours = jnat(host(1500), rules, t.in());
                compared += compare(t.name(), kernel, ours);
            }
            // an egress MTU below the received fragments: packet too big for the reassembled packet
            r.exec("ip", "link", "set", "rS", "mtu", "1400").checked();
            r.exec("conntrack", "-F");
            byte[] d = udp(CLIENT, SERVER, 6000, 9, 2992);
            List<Frame> in = toRouter("vC", C_MAC, R_C_MAC, Fragments6.cut(d, 0x7000, 1448, 1448));
            List<Frame> kernel = wire(x, in);
            List<Frame> ours = jnat(host(1400), rules, in);
            assertEquals(1, kernel.size(), "the kernel's packet too big");
            assertEquals(58, kernel.getFirst().bytes()[14 + 6]);
            assertEquals(2, kernel.getFirst().bytes()[14 + 40] & 0xff);
            compared += compare("packet too big", kernel, ours);
            assertTrue(compared >= 15, "frames compared: " + compared);
        }
    }

    /**
     * A queue that times out (nf_conntrack_frag6_timeout 1 s in the router, and in jnat): when its
     * first fragment came, ip6frag_expire_frag_queue answers with time exceeded, fragment reassembly
     * time exceeded, quoting that fragment; when only a later one came, nothing.
     */
    @Test
    void aTimedOutQueueIsAnsweredWithTimeExceededWhenItsFirstFragmentCame() {
        Tools.requireRoot();
        Tools.require("ip6tables");
        Tools.require("python3");
        try (Netns r = Netns.create("dft6"); Netns x = Netns.create("dtx6")) {
            setUp(r, x, 1500);
            r.exec("sysctl", "-qw", "net.netfilter.nf_conntrack_frag6_timeout=1").checked();
            String rules = r.exec("ip6tables-save").checked().stdout();
            byte[] d = udp(CLIENT, SERVER, 5008, 9, 2992);
            List<byte[]> cut = Fragments6.cut(d, 0x1008, 1448, 1448);
            List<Frame> first = toRouter("vC", C_MAC, R_C_MAC, List.of(cut.get(0)));
            List<Frame> kernel = wire(x, first, 2.5);
            List<Frame> ours = jnatExpiring(rules, first);
            assertEquals(1, kernel.size(), "the kernel's time exceeded");
            assertEquals(3, kernel.getFirst().bytes()[14 + 40] & 0xff);
            assertEquals(1, kernel.getFirst().bytes()[14 + 41] & 0xff);
            compare("time exceeded", kernel, ours);
            List<Frame> later = toRouter("vC", C_MAC, R_C_MAC, List.of(cut.get(1)));
            assertEquals(List.of(), summary(wire(x, later, 2.5)), "the kernel: no first fragment, no error");
            assertEquals(List.of(), summary(jnatExpiring(rules, later)));
        }
    }

    /** {@link #jnat} with nf_conntrack_frag6_timeout 1 s, then its expiry run 1.1 s later. */
    static List<Frame> jnatExpiring(String rules, List<Frame> in) {
        Host h = Host.parse(host(1500), "router.ip");
        NatEngine e = new NatEngine(h, Ruleset.parse("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n"), NatEngine.Config.defaults(), IpDefrag.Config.defaults(),
                new NfCtFrag6.Config(NfCtFrag6.Config.DEFAULT_HIGH_THRESH, 1_000_000_000L));
        e.setRuleset6(Ruleset.parse(rules, true));
        List<Frame> out = new ArrayList<>();
        Transmit tx = capture(out);
        long now = 1_000_000_000_000L;
        for (Frame f : in) {
            byte[] buf = new byte[16 + f.bytes().length];
            System.arraycopy(f.bytes(), 0, buf, 16, f.bytes().length);
            e.receive(h.device("rC"), buf, 16, f.bytes().length, now += 1_000_000, tx);
        }
        e.expire(now + 1_100_000_000L, 16);
        return out;
    }

    static Transmit capture(List<Frame> out) {
        return new Transmit() {
            @Override
            public void transmit(Interface dev, byte[] buf, int off, int len) {
                byte[] b = java.util.Arrays.copyOfRange(buf, off, off + len);
                if (ours(b)) out.add(new Frame(dev.name().equals("rC") ? "vC" : "sS", b));
            }

            @Override
            public void deliver(byte[] buf, int off, int len) {}
        };
    }

    static void setUp(Netns r, Netns x, int mtuS) {
        r.exec("ip", "link", "add", "rC", "type", "veth", "peer", "name", "vC").checked();
        r.exec("ip", "link", "add", "rS", "type", "veth", "peer", "name", "sS").checked();
        r.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
        r.exec("ip", "link", "set", "sS", "netns", x.name()).checked();
        x.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").checked();
        x.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").checked();
        for (String[] d : new String[][] {{"vC", C_MAC}, {"sS", S_MAC}}) {
            x.exec("sysctl", "-qw", "net.ipv6.conf." + d[0] + ".disable_ipv6=1").checked();
            x.exec("ip", "link", "set", d[0], "address", d[1], "up").checked();
        }
        r.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").checked();
        r.exec("ip", "link", "set", "rC", "address", R_C_MAC, "mtu", "1500", "up").checked();
        r.exec("ip", "link", "set", "rS", "address", R_S_MAC, "mtu", String.valueOf(mtuS), "up").checked();
        r.exec("ip", "addr", "add", ROUTER_C + "/64", "dev", "rC", "nodad").checked();
        r.exec("ip", "addr", "add", ROUTER_S + "/64", "dev", "rS", "nodad").checked();
        r.exec("ip", "-6", "neigh", "replace", CLIENT, "lladdr", C_MAC, "dev", "rC", "nud", "permanent").checked();
        r.exec("ip", "-6", "neigh", "replace", SERVER, "lladdr", S_MAC, "dev", "rS", "nud", "permanent").checked();
        r.execIn("""
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -i rS -p udp -m udp --dport 8080 -j DNAT --to-destination [fd00:c::2]:80
                -A POSTROUTING -s fd00:c::/64 -o rS -j MASQUERADE
                COMMIT
                """, "ip6tables-restore").checked();
    }

    static byte[] udp(String src, String dst, int sport, int dport, int bytes) {
        return Ipv6Repr.of(src, dst).withHopLimit(64).packet(UdpRepr.of(sport, dport).withPayload(EngineRig.payload(bytes)));
    }

    static List<Frame> toRouter(String dev, String src, String dst, List<byte[]> packets) {
        List<Frame> out = new ArrayList<>();
        for (byte[] p : packets) out.add(new Frame(dev, EthernetRepr.of(src, dst).withEtherType(EtherType.IPV6).frame(p)));
        return out;
    }

    static List<Train> trains() {
        List<Train> t = new ArrayList<>();
        byte[] a = udp(CLIENT, SERVER, 5001, 9, 2992);
        t.add(new Train("in order", toRouter("vC", C_MAC, R_C_MAC, Fragments6.cut(a, 0x1001, 1448, 1448))));
        byte[] b = udp(CLIENT, SERVER, 5002, 9, 1992);
        List<byte[]> small = new ArrayList<>(Fragments6.cut(b, 0x1002, 504, 504, 504));
        java.util.Collections.reverse(small);
        t.add(new Train("small fragments, last first", toRouter("vC", C_MAC, R_C_MAC, small)));
        byte[] c = udp(SERVER, ROUTER_S, 5003, 8080, 2492);
        t.add(new Train("DNAT", toRouter("sS", S_MAC, R_S_MAC, Fragments6.cut(c, 0x1003, 1232, 1232))));
        byte[] d = udp(CLIENT, SERVER, 5004, 9, 300);
        t.add(new Train("atomic fragment", toRouter("vC", C_MAC, R_C_MAC, List.of(Fragments6.fragment(d, 0x1004, 0, d.length - 40, false)))));
        byte[] e = udp(CLIENT, SERVER, 5005, 9, 2992);
        List<byte[]> overlap = new ArrayList<>(Fragments6.cut(e, 0x1005, 1448, 1448));
        overlap.add(1, Fragments6.fragment(e, 0x1005, 1440, 16, true));
        t.add(new Train("overlap", toRouter("vC", C_MAC, R_C_MAC, overlap)));
        byte[] f = udp(CLIENT, SERVER, 5006, 9, 2992);
        List<byte[]> dup = new ArrayList<>(Fragments6.cut(f, 0x1006, 1448, 1448));
        dup.add(1, dup.get(0).clone());
        t.add(new Train("duplicate", toRouter("vC", C_MAC, R_C_MAC, dup)));
        byte[] g = udp(CLIENT, SERVER, 5007, 9, 2992);
        t.add(new Train("first fragment without its whole UDP header", toRouter("vC", C_MAC, R_C_MAC,
                List.of(Fragments6.fragment(g, 0x1007, 0, 4, true)))));
        return t;
    }

    /** The frames through the kernel's router: what came back on vC and sS. */
    static List<Frame> wire(Netns x, List<Frame> in) {
        return wire(x, in, 1.0);
    }

    /** {@link #wire(Netns, List)}, waiting {@code seconds} for the first frame. */
    static List<Frame> wire(Netns x, List<Frame> in, double seconds) {
        StringBuilder stdin = new StringBuilder();
        for (Frame f : in) stdin.append(f.dev()).append('=').append(HexFormat.of().formatHex(f.bytes())).append('\n');
        String out = x.execIn(stdin.toString(), "python3", "-c", WIRE, "vC,sS", String.valueOf(seconds)).checked().stdout();
        List<Frame> frames = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] p = line.split("=");
            byte[] b = HexFormat.of().parseHex(p[1]);
            if (!ours(b)) continue; // the router's own NDP and MLD
            frames.add(new Frame(p[0], b));
        }
        return frames;
    }

    /** A frame about the test's addresses: not the kernel's own link-local traffic. */
    static boolean ours(byte[] f) {
        return f.length > 54 && (f[14 + 8] & 0xff) != 0xfe && (f[14 + 8] & 0xff) != 0;
    }

    /** The same frames through jnat (rC and rS as the router's devices; a frame for vC leaves by rC). */
    static List<Frame> jnat(String hostLines, String rules, List<Frame> in) {
        Host h = Host.parse(hostLines, "router.ip");
        NatEngine e = new NatEngine(h, Ruleset.parse("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n"));
        e.setRuleset6(Ruleset.parse(rules, true));
        List<Frame> out = new ArrayList<>();
        Transmit tx = new Transmit() {
            @Override
            public void transmit(Interface dev, byte[] buf, int off, int len) {
                byte[] b = java.util.Arrays.copyOfRange(buf, off, off + len);
                if (ours(b)) out.add(new Frame(dev.name().equals("rC") ? "vC" : "sS", b));
            }

            @Override
            public void deliver(byte[] buf, int off, int len) {}
        };
        long now = 1_000_000_000_000L;
        for (Frame f : in) {
            byte[] buf = new byte[16 + f.bytes().length];
            System.arraycopy(f.bytes(), 0, buf, 16, f.bytes().length);
            e.receive(h.device(f.dev().equals("vC") ? "rC" : "rS"), buf, 16, f.bytes().length, now += 1_000_000, tx);
        }
        return out;
    }

    /**
     * Frame for frame: the same device and bytes, but a fragment's identification (and the flow
     * label of a packet the router built, which the kernel hashes); ids the same within a datagram,
     * never the received one. Returns how many frames were compared.
     */
    static int compare(String name, List<Frame> kernel, List<Frame> ours) {
        assertEquals(summary(kernel), summary(ours), name);
        int kid = 0, oid = 0;
        for (int i = 0; i < kernel.size(); i++) {
            byte[] k = kernel.get(i).bytes().clone(), o = ours.get(i).bytes().clone();
            assertEquals(kernel.get(i).dev(), ours.get(i).dev(), name);
            if (k[14 + 6] == 44 && o[14 + 6] == 44) {
                int ki = Fragments6.id(java.util.Arrays.copyOfRange(k, 14, k.length));
                int oi = Fragments6.id(java.util.Arrays.copyOfRange(o, 14, o.length));
                if (i > 0 && kid != 0) {
                    assertEquals(kid, ki, name + ": the kernel's fragments share an id");
                    assertEquals(oid, oi, name + ": ours share an id");
                }
                kid = ki;
                oid = oi;
                assertNotEquals(0, oi);
                for (int j = 14 + 44; j < 14 + 48; j++) k[j] = o[j] = 0;
            }
            if (k[14 + 6] == 58) for (int j = 14 + 1; j < 14 + 4; j++) { k[j] &= (byte) (j == 15 ? 0xf0 : 0); o[j] &= (byte) (j == 15 ? 0xf0 : 0); }
            assertEquals(HexFormat.of().formatHex(k), HexFormat.of().formatHex(o), name + " frame " + i);
        }
        return kernel.size();
    }

    /** "dev length" per frame, for a readable first comparison. */
    static List<String> summary(List<Frame> frames) {
        return frames.stream().map(f -> f.dev() + " " + f.bytes().length).toList();
    }
}
