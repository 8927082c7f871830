package jnat.nat;

import jnat.wire.ArpPacket;
import jnat.wire.Bytes;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import static jnat.nat.EngineRig.fromContainer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An IPv4 next hop the host file does not name, resolved as arp_tbl resolves it ({@link NeighTable},
 * {@link Arp}) on the seed's Docker host: the packet waits, an ARP request asks, the reply lets it go.
 * Expected frames are laid out with the wire writers as arp_create lays them out.
 */
class ArpResolveTest {
    /** On eth0's own 45.77.200.0/23, not in the host file. */
    static final String ONLINK = "45.77.200.99";
    static final long ONLINK_MAC = 0x020000000099L, ETH0_MAC = 0x5600047c7c23L;

    final EngineRig rig = EngineRig.seedDocker();

    byte[] datagram(int sport) {
        return fromContainer(Ipv4Repr.of("172.17.0.2", ONLINK), UdpRepr.of(sport, 53).withPayload(EngineRig.payload(30)));
    }

    /** arp_create's request: broadcast, from {@code sender}, target hardware address zero, 42 bytes. */
    static byte[] expectedRequest(String sender) {
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH];
        EthernetFrame.writeHeader(f, 0, 0xffff_ffff_ffffL, ETH0_MAC, EtherType.ARP);
        ArpPacket.write(f, EthernetFrame.HEADER_LENGTH, ArpPacket.REQUEST, ETH0_MAC, Ipv4Address.parse(sender), 0,
                Ipv4Address.parse(ONLINK));
        return f;
    }

    static byte[] reply(int op) {
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH];
        EthernetFrame.writeHeader(f, 0, ETH0_MAC, ONLINK_MAC, EtherType.ARP);
        ArpPacket.write(f, EthernetFrame.HEADER_LENGTH, op, ONLINK_MAC, Ipv4Address.parse(ONLINK), ETH0_MAC,
                Ipv4Address.parse("45.77.200.180"));
        return f;
    }

    @Test
    void aMasqueradedPacketIsHeldAndAskedForFromItsNewSource() {
        rig.receive("docker0", datagram(5000));
        assertArrayEquals(expectedRequest("45.77.200.180"), rig.only("eth0").frame(), "arp_announce 0: the packet's local source");
        assertEquals(1, rig.engine().snmp().neighbourPacketsQueued(false));
    }

    @Test
    void theHeldPacketsLeaveInOrderWhenTheReplyComes() {
        for (int i = 0; i < 3; i++) rig.receive("docker0", datagram(5000 + i));
        assertEquals(1, rig.sent().size(), "one request for the three");
        rig.receive("eth0", reply(ArpPacket.REPLY));
        assertEquals(4, rig.sent().size(), rig.dropSummary());
        for (int i = 0; i < 3; i++) {
            EngineRig.Sent s = rig.sent().get(1 + i);
            assertEquals(ONLINK_MAC, Bytes.u48(s.frame(), 0));
            assertEquals(5000 + i, Bytes.u16(s.frame(), 14 + 20), "in the order they came");
        }
        rig.receive("docker0", datagram(5009));
        assertEquals(ONLINK_MAC, Bytes.u48(rig.sent().getLast().frame(), 0), "resolved: sent at once");
    }

    @Test
    void aRequestFromTheNeighbourBeingResolvedResolvesItToo() {
        rig.receive("docker0", datagram(5000));
        byte[] req = reply(ArpPacket.REQUEST); // it asks for our address meanwhile
        ArpPacket.write(req, EthernetFrame.HEADER_LENGTH, ArpPacket.REQUEST, ONLINK_MAC, Ipv4Address.parse(ONLINK), 0,
                Ipv4Address.parse("45.77.200.180"));
        EthernetFrame.writeHeader(req, 0, 0xffff_ffff_ffffL, ONLINK_MAC, EtherType.ARP);
        rig.receive("eth0", req);
        assertEquals(3, rig.sent().size(), "the request, the held packet (STALE is valid), our reply: " + rig.devices());
        assertEquals(ONLINK_MAC, Bytes.u48(rig.sent().get(1).frame(), 0));
        assertEquals(EtherType.ARP, Bytes.u16(rig.sent().get(2).frame(), 12));
    }
}
