package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.testing.Tools;
import jnat.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The raw, mangle and filter INPUT/OUTPUT tables against the kernel, with the nat table at their
 * side: Docker's raw PREROUTING DROP of direct access to a container (filterDirectAccess) next to
 * its published port, NOTRACK (the flow leaves un-masqueraded, -m conntrack --ctstate UNTRACKED
 * lets it through FORWARD), a mangle PREROUTING MARK that a nat rule's -m mark DNATs, filter INPUT
 * dropping one source's pings (no echo reply), filter OUTPUT dropping the host's time exceeded to
 * one LAN host and the host's own datagrams to one port, REJECT with unreachables and TCP RSTs
 * (the RST|ACK for a SYN, the RST with the acknowledged sequence for a segment with ACK). Frame by frame, with every table's
 * counters, as {@link ConformanceTest} compares.
 */
class TablesConformanceTest {
    static final int TCP = 6, UDP = 17, ICMP = 1, SYN = 0x02, ACK = 0x10, PSH = 0x08;
    static final long CONTAINER_MAC = 0x0242ac110002L, LAN2_MAC = 0x020000000202L, LAN3_MAC = 0x020000000203L;
    static final int PUBLIC = ip("203.0.113.2"), CONTAINER = ip("172.17.0.2"), LAN_GW = ip("10.1.0.1");

    static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    static final String RULES = String.join("\n",
            "*raw",
            ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP",
            "-A PREROUTING -i eth1 -p udp -m udp --dport 7000 -j NOTRACK",
            "-A OUTPUT -p udp -m udp --dport 7100 -j CT --notrack",
            "COMMIT",
            "*mangle",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":POSTROUTING ACCEPT [0:0]",
            "-A PREROUTING -i eth1 -p udp -m udp --dport 41001 -j MARK --set-xmark 0x7/0xffffffff",
            "-A FORWARD -o docker0 -j MARK --set-xmark 0x100/0x100",
            "-A POSTROUTING -m mark --mark 0x100/0x100 -j RETURN",
            "COMMIT",
            "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            ":DOCKER - [0:0]",
            "-A PREROUTING -p udp -m mark --mark 0x7 -j DNAT --to-destination 172.17.0.3:53",
            "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
            "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
            "-A POSTROUTING -s 10.1.0.0/24 -o eth0 -j MASQUERADE",
            "-A POSTROUTING -s 203.0.113.2/32 -p udp -m udp --dport 7100 -j SNAT --to-source 203.0.113.2:7777",
            "-A DOCKER -i docker0 -j RETURN",
            "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000",
            "COMMIT",
            "*filter",
            ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A INPUT -s 198.51.100.9/32 -p icmp -m icmp --icmp-type 8 -j DROP",
            "-A INPUT -p udp -m udp --dport 41005 -j REJECT --reject-with icmp-port-unreachable",
            "-A FORWARD -p udp -m udp --dport 7200 -j REJECT --reject-with icmp-host-prohibited",
            "-A FORWARD -p tcp -m tcp --dport 7300 -j REJECT --reject-with tcp-reset",
            "-A FORWARD -p udp -m udp --dport 7000 -m conntrack --ctstate UNTRACKED -j ACCEPT",
            "-A FORWARD -p udp -m udp --dport 7000 -j DROP",
            "-A OUTPUT -d 10.1.0.3/32 -p icmp -m icmp --icmp-type 11 -j DROP",
            "-A OUTPUT -p udp -m udp --dport 9999 -j DROP",
            "COMMIT", "");

    private static void handshake(Scenario sc, Flow f) {
        int c = 1000 + f.id * 7919, s = 50000 + f.id * 104729;
        sc.steps.add(Step.tcp(f, Kind.ORIGINAL, SYN, c, 0, 0));
        sc.steps.add(Step.tcp(f, Kind.REPLY, SYN | ACK, s, c + 1, 0));
        sc.steps.add(Step.tcp(f, Kind.ORIGINAL, ACK, c + 1, s + 1, 0));
        sc.steps.add(Step.tcp(f, Kind.ORIGINAL, PSH | ACK, c + 1, s + 1, 100));
        sc.steps.add(Step.tcp(f, Kind.REPLY, PSH | ACK, s + 1, c + 101, 200));
    }

