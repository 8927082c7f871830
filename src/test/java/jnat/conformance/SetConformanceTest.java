package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.testing.Tools;
import jnat.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -m set and -j SET against the kernel: sets restored in both (a hash:net with a nomatch hole,
 * a hash:ip,port of services, an empty hash:ip the SET target fills, a hash:net,port it deletes
 * from, a hash:net,iface with a wildcard, a net on the packets' device and a longer net on another
 * device that hides the shorter ones), FORWARD rules that drop, accept, add and delete by them, and flows through the harness
 * host from internet sources in and out of the sets, in both directions. Frame by frame as
 * {@link ConformanceTest} compares, then every table's -nvxL counters and {@code ipset list}
 * (members, their packet and byte counters, the SET target's adds, "Size in memory") equal.
 */
class SetConformanceTest {
    static final int TCP = 6, UDP = 17, SYN = 0x02, ACK = 0x10;
    static final int CONTAINER = Ipv4Address.parse("172.17.0.2"), CONTAINER3 = Ipv4Address.parse("172.17.0.3");

    static final String SETS = String.join("\n",
            "create blocked hash:net counters initval 0x11",
            "add blocked 198.51.100.0/25",
            "add blocked 198.51.100.64/26 nomatch",
            "create services hash:ip,port counters initval 0x22",
            "add services 172.17.0.2,tcp:8000",
            "add services 172.17.0.2,udp:53",
            "create seen hash:ip counters initval 0x33",
            "create pending hash:net,port initval 0x44",
            "add pending 198.51.100.128/25,udp:5000",
            "add pending 198.51.100.0/24,tcp:41000",
            "create ifaces hash:net,iface counters initval 0x55",
            "add ifaces 198.51.100.0/24,eth+",
            "add ifaces 198.51.100.128/25,eth1",
            "add ifaces 198.51.100.0/26,eth0",
            "add ifaces 172.17.0.0/16,docker0", "");

    static final String RULES = String.join("\n", "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            "COMMIT",
            "*filter",
            ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A FORWARD -m set --match-set ifaces src,src -j MARK --or-mark 0x1",
            "-A FORWARD -m set --match-set ifaces dst,dst -j MARK --or-mark 0x2",
            "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A FORWARD -m set --match-set blocked src -j DROP",
            "-A FORWARD -m set --match-set blocked src --return-nomatch -j SET --add-set seen src --exist",
            "-A FORWARD -i eth0 -j SET --add-set seen src",
            "-A FORWARD -j SET --del-set pending src,src",
            "-A FORWARD -m set --match-set services dst,dst -j ACCEPT",
            "-A FORWARD -m set ! --match-set seen src -o eth0 -j ACCEPT",
            "COMMIT", "");

    @Test
    void setMatchesAndTheSetTargetAreTheKernels() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("ipset");
        Tools.require("conntrack");
        Tools.require("python3");
        Scenario sc = new Scenario(0, 1, RULES, List.of("-m set, -j SET"));
        sc.ipset = SETS;
        long router = ScenarioGenerator.ROUTER_MAC;
        Flow blocked = new Flow(0, TCP, "eth0", router, Ipv4Address.parse("198.51.100.7"), 40001, CONTAINER, 8000,
                "tcp from a blocked /25");
        Flow hole = new Flow(1, TCP, "eth0", router, Ipv4Address.parse("198.51.100.70"), 41000, CONTAINER, 8000,
                "tcp from the nomatch /26 inside it, to a service");
        // sources off eth0's link: a reply to an on-link one waits for ARP in the kernel, its skb holding the connection (use=2)
        Flow other = new Flow(2, UDP, "eth0", router, Ipv4Address.parse("198.51.100.130"), 5000, CONTAINER, 53,
                "udp from outside the sets, to a service");
        Flow notService = new Flow(3, UDP, "eth0", router, Ipv4Address.parse("198.51.100.140"), 5001, CONTAINER3, 54,
                "udp to a port no set holds");
        Flow out = new Flow(4, UDP, "docker0", 0x0242ac110002L, CONTAINER, 6000, Ipv4Address.parse("198.51.100.200"), 53,
                "udp container out, its source not seen");
        sc.flows.addAll(List.of(blocked, hole, other, notService, out));
        sc.steps.add(Step.tcp(blocked, Kind.ORIGINAL, SYN, 100, 0, 0));
        sc.steps.add(Step.tcp(hole, Kind.ORIGINAL, SYN, 200, 0, 0));
        sc.steps.add(Step.tcp(hole, Kind.REPLY, SYN | ACK, 900, 201, 0));
        sc.steps.add(Step.tcp(hole, Kind.ORIGINAL, ACK, 201, 901, 0));
        sc.steps.add(Step.data(other, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(other, Kind.REPLY, 40));
        sc.steps.add(Step.data(notService, Kind.ORIGINAL, 20));
        sc.steps.add(Step.data(out, Kind.ORIGINAL, 10));
        sc.steps.add(Step.data(out, Kind.REPLY, 12));
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness.Outcome o = new Harness(lab, false).run(sc);
            assertEquals(List.of(), o.mismatches());
            // hole 3 + other 2 + out 2 frames forwarded by both
            assertEquals(7, o.framesCompared());
            // the comparison saw the target at work: the nomatch hole's source and the eth0 source added, the pending deleted
            String sets = lab.ipsetListing();
            assertTrue(sets.contains("\n198.51.100.70 packets"), sets);
            assertTrue(sets.contains("\n198.51.100.130 packets"), sets);
            assertTrue(!sets.contains("198.51.100.128/25,udp:5000"), sets);
            // eth0's 198.51.100.7 matched its /26; the kernel matched no packet's device to eth+ (nor does jnat)
            assertTrue(sets.contains("\n198.51.100.0/26,eth0 packets 1 bytes 60\n"), sets);
            assertTrue(sets.contains("\n198.51.100.0/24,eth+ packets 0 bytes 0\n"), sets);
        }
    }
    static final String TRIPLE_SETS = String.join("\n",
            "create access hash:ip,port,net counters initval 0x66",
            "add access 172.17.0.2,tcp:8000,198.51.100.0/24",
            "add access 172.17.0.2,tcp:8000,198.51.100.64/26 nomatch",
            "add access 172.17.0.2,udp:53,198.51.100.128/25",
            "create learned hash:ip,port,net counters initval 0x77",
            "add learned 172.17.0.9,udp:9,203.0.113.0/24", "");

    static final String TRIPLE_RULES = String.join("\n", "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            "COMMIT",
            "*filter",
            ":INPUT ACCEPT [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A FORWARD -i eth0 -j SET --add-set learned dst,dst,src --exist",
            "-A FORWARD -m set --match-set access dst,dst,src -j ACCEPT",
            "-A FORWARD -m set --match-set learned src,src,dst -j ACCEPT",
            "COMMIT", "");

    /**
     * hash:ip,port,net under -m set dst,dst,src (the longest prefix holding the source decides, a
     * nomatch /26 inside an accepted /24) and -j SET dst,dst,src (the add takes the set's prefix in
     * use, /24): frames, counters and both sets' listings equal to the kernel's.
     */
    @Test
    void ipPortNetSetsMatchAndLearnAsTheKernels() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("ipset");
        Tools.require("conntrack");
        Tools.require("python3");
        Scenario sc = new Scenario(0, 1, TRIPLE_RULES, List.of("-m set, -j SET over hash:ip,port,net"));
        sc.ipset = TRIPLE_SETS;
        long router = ScenarioGenerator.ROUTER_MAC;
        Flow inNet = new Flow(0, TCP, "eth0", router, Ipv4Address.parse("198.51.100.7"), 40001, CONTAINER, 8000,
                "tcp to the service from its /24");
        Flow hole = new Flow(1, TCP, "eth0", router, Ipv4Address.parse("198.51.100.70"), 41000, CONTAINER, 8000,
                "tcp to the service from the nomatch /26");
        Flow udp = new Flow(2, UDP, "eth0", router, Ipv4Address.parse("198.51.100.130"), 5000, CONTAINER, 53,
                "udp to the service from its /25");
        Flow wrongPort = new Flow(3, UDP, "eth0", router, Ipv4Address.parse("198.51.100.140"), 5001, CONTAINER3, 54,
                "udp to a port no element holds");
        sc.flows.addAll(List.of(inNet, hole, udp, wrongPort));
        sc.steps.add(Step.tcp(inNet, Kind.ORIGINAL, SYN, 100, 0, 0));
        sc.steps.add(Step.tcp(inNet, Kind.REPLY, SYN | ACK, 900, 101, 0));
        sc.steps.add(Step.tcp(hole, Kind.ORIGINAL, SYN, 200, 0, 0));
        sc.steps.add(Step.data(udp, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(udp, Kind.REPLY, 40));
        sc.steps.add(Step.data(wrongPort, Kind.ORIGINAL, 20));
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness.Outcome o = new Harness(lab, false).run(sc);
            assertEquals(List.of(), o.mismatches());
            // the /24's SYN and its answer, the /25's datagram and its answer
            assertEquals(4, o.framesCompared());
            String sets = lab.ipsetListing();
            // the target's adds at the set's /24, their counters from the packet that added them (the kernel's
            // ip_set_init_counter); the dropped datagram's element is learned too
            assertTrue(sets.contains("\n172.17.0.2,tcp:8000,198.51.100.0/24 packets 1 bytes 60\n"), sets);
            assertTrue(sets.contains("\n172.17.0.3,udp:54,198.51.100.0/24 packets 1 bytes 48\n"), sets);
            assertTrue(sets.contains("\n172.17.0.2,tcp:8000,198.51.100.64/26 nomatch packets 1 bytes 60\n"), sets);
        }
    }
}
