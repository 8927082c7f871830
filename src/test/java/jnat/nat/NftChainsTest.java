package jnat.nat;

import jnat.host.Interface;
import jnat.nft.Nft;
import jnat.nft.NftRuleset;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Repr;
import jnat.wire.TransportRepr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER_MAC;
import static jnat.nat.EngineRig.GATEWAY_MAC;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nf_tables base chains at the engine's hooks (NftChainFilter, NftChainNat): real packets through the
 * engine with Docker's nftables-backend ruleset (moby's usernet-portmap.nft: MASQUERADE out of the
 * bridges, DNAT of the published port 8080 to 192.0.2.2:80, the raw drop of direct access), and nft
 * chains ordered by priority among the iptables tables.
 */
class NftChainsTest {
    final EngineRig rig = EngineRig.host(TableHooksTest.HOST).ipv4Only().rules("");
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0"), bridge1 = rig.device("bridge1");

    static NftRuleset moby() throws IOException {
        // nft 1.0.6 allows the name dstnat at prerouting only; moby's output chain is at its value
        return Nft.parse("usernet-portmap.nft", Files.readString(Path.of("src/test/resources/nft/moby/usernet-portmap.nft"))
                .replace("hook output priority dstnat;", "hook output priority -100;"));
    }

    void receive(Interface in, String srcMac, Ipv4Repr ip, TransportRepr l4) {
        rig.receive(in, EthernetRepr.of(srcMac, in.macString()).frame(ip, l4));
    }

    NatEngine nft(String text) {
        rig.engine().setNftRuleset(Nft.parse("test.nft", text));
        return rig.engine();
    }

