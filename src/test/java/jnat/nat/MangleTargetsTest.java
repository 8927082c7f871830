package jnat.nat;

import jnat.rules.Rule;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.nat.EngineRig.MS;
import static jnat.nat.EngineRig.SEC;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14's modules on real frames through the engine on the seed's Docker host: the mangling
 * targets (TTL, DSCP, TOS, ECN, TCPMSS) rewrite the forwarded packet with every checksum right,
 * CONNMARK keeps a mark in the connection across its packets, and limit lets the burst through
 * and then one packet per period of the engine's clock.
 */
class MangleTargetsTest {
    /** The seed's Docker rules and a mangle table with {@code rules} in FORWARD (or as given). */
    private static String mangle(String... rules) {
        StringBuilder sb = new StringBuilder(EngineRig.SEED_RULES).append("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
                + ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        for (String r : rules) sb.append(r.startsWith("-A ") ? r : "-A FORWARD " + r).append('\n');
        return sb.append("COMMIT\n").toString();
    }

    private static void assertChecksums(Ipv4Packet ip) {
        assertTrue(ip.verifyChecksum(), "IP header checksum of " + ip);
        assertTrue(ip.verifyTransportChecksum(), "transport checksum of " + ip);
    }

    private static int mss(Ipv4Packet ip) {
        byte[] b = ip.buffer();
        int t = ip.payloadOffset(), doff = TcpSegment.dataOffset(b, t) * 4;
        for (int i = 20; i + 4 <= doff;) {
            int kind = b[t + i] & 0xff;
            if (kind == 2) return (b[t + i + 2] & 0xff) << 8 | b[t + i + 3] & 0xff;
            i += kind <= 1 ? 1 : b[t + i + 1] & 0xff;
        }
        return -1;
    }

    @Test
    void ttlSetInForwardRewritesTheTtlWithTheHeaderChecksum() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-j TTL --ttl-set 42"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(64), UdpRepr.of(5000, 53)));
        Ipv4Packet ip = rig.only("eth0").ip();
        assertEquals(42, ip.ttl());
        assertChecksums(ip);
    }

    @Test
    void ttlDecrementStopsAtZeroAndIncrementAt255() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-j TTL --ttl-dec 100"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(64), UdpRepr.of(5000, 53)));
        assertEquals(0, rig.only("eth0").ip().ttl(), "63 less 100, clamped");
        rig.rules(mangle("-j TTL --ttl-inc 250"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(64), UdpRepr.of(5001, 53)));
        assertEquals(255, rig.only("eth0").ip().ttl());
    }

    @Test
    void dscpRewritesTheSixBitsAndKeepsTheEcnCodepoint() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-j DSCP --set-dscp-class EF"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTos(0x03), UdpRepr.of(5000, 53)));
        Ipv4Packet ip = rig.only("eth0").ip();
        assertEquals(0x2e << 2 | 0x03, ip.tos());
        assertChecksums(ip);
    }

    @Test
    void tosAndMaskKeepsOnlyTheBitsOutsideIt() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-j TOS --and-tos 0x0f", "-m tos --tos 0x0c/0xff -j TTL --ttl-set 9"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTos(0xfc), UdpRepr.of(5000, 53)));
        Ipv4Packet ip = rig.only("eth0").ip();
        assertEquals(0x0c, ip.tos());
        assertEquals(9, ip.ttl(), "-m tos sees the rewritten byte");
        assertChecksums(ip);
    }

    @Test
    void ecnRemoveClearsEceAndCwrWithTheTcpChecksum() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-p tcp -j ECN --ecn-tcp-remove"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"),
                syn(40000, 80).withFlags(TcpSegment.SYN | 0x40 | 0x80)));
        Ipv4Packet ip = rig.only("eth0").ip();
        assertEquals(TcpSegment.SYN, ip.buffer()[ip.payloadOffset() + 13] & 0xff);
        assertChecksums(ip);
    }

    @Test
    void clampMssToPmtuTakesTheSmallerOfTheRoutesMtus() {
        EngineRig rig = EngineRig.host(EngineRig.resource("/hosts/seed-docker-host.ip") + "link set dev eth0 mtu 1400\n")
                .rules(mangle("-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), syn(40000, 80).withMss(1460)));
        Ipv4Packet ip = rig.only("eth0").ip();
        assertEquals(1400 - 40, mss(ip), "eth0's MTU less the IPv4 and TCP headers");
        assertChecksums(ip);
        // the reply direction: out through docker0 (1500), back through eth0 (1400)
        rig.receive("eth0", fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(80, 10000).withMss(1460)));
        Ipv4Packet in = rig.only("docker0").ip();
        assertEquals(1360, mss(in), "the route back to the source has the smaller MTU");
        assertChecksums(in);
    }

    @Test
    void setMssNeverRaisesTheMss() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-p tcp -j TCPMSS --set-mss 1400"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), syn(40000, 80).withMss(1200)));
        assertEquals(1200, mss(rig.only("eth0").ip()));
    }

    @Test
    void aSynWithoutMssGetsTheOptionCappedAt536() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle("-p tcp -j TCPMSS --set-mss 1400"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), syn(40000, 80)));
        Ipv4Packet ip = rig.only("eth0").ip();
        assertEquals(44, ip.totalLength());
        assertEquals(24, TcpSegment.dataOffset(ip.buffer(), ip.payloadOffset()) * 4);
        assertEquals(536, mss(ip), "RFC 1122's default MSS, as tcpmss_mangle_packet caps it");
        assertChecksums(ip);
    }

    @Test
    void connmarkSavesThePacketsMarkAndRestoresItOnTheReply() {
        EngineRig rig = EngineRig.seedDockerHost().rules(mangle(
                "-A PREROUTING -j CONNMARK --restore-mark",
                "-A PREROUTING -i docker0 -m mark --mark 0 -j MARK --set-mark 0x7",
                "-A PREROUTING -j CONNMARK --save-mark --mask 0xff",
                "-A POSTROUTING -m connmark --mark 0x7 -m mark --mark 0x7"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5000, 53)));
        assertEquals("eth0", rig.only().dev());
        int id = rig.engine().connections().nextConfirmed(0);
        assertEquals(7, rig.engine().connections().mark(id), "ct->mark");
        rig.receive("eth0", fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(53, 5000)));
        assertEquals("docker0", rig.only().dev());
        List<Rule> post = rig.engine().ruleset().existing("mangle").chain("POSTROUTING").rules();
        assertEquals(2, post.getFirst().packets, "the reply got its mark back from the connection");
    }

    @Test
    void limitPassesTheBurstThenOnePacketPerPeriod() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS)
                .rules(EngineRig.SEED_RULES + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                        + "-A FORWARD -m limit --limit 2/sec --limit-burst 3 -j ACCEPT\n-A FORWARD -j DROP\nCOMMIT\n");
        for (int i = 0; i < 6; i++) {
            rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(6000 + i, 53)));
        }
        assertEquals(3, rig.sent().size(), "the burst");
        rig.clock(600 * MS, MS); // one packet's worth (500 ms) of credit later
        for (int i = 0; i < 3; i++) {
            rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(7000 + i, 53)));
        }
        assertEquals(4, rig.sent().size());
        rig.clock(10 * SEC, MS); // the bucket refills to the burst, no more
        for (int i = 0; i < 5; i++) {
            rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(8000 + i, 53)));
        }
        assertEquals(7, rig.sent().size());
    }
}
