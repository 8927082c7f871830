package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.EthernetFrame;
import jnat.wire.EthernetRepr;
import jnat.wire.Icmpv6Packet;
import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.MacAddress;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.PUBLIC6;
import static jnat.nat.EngineRig.assertChecksums;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.fromInternet6;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The host's own ICMPv6 ({@link Icmpv6}) on the seed's Docker host with IPv6: errors, echo replies, neighbour advertisements. */
class Icmpv6Test {
    static final String SERVER6 = "2001:db8:1::8", CLIENT6 = "2001:db8:2::99", DOCKER0_6 = "fd49:efd7:54aa::1";

    final EngineRig rig = EngineRig.seedDocker6();

    /** The one frame sent on {@code dev}: IPv6, ICMPv6, its checksum right. */
    Ipv6Packet icmp6(String dev) {
        Ipv6Packet p = rig.only(dev).ip6();
        assertEquals(58, p.upperProtocol());
        assertChecksums(p);
        return p;
    }

    /** The datagram an ICMPv6 error quotes. */
    static byte[] quoted(Ipv6Packet error) {
        byte[] b = error.buffer();
        return Arrays.copyOfRange(b, error.upperOffset() + 8, error.offset() + error.length());
    }

    static String addr(long hi, long lo) {
        return Ipv6Address.format(hi, lo);
    }

