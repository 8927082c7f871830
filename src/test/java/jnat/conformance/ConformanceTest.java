package jnat.conformance;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * jnat against the Linux kernel, frame by frame, on generated scenarios (see {@link Harness},
 * {@link ScenarioGenerator}). The defaults are what CI runs; a longer or different run:
 * <pre>
 * mvn -o test -Dtest=ConformanceTest -Djnat.conformance.scenarios=2000 -Djnat.conformance.seed=7
 * mvn -o test -Dtest=ConformanceTest -Djnat.conformance.only=42     # one scenario, to debug it
 * </pre>
 */
class ConformanceTest {
    static final int SCENARIOS = Integer.getInteger("jnat.conformance.scenarios", 200);
    static final long SEED = Long.getLong("jnat.conformance.seed", 1);
    static final Integer ONLY = Integer.getInteger("jnat.conformance.only");

    @Test
    void jnatTransmitsWhatTheKernelTransmits() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        ScenarioGenerator gen = new ScenarioGenerator(SEED);
        List<String> mismatches = new ArrayList<>();
        int frames = 0, random = 0, generated = 0, steps = 0, scenarios = 0, failed = 0;
        long start = System.nanoTime();
        try (KernelLab lab = new KernelLab(ScenarioGenerator.HOST, ScenarioGenerator.DEVICES, ScenarioGenerator.listenerPorts())) {
            Harness harness = new Harness(lab, ONLY != null);
            int from = ONLY != null ? ONLY : 0, to = ONLY != null ? ONLY + 1 : SCENARIOS;
            for (int i = from; i < to; i++) {
                Scenario sc = gen.scenario(i);
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
                        System.out.println(sc + " rules:\n" + sc.rules);
                    }
                }
            }
        }
        String figures = String.format("conformance: %d scenarios (seed %d), %d steps injected (a fragmented step is several frames), %d transmitted frames "
                        + "compared (%d of them equal but for a port chosen at random, checked by property; %d built by "
                        + "the host itself: ICMP errors and echo replies, equal but for the IP id), "
                        + "%d nat counter listings and conntrack tables compared, %d mismatches in %d scenarios, %.1f s",
                scenarios, SEED, steps, frames, random, generated, scenarios, mismatches.size(), failed,
                (System.nanoTime() - start) / 1e9);
        System.out.println(figures);
        if (!mismatches.isEmpty()) {
            fail(figures + "\n\n" + String.join("\n\n", mismatches.subList(0, Math.min(10, mismatches.size()))));
        }
        assertTrue(frames > 0, "no frame was compared");
    }
}
