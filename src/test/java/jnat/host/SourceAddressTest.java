package jnat.host;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** selectSourceAddress as inet_select_addr(dev, nexthop, RT_SCOPE_UNIVERSE) chooses MASQUERADE's address. */
class SourceAddressTest {
    static int ip(String s) { return Inet4.parse(s); }

    static Host parse(String text) { return Host.parse(text, "s.ip"); }

    @Test
    void thePrimaryWhoseSubnetHoldsTheNextHopIsChosen() {
        Host h = parse("""
                link set eth0 address 02:00:00:00:00:01 up
                addr add 10.0.0.2/24 dev eth0
                addr add 45.77.200.180/23 dev eth0
                """);
        assertEquals(ip("45.77.200.180"), h.selectSourceAddress(h.device("eth0"), ip("45.77.200.1")));
        assertEquals(ip("10.0.0.2"), h.selectSourceAddress(h.device("eth0"), ip("10.0.0.1")));
    }

    @Test
    void withoutAMatchingSubnetTheFirstPrimaryIsChosen() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.2/24 dev eth0\naddr add 10.5.0.2/24 dev eth0\n");
        assertEquals(ip("10.0.0.2"), h.selectSourceAddress(h.device("eth0"), ip("192.0.2.1")));
    }

    @Test
    void aSecondaryIsNeverChosenEvenForItsOwnNeighbour() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.2/24 dev eth0\naddr add 10.0.0.3/24 dev eth0\n");
        assertEquals(ip("10.0.0.2"), h.selectSourceAddress(h.device("eth0"), ip("10.0.0.3")));
    }

    @Test
    void aLinkScopeAddressIsSkippedForUniverseScope() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\naddr add 169.254.1.1/16 dev eth0 scope link\naddr add 10.0.0.2/24 dev eth0\n");
        assertEquals(ip("10.0.0.2"), h.selectSourceAddress(h.device("eth0"), ip("169.254.9.9")));
        assertEquals(ip("169.254.1.1"), h.selectSourceAddress(h.device("eth0"), ip("169.254.9.9"), Scope.LINK));
    }

    @Test
    void aDeviceWithoutAddressBorrowsTheFirstGlobalPrimaryOfAnotherDevice() {
        Host h = parse("""
                link set eth0 address 02:00:00:00:00:01 up
                addr add 169.254.1.1/16 dev eth0 scope link
                link set eth1 address 02:00:00:00:00:02 up
                addr add 10.1.0.2/24 dev eth1
                link set tun0 up
                """);
        // lo's 127.0.0.1 is scope host and eth0's address scope link: both skipped
        assertEquals(ip("10.1.0.2"), h.selectSourceAddress(h.device("tun0"), ip("8.8.8.8")));
    }

    @Test
    void noGlobalAddressAnywhereGivesZero() {
        Host h = parse("link set tun0 up\n");
        assertEquals(0, h.selectSourceAddress(h.device("tun0"), ip("8.8.8.8")));
    }

    @Test
    void aHostScopePrimaryGoesFirstInTheListButIsNotChosen() {
        Host h = parse("link set eth0 address 02:00:00:00:00:01 up\naddr add 10.0.0.2/24 dev eth0\naddr add 10.9.0.1/16 dev eth0 scope host\n");
        assertEquals(ip("10.9.0.1"), h.device("eth0").addresses().get(0).local());
        assertEquals(ip("10.0.0.2"), h.selectSourceAddress(h.device("eth0"), ip("10.9.3.3")));
    }
}
