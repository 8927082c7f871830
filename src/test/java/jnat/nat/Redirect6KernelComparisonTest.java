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

/**
 * The kernel as the oracle for ip6_forward's redirects: a host on a router's link sends datagrams
 * to another host on the same link through the router (hairpin), eight in a row. The router
 * forwards each back out of the device and, before it, sends the sender a redirect (from its
 * link-local address, the target's link-layer address, the datagram in the redirected header)
 * while the destination's and the source's inet_peer buckets allow: six (XRLIM_BURST_FACTOR),
 * then none within the second. jnat, on the router's host, must send the same frames in the same
 * order.
 */
class Redirect6KernelComparisonTest {
    static final String R_MAC = "02:00:00:00:0c:01", A_MAC = "02:00:00:00:0c:02", B_MAC = "02:00:00:00:0c:03";
    static final String ROUTER = "fd00:c::1", A = "fd00:c::2", B = "fd00:c::3";

    static final String HOST = """
            link set dev rC address %s mtu 1500 up
            addr add %s/64 dev rC
            -6 neigh add %s lladdr %s dev rC
            -6 neigh add %s lladdr %s dev rC
            """.formatted(R_MAC, ROUTER, A, A_MAC, B, B_MAC);

    record Frame(String dev, byte[] bytes) {}

    @Test
    void hairpinDatagramsGetRedirectsUntilThePeersBucketsAreEmpty() {
        Tools.requireRoot();
        Tools.require("python3");
        try (Netns r = Netns.create("rdr6"); Netns x = Netns.create("rdx6")) {
            for (String k : List.of("all", "default")) {
                x.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".disable_ipv6=1").checked();
                r.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".accept_dad=0").checked(); // the link-local address at once
                r.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".router_solicitations=0").checked();
                r.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".forwarding=1").checked();
            }
            r.exec("ip", "link", "add", "rC", "type", "veth", "peer", "name", "vC").checked();
            r.exec("ip", "link", "set", "vC", "netns", x.name()).checked();
            x.exec("ip", "link", "set", "vC", "up").checked();
            r.exec("ip", "link", "set", "rC", "address", R_MAC, "up").checked();
            r.exec("ip", "addr", "add", ROUTER + "/64", "dev", "rC", "nodad").checked();
            for (String[] n : new String[][] {{A, A_MAC}, {B, B_MAC}}) {
                r.exec("ip", "-6", "neigh", "replace", n[0], "lladdr", n[1], "dev", "rC", "nud", "permanent").checked();
            }
            List<byte[]> in = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                in.add(EthernetRepr.of(A_MAC, R_MAC).withEtherType(EtherType.IPV6).frame(Ipv6Repr.of(A, B).withHopLimit(64)
                        .packet(UdpRepr.of(5000 + i, 53).withPayload(EngineRig.payload(100 + 40 * i)))));
            }
            StringBuilder stdin = new StringBuilder();
            for (byte[] f : in) stdin.append("vC=").append(HexFormat.of().formatHex(f)).append('\n');
            String out = x.execIn(stdin.toString(), "python3", "-c", Defrag6KernelComparisonTest.WIRE, "vC").checked().stdout();
            List<Frame> kernel = new ArrayList<>();
            for (String line : out.lines().toList()) {
                String[] p = line.split("=");
                byte[] b = HexFormat.of().parseHex(p[1]);
                if (ours(b)) kernel.add(new Frame(p[0], b));
            }
            List<Frame> jnat = jnat(in);
            assertEquals(summary(kernel), summary(jnat));
            for (int i = 0; i < kernel.size(); i++) {
                assertEquals(HexFormat.of().formatHex(kernel.get(i).bytes()), HexFormat.of().formatHex(jnat.get(i).bytes()), "frame " + i);
            }
            assertEquals(6 + 8, kernel.size(), "six redirects, eight datagrams forwarded");
        }
    }

    /** The test's frames: the forwarded datagrams and redirects; not the router's MLD or DAD. */
    static boolean ours(byte[] f) {
        if (f.length < 14 + 40 + 8 || (f[12] & 0xff) != 0x86 || (f[13] & 0xff) != 0xdd) return false;
        int next = f[14 + 6] & 0xff;
        return next == 17 || next == 58 && (f[14 + 40] & 0xff) == 137;
    }

    static List<Frame> jnat(List<byte[]> in) {
        Host h = Host.parse(HOST, "router.ip");
        NatEngine e = new NatEngine(h, Ruleset.parse("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n"));
        List<Frame> out = new ArrayList<>();
        Transmit tx = new Transmit() {
            @Override
            public void transmit(Interface dev, byte[] buf, int off, int len) {
                byte[] b = java.util.Arrays.copyOfRange(buf, off, off + len);
                if (ours(b)) out.add(new Frame("vC", b));
            }

            @Override
            public void deliver(byte[] buf, int off, int len) {}
        };
        long now = 1_000_000_000_000L;
        for (byte[] f : in) {
            byte[] buf = new byte[16 + f.length];
            System.arraycopy(f, 0, buf, 16, f.length);
            e.receive(h.device("rC"), buf, 16, f.length, now += 1_000_000, tx);
        }
        return out;
    }

    static List<String> summary(List<Frame> frames) {
        return frames.stream().map(f -> f.dev() + " " + f.bytes().length + ((f.bytes()[14 + 6] & 0xff) == 58 ? " redirect" : " udp"))
                .toList();
    }
}
