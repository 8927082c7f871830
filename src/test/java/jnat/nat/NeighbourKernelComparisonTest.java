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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel as the oracle for a neighbour that never answers: a router namespace forwards a
 * client's datagram to an address on its other link that nobody holds. The kernel queues it,
 * solicits the address three times a second apart (mcast_probes, retrans_time), then gives up
 * (NUD_FAILED) and tells the client the address is unreachable (ndisc_error_report). jnat, on the
 * router's host, gets the same datagram and its timers at the same seconds; what each sends must
 * be the same bytes in the same order. The router's own MLD, router and DAD solicitations are left
 * out by type; the solicitations for the test's address are not.
 */
class NeighbourKernelComparisonTest {
    static final String R_C_MAC = "02:00:00:00:0c:01", C_MAC = "02:00:00:00:0c:02";
    static final String R_S_MAC = "02:00:00:00:05:01";
    static final String CLIENT = "fd00:c::2", ROUTER_C = "fd00:c::1", ROUTER_S = "2001:db8:5::1", NOBODY = "2001:db8:5::77";
    static final long SEC = 1_000_000_000L;

    /** Sends stdin's "dev=hex" frames, then prints "dev=hex=seconds" for every frame received in the next 4.5 seconds. */
    static final String WIRE = """
            import socket, sys, select, time
            devs = sys.argv[1].split(",")
            rx = {}
            for d in devs:
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003)); s.bind((d, 0)); rx[s] = d
            for line in sys.stdin.read().split():
                d, h = line.split("=")
                t = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); t.bind((d, 0)); t.send(bytes.fromhex(h)); t.close()
            start = time.time(); end = start + 4.5
            while time.time() < end:
                r, _, _ = select.select(list(rx), [], [], max(0.0, end - time.time()))
                for s in r:
                    data, addr = s.recvfrom(70000)
                    if addr[2] == socket.PACKET_OUTGOING: continue
                    print(rx[s] + "=" + data.hex() + "=%.3f" % (time.time() - start))
            """;

    static final String HOST = """
            link set dev rC address %s mtu 1500 up
            link set dev rS address %s mtu 1500 up
            addr add %s/64 dev rC
            addr add %s/64 dev rS
            -6 neigh add %s lladdr %s dev rC
            """.formatted(R_C_MAC, R_S_MAC, ROUTER_C, ROUTER_S, CLIENT, C_MAC);

    record Frame(String dev, byte[] bytes) {}

