package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.Ruleset;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.EtherType;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Repr;
import jnat.wire.TcpRepr;
import jnat.wire.UdpDatagram;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel as the oracle for the host's answer to a packet no socket holds: a host namespace
 * with one veth (IPv4 and IPv6, a silent UDP socket on port 53 of both families, REDIRECT rules
 * to closed and open ports) gets TCP segments and UDP datagrams written to the veth's peer; jnat,
 * given the same host lines, rules and {@code --listen udp:53}, gets the same frames. Every frame
 * the host sends back (RST, RST|ACK, port unreachable, or nothing) must be the kernel's byte for
 * byte, but the IP id of an ICMP error, which the kernel draws from a keyed hash.
 */
class ClosedPortKernelComparisonTest {
    static final String H_MAC = "02:00:00:00:0d:01", C_MAC = "02:00:00:00:0d:02";
    static final String HOST4 = "198.51.100.1", CLIENT4 = "198.51.100.2", OTHER4 = "198.51.100.3", BCAST4 = "198.51.100.255";
    static final String HOST6 = "2001:db8:d::1", CLIENT6 = "2001:db8:d::2";
    static final int SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    static final String HOST_LINES = """
            link set dev rH address %s mtu 1500 up
            addr add %s/24 brd %s dev rH
            addr add %s/64 dev rH
            neigh add %s lladdr %s dev rH
            neigh add %s lladdr %s dev rH
            -6 neigh add %s lladdr %s dev rH
            """.formatted(H_MAC, HOST4, BCAST4, HOST6, CLIENT4, C_MAC, OTHER4, C_MAC, CLIENT6, C_MAC);

