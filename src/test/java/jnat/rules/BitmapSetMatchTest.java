package jnat.rules;

import jnat.ipset.Ipset;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -m set and -j SET against bitmap:ip and bitmap:ip,mac sets: bitmap_ip_kadt's address (with
 * the netmask), bitmap_ipmac_kadt's Ethernet source or destination (src,src / src,dst), the MAC
 * an element added without one takes from the first packet tested against it, and -EINVAL for a
 * packet without an Ethernet header.
 */
class BitmapSetMatchTest extends SetRulesRig {

    /** A packet with an Ethernet header (null: none, as the host's own packets). */
    static final class EthPacket extends FakePacket {
        byte[] eth;

        @Override
        public int macHeader(byte[] dst) {
            if (eth == null) return -1;
            System.arraycopy(eth, 0, dst, 0, 14);
            return 14;
        }
    }

    private static EthPacket packet(String src, String dst, String srcMac, String dstMac) {
        EthPacket p = new EthPacket();
        p.from(src, 40000).to(dst, 80);
        if (srcMac != null) {
            p.eth = new byte[14];
            String[] s = srcMac.split(":"), d = dstMac.split(":");
            for (int i = 0; i < 6; i++) {
                p.eth[i] = (byte) Integer.parseInt(d[i], 16);
                p.eth[6 + i] = (byte) Integer.parseInt(s[i], 16);
            }
            p.eth[12] = 8;
        }
        return p;
    }

    private String list(String set) {
        return Ipset.run(core, List.of("save", set), null).out();
    }

    @Test
    void aBitmapIpMatchesTheAddressOfItsSideAndItsNetmasksNetwork() {
        ipset("create b bitmap:ip range 10.0.0.0/24 netmask 28 counters");
        ipset("add b 10.0.0.16");
        Rule src = rule("-m set --match-set b src"), dst = rule("-m set --match-set b dst");
        assertTrue(matches(src, packet("10.0.0.31", "192.0.2.1", null, null)));
        assertFalse(matches(src, packet("10.0.0.32", "192.0.2.1", null, null)));
        assertFalse(matches(src, packet("10.0.1.16", "192.0.2.1", null, null))); // out of the range
        assertFalse(matches(dst, packet("10.0.0.16", "192.0.2.1", null, null)));
        assertEquals("create b bitmap:ip range 10.0.0.0-10.0.0.255 netmask 28 counters\nadd b 10.0.0.16 packets 1 bytes 60\n", list("b"));
    }

    @Test
    void setTargetAddsAndDeletesBitmapIpElements() {
        ipset("create b bitmap:ip range 192.0.2.0/24 timeout 30");
        rule("-j SET --add-set b dst --timeout 5").target.apply(packet("10.0.0.1", "192.0.2.7", null, null));
        assertEquals("create b bitmap:ip range 192.0.2.0-192.0.2.255 timeout 30\nadd b 192.0.2.7 timeout 5\n", list("b"));
        rule("-j SET --add-set b dst").target.apply(packet("10.0.0.1", "192.0.3.7", null, null)); // out of the range: nothing
        rule("-j SET --del-set b dst").target.apply(packet("10.0.0.1", "192.0.2.7", null, null));
        assertEquals("create b bitmap:ip range 192.0.2.0-192.0.2.255 timeout 30\n", list("b"));
    }

    @Test
    void anIpMacElementComparesTheSourceOrDestinationMac() {
        ipset("create m bitmap:ip,mac range 10.0.0.0/24");
        ipset("add m 10.0.0.1,02:00:00:00:00:aa");
        Rule srcsrc = rule("-m set --match-set m src,src"), srcdst = rule("-m set --match-set m src,dst");
        Rule one = rule("-m set --match-set m src");
        assertTrue(matches(srcsrc, packet("10.0.0.1", "10.0.9.9", "02:00:00:00:00:aa", "02:00:00:00:00:bb")));
        assertFalse(matches(srcsrc, packet("10.0.0.1", "10.0.9.9", "02:00:00:00:00:ab", "02:00:00:00:00:aa")));
        assertTrue(matches(srcdst, packet("10.0.0.1", "10.0.9.9", "02:00:00:00:00:ab", "02:00:00:00:00:aa")));
        assertFalse(matches(one, packet("10.0.0.1", "10.0.9.9", "02:00:00:00:00:aa", "02:00:00:00:00:bb"))); // one dimension of two
        assertFalse(matches(srcsrc, packet("10.0.0.1", "10.0.9.9", null, null))); // no Ethernet header: -EINVAL
        assertFalse(matches(srcsrc, packet("10.0.0.1", "10.0.9.9", "00:00:00:00:00:00", "00:00:00:00:00:00"))); // loopback's zero MAC
    }

    @Test
    void anElementWithoutMacTakesTheFirstPacketsAndStartsItsTimeout() {
        ipset("create m bitmap:ip,mac range 10.0.0.0/24 timeout 100 counters");
        ipset("add m 10.0.0.2 timeout 40");
        assertEquals("create m bitmap:ip,mac range 10.0.0.0-10.0.0.255 timeout 100 counters\nadd m 10.0.0.2 timeout 40 packets 0 bytes 0\n", list("m"));
        Rule r = rule("-m set --match-set m src,src");
        assertFalse(matches(r, packet("10.0.0.2", "10.0.9.9", null, null))); // no MAC to fill in: nothing changes
        assertTrue(matches(r, packet("10.0.0.2", "10.0.9.9", "02:00:00:00:00:01", "02:00:00:00:00:02")));
        assertEquals("create m bitmap:ip,mac range 10.0.0.0-10.0.0.255 timeout 100 counters\n"
                + "add m 10.0.0.2,02:00:00:00:00:01 timeout 40 packets 1 bytes 60\n", list("m"));
        assertFalse(matches(r, packet("10.0.0.2", "10.0.9.9", "02:00:00:00:00:03", "02:00:00:00:00:02")));
        assertTrue(matches(r, packet("10.0.0.2", "10.0.9.9", "02:00:00:00:00:01", "02:00:00:00:00:02")));
        assertTrue(list("m").contains("packets 2 bytes 120"));
    }

    @Test
    void setTargetAddsTheMacOfTheSecondDimensionsSide() {
        ipset("create m bitmap:ip,mac range 10.0.0.0/24");
        rule("-j SET --add-set m dst,dst").target.apply(packet("192.0.2.1", "10.0.0.9", "02:00:00:00:00:01", "02:00:00:00:00:02"));
        assertEquals("create m bitmap:ip,mac range 10.0.0.0-10.0.0.255\nadd m 10.0.0.9,02:00:00:00:00:02\n", list("m"));
        rule("-j SET --del-set m dst,dst").target.apply(packet("192.0.2.1", "10.0.0.9", "02:00:00:00:00:01", "02:00:00:00:00:07"));
        assertEquals("create m bitmap:ip,mac range 10.0.0.0-10.0.0.255\n", list("m"));
    }
}
