package jnat.nat;

import jnat.host.Interface;
import jnat.wire.EthernetRepr;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.TransportRepr;
import jnat.wire.UdpRepr;
import jnat.wire.WireError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER_MAC;
import static jnat.nat.EngineRig.GATEWAY_MAC;
import static jnat.nat.EngineRig.payload;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw, mangle, filter and security tables at their hooks, in the kernel's priority order
 * (raw -300, conntrack -200, mangle -150, nat DST -100, filter 0, security 50, nat SRC 100): real
 * packets through the engine, and what each table's verdict or target does to them.
 */
class TableHooksTest {
    static final String BRIDGE1_MAC = "02:42:c0:00:02:01", C1_MAC = "02:42:c0:00:02:02", C3_MAC = "02:42:c0:00:02:03";

    /** IcmpSendTest's Docker host, and a user-defined network bridge1 192.0.2.0/24 as usernet-portmap.md creates it. */
    static final String HOST = IcmpSendTest.HOST + """
            link add bridge1 type bridge
            link set dev bridge1 address 02:42:c0:00:02:01 mtu 1500 up
            addr add 192.0.2.1/24 brd + dev bridge1
            neigh add 192.0.2.2 lladdr 02:42:c0:00:02:02 dev bridge1
            neigh add 192.0.2.3 lladdr 02:42:c0:00:02:03 dev bridge1
            """;

    static final String SEED_NAT = EngineRig.SEED_RULES;

    final EngineRig rig = EngineRig.host(HOST).ipv4Only();
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0"), bridge1 = rig.device("bridge1");
    final List<byte[]> delivered = rig.delivered();

    void receive(Interface in, String srcMac, Ipv4Repr ip, TransportRepr l4) {
        rig.receive(in, EthernetRepr.of(srcMac, in.macString()).frame(ip, l4));
    }

    void send(Ipv4Repr ip, TransportRepr l4) {
        rig.send(ip.packet(l4));
    }

    // ---- filter INPUT and OUTPUT: the host's own packets --------------------------------------

    @Test
    void inputDropOfIcmpStopsTheEchoReplyAndLocalDelivery() {
        rig.rules(SEED_NAT + "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp -j DROP\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), IcmpRepr.echoRequest(1, 1, payload(56)));
        assertEquals(List.of(), rig.summaries(), "no echo reply");
        assertEquals(0, delivered.size(), "not delivered");
        assertEquals(0, rig.engine().snmp().icmpEchoRepliesSent());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
        assertEquals(0, rig.engine().connections().count(), "the dropped ping's connection is never confirmed");
        // UDP to the host is still delivered
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(5000, 53));
        assertEquals(1, delivered.size());
    }

