package jnat.nat;

import jnat.wire.EthernetRepr;
import jnat.wire.Icmpv6Packet;
import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv6Packet;
import jnat.wire.Ipv6Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.SEC;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.ip6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A next hop the host file does not name, resolved as the kernel resolves it ({@link NeighTable},
 * {@link Ndisc}): the packet waits, the neighbour is solicited, the advertisement lets it go.
 * Expected frames are built with the wire Reprs, as ndisc_send_ns lays them out.
 */
class NdiscTest {
    /** An internet host on eth0's own prefix (2001:db8::/64), which the host file has no neighbour for. */
    static final String ONLINK6 = "2001:db8::99";
    static final String ONLINK_MAC = "02:00:00:00:00:99";
    /** eth0's link-local address: EUI-64 of 56:00:04:7c:7c:23. */
    static final String ETH0_LL = "fe80::5400:4ff:fe7c:7c23";

    /** Without Docker's MASQUERADE: a forwarded packet keeps its source, which is none of eth0's. */
    final EngineRig rig = EngineRig.seedDocker6().rules6("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");

    byte[] datagram(int sport) {
        return fromContainer6(CONTAINER6, ONLINK6, UdpRepr.of(sport, 53).withPayload(EngineRig.payload(40)));
    }

    /** ndisc_send_ns's solicitation for ONLINK6 to its solicited-node group, from {@code src}, with eth0's MAC as its option. */
    static byte[] expectedSolicitation(String src) {
        long[] t = ip6(ONLINK6);
        Ipv6Repr ip = Ipv6Repr.of(src, "ff02::1:ff00:99").withHopLimit(255);
        Icmpv6Repr ns = Icmpv6Repr.neighbourSolicitation(t[0], t[1], Icmpv6Repr.linkLayerOption(1, 0x5600047c7c23L));
        return EthernetRepr.of(EngineRig.ETH0_MAC, "33:33:ff:00:00:99").frame(ip, ns);
    }

    byte[] advertisement(String to, int flags) {
        long[] t = ip6(ONLINK6);
        Ipv6Repr ip = Ipv6Repr.of(ONLINK6, to).withHopLimit(255);
        Icmpv6Repr na = Icmpv6Repr.neighbourAdvertisement(flags, t[0], t[1], Icmpv6Repr.linkLayerOption(2, 0x020000000099L));
        return EthernetRepr.of(ONLINK_MAC, EngineRig.ETH0_MAC).frame(ip, na);
    }

    @Test
    void aForwardedPacketToAnUnresolvedNeighbourIsHeldAndSolicitedFromTheLinkLocalAddress() {
        rig.receive("docker0", datagram(5000));
        assertEquals(1, rig.sent().size(), rig.dropSummary());
        assertArrayEquals(expectedSolicitation(ETH0_LL), rig.only("eth0").frame());
        assertEquals(1, rig.engine().snmp().neighbourPacketsQueued(true), "held, not dropped");
    }

    @Test
    void theHeldPacketsLeaveInOrderWhenTheAdvertisementComes() {
        for (int i = 0; i < 3; i++) rig.receive("docker0", datagram(5000 + i));
        assertEquals(1, rig.sent().size(), "one solicitation for the three: the entry is INCOMPLETE");
        rig.receive("eth0", advertisement(ETH0_LL, Icmpv6Packet.NA_SOLICITED | Icmpv6Packet.NA_OVERRIDE));
        assertEquals(4, rig.sent().size(), rig.dropSummary());
        for (int i = 0; i < 3; i++) {
            EngineRig.Sent s = rig.sent().get(1 + i);
            assertEquals("eth0", s.dev());
            assertEquals(0x020000000099L, jnat.wire.Bytes.u48(s.frame(), 0), "to the advertised MAC");
            Ipv6Packet p = s.ip6();
            assertEquals(5000 + i, jnat.wire.Bytes.u16(p.buffer(), p.upperOffset()), "in the order they came (MASQUERADE kept the port)");
        }
        rig.receive("docker0", datagram(5009));
        assertEquals(0x020000000099L, jnat.wire.Bytes.u48(rig.sent().getLast().frame(), 0), "resolved: sent at once");
    }

