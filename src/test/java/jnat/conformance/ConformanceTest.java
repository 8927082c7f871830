package jnat.conformance;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * jnat against the Linux kernel, frame by frame, on generated scenarios (see {@link Harness},
 * {@link ScenarioGenerator}, {@link ScenarioGenerator6}). The defaults are what CI runs; a longer or
 * different run:
 * <pre>
 * mvn -o test -Dtest=ConformanceTest -Djnat.conformance.scenarios=2000 -Djnat.conformance.seed=7
 * mvn -o test -Dtest=ConformanceTest -Djnat.conformance.only=42     # one scenario, to debug it
 * mvn -o test -Dtest='ConformanceTest#dualStack*' -Djnat.conformance.scenarios6=1000   # dual-stack only
 * </pre>
 */
class ConformanceTest {
    static final int SCENARIOS = Integer.getInteger("jnat.conformance.scenarios", 200);
    /** Dual-stack scenarios: IPv6 flows and rules beside two IPv4 flows, in a lab with IPv6 on. */
    static final int SCENARIOS6 = Integer.getInteger("jnat.conformance.scenarios6", 200);
    static final long SEED = Long.getLong("jnat.conformance.seed", 1);
    static final Integer ONLY = Integer.getInteger("jnat.conformance.only");

    @Test
    void jnatTransmitsWhatTheKernelTransmits() throws Exception {
        requireTools();
        ScenarioGenerator gen = new ScenarioGenerator(SEED);
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            run("conformance", new Harness(lab, ScenarioGenerator.HOST, ONLY != null), gen::scenario, SCENARIOS);
        }
    }

    @Test
    void dualStackJnatTransmitsWhatTheKernelTransmits() throws Exception {
        requireTools();
        Tools.require("ip6tables-restore");
        ScenarioGenerator6 gen = new ScenarioGenerator6(SEED);
        try (KernelLab lab = new KernelLab(ScenarioGenerator6.HOST, ScenarioGenerator.DEVICES, true,
                ScenarioGenerator.listenerPorts())) {
            run("dual-stack conformance", new Harness(lab, ScenarioGenerator6.HOST, ONLY != null), gen::scenario, SCENARIOS6);
        }
    }

    /** Scenarios of each kind run on two lanes (issue 17: the conformance holds with two workers). */
    static final int SCENARIOS_LANES = Integer.getInteger("jnat.conformance.lanes", 100);

    @Test
    void onTwoLanesJnatTransmitsWhatTheKernelTransmits() throws Exception {
        requireTools();
        Tools.require("ip6tables-restore");
        ScenarioGenerator gen = new ScenarioGenerator(SEED); // the first scenarios of the one-lane runs, on two lanes
        Harness h4, h6;
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            run("conformance on two lanes", h4 = new Harness(lab, ScenarioGenerator.HOST, ONLY != null, 2), gen::scenario, SCENARIOS_LANES);
        }
        ScenarioGenerator6 gen6 = new ScenarioGenerator6(SEED);
        try (KernelLab lab = new KernelLab(ScenarioGenerator6.HOST, ScenarioGenerator.DEVICES, true, ScenarioGenerator.listenerPorts())) {
            run("dual-stack conformance on two lanes", h6 = new Harness(lab, ScenarioGenerator6.HOST, ONLY != null, 2), gen6::scenario,
                    SCENARIOS_LANES);
        }
        System.out.println("frames the lanes ran shared: " + h4.sharedPackets + " (IPv4), " + h6.sharedPackets + " (dual-stack)");
        assertTrue(h4.sharedPackets > 0 && h6.sharedPackets > 0, "the lanes shared no packet: the shared path was not compared");
    }

    private static void requireTools() {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
    }

    private static void run(String what, Harness harness, IntFunction<Scenario> gen, int count) throws Exception {
        List<String> mismatches = new ArrayList<>();
        int frames = 0, random = 0, generated = 0, steps = 0, scenarios = 0, failed = 0;
        long start = System.nanoTime();
        int from = ONLY != null ? ONLY : 0, to = ONLY != null ? ONLY + 1 : count;
        for (int i = from; i < to; i++) {
            Scenario sc = gen.apply(i);
            Harness.Outcome o = harness.run(sc);
            scenarios++;
            steps += sc.steps.size();
            frames += o.framesCompared();
            random += o.randomPortFrames();
            generated += o.generatedFrames();
            if (!o.mismatches().isEmpty()) {
                failed++;
                mismatches.addAll(o.mismatches());
                if (ONLY != null || mismatches.size() <= 3) {
                    System.out.println(sc + " rules:\n" + sc.rules + (sc.rules6 == null ? "" : "ip6tables rules:\n" + sc.rules6));
                }
            }
        }
        String figures = String.format("%s: %d scenarios (seed %d), %d steps injected (a fragmented step is several frames), "
                        + "%d transmitted frames compared (IPv4 and ARP %d, IPv6 %d, %d of those fragments, from %d IPv6 trains; %d advertisements and %d ARP replies "
                        + "answering the host's solicitations and requests; "
                        + "%d of them equal but for a port chosen at "
                        + "random, checked by property; %d built by the host itself: ICMP and ICMPv6 errors, echo replies, "
                        + "neighbour advertisements, resets), %d counter listings and conntrack tables compared, "
                        + "%d mismatches in %d scenarios, %.1f s",
                what, scenarios, SEED, steps, frames, harness.framesCompared4, harness.framesCompared6, harness.fragmentsCompared6, harness.trains6, harness.advertisements6, harness.arpReplies4, random, generated,
                scenarios, mismatches.size(), failed, (System.nanoTime() - start) / 1e9);
        System.out.println(figures);
        if (!mismatches.isEmpty()) {
            fail(figures + "\n\n" + String.join("\n\n", mismatches.subList(0, Math.min(10, mismatches.size()))));
        }
        assertTrue(frames > 0, "no frame was compared");
    }
}