    @Test
    void inputPolicyDropCountsWhatItDroppedAndSpareForwardedTraffic() {
        rig.rules(SEED_NAT + "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(5000, 53));
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 10000));
        assertEquals(List.of("docker0 198.51.100.7:40000 > 172.17.0.2:8000"), rig.summaries(), "the DNATed one is forwarded");
        assertEquals(0, delivered.size());
        assertEquals(1, rig.engine().ruleset().existing("filter").chain("INPUT").policyPackets);
    }

    @Test
    void outputDropStopsTheHostsIcmpError() {
        rig.rules(SEED_NAT + "*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p icmp -m icmp --icmp-type time-exceeded -j DROP\nCOMMIT\n");
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(1), UdpRepr.of(5000, 53));
        assertEquals(List.of(), rig.summaries(), "no time exceeded");
        assertEquals(1, rig.drops(DropReason.TTL_EXCEEDED));
        assertEquals(1, rig.drops(DropReason.FILTER_DROP), "the host's ICMP error, dropped at OUTPUT");
        assertEquals(0, rig.engine().connections().count());
    }

    @Test
    void outputDropStopsTheHostsOwnPackets() {
        rig.rules(SEED_NAT + "*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -d 198.51.100.7/32 -o eth0 -j DROP\nCOMMIT\n");
        send(Ipv4Repr.of("45.77.200.180", "198.51.100.7"), UdpRepr.of(41000, 53));
        send(Ipv4Repr.of("45.77.200.180", "198.51.100.8"), UdpRepr.of(41000, 53));
        assertEquals(List.of("eth0 45.77.200.180:41000 > 198.51.100.8:53"), rig.summaries());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
        assertEquals(1, rig.engine().connections().count(), "only the packet that left made a connection");
    }

    @Test
    void outputSeesTheRouteOfTheDestinationNatOutputChose() {
        // nat OUTPUT DNATs the host's own connection to its published port onto docker0: filter OUTPUT runs after it
        rig.rules(SEED_NAT + "*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -o docker0 -p tcp -j DROP\nCOMMIT\n");
        send(Ipv4Repr.of("45.77.200.180", "45.77.200.180"), syn(45000, 10000));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
    }

    // ---- REJECT -------------------------------------------------------------------------------

    @Test
    void rejectAtInputAnswersPortUnreachableInsteadOfDelivering() {
        rig.rules(SEED_NAT + "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(5000, 53));
        assertEquals(List.of("eth0 45.77.200.180 > 198.51.100.7 icmp 3 about 45.77.200.180:53"), rig.summaries());
        assertEquals(0, delivered.size());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
        assertEquals(1, rig.engine().snmp().icmpErrorsSent());
    }

    @Test
    void rejectWithTcpResetAtForwardAnswersForTheServerTranslatedBack() {
        rig.rules(SEED_NAT + "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p tcp -m tcp --dport 8000 -j REJECT --reject-with tcp-reset\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 10000));
        EngineRig.Sent s = rig.only();
        Ipv4Packet p = s.ip();
        byte[] f = s.frame();
        assertEquals(Ipv4Address.parse("45.77.200.180"), p.src(), "the DNATed server's address translated back");
        assertEquals(10000, p.srcPort());
        assertEquals(Ipv4Address.parse("198.51.100.7"), p.dst());
        assertEquals(40000, p.dstPort());
        TcpSegment t = new TcpSegment();
        assertEquals(WireError.OK, t.wrap(f, p.payloadOffset(), p.payloadLength()));
        assertEquals(TcpSegment.RST | TcpSegment.ACK, t.flags());
        assertEquals(0, t.seq());
        assertEquals(1001, t.ack(), "the SYN acknowledged");
        assertEquals(0, p.identification());
        assertTrue(p.dontFragment());
        assertTrue(p.verifyChecksum() && p.verifyTransportChecksum());
        assertEquals(0, rig.engine().connections().count());
    }

    @Test
    void noResetForAReset() {
        rig.rules(SEED_NAT + "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), TcpRepr.of(40000, 22).withSeq(5).withFlags(TcpSegment.RST));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
    }

    // ---- raw PREROUTING: Docker's filterDirectAccess ------------------------------------------

    /** The filter, nat and raw tables of /work/shared/rulesets/usernet-portmap.md (moby's iptablesdoc), from their -S listings. */
    static String usernetPortmap() {
        String md = EngineRig.resource("/rulesets/usernet-portmap.md");
        StringBuilder dump = new StringBuilder();
        List<String> block = new ArrayList<>();
        for (String line : (md + "\n").split("\n", -1)) {
            if (line.startsWith("    -")) {
                block.add(line.substring(4));
                continue;
            }
            if (block.isEmpty()) continue;
            String table = block.contains("-P FORWARD ACCEPT") ? "filter"
                    : block.contains("-P POSTROUTING ACCEPT") ? "nat" : "raw";
            if (!block.getFirst().startsWith("-P") || dump.indexOf("*" + table + "\n") >= 0) {
                block.clear();
                continue;
            }
            dump.append('*').append(table).append('\n');
            for (String r : block) {
                String[] f = r.split(" ");
                if (f[0].equals("-P")) dump.append(':').append(f[1]).append(' ').append(f[2]).append(" [0:0]\n");
                else if (f[0].equals("-N")) dump.append(':').append(f[1]).append(" - [0:0]\n");
            }
            for (String r : block) if (r.startsWith("-A")) dump.append(r).append('\n');
            dump.append("COMMIT\n");
            block.clear();
        }
        return dump.toString();
    }

    @Test
    void theSharedRulesetHasDockersRawRule() {
        String dump = usernetPortmap();
        assertTrue(dump.contains("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -d 192.0.2.2/32 ! -i bridge1 -j DROP\nCOMMIT\n"), dump);
        assertTrue(dump.contains("*filter\n") && dump.contains("*nat\n"), dump);
    }

    @Test
    void dockersRawRuleDropsDirectAccessToTheContainerFromEth0() {
        rig.rules(usernetPortmap());
        // without the raw table Docker's own filter rule (-d 192.0.2.2 ! -i bridge1 -o bridge1 --dport 80 ACCEPT) lets it in
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "192.0.2.2"), syn(40000, 80));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.RAW_DROP));
        assertEquals(0, rig.drops(DropReason.FILTER_DROP), "dropped before filter");
        assertEquals(0, rig.engine().connections().count(), "raw runs before conntrack: no connection");
        assertEquals(1, rig.engine().ruleset().existing("raw").chain("PREROUTING").rules().getFirst().packets);
    }

    @Test
    void withoutTheRawTableDirectAccessGetsThrough() {
        rig.rules(usernetPortmap().replace("-A PREROUTING -d 192.0.2.2/32 ! -i bridge1 -j DROP\n", ""));
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "192.0.2.2"), syn(40000, 80));
        assertEquals(List.of("bridge1 198.51.100.7:40000 > 192.0.2.2:80"), rig.summaries(), "why Docker added the raw rule");
    }

    @Test
    void dockersRawRuleLetsThePublishedPortAndTheBridgeThrough() {
        rig.rules(usernetPortmap());
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 8080));
        receive(bridge1, C1_MAC, Ipv4Repr.of("192.0.2.2", "198.51.100.7"), TcpRepr.of(80, 40000).withSeq(5000).withAck(1001)
                .withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240));
        // a neighbour on bridge1 routed through the host to the container (-i bridge1): not direct access from outside
        receive(bridge1, C3_MAC, Ipv4Repr.of("192.0.2.3", "192.0.2.2"), UdpRepr.of(5000, 53));
        assertEquals(List.of("bridge1 198.51.100.7:40000 > 192.0.2.2:80", "eth0 45.77.200.180:8080 > 198.51.100.7:40000",
                "bridge1 192.0.2.3:5000 > 192.0.2.2:53"), rig.summaries());
        assertEquals(0, rig.drops(DropReason.RAW_DROP));
    }

    @Test
    void dockersRawRuleAlsoKeepsOtherBridgesContainersOut() {
        rig.rules(usernetPortmap());
        receive(docker0, CONTAINER_MAC, Ipv4Repr.of("172.17.0.2", "192.0.2.2"), syn(40000, 80));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.RAW_DROP));
    }

    // ---- mangle -------------------------------------------------------------------------------

    static final String MARKING = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i eth0 -p udp -m udp --dport 5000 -j MARK --set-xmark 0x7/0xffffffff
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p udp -m mark --mark 0x7 -j DNAT --to-destination 172.17.0.2:53
            COMMIT
            """;

    @Test
    void markSetInManglePreroutingIsSeenByNatPrerouting() {
        rig.rules(MARKING);
        rig.engine().sockets().listen("udp:5001"); // a socket takes the unmarked one: no port unreachable
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(40000, 5000));
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(40000, 5001));
        assertEquals(List.of("docker0 198.51.100.7:40000 > 172.17.0.2:53"), rig.summaries(), "the marked one DNATed");
        assertEquals(1, delivered.size(), "the unmarked one delivered to the host");
    }

    @Test
    void mangleDropIsCountedAsMangleDrop() {
        rig.rules(SEED_NAT + "*mangle\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o docker0 -j DROP\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 10000));
        assertEquals(List.of(), rig.summaries());
        assertEquals(1, rig.drops(DropReason.MANGLE_DROP));
        assertEquals(0, rig.engine().connections().count());
    }

    @Test
    void securityForwardDropIsCountedAsSecurityDrop() {
        rig.rules(SEED_NAT + "*security\n:FORWARD ACCEPT [0:0]\n-A FORWARD -d 172.17.0.2/32 -j DROP\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 10000));
        assertEquals(List.of(), rig.summaries(), "security sees the DNATed destination");
        assertEquals(1, rig.drops(DropReason.SECURITY_DROP));
    }

    // ---- NOTRACK ------------------------------------------------------------------------------

    @Test
    void notrackLeavesAFlowUntrackedAndUnNated() {
        rig.rules(SEED_NAT + "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + "-A PREROUTING -i eth0 -p tcp -m tcp --dport 10000 -j CT --notrack\nCOMMIT\n");
        rig.engine().sockets().listen("tcp:10000"); // the host's socket: no RST
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), syn(40000, 10000));
        assertEquals(List.of(), rig.summaries(), "not DNATed to the container");
        assertEquals(1, delivered.size(), "delivered to the host, as addressed");
        assertEquals(0, rig.engine().connections().count(), "no connection");
        assertEquals(0, rig.engine().invalid(), "untracked is not INVALID");
        assertEquals(0, rig.engine().ruleset().existing("nat").chain("PREROUTING").rules().getFirst().packets,
                "the nat table never saw it");
    }

    @Test
    void ctstateUntrackedMatchesANotrackedPacket() {
        rig.rules(SEED_NAT + "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\nCOMMIT\n"
                + "*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(40000, 53));
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(40000, 54));
        assertEquals(1, delivered.size(), "the NOTRACKed one accepted, the tracked one dropped by the policy");
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
    }

    @Test
    void notrackInRawOutputLeavesTheHostsPacketUnmasqueraded() {
        rig.rules(SEED_NAT + "*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -j NOTRACK\nCOMMIT\n");
        send(Ipv4Repr.of("45.77.200.180", "45.77.200.180"), UdpRepr.of(41000, 10000));
        send(Ipv4Repr.of("45.77.200.180", "198.51.100.7"), UdpRepr.of(41000, 53));
        assertEquals(List.of("eth0 45.77.200.180:41000 > 198.51.100.7:53"), rig.summaries());
        assertEquals(0, rig.engine().connections().count());
    }

    @Test
    void notrackDoesNotUntrackTheHostsIcmpErrorAboutATrackedPacket() {
        // the error carries its cause's connection (nf_ct_attach): NOTRACK in raw OUTPUT leaves it RELATED, NATed back
        rig.rules(SEED_NAT + "*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p icmp -j NOTRACK\nCOMMIT\n"
                + "*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m conntrack --ctstate UNTRACKED -j DROP\nCOMMIT\n");
        receive(eth0, GATEWAY_MAC, Ipv4Repr.of("198.51.100.7", "45.77.200.180").withTtl(1), syn(40000, 10000));
        assertEquals(List.of("eth0 45.77.200.180 > 198.51.100.7 icmp 11 about 45.77.200.180:10000"), rig.summaries(),
                "the quoted SYN translated back to the address it was sent to");
    }
}
