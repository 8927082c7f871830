package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.conformance.TablesConformanceTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * -j TEE against the kernel on the conformance router ({@link KernelLab}, {@link Harness}): copies
 * made in mangle PREROUTING (TTL decremented, DF set) and FORWARD (with --oif), in a user chain
 * (the original's return point kept: the second jump stack; the copy by the default route's
 * gateway), the neighbour of a connected gateway being the packet's own destination's, the copy untracked (not masqueraded,
 * no connection), frame by frame with every table's counters and the conntrack table.
 */
class TeeKernelTest {
    static final String RULES = String.join("\n",
            "*mangle",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            ":POSTROUTING ACCEPT [0:0]", ":COPY - [0:0]", ":SEEN - [0:0]",
            "-A PREROUTING -i eth0 -p udp -m udp --dport 7400 -j TEE --gateway 10.1.0.4",
            "-A PREROUTING -i eth1 -p udp -m udp --dport 7402 -j COPY",
            "-A PREROUTING -i eth1 -p udp -m udp --dport 7402 -j MARK --set-xmark 0x5/0xffffffff",
            "-A FORWARD -p udp -m udp --dport 7401 -j TEE --gateway 10.1.0.5 --oif eth1",
            "-A OUTPUT -j SEEN",
            "-A POSTROUTING -j SEEN",
            "-A COPY -j TEE --gateway 198.51.100.99",
            "-A COPY -j MARK --set-xmark 0x1/0xffffffff",
            "-A SEEN -p udp -m udp --dport 7402 -j RETURN",
            "-A SEEN -p udp -j MARK --set-xmark 0x2/0x2",
            "COMMIT",
            "*nat",
            ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
            "-A POSTROUTING -s 10.1.0.0/24 -o eth0 -j MASQUERADE",
            "-A POSTROUTING -o eth1 -j MASQUERADE",
            "COMMIT", "");

    @Test
    void teeCopiesLeaveAsTheKernelSendsThem() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        Scenario sc = new Scenario(0, 1, RULES, List.of("TEE"));
        long router = ScenarioGenerator.ROUTER_MAC;
        Flow in = new Flow(0, 17, "eth0", router, ip("198.51.100.7"), 40001, ip("10.1.0.2"), 7400, "udp in, TEE at PREROUTING");
        Flow fwd = new Flow(1, 17, "eth0", router, ip("198.51.100.7"), 40002, ip("10.1.0.3"), 7401, "udp in, TEE at FORWARD");
        Flow lan = new Flow(2, 17, "eth1", TablesConformanceTest.LAN2_MAC, ip("10.1.0.2"), 5000, ip("198.51.100.8"), 7402,
                "udp LAN out, TEE in a user chain");
        sc.flows.addAll(List.of(in, fwd, lan));
        sc.steps.add(Step.data(in, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(fwd, Kind.ORIGINAL, 30));
        sc.steps.add(Step.data(lan, Kind.ORIGINAL, 30));
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness.Outcome o = new Harness(lab, Boolean.getBoolean("tee.verbose")).run(sc);
            assertEquals(List.of(), o.mismatches());
            assertEquals(6, o.framesCompared(), "3 packets forwarded, 3 copies");
        }
    }
}