    @Test
    void aMasqueradedPacketIsSolicitedForFromItsNewSourceAnAddressOfTheDevice() {
        EngineRig docker = EngineRig.seedDocker6();
        docker.receive("docker0", datagram(5000));
        assertArrayEquals(expectedSolicitation(EngineRig.PUBLIC6), docker.only("eth0").frame(),
                "the queued skb is past POSTROUTING: its source is 2001:db8::10, eth0's own");
    }

    @Test
    void anAdvertisementForANeighbourNobodyAskedForResolvesNothing() {
        rig.receive("eth0", advertisement(ETH0_LL, Icmpv6Packet.NA_OVERRIDE));
        rig.receive("docker0", datagram(5000));
        assertArrayEquals(expectedSolicitation(ETH0_LL), rig.only("eth0").frame(), "accept_untracked_na 0: no entry made");
    }

    @Test
    void theHostsOwnPacketIsSolicitedForFromItsSourceWhenThatIsAnAddressOfTheDevice() {
        byte[] packet = Ipv6Repr.of(EngineRig.PUBLIC6, ONLINK6).withHopLimit(64).packet(UdpRepr.of(4000, 53).withPayload(new byte[8]));
        rig.send(packet);
        assertArrayEquals(expectedSolicitation(EngineRig.PUBLIC6), rig.only("eth0").frame());
    }

    @Test
    void anUnansweredNeighbourIsSolicitedEverySecondThenItsPacketsAreReportedUnreachable() {
        rig.receive("docker0", datagram(5000));
        long t0 = rig.now;
        for (int i = 1; i <= 2; i++) {
            rig.engine().expire(t0 + i * SEC, 16);
            assertEquals(1 + i, rig.sent().size(), "mcast_probes 3: a solicitation each retrans_time");
            assertArrayEquals(expectedSolicitation(ETH0_LL), rig.sent().getLast().frame());
        }
        rig.engine().expire(t0 + 3 * SEC - 1, 16);
        assertEquals(3, rig.sent().size(), "not before the second is up");
        rig.engine().expire(t0 + 3 * SEC, 16);
        assertEquals(4, rig.sent().size(), "the probes used: NUD_FAILED, and the sender told");
        EngineRig.Sent err = rig.sent().getLast();
        assertEquals("docker0", err.dev());
        Ipv6Packet p = err.ip6();
        assertEquals(58, p.upperProtocol());
        assertEquals(Icmpv6Packet.ICMPV6_DEST_UNREACH, p.icmpType());
        assertEquals(Icmpv6Packet.ICMPV6_ADDR_UNREACH, p.icmpCode());
        assertEquals(CONTAINER6, jnat.wire.Ipv6Address.format(p.dstHi(), p.dstLo()), "to the packet's sender");
        assertEquals(1, rig.drops(DropReason.NEIGH_FAILED));
    }

    @Test
    void theOldestHeldPacketIsDroppedPastUnresQlenBytes() {
        int each = NeighTable.truesize(40 + 8 + 1200);
        int fit = NeighTable.QUEUE_LEN_BYTES / each;
        for (int i = 0; i < fit + 2; i++) {
            rig.receive("docker0", fromContainer6(CONTAINER6, ONLINK6, UdpRepr.of(6000 + i, 53).withPayload(EngineRig.payload(1200))));
        }
        assertEquals(2, rig.drops(DropReason.NEIGH_QUEUEFULL));
        rig.receive("eth0", advertisement(ETH0_LL, Icmpv6Packet.NA_SOLICITED | Icmpv6Packet.NA_OVERRIDE));
        assertEquals(1 + fit, rig.sent().size());
        Ipv6Packet first = rig.sent().get(1).ip6();
        assertEquals(6002, jnat.wire.Bytes.u16(first.buffer(), first.upperOffset()), "the two oldest went");
    }
}
