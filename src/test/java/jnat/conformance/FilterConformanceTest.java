package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.testing.Tools;
import jnat.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter table at FORWARD against the kernel: dockerd's filter rules (FORWARD policy DROP) with
 * its nat rules on the harness host, and the packets that table lets through or drops: the
 * published port through DNAT, packets routed straight to a container's address (an unpublished
 * port: dropped; the published container port: let in by Docker's own rule, as in the kernel), a
 * container's outbound connection and its replies, a LAN host to a container (dropped) and a
 * container to the LAN. Frame by frame, as {@link ConformanceTest} compares.
 */
class FilterConformanceTest {
    static final int TCP = 6, UDP = 17, SYN = 0x02, ACK = 0x10, PSH = 0x08;
    static final long CONTAINER_MAC = 0x0242ac110002L, LAN_MAC = 0x020000000202L;
    static final int PUBLIC = Ipv4Address.parse("203.0.113.2"), CONTAINER = Ipv4Address.parse("172.17.0.2"),
            INTERNET = Ipv4Address.parse("198.51.100.7"), LAN = Ipv4Address.parse("10.1.0.2");

    static final String NAT = String.join("\n", "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            ":DOCKER - [0:0]",
            "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
            "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
            "-A DOCKER -i docker0 -j RETURN",
            "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 10000 -j DNAT --to-destination 172.17.0.2:8000",
            "COMMIT", "");

    static String dockerFilter() throws IOException {
        try (InputStream in = FilterConformanceTest.class.getResourceAsStream("/filter/docker-filter.rules")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void handshake(Scenario sc, Flow f, boolean data) {
        int c = 1000 + f.id * 7919, s = 50000 + f.id * 104729;
        sc.steps.add(Step.tcp(f, Kind.ORIGINAL, SYN, c, 0, 0));
        sc.steps.add(Step.tcp(f, Kind.REPLY, SYN | ACK, s, c + 1, 0));
        sc.steps.add(Step.tcp(f, Kind.ORIGINAL, ACK, c + 1, s + 1, 0));
        if (data) {
            sc.steps.add(Step.tcp(f, Kind.ORIGINAL, PSH | ACK, c + 1, s + 1, 100));
            sc.steps.add(Step.tcp(f, Kind.REPLY, PSH | ACK, s + 1, c + 101, 200));
        }
    }

    @Test
    void dockersFilterTableLetsThroughWhatTheKernelLetsThrough() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        Scenario sc = new Scenario(0, 1, NAT + dockerFilter(), List.of("dockerd's filter table"));
        Flow published = new Flow(0, TCP, "eth0", ScenarioGenerator.ROUTER_MAC, INTERNET, 40001, PUBLIC, 10000,
                "tcp published port (DNAT)");
        Flow direct22 = new Flow(1, TCP, "eth0", ScenarioGenerator.ROUTER_MAC, INTERNET, 40002, CONTAINER, 22,
                "tcp straight to the container, unpublished port");
        Flow direct8000 = new Flow(2, TCP, "eth0", ScenarioGenerator.ROUTER_MAC, INTERNET, 40003, CONTAINER, 8000,
                "tcp straight to the container's published port");
        Flow out = new Flow(3, TCP, "docker0", CONTAINER_MAC, CONTAINER, 45000, INTERNET, 443, "tcp container out");
        Flow lanIn = new Flow(4, UDP, "eth1", LAN_MAC, LAN, 5000, CONTAINER, 53, "udp LAN host to the container");
        Flow lanOut = new Flow(5, UDP, "docker0", CONTAINER_MAC, CONTAINER, 5001, LAN, 53, "udp container to the LAN");
        sc.flows.addAll(List.of(published, direct22, direct8000, out, lanIn, lanOut));
        handshake(sc, published, true);
        sc.steps.add(Step.tcp(direct22, Kind.ORIGINAL, SYN, 77, 0, 0));
        handshake(sc, direct8000, false);
        handshake(sc, out, true);
        sc.steps.add(Step.data(lanIn, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(lanOut, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(lanOut, Kind.REPLY, 40));

        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness.Outcome o = new Harness(lab, false).run(sc);
            assertEquals(List.of(), o.mismatches());
            // published 5 + direct8000 3 + out 5 + lanOut 2 frames forwarded by both
            assertEquals(15, o.framesCompared());
        }
    }
}