    @Test
    void aForwardedPacketWithHopLimitOneIsAnsweredWithTimeExceededFromTheInDevicesAddress() {
        byte[] frame = fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withHopLimit(1), syn(40000, 443));
        rig.receive("docker0", frame);
        Ipv6Packet e = icmp6("docker0");
        assertEquals(DOCKER0_6 + " > " + CONTAINER6, addr(e.srcHi(), e.srcLo()) + " > " + addr(e.dstHi(), e.dstLo()));
        assertEquals(3, e.icmpType(), "time exceeded");
        assertEquals(0, e.icmpCode(), "hop limit");
        assertEquals(64, e.hopLimit());
        assertArrayEquals(EngineRig.ipOf(frame), quoted(e), "the SYN quoted as the container sent it");
        assertEquals(1, rig.engine().snmp().icmpv6ErrorsSent());
    }

    @Test
    void theTimeExceededForADnatedClientQuotesThePacketAsTheClientSentIt() {
        byte[] frame = fromInternet6(Ipv6Repr.of(CLIENT6, PUBLIC6).withHopLimit(1), syn(50000, 8080));
        rig.receive("eth0", frame);
        Ipv6Packet e = icmp6("eth0");
        assertEquals(PUBLIC6 + " > " + CLIENT6, addr(e.srcHi(), e.srcLo()) + " > " + addr(e.dstHi(), e.dstLo()));
        assertArrayEquals(EngineRig.ipOf(frame), quoted(e), "DNAT undone in the quote: [" + PUBLIC6 + "]:8080 as sent");
    }

    @Test
    void aPacketTooBigIsAnsweredWithTheOutMtuAndNeverRateLimited() {
        for (int i = 0; i < 10; i++) {
            rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, UdpRepr.of(5353, 53).withPayload(EngineRig.payload(1500))));
        }
        assertEquals(10, rig.sent().size(), rig.dropSummary());
        Ipv6Packet e = icmp6("docker0", 0);
        assertEquals(2, e.icmpType(), "packet too big");
        assertEquals(1500, Bytes.i32(e.buffer(), e.upperOffset() + Icmpv6Packet.OFF_MTU), "eth0's MTU");
        assertEquals(1280, e.length(), "quoted up to IPV6_MIN_MTU");
        assertEquals(0, rig.engine().snmp().icmpv6RateLimited());
    }

    /** The {@code i}th frame sent, on {@code dev}, as {@link #icmp6(String)} checks it. */
    Ipv6Packet icmp6(String dev, int i) {
        EngineRig.Sent s = rig.sent().get(i);
        assertEquals(dev, s.dev());
        Ipv6Packet p = s.ip6();
        assertChecksums(p);
        return p;
    }

    @Test
    void timeExceededIsRateLimitedPerDestinationAsIcmpv6XrlimAllowSays() {
        for (int i = 0; i < 20; i++) { // one every millisecond
            rig.receive("docker0", fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withHopLimit(1), syn(40000 + i, 443)));
        }
        // the /64 back to the container: 1000 ms >> 2 = 250 ms a message, a burst of 6
        assertEquals(6, rig.engine().snmp().icmpv6ErrorsSent());
        assertEquals(14, rig.engine().snmp().icmpv6RateLimited());
        assertEquals(20, rig.drops(DropReason.HOP_LIMIT_EXCEEDED));
    }

    @Test
    void anIcmpv6RatelimitOfZeroLeavesOnlyTheHostWideLimit() {
        rig.icmp(IcmpConfig.defaults().with("net.ipv6.icmp.ratelimit", "0"));
        for (int i = 0; i < 20; i++) {
            rig.receive("docker0", fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withHopLimit(1), syn(40000 + i, 443)));
        }
        // inet_peer_xrlim_allow with a timeout of 0 lets every message through; 20 is within icmp_msgs_burst
        assertEquals(20, rig.engine().snmp().icmpv6ErrorsSent());
        assertEquals(0, rig.engine().snmp().icmpv6RateLimited());
    }

    @Test
    void aProhibitRouteIsAnsweredAdministrativelyProhibited() {
        rig.receive("docker0", fromContainer6(CONTAINER6, "2001:db8:dead::1", syn(40000, 443)));
        Ipv6Packet e = icmp6("docker0");
        assertEquals(1, e.icmpType(), "destination unreachable");
        assertEquals(1, e.icmpCode(), "administratively prohibited");
        assertEquals(1, rig.drops(DropReason.ROUTE_UNREACHABLE));
    }

    @Test
    void aLinkLocalSourceLeavingByAnotherDeviceIsToldItIsNotANeighbour() {
        rig.receive("docker0", fromContainer6("fe80::42:acff:fe11:2", SERVER6, syn(40000, 443)));
        Ipv6Packet e = icmp6("docker0");
        assertEquals("1/2", e.icmpType() + "/" + e.icmpCode());
        assertEquals("fe80::42:d5ff:fe35:3a3c > fe80::42:acff:fe11:2", addr(e.srcHi(), e.srcLo()) + " > " + addr(e.dstHi(), e.dstLo()),
                "from docker0's link-local address");
    }

    @Test
    void anIcmpv6ErrorIsNeverAnsweredWithAnother() {
        byte[] about = Ipv6Repr.of(SERVER6, CONTAINER6).packet(syn(443, 40000));
        rig.receive("docker0", fromContainer6(Ipv6Repr.of(CONTAINER6, SERVER6).withHopLimit(1),
                Icmpv6Repr.destUnreachable(4, Icmpv6Repr.quote(about))));
        assertEquals(List.of(), rig.sent());
        assertEquals(0, rig.engine().snmp().icmpv6ErrorsSent());
    }

    @Test
    void aPingOfTheHostsAddressIsAnsweredWithAnEchoReply() {
        byte[] data = EngineRig.payload(24);
        rig.receive("eth0", fromInternet6(Ipv6Repr.of(CLIENT6, PUBLIC6).withTrafficClass(0x20), Icmpv6Repr.echoRequest(9, 3, data)));
        EngineRig.Sent s = rig.only("eth0");
        Ipv6Packet r = s.ip6();
        assertChecksums(r);
        assertEquals("eth0 " + PUBLIC6 + " > " + CLIENT6 + " icmp6 129 id 9", s.summary6());
        assertEquals(3, Bytes.u16(r.buffer(), r.upperOffset() + Icmpv6Packet.OFF_ECHO_SEQ));
        assertArrayEquals(data, Arrays.copyOfRange(r.buffer(), r.upperOffset() + 8, r.offset() + r.length()));
        assertEquals(0x20, r.trafficClass(), "the request's traffic class");
        assertEquals(1, rig.delivered().size());
    }

    /** A solicitation from the container for {@code target}, to its solicited-node group, with its link-layer address. */
    static byte[] solicitation(String target) {
        long[] t = EngineRig.ip6(target);
        String group = "ff02::1:ff" + target.substring(target.length() - 2);
        return EthernetRepr.of(EngineRig.CONTAINER_MAC, "33:33:ff:00:00:01").frame(
                Ipv6Repr.of(CONTAINER6, group).withHopLimit(255),
                Icmpv6Repr.neighbourSolicitation(t[0], t[1], Icmpv6Repr.linkLayerOption(1, MacAddress.parse(EngineRig.CONTAINER_MAC))));
    }

    @Test
    void aNeighbourSolicitationForTheHostsAddressIsAnsweredWithAnAdvertisement() {
        rig.receive("docker0", solicitation(DOCKER0_6));
        EngineRig.Sent s = rig.only("docker0");
        EthernetFrame eth = new EthernetFrame();
        eth.wrap(s.frame(), 0, s.frame().length);
        assertEquals(MacAddress.parse(EngineRig.CONTAINER_MAC), eth.dst(), "to the solicitation's source link-layer address");
        Ipv6Packet na = s.ip6();
        assertChecksums(na);
        assertEquals(DOCKER0_6 + " > " + CONTAINER6, addr(na.srcHi(), na.srcLo()) + " > " + addr(na.dstHi(), na.dstLo()));
        assertEquals(255, na.hopLimit());
        byte[] b = na.buffer();
        int i = na.upperOffset();
        assertEquals(136, na.icmpType());
        assertEquals(0xe0, b[i + Icmpv6Packet.OFF_NA_FLAGS] & 0xff, "router, solicited, override");
        assertEquals(DOCKER0_6, Ipv6Address.format(b, i + Icmpv6Packet.OFF_ND_TARGET));
        assertEquals(32, na.upperLength(), "with the target link-layer address option");
        assertEquals(2, b[i + 24]);
        assertEquals(MacAddress.parse(EngineRig.DOCKER0_MAC), Bytes.u48(b, i + 26), "docker0's MAC");
        assertEquals(1, rig.engine().snmp().icmpv6RepliesSent());
    }

    @Test
    void aSolicitationForAnAddressOfAnotherDeviceIsNotAnswered() {
        rig.receive("docker0", solicitation(PUBLIC6));
        assertEquals(List.of(), rig.sent());
    }

    /** Docker's ip6tables rules with REJECTs in front of FORWARD: SMTP reset, discard (UDP 9) port unreachable. */
    EngineRig rejecting() {
        return rig.rules6(EngineRig.DOCKER6_RULES.replace(":DOCKER - [0:0]\n-A FORWARD",
                ":DOCKER - [0:0]\n-A FORWARD -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset\n"
                        + "-A FORWARD -p udp -m udp --dport 9 -j REJECT\n-A FORWARD"));
    }

    @Test
    void aRejectWithTcpResetAnswersTheSynFromTheServersAddress() {
        rejecting().receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 25)));
        EngineRig.Sent s = rig.only("docker0");
        Ipv6Packet rst = s.ip6();
        assertChecksums(rst);
        assertEquals("docker0 [" + SERVER6 + "]:25 > [" + CONTAINER6 + "]:40000", s.summary6());
        byte[] b = rst.buffer();
        int t = rst.upperOffset();
        assertEquals(0x14, b[t + 13] & 0xff, "RST|ACK");
        assertEquals(1001, Bytes.i32(b, t + 8), "acknowledging the SYN");
        assertEquals(64, rst.hopLimit());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
    }

    @Test
    void aRejectedUdpDatagramIsAnsweredPortUnreachable() {
        rejecting().receive("docker0", fromContainer6(CONTAINER6, SERVER6, UdpRepr.of(5353, 9).withPayload(EngineRig.payload(8))));
        Ipv6Packet e = icmp6("docker0");
        assertEquals("1/4", e.icmpType() + "/" + e.icmpCode(), "destination unreachable, port unreachable");
        assertEquals(DOCKER0_6, addr(e.srcHi(), e.srcLo()), "from docker0's address, the destination not being ours");
    }
}