    @Test
    void rawMangleAndFilterInputOutputActAsInTheKernel() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        Scenario sc = new Scenario(0, 1, RULES, List.of("raw, mangle, filter INPUT/OUTPUT"));
        long router = ScenarioGenerator.ROUTER_MAC;
        Flow published = new Flow(0, TCP, "eth0", router, ip("198.51.100.7"), 40001, PUBLIC, 10000, "tcp published port (DNAT)");
        Flow direct = new Flow(1, TCP, "eth0", router, ip("198.51.100.7"), 40002, CONTAINER, 8000,
                "tcp straight to the container's published port (raw DROP)");
        Flow containerOut = new Flow(2, UDP, "docker0", CONTAINER_MAC, CONTAINER, 45000, ip("198.51.100.8"), 53, "udp container out");
        Flow untracked = new Flow(3, UDP, "eth1", LAN2_MAC, ip("10.1.0.2"), 5000, ip("198.51.100.8"), 7000,
                "udp LAN to the internet, NOTRACK: not masqueraded");
        Flow tracked = new Flow(4, UDP, "eth1", LAN2_MAC, ip("10.1.0.2"), 5001, ip("198.51.100.8"), 7001,
                "udp LAN to the internet, masqueraded");
        Flow marked = new Flow(5, UDP, "eth1", LAN3_MAC, ip("10.1.0.3"), 5002, LAN_GW, 41001,
                "udp marked in mangle, DNATed by -m mark");
        Flow unmarked = new Flow(6, UDP, "eth1", LAN3_MAC, ip("10.1.0.3"), 5003, LAN_GW, 41002, "udp to the host, delivered");
        Flow pingDropped = new Flow(7, ICMP, "eth0", router, ip("198.51.100.9"), 0x0707, PUBLIC, 0, "ping the host, INPUT DROP");
        Flow ping = new Flow(8, ICMP, "eth0", router, ip("198.51.100.7"), 0x0808, PUBLIC, 0, "ping the host, answered");
        Flow ttlDropped = new Flow(9, UDP, "eth1", LAN3_MAC, ip("10.1.0.3"), 5004, ip("198.51.100.8"), 53,
                "TTL 1 from 10.1.0.3: its time exceeded dropped at OUTPUT");
        Flow ttlAnswered = new Flow(10, UDP, "eth1", LAN2_MAC, ip("10.1.0.2"), 5005, ip("198.51.100.8"), 53,
                "TTL 1 from 10.1.0.2: time exceeded sent");
        Flow localDropped = new Flow(11, UDP, Scenario.LOCAL, 0, PUBLIC, 41003, ip("198.51.100.8"), 9999,
                "host's own datagram, OUTPUT DROP");
        Flow localUntracked = new Flow(12, UDP, Scenario.LOCAL, 0, PUBLIC, 41004, ip("198.51.100.8"), 7100,
                "host's own datagram, CT --notrack in raw OUTPUT: not SNATed");
        Flow rejectedIn = new Flow(13, UDP, "eth0", router, ip("198.51.100.7"), 5006, PUBLIC, 41005,
                "udp to the host, REJECT at INPUT: port unreachable");
        Flow rejectedFwd = new Flow(14, UDP, "eth1", LAN2_MAC, ip("10.1.0.2"), 5007, ip("198.51.100.8"), 7200,
                "udp LAN to the internet, REJECT at FORWARD: host prohibited");
        Flow reset = new Flow(15, TCP, "eth1", LAN3_MAC, ip("10.1.0.3"), 5008, ip("198.51.100.8"), 7300,
                "tcp LAN to the internet, REJECT --reject-with tcp-reset at FORWARD");
        sc.flows.addAll(List.of(published, direct, containerOut, untracked, tracked, marked, unmarked, pingDropped, ping,
                ttlDropped, ttlAnswered, localDropped, localUntracked, rejectedIn, rejectedFwd, reset));
        handshake(sc, published);
        sc.steps.add(Step.tcp(direct, Kind.ORIGINAL, SYN, 77, 0, 0));
        sc.steps.add(Step.data(containerOut, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(containerOut, Kind.REPLY, 40));
        sc.steps.add(Step.data(untracked, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(untracked, Kind.ORIGINAL, 31));
        sc.steps.add(Step.data(tracked, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(tracked, Kind.REPLY, 40));
        sc.steps.add(Step.data(marked, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(marked, Kind.REPLY, 40));
        sc.steps.add(Step.data(unmarked, Kind.ORIGINAL, 30));
        sc.steps.add(Step.echo(pingDropped, Kind.ORIGINAL, 1));
        sc.steps.add(Step.echo(ping, Kind.ORIGINAL, 1));
        sc.steps.add(Step.data(ttlDropped, Kind.ORIGINAL, 20).mangled(Step.TTL_ONE));
        sc.steps.add(Step.data(ttlAnswered, Kind.ORIGINAL, 20).mangled(Step.TTL_ONE));
        sc.steps.add(Step.data(localDropped, Kind.ORIGINAL, 20));
        sc.steps.add(Step.data(localUntracked, Kind.ORIGINAL, 20));
        sc.steps.add(Step.data(rejectedIn, Kind.ORIGINAL, 20));
        sc.steps.add(Step.data(rejectedFwd, Kind.ORIGINAL, 20));
        sc.steps.add(Step.tcp(reset, Kind.ORIGINAL, SYN, 3000, 0, 0));
        sc.steps.add(Step.tcp(reset, Kind.ORIGINAL, PSH | ACK, 3001, 9000, 50));

        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness.Outcome o = new Harness(lab, Boolean.getBoolean("tables.verbose")).run(sc);
            assertEquals(List.of(), o.mismatches());
            // published 5, containerOut 2, untracked 2, tracked 2, marked 2, ping's reply 1, ttlAnswered's error 1,
            // localUntracked 1, the REJECTs' answers 4
            assertEquals(20, o.framesCompared());
            assertEquals(6, o.generatedFrames(), "the echo reply, one time exceeded, two unreachables, two RSTs");
        }
    }
}