    @Test
    void mobysMasqueradeRewritesAContainersSourceOutOfEth0() throws IOException {
        rig.engine().setNftRuleset(moby());
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of("eth0 45.77.200.180:41000 > 198.51.100.7:53"), rig.summaries());
        assertArrayEquals(new long[] {1, 28}, rig.engine().nftCounter("ip", "docker-bridges", "nat-postrouting-out__docker0", 0));
    }

    @Test
    void mobysDnatSendsThePublishedPortToTheContainerAndTheReplyBack() throws IOException {
        rig.engine().setNftRuleset(moby());
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 8080));
        receive(bridge1, TableHooksTest.C1_MAC, Ipv4Repr.of("192.0.2.2", "198.51.100.7"),
                jnat.wire.TcpRepr.of(80, 40000).withFlags(0x12));
        assertEquals(List.of("bridge1 198.51.100.7:40000 > 192.0.2.2:80", "eth0 45.77.200.180:8080 > 198.51.100.7:40000"),
                rig.summaries());
        assertEquals(1, rig.engine().nftCounter("ip", "docker-bridges", "nat-prerouting-and-output", 0)[0]);
        assertEquals(1, rig.engine().nftCounter("ip", "docker-bridges", "filter-forward-in__bridge1", 2)[0], "published port accepted");
        assertEquals(1, rig.engine().nftCounter("ip", "docker-bridges", "filter-forward-out__bridge1", 0)[0], "the reply is established");
    }

    @Test
    void mobysRawChainDropsDirectAccessBeforeConntrack() throws IOException {
        rig.engine().setNftRuleset(moby());
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "192.0.2.2"), syn(40000, 80));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.NFT_DROP));
        assertEquals(0, rig.engine().connections().count(), "raw runs before conntrack");
        assertEquals(1, rig.engine().nftCounter("ip", "docker-bridges", "raw-PREROUTING", 0)[0]);
    }

    @Test
    void mobysUnpublishedPortIsDroppedInTheJumpedToChain() throws IOException {
        rig.engine().setNftRuleset(moby());
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "192.0.2.3"), syn(40000, 22));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.NFT_DROP));
        assertEquals(1, rig.engine().nftCounter("ip", "docker-bridges", "filter-forward-in__bridge1", 3)[0]);
    }

    @Test
    void aRulesetWithWhatTheEngineCannotRunIsRefusedWholeAndTheOldOneStays() throws IOException {
        rig.engine().setNftRuleset(moby());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nft("""
                table ip t {
                	chain f { type filter hook forward priority 0; policy drop; }
                	chain in { type filter hook input priority 0; udp dport 9 log; }
                }
                """));
        assertTrue(e.getMessage().contains("table ip t chain in handle") && e.getMessage().contains("log"), e.getMessage());
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of("eth0 45.77.200.180:41000 > 198.51.100.7:53"), rig.summaries(), "moby's chains still run");
    }

    @Test
    void aNatStatementReachedFromAFilterChainIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nft("""
                table ip t {
                	chain f { type filter hook prerouting priority 0; jump n; }
                	chain n { dnat to 203.0.113.1; }
                }
                """));
        assertTrue(e.getMessage().contains("reaches a NAT statement in chain n"), e.getMessage());
    }

    @Test
    void anNftChainBeforeTheFilterTableDropsBeforeIptablesCountsIt() {
        rig.rules("*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n");
        nft("table ip t {\n\tchain f { type filter hook forward priority -10; policy drop; }\n}\n");
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.NFT_DROP));
        assertEquals(0, rig.engine().ruleset().existing("filter").chain("FORWARD").rule(0).packets);
    }

    @Test
    void anIptablesTableLoadedAfterTheNftRulesetRunsAtItsPriority() {
        nft("table ip t {\n\tchain f { type filter hook forward priority 10; policy accept; }\n}\n");
        // the filter table arrives after, in the same engine (iptables-restore beside a loaded nft ruleset)
        rig.engine().setRuleset(jnat.rules.Ruleset.parse("*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j DROP\nCOMMIT\n"));
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
    }

    @Test
    void anNftChainAfterTheFilterTableSeesWhatIptablesAccepted() {
        rig.rules("*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n");
        nft("table ip t {\n\tchain f { type filter hook forward priority 10; policy drop; }\n}\n");
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.NFT_DROP));
        assertEquals(1, rig.engine().ruleset().existing("filter").chain("FORWARD").rule(0).packets);
    }

    @Test
    void snatToARangeWithPortsPicksFromIt() {
        nft("""
                table ip t {
                	chain post { type nat hook postrouting priority srcnat; oifname "eth0" udp dport 53 snat to 203.0.113.10-203.0.113.11:2000-2001; }
                }
                """);
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        String s = rig.summaries().get(0);
        assertTrue(s.matches("eth0 203\\.0\\.113\\.1[01]:200[01] > 198\\.51\\.100\\.7:53"), s);
    }

    @Test
    void masqueradeFullyRandomMovesTheSourcePortEvenWhenItIsFree() {
        nft("table ip t {\n\tchain post { type nat hook postrouting priority srcnat; oifname \"eth0\" masquerade fully-random; }\n}\n");
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        String s = rig.summaries().get(0);
        assertTrue(s.startsWith("eth0 45.77.200.180:") && !s.startsWith("eth0 45.77.200.180:41000 "), s);
    }

    @Test
    void masqueradeToAPortRangeKeepsTheSourceInIt() {
        nft("table ip t {\n\tchain post { type nat hook postrouting priority srcnat; oifname \"eth0\" udp dport 53 masquerade to :5000-5001; }\n}\n");
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        String s = rig.summaries().get(0);
        assertTrue(s.matches("eth0 45\\.77\\.200\\.180:500[01] > 198\\.51\\.100\\.7:53"), s);
    }

    @Test
    void anNftNatChainBeforeIptablesNatBindsFirst() {
        rig.rules("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.9:80\nCOMMIT\n");
        nft("table ip t {\n\tchain pre { type nat hook prerouting priority -110; tcp dport 8080 dnat to 172.17.0.2:8000; }\n}\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 8080));
        assertEquals(List.of("docker0 198.51.100.7:40000 > 172.17.0.2:8000"), rig.summaries());
        assertEquals(0, rig.engine().ruleset().existing("nat").chain("PREROUTING").rule(0).packets, "iptables' nat never ran");
    }

    @Test
    void iptablesNatBeforeAnNftNatChainBindsFirst() {
        rig.rules("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.9:80\nCOMMIT\n");
        nft("table ip t {\n\tchain pre { type nat hook prerouting priority -90; tcp dport 8080 counter dnat to 172.17.0.2:8000; }\n}\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 8080));
        assertEquals(List.of("docker0 198.51.100.7:40000 > 172.17.0.9:80"), rig.summaries());
        assertEquals(0, rig.engine().nftCounter("ip", "t", "pre", 0)[0], "the connection was bound: the nft chain is not walked");
    }

    @Test
    void redirectDeliversToTheInDevicesAddressAndPort() {
        nft("table ip t {\n\tchain pre { type nat hook prerouting priority dstnat; iifname \"docker0\" tcp dport 80 redirect to :3128; }\n}\n");
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), syn(41000, 80));
        assertEquals(1, rig.delivered().size());
        jnat.wire.Ipv4Packet p = EngineRig.wrap(rig.delivered().get(0), 0);
        assertEquals("172.17.0.1:3128", jnat.wire.Ipv4Address.format(p.dst()) + ":" + p.dstPort());
    }

    @Test
    void withoutAnNftRulesetNothingIsCounted() {
        rig.engine().setNftRuleset(null);
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of("eth0 172.17.0.2:41000 > 198.51.100.7:53"), rig.summaries());
        assertNull(rig.engine().nftCounter("ip", "docker-bridges", "raw-PREROUTING", 0));
    }
}
