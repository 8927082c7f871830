package jnat.conformance;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each iptables/ip6tables module jnat has against the kernel's, in {@link ModuleScenarioGenerator}'s
 * per-module scenarios on the dual-stack lab: frames, every table's counters of both families and
 * the conntrack table (marks included) compared as {@link Harness} compares them. The default runs
 * every module four times (four rounds of the catalogue); a longer or different run:
 * <pre>
 * mvn -o test -Dtest=ModuleConformanceTest -Djnat.modconf.scenarios=232 -Djnat.modconf.seed=7
 * mvn -o test -Dtest=ModuleConformanceTest -Djnat.modconf.only=3      # one scenario, every step printed
 * </pre>
 */
class ModuleConformanceTest {
    static final long SEED = Long.getLong("jnat.modconf.seed", 1);
    static final int ROUND = (ModuleScenarioGenerator.MODULES.size() + ModuleScenarioGenerator.PER_SCENARIO - 1)
            / ModuleScenarioGenerator.PER_SCENARIO;
    static final int SCENARIOS = Integer.getInteger("jnat.modconf.scenarios", 4 * ROUND);
    static final Integer ONLY = Integer.getInteger("jnat.modconf.only");

    @Test
    void everyModuleActsOnPacketsAsTheKernelsDoes() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("ip6tables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        ModuleScenarioGenerator gen = new ModuleScenarioGenerator(SEED);
        List<String> mismatches = new ArrayList<>();
        TreeMap<String, Integer> framesPerModule = new TreeMap<>();
        int frames = 0, generated = 0, steps = 0, scenarios = 0, failed = 0;
        long start = System.nanoTime();
        try (KernelLab lab = new KernelLab(ModuleScenarioGenerator.HOST, ScenarioGenerator.DEVICES, true,
                ModuleScenarioGenerator.listenerPorts())) {
            lab.freshTablesEachLoad();
            Harness harness = new Harness(lab, ModuleScenarioGenerator.HOST, ONLY != null);
            int from = ONLY != null ? ONLY : 0, to = ONLY != null ? ONLY + 1 : SCENARIOS;
            for (int i = from; i < to; i++) {
                Scenario sc = gen.scenario(i);
                Harness.Outcome o = harness.run(sc);
                scenarios++;
                steps += sc.steps.size();
                frames += o.framesCompared();
                generated += o.generatedFrames();
                for (String m : sc.features) framesPerModule.merge(m, o.framesCompared(), Integer::sum);
                if (!o.mismatches().isEmpty()) {
                    failed++;
                    mismatches.addAll(o.mismatches());
                    if (ONLY != null || failed <= 3) {
                        System.out.println(sc + " rules:\n" + sc.rules + "ip6tables rules:\n" + sc.rules6);
                        for (String m : o.mismatches().subList(0, Math.min(4, o.mismatches().size()))) System.out.println(m + "\n");
                    }
                }
            }
            String figures = String.format("module conformance: %d scenarios (seed %d), %d modules, %d steps injected, "
                            + "%d transmitted frames compared (IPv4 and ARP %d, IPv6 %d; %d built by the host: REJECT's answers, "
                            + "ICMP errors, echo replies), %d listings of every table of both families and conntrack tables compared, "
                            + "%d mismatches in %d scenarios, %.1f s; frames of the scenarios each module was in: %s",
                    scenarios, SEED, ModuleScenarioGenerator.MODULES.size(), steps, frames, harness.framesCompared4,
                    harness.framesCompared6, generated, scenarios, mismatches.size(), failed, (System.nanoTime() - start) / 1e9,
                    framesPerModule);
            System.out.println(figures);
            if (!mismatches.isEmpty()) {
                fail(figures + "\n\n" + String.join("\n\n", mismatches.subList(0, Math.min(10, mismatches.size()))));
            }
            assertTrue(frames > 0, "no frame was compared");
            if (ONLY == null && SCENARIOS >= ROUND) {
                assertEquals(ModuleScenarioGenerator.MODULES.size(), framesPerModule.size(), "every module in a scenario");
            }
        }
    }
}
