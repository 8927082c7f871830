package jnat.gateway;

import jnat.linux.VirtioNetHdr;
import jnat.wire.Offload;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** virtio_net_hdr_to_skb / virtio_net_hdr_from_skb as the gateway reads and writes them, per gso_type. */
class GatewayVnetHdrTest {
    static VirtioNetHdr hdr(int gsoType, int gsoSize) {
        VirtioNetHdr h = new VirtioNetHdr();
        h.flags = VirtioNetHdr.F_NEEDS_CSUM;
        h.gsoType = gsoType;
        h.gsoSize = gsoSize;
        h.csumStart = 40;
        h.csumOffset = 16;
        return h;
    }

    @Test
    void tcpv6HeaderIsReadAsGsoTcpv6AndWrittenBackTheSame() {
        Offload o = Gateway.toOffload(hdr(VirtioNetHdr.GSO_TCPV6, 1428), new Offload());
        assertEquals(Offload.GSO_TCPV6, o.gsoType);
        assertEquals(1428, o.gsoSize);
        assertEquals(Offload.CHECKSUM_PARTIAL, o.ipSummed);
        VirtioNetHdr back = Gateway.toVnet(o, new VirtioNetHdr());
        assertEquals(VirtioNetHdr.GSO_TCPV6, back.gsoType);
        assertEquals(1428, back.gsoSize);
        assertEquals(40, back.csumStart);
        assertEquals(16, back.csumOffset);
        assertEquals(VirtioNetHdr.F_NEEDS_CSUM, back.flags);
    }

    @Test
    void tcpv6WithEcnKeepsTheEcnBit() {
        Offload o = Gateway.toOffload(hdr(VirtioNetHdr.GSO_TCPV6 | VirtioNetHdr.GSO_ECN, 1428), new Offload());
        assertEquals(Offload.GSO_TCPV6 | Offload.GSO_ECN, o.gsoType);
        assertEquals(VirtioNetHdr.GSO_TCPV6 | VirtioNetHdr.GSO_ECN, Gateway.toVnet(o, new VirtioNetHdr()).gsoType);
    }

    @Test
    void tcpv4AndUdpL4AreUnchanged() {
        assertEquals(VirtioNetHdr.GSO_TCPV4,
                Gateway.toVnet(Gateway.toOffload(hdr(VirtioNetHdr.GSO_TCPV4, 1448), new Offload()), new VirtioNetHdr()).gsoType);
        assertEquals(VirtioNetHdr.GSO_UDP_L4,
                Gateway.toVnet(Gateway.toOffload(hdr(VirtioNetHdr.GSO_UDP_L4, 1400), new Offload()), new VirtioNetHdr()).gsoType);
    }

    @Test
    void ufoIsNotTakenAsGso() {
        Offload o = Gateway.toOffload(hdr(VirtioNetHdr.GSO_UDP, 1400), new Offload());
        assertEquals(0, o.gsoSize);
        assertEquals(Offload.GSO_NONE, o.gsoType);
    }
}
