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
 * ip_error against the kernel, in a lab of its own (the kernel's per-source buckets live as long as
 * its namespace): packets routed to the harness host's unreachable, prohibit and blackhole routes,
 * and a burst to one of them from one source, which ip_error's bucket (route/error_burst 5 s,
 * error_cost 1 s) cuts after five. Frame by frame, as {@link ConformanceTest} compares.
 */
class RouteErrorConformanceTest {
    static final int UDP = 17;

    @Test
    void routeErrorsAreAnsweredAsTheKernelAnswersThem() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        Scenario sc = new Scenario(0, 1, FilterConformanceTest.NAT, List.of("route errors"));
        int c2 = Ipv4Address.parse("172.17.0.2"), c3 = Ipv4Address.parse("172.17.0.3");
        Flow unreachable = new Flow(0, UDP, "docker0", 0x0242ac110002L, c2, 40001, Ipv4Address.parse("10.9.0.1"), 53,
                "udp to an unreachable route");
        Flow prohibit = new Flow(1, UDP, "docker0", 0x0242ac110002L, c2, 40002, Ipv4Address.parse("10.8.0.1"), 53,
                "udp to a prohibit route");
        Flow blackhole = new Flow(2, UDP, "docker0", 0x0242ac110002L, c2, 40003, Ipv4Address.parse("10.7.0.1"), 53,
                "udp to a blackhole route");
        sc.flows.addAll(List.of(unreachable, prohibit, blackhole));
        sc.steps.add(Step.data(unreachable, Kind.ORIGINAL, 20));
        sc.steps.add(Step.data(prohibit, Kind.ORIGINAL, 20));
        sc.steps.add(Step.data(blackhole, Kind.ORIGINAL, 20));
        for (int i = 0; i < 7; i++) {
            Flow f = new Flow(3 + i, UDP, "docker0", 0x0242ac110003L, c3, 41000 + i, Ipv4Address.parse("10.9.0.2"), 53,
                    "udp burst to an unreachable route");
            sc.flows.add(f);
            sc.steps.add(Step.data(f, Kind.ORIGINAL, 30));
        }
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness.Outcome o = new Harness(lab, false).run(sc);
            assertEquals(List.of(), o.mismatches());
            // unreachable 1 + prohibit 1 + the burst's first 5
            assertEquals(7, o.generatedFrames());
        }
    }
}