    @Test
    void anUnansweredNeighbourIsSolicitedThreeTimesThenItsPacketIsReportedUnreachable() {
        Tools.requireRoot();
        Tools.require("python3");
        try (Netns r = Netns.create("nbr6"); Netns x = Netns.create("nbx6")) {
            // before the veths exist, so they inherit it: without DAD the link-local address is usable at once
            // (a tentative one would leave the first solicitation unsent: ipv6_get_lladdr skips it)
            for (String k : List.of("all", "default")) {
                x.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".disable_ipv6=1").checked();
                r.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".accept_dad=0").checked();
                r.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".router_solicitations=0").checked();
                r.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".forwarding=1").checked();
            }
            r.exec("ip", "link", "add", "rC", "type", "veth", "peer", "name", "vC").checked();
            r.exec("ip", "link", "add", "rS", "type", "veth", "peer", "name", "sS").checked();
            r.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
            r.exec("ip", "link", "set", "sS", "netns", x.name()).checked();
            r.exec("sysctl", "-qw", "net.ipv6.auto_flowlabels=0").checked();
            for (String d : List.of("vC", "sS")) {
                x.exec("sysctl", "-qw", "net.ipv6.conf." + d + ".disable_ipv6=1").checked();
                x.exec("ip", "link", "set", d, "up").checked();
            }
            x.exec("ip", "link", "set", "vC", "address", C_MAC).checked();
            r.exec("ip", "link", "set", "rC", "address", R_C_MAC, "up").checked();
            r.exec("ip", "link", "set", "rS", "address", R_S_MAC, "up").checked();
            r.exec("ip", "addr", "add", ROUTER_C + "/64", "dev", "rC", "nodad").checked();
            r.exec("ip", "addr", "add", ROUTER_S + "/64", "dev", "rS", "nodad").checked();
            r.exec("ip", "-6", "neigh", "replace", CLIENT, "lladdr", C_MAC, "dev", "rC", "nud", "permanent").checked();
            sleepQuietly(300); // the links' MLD reports and the like, before the test's frame

            byte[] frame = EthernetRepr.of(C_MAC, R_C_MAC).withEtherType(EtherType.IPV6)
                    .frame(Ipv6Repr.of(CLIENT, NOBODY).withHopLimit(64).packet(UdpRepr.of(5000, 53).withPayload(new byte[32])));
            List<Frame> kernel = wire(x, frame);
            List<Frame> ours = jnat(HOST, frame);
            assertEquals(summary(kernel), summary(ours));
            for (int i = 0; i < kernel.size(); i++) {
                assertEquals(HexFormat.of().formatHex(kernel.get(i).bytes()), HexFormat.of().formatHex(ours.get(i).bytes()), "frame " + i);
            }
            assertEquals(4, kernel.size(), "three solicitations and the unreachable");
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The test's frames: ARP requests, ICMP (IPv4) and ICMPv6 solicitations and unreachables; not the
     * router's noise (MLD behind hop-by-hop, router solicitations, DAD's solicitations from ::).
     */
    static boolean ours(byte[] f) {
        int type16 = f.length >= 14 ? (f[12] & 0xff) << 8 | f[13] & 0xff : 0;
        if (type16 == 0x0806) return true;
        if (type16 == 0x0800) return f.length >= 14 + 20 + 8 && f[14 + 9] == 1;
        if (type16 != 0x86dd || f.length < 14 + 40 + 4 || f[14 + 6] != 58) return false;
        int type = f[14 + 40] & 0xff;
        boolean fromUnspecified = true;
        for (int i = 14 + 8; i < 14 + 24; i++) fromUnspecified &= f[i] == 0;
        return type == 1 || type == 135 && !fromUnspecified;
    }

    static final String R_C4 = "10.0.0.1", CLIENT4 = "10.0.0.2", R_S4 = "198.51.100.1", NOBODY4 = "198.51.100.77";
    static final String HOST4 = """
            link set dev rC address %s mtu 1500 up
            link set dev rS address %s mtu 1500 up
            addr add %s/24 dev rC
            addr add %s/24 dev rS
            neigh add %s lladdr %s dev rC
            """.formatted(R_C_MAC, R_S_MAC, R_C4, R_S4, CLIENT4, C_MAC);

    /**
     * IPv4's twin (arp_tbl): three ARP requests a second apart, broadcast, from rS's address (the
     * datagram's source is not the host's), then ICMP host unreachable to the client (arp_error_report),
     * equal but for the IP id the kernel's ICMP socket draws.
     */
    @Test
    void anUnansweredIpv4NeighbourIsAskedForThreeTimesThenItsPacketIsReportedUnreachable() {
        Tools.requireRoot();
        Tools.require("python3");
        try (Netns r = Netns.create("nbr4"); Netns x = Netns.create("nbx4")) {
            r.exec("ip", "link", "add", "rC", "type", "veth", "peer", "name", "vC").checked();
            r.exec("ip", "link", "add", "rS", "type", "veth", "peer", "name", "sS").checked();
            r.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
            r.exec("ip", "link", "set", "sS", "netns", x.name()).checked();
            for (Netns ns : List.of(r, x)) {
                for (String k : List.of("all", "default")) ns.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".disable_ipv6=1").checked();
            }
            r.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
            for (String d : List.of("vC", "sS")) {
                x.exec("sysctl", "-qw", "net.ipv6.conf." + d + ".disable_ipv6=1").checked();
                x.exec("ip", "link", "set", d, "up").checked();
            }
            x.exec("ip", "link", "set", "vC", "address", C_MAC).checked();
            for (String d : List.of("rC", "rS")) r.exec("sysctl", "-qw", "net.ipv6.conf." + d + ".disable_ipv6=1").checked();
            r.exec("ip", "link", "set", "rC", "address", R_C_MAC, "up").checked();
            r.exec("ip", "link", "set", "rS", "address", R_S_MAC, "up").checked();
            r.exec("ip", "addr", "add", R_C4 + "/24", "dev", "rC").checked();
            r.exec("ip", "addr", "add", R_S4 + "/24", "dev", "rS").checked();
            r.exec("ip", "neigh", "replace", CLIENT4, "lladdr", C_MAC, "dev", "rC", "nud", "permanent").checked();

            byte[] frame = EthernetRepr.of(C_MAC, R_C_MAC).frame(jnat.wire.Ipv4Repr.of(CLIENT4, NOBODY4).withIdentification(0x4242)
                    .withTtl(64), UdpRepr.of(5000, 53).withPayload(new byte[32]));
            List<Frame> kernel = wire(x, frame);
            List<Frame> ours = jnat(HOST4, frame);
            assertEquals(summary4(kernel), summary4(ours));
            for (int i = 0; i < kernel.size(); i++) {
                byte[] k = kernel.get(i).bytes(), o = ours.get(i).bytes();
                if ((k[12] & 0xff) == 0x08 && k[13] == 0) { // the ICMP error: jnat's header checksum proves its id, then the kernel's id
                    assertTrue(jnat.wire.Checksum.verify(o, 14, 20), "jnat's header checksum");
                    o = o.clone();
                    o[18] = k[18];
                    o[19] = k[19];
                    o[24] = o[25] = 0;
                    jnat.wire.Bytes.put16(o, 24, jnat.wire.Checksum.compute(o, 14, 20));
                }
                assertEquals(HexFormat.of().formatHex(k), HexFormat.of().formatHex(o), "frame " + i);
            }
            assertEquals(4, kernel.size(), "three requests and the unreachable");
        }
    }

    static List<String> summary4(List<Frame> frames) {
        return frames.stream().map(f -> f.dev() + " " + f.bytes().length + ((f.bytes()[12] & 0xff) == 8 && f.bytes()[13] == 6 ? " arp" : " ip"))
                .toList();
    }

    static List<Frame> wire(Netns x, byte[] frame) {
        String out = x.execIn("vC=" + HexFormat.of().formatHex(frame) + "\n", "python3", "-c", WIRE, "vC,sS").checked().stdout();
        List<Frame> frames = new ArrayList<>();
        double last = -1;
        for (String line : out.lines().toList()) {
            String[] p = line.split("=");
            byte[] b = HexFormat.of().parseHex(p[1]);
            if (!ours(b)) continue;
            double at = Double.parseDouble(p[2]);
            // retrans_time: each of the kernel's frames a second after the one before (jnat's timers run at those seconds)
            if (last >= 0 && Math.abs(at - last - 1.0) > 0.3) throw new AssertionError("not a second after the last: " + out);
            last = at;
            frames.add(new Frame(p[0], b));
        }
        return frames;
    }

    /** The datagram through jnat at t, then its timers at t+1 s, t+2 s and t+3 s. */
    static List<Frame> jnat(String hostLines, byte[] frame) {
        Host h = Host.parse(hostLines, "router.ip");
        NatEngine e = new NatEngine(h, Ruleset.parse("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n"));
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
        long now = 1_000 * SEC;
        byte[] buf = new byte[16 + frame.length];
        System.arraycopy(frame, 0, buf, 16, frame.length);
        e.receive(h.device("rC"), buf, 16, frame.length, now, tx);
        for (int s = 1; s <= 4; s++) e.expire(now + s * SEC, 16);
        return out;
    }

    static List<String> summary(List<Frame> frames) {
        return frames.stream().map(f -> f.dev() + " " + f.bytes().length + " type " + (f.bytes()[14 + 40] & 0xff)).toList();
    }
}
