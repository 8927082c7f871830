package jnat.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void tcpFrameRoundTrips() {
        byte[] f = EthernetRepr.of("02:42:ac:11:00:02", "02:42:7b:9a:3c:01")
                .frame(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN).withLinuxSynOptions(1));
        EthernetFrame eth = new EthernetFrame();
        assertEquals(0, eth.wrap(f, 0, f.length));
        Ipv4Packet ip = new Ipv4Packet();
        assertEquals(0, ip.wrap(f, eth.payloadOffset(), eth.payloadLength()));
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
        ip.setSrc(Ipv4Address.parse("10.0.2.15"));
        ip.setSrcPort(1234);
        assertTrue(ip.verifyChecksum());
        assertTrue(ip.verifyTransportChecksum());
        assertEquals(1234, ip.srcPort());
        TcpSegment t = new TcpSegment();
        assertEquals(0, t.wrap(f, ip.payloadOffset(), ip.payloadLength()));
        assertEquals(1460, t.mss());
        assertEquals(7, t.windowScale());
    }
}
