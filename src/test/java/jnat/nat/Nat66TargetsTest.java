package jnat.nat;

import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.assertChecksums;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.fromInternet6;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ip6tables NAT targets beyond Docker's MASQUERADE and DNAT: REDIRECT (nf_nat_redirect_ipv6) and NETMAP (netmap_tg6). */
class Nat66TargetsTest {
    static final String SERVER6 = "2001:db8:1::8";

    final EngineRig rig = EngineRig.seedDocker6();

    /** Docker's ip6tables rules with {@code rule} first in nat's {@code chain}. */
    EngineRig withNatRule(String chain, String rule) {
        String first = "-A " + chain + " ";
        int at = EngineRig.DOCKER6_RULES.indexOf(first);
        return rig.rules6(EngineRig.DOCKER6_RULES.substring(0, at) + rule + "\n" + EngineRig.DOCKER6_RULES.substring(at));
    }

    @Test
    void redirectDeliversTheContainersWebTrafficToTheHostsProxyPortOnDocker0sAddress() {
        withNatRule("PREROUTING", "-A PREROUTING -i docker0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128");
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 80)));
        assertEquals(1, rig.delivered().size(), rig.dropSummary());
        Ipv6Packet p = new Ipv6Packet();
        byte[] d = rig.delivered().getFirst();
        assertEquals(WireError.OK, p.wrap(d, 0, d.length));
        assertEquals("[fd49:efd7:54aa::1]:3128", "[" + Ipv6Address.format(p.dstHi(), p.dstLo()) + "]:" + p.dstPort());
        assertChecksums(p);
    }

    @Test
    void netmapMapsTheContainerPrefixOntoAnotherKeepingTheHostPartBothWays() {
        withNatRule("POSTROUTING", "-A POSTROUTING -s fd49:efd7:54aa::/64 -o eth0 -j NETMAP --to 2001:db8:5::/64");
        rig.receive("docker0", fromContainer6(CONTAINER6, SERVER6, syn(40000, 443)));
        EngineRig.Sent out = rig.only("eth0");
        assertEquals("eth0 [2001:db8:5::2]:40000 > [" + SERVER6 + "]:443", out.summary6());
        assertChecksums(out.ip6());
        rig.receive("eth0", fromInternet6(SERVER6, "2001:db8:5::2",
                TcpRepr.of(443, 40000).withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
        assertEquals("docker0 [" + SERVER6 + "]:443 > [" + CONTAINER6 + "]:40000", rig.only("docker0").summary6());
    }
}