    static final String NAT = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22
            -A PREROUTING -p udp -m udp --dport 5353 -j REDIRECT --to-ports 9
            -A PREROUTING -p udp -m udp --dport 5354 -j REDIRECT --to-ports 53
            COMMIT
            """;

    /** Sends each "hex" line of stdin out of vC, then prints every frame received within a second of quiet. */
    static final String WIRE = """
            import socket, sys, select, time
            rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); rx.bind(("vC", 0))
            tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); tx.bind(("vC", 0))
            for h in sys.stdin.read().split():
                tx.send(bytes.fromhex(h)); time.sleep(0.002)
            end = time.time() + 1.0
            while time.time() < end:
                r, _, _ = select.select([rx], [], [], max(0.0, end - time.time()))
                if r:
                    data, addr = rx.recvfrom(70000)
                    if addr[2] == socket.PACKET_OUTGOING: continue
                    print(data.hex()); end = max(end, time.time() + 0.5)
            """;

    /** A silent UDP socket on port 53 of both families, as {@code --listen udp:53}. */
    static final String LISTENER = """
            import socket, select
            a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("0.0.0.0", 53))
            b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); b.bind(("::", 53))
            print("ready", flush=True)
            while True:
                for s in select.select([a, b], [], [])[0]: s.recv(65536)
            """;

    record Case(String name, List<byte[]> frames, int answers) {}

    @Test
    void closedPortAnswersAreTheKernels() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("ip6tables");
        Tools.require("python3");
        try (Netns h = Netns.create("cph"); Netns x = Netns.create("cpx")) {
            setUp(h, x);
            Process listener = new ProcessBuilder("ip", "netns", "exec", h.name(), "python3", "-u", "-c", LISTENER)
                    .redirectErrorStream(true).start();
            try {
                assertEquals("ready", listener.inputReader().readLine());
                List<Case> cases = cases();
                int compared = 0, answers = 0;
                for (Case c : cases) {
                    h.exec("conntrack", "-F");
                    List<byte[]> kernel = wire(x, c.frames());
                    List<byte[]> ours = jnat(c.frames());
                    assertEquals(c.answers(), kernel.size(), c.name() + ": the kernel's answers; jnat sent " + ours.size());
                    compared += compare(c.name(), kernel, ours);
                    answers += c.answers();
                }
                assertEquals(answers, compared);
                assertTrue(compared >= 12, "frames compared: " + compared);
            } finally {
                listener.destroy();
                listener.waitFor();
            }
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("SYN to a closed port: RST|ACK", List.of(tcp4(CLIENT4, HOST4, 40001, 22, 1000, 0, SYN, 0, 0)), 1));
        c.add(new Case("data with ACK: RST from its acknowledgement", List.of(tcp4(CLIENT4, HOST4, 40002, 23, 5000, 777, ACK | PSH, 0, 100)), 1));
        c.add(new Case("a RST draws no RST", List.of(tcp4(CLIENT4, HOST4, 40003, 22, 1000, 0, RST, 0, 0)), 0));
        c.add(new Case("a bad TCP checksum draws nothing", List.of(corrupt(tcp4(CLIENT4, HOST4, 40004, 22, 1000, 0, SYN, 0, 0), 14 + 20 + 16)), 0));
        c.add(new Case("the RST keeps the TOS but its ECN bits", List.of(tcp4(CLIENT4, HOST4, 40005, 22, 1000, 0, SYN, 0x2b, 0)), 1));
        c.add(new Case("REDIRECTed SYN: the RST from the port the client wrote to", List.of(tcp4(CLIENT4, HOST4, 40006, 2222, 1000, 0, SYN, 0, 0)), 1));
        c.add(new Case("UDP to a closed port: port unreachable", List.of(udp4(CLIENT4, HOST4, 40007, 9, 64)), 1));
        c.add(new Case("UDP to the open port: nothing", List.of(udp4(CLIENT4, HOST4, 40008, 53, 64)), 0));
        c.add(new Case("REDIRECTed UDP to a closed port: the error quotes what the client sent", List.of(udp4(CLIENT4, HOST4, 40009, 5353, 64)), 1));
        c.add(new Case("REDIRECTed UDP to the open port: nothing", List.of(udp4(CLIENT4, HOST4, 40010, 5354, 64)), 0));
        c.add(new Case("UDP shorter than its IP payload: the quote ends at the UDP length", List.of(shortUdp4(CLIENT4, HOST4, 40011, 9, 64, 20)), 1));
        c.add(new Case("UDP without a checksum is answered", List.of(zeroChecksum(udp4(CLIENT4, HOST4, 40012, 9, 32), 14 + 20 + 6)), 1));
        c.add(new Case("a bad UDP checksum draws nothing", List.of(corrupt(udp4(CLIENT4, HOST4, 40013, 9, 32), 14 + 20 + 6)), 0));
        c.add(new Case("UDP to the broadcast address: nothing",
                List.of(frame4("ff:ff:ff:ff:ff:ff", Ipv4Repr.of(CLIENT4, BCAST4).packet(UdpRepr.of(40014, 9).withPayload(new byte[16])))), 0));
        List<byte[]> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) burst.add(udp4(OTHER4, HOST4, 41000 + i, 9, 16));
        c.add(new Case("eight closed-port datagrams from one source: icmp_ratelimit's burst of six", burst, 6));
        c.add(new Case("IPv6 SYN to a closed port: RST|ACK", List.of(tcp6(CLIENT6, HOST6, 40101, 22, 1000, 0, SYN, 0)), 1));
        c.add(new Case("IPv6 ACK: RST", List.of(tcp6(CLIENT6, HOST6, 40102, 22, 9000, 4242, ACK, 10)), 1));
        c.add(new Case("IPv6 UDP to a closed port: port unreachable", List.of(udp6(CLIENT6, HOST6, 40103, 9, 64)), 1));
        c.add(new Case("IPv6 UDP to the open port: nothing", List.of(udp6(CLIENT6, HOST6, 40104, 53, 64)), 0));
        c.add(new Case("IPv6 UDP with checksum 0: nothing", List.of(zeroChecksum(udp6(CLIENT6, HOST6, 40105, 9, 64), 14 + 40 + 6)), 0));
        return c;
    }

    static byte[] frame4(String dstMac, byte[] packet) {
        return EthernetRepr.of(C_MAC, dstMac).withEtherType(EtherType.IPV4).frame(packet);
    }

    static byte[] tcp4(String src, String dst, int sport, int dport, int seq, int ack, int flags, int tos, int data) {
        return frame4(H_MAC, Ipv4Repr.of(src, dst).withTos(tos).withDontFragment(true).packet(
                TcpRepr.of(sport, dport).withSeq(seq).withAck(ack).withFlags(flags).withWindow(64240).withPayload(new byte[data])));
    }

    static byte[] udp4(String src, String dst, int sport, int dport, int data) {
        byte[] payload = new byte[data];
        for (int i = 0; i < data; i++) payload[i] = (byte) (i * 7);
        return frame4(H_MAC, Ipv4Repr.of(src, dst).packet(UdpRepr.of(sport, dport).withPayload(payload)));
    }

    /** A datagram whose UDP length leaves {@code trailer} bytes of the IP payload out (its checksum over what it claims). */
    static byte[] shortUdp4(String src, String dst, int sport, int dport, int data, int trailer) {
        byte[] f = udp4(src, dst, sport, dport, data);
        int u = 14 + 20, ulen = 8 + data - trailer;
        Bytes.put16(f, u + 4, ulen);
        Bytes.put16(f, u + 6, 0);
        UdpDatagram.fillChecksum(f, u, ulen, Ipv4Address.parse(src), Ipv4Address.parse(dst));
        return f;
    }

    static byte[] tcp6(String src, String dst, int sport, int dport, int seq, int ack, int flags, int data) {
        return EthernetRepr.of(C_MAC, H_MAC).withEtherType(EtherType.IPV6).frame(Ipv6Repr.of(src, dst).withHopLimit(64).packet(
                TcpRepr.of(sport, dport).withSeq(seq).withAck(ack).withFlags(flags).withWindow(64240).withPayload(new byte[data])));
    }

    static byte[] udp6(String src, String dst, int sport, int dport, int data) {
        return EthernetRepr.of(C_MAC, H_MAC).withEtherType(EtherType.IPV6).frame(Ipv6Repr.of(src, dst).withHopLimit(64).packet(
                UdpRepr.of(sport, dport).withPayload(new byte[data])));
    }

    static byte[] corrupt(byte[] f, int at) {
        byte[] b = f.clone();
        b[at] ^= 0x5a;
        return b;
    }

    static byte[] zeroChecksum(byte[] f, int at) {
        byte[] b = f.clone();
        b[at] = b[at + 1] = 0;
        return b;
    }

    static void setUp(Netns h, Netns x) {
        h.exec("ip", "link", "add", "rH", "type", "veth", "peer", "name", "vC").checked();
        h.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
        x.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").checked();
        x.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").checked();
        x.exec("sysctl", "-qw", "net.ipv6.conf.vC.disable_ipv6=1").checked();
        x.exec("ip", "link", "set", "vC", "address", C_MAC, "up").checked();
        h.exec("sysctl", "-qw", "net.ipv6.auto_flowlabels=0").checked();
        h.exec("sysctl", "-qw", "net.ipv6.icmp.ratelimit=0").checked();
        h.exec("ip", "link", "set", "rH", "address", H_MAC, "mtu", "1500", "up").checked();
        h.exec("ip", "addr", "add", HOST4 + "/24", "brd", BCAST4, "dev", "rH").checked();
        h.exec("ip", "addr", "add", HOST6 + "/64", "dev", "rH", "nodad").checked();
        h.exec("ip", "neigh", "replace", CLIENT4, "lladdr", C_MAC, "dev", "rH", "nud", "permanent").checked();
        h.exec("ip", "neigh", "replace", OTHER4, "lladdr", C_MAC, "dev", "rH", "nud", "permanent").checked();
        h.exec("ip", "-6", "neigh", "replace", CLIENT6, "lladdr", C_MAC, "dev", "rH", "nud", "permanent").checked();
        h.execIn(NAT, "iptables-restore").checked();
        h.execIn(NAT, "ip6tables-restore").checked();
    }

    /** What the kernel's host sent back on the veth (its own IPv6 link-local traffic left out). */
    static List<byte[]> wire(Netns x, List<byte[]> in) {
        StringBuilder stdin = new StringBuilder();
        for (byte[] f : in) stdin.append(HexFormat.of().formatHex(f)).append('\n');
        String out = x.execIn(stdin.toString(), "python3", "-c", WIRE).checked().stdout();
        List<byte[]> frames = new ArrayList<>();
        for (String line : out.lines().toList()) {
            byte[] b = HexFormat.of().parseHex(line.strip());
            if (ours(b)) frames.add(b);
        }
        return frames;
    }

    /** An IPv4 frame, or an IPv6 one not from a link-local or unspecified source (NDP, MLD). */
    static boolean ours(byte[] f) {
        int type = Bytes.u16(f, 12);
        if (type == EtherType.IPV4) return true;
        return type == EtherType.IPV6 && f.length > 54 && (f[14 + 8] & 0xff) != 0xfe && (f[14 + 8] & 0xff) != 0
                && (f[14 + 24] & 0xff) != 0xff;
    }

    static List<byte[]> jnat(List<byte[]> in) {
        Host host = Host.parse(HOST_LINES, "closed-port-host.ip");
        NatEngine e = new NatEngine(host, Ruleset.parse(NAT),
                NatEngine.Config.defaults().withIcmp(IcmpConfig.defaults().with("net.ipv6.icmp.ratelimit", "0")));
        e.setRuleset6(Ruleset.parse(NAT, true));
        e.sockets().listen("udp:53");
        List<byte[]> out = new ArrayList<>();
        Transmit tx = new Transmit() {
            @Override
            public void transmit(Interface dev, byte[] buf, int off, int len) {
                byte[] b = Arrays.copyOfRange(buf, off, off + len);
                if (ours(b)) out.add(b);
            }

            @Override
            public void deliver(byte[] buf, int off, int len) {}
        };
        long now = 1_000_000_000_000L;
        for (byte[] f : in) {
            byte[] buf = new byte[16 + f.length];
            System.arraycopy(f, 0, buf, 16, f.length);
            e.receive(host.device("rH"), buf, 16, f.length, now += 2_000_000, tx);
        }
        return out;
    }

    /**
     * tcp_v6_send_response leaves the RST CHECKSUM_PARTIAL (the pseudo-header's sum in the field),
     * and a veth hands it on so: completed here as a NIC would.
     */
    static void completePartialChecksum(byte[] f) {
        int t = 14 + 40, len = Bytes.u16(f, 14 + 4);
        long sh = i64(f, 14 + 8), sl = i64(f, 14 + 16), dh = i64(f, 14 + 24), dl = i64(f, 14 + 32);
        if (Checksum.verifyTransport6(f, t, len, sh, sl, dh, dl, 6)) return;
        Bytes.put16(f, t + 16, 0);
        Bytes.put16(f, t + 16, Checksum.transport6(f, t, len, sh, sl, dh, dl, 6));
    }

    static long i64(byte[] b, int i) {
        return (long) Bytes.i32(b, i) << 32 | Bytes.i32(b, i + 4) & 0xffffffffL;
    }

    /** Frame for frame, byte for byte, an ICMP error's IP id and header checksum aside. Returns how many were compared. */
    static int compare(String name, List<byte[]> kernel, List<byte[]> ours) {
        assertEquals(kernel.size(), ours.size(), name + ": frames sent");
        for (int i = 0; i < kernel.size(); i++) {
            byte[] k = kernel.get(i).clone(), o = ours.get(i).clone();
            if (Bytes.u16(k, 12) == EtherType.IPV6 && k[14 + 6] == 6) completePartialChecksum(k);
            if (Bytes.u16(k, 12) == EtherType.IPV4 && k[14 + 9] == 1) {
                for (int j : new int[] {14 + 4, 14 + 5, 14 + 10, 14 + 11}) k[j] = o[j] = 0;
            }
            assertEquals(HexFormat.of().formatHex(k), HexFormat.of().formatHex(o), name + " frame " + i);
        }
        return kernel.size();
    }
}
