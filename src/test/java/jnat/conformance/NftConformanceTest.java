package jnat.conformance;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * jnat against the kernel with nf_tables rulesets ({@link NftScenarioGenerator}: Docker's nftables backend
 * for ip and ip6, kube-proxy's nftables mode, a hand-written inet table, iptables-nft beside native tables),
 * loaded with {@code nft -f} in the router namespace: every transmitted frame, the iptables tables' counters,
 * every native table's {@code nft list table} (counters, quotas) and the connection table compared.
 * <pre>
 * mvn -o test -Dtest=NftConformanceTest -Djnat.conformance.nft=1000 -Djnat.conformance.seed=7
 * mvn -o test -Dtest=NftConformanceTest -Djnat.conformance.only=42     # one scenario, to debug it
 * </pre>
 */
class NftConformanceTest {
    static final int SCENARIOS = Integer.getInteger("jnat.conformance.nft", 100);

    @Test
    void jnatTransmitsWhatTheKernelTransmitsWithNftRulesets() throws Exception {
        Tools.requireRoot();
        Tools.require("nft");
        Tools.require("iptables-restore");
        Tools.require("ip6tables-restore");
        Tools.require("conntrack");
        Tools.require("python3");
        NftScenarioGenerator gen = new NftScenarioGenerator(ConformanceTest.SEED);
        Integer only = ConformanceTest.ONLY;
        List<String> mismatches = new ArrayList<>();
        int frames = 0, steps = 0, failed = 0, generated = 0;
        int[] perKind = new int[NftScenarioGenerator.KINDS.length];
        long start = System.nanoTime();
        try (KernelLab lab = new KernelLab(NftScenarioGenerator.HOST, ScenarioGenerator.DEVICES, true, ScenarioGenerator.listenerPorts())) {
            Harness harness = new Harness(lab, NftScenarioGenerator.HOST, only != null);
            int from = only != null ? only : 0, to = only != null ? only + 1 : SCENARIOS;
            for (int i = from; i < to; i++) {
                Scenario sc = gen.scenario(i);
                Harness.Outcome o = harness.run(sc);
                perKind[i % perKind.length]++;
                steps += sc.steps.size();
                frames += o.framesCompared();
                generated += o.generatedFrames();
                if (!o.mismatches().isEmpty()) {
                    failed++;
                    mismatches.addAll(o.mismatches());
                    String first = o.mismatches().get(0);
                    System.out.println("MISMATCH " + first.substring(0, Math.min(first.length(), 400)));
                    if (only != null || failed <= 3) System.out.println(sc + " nft ruleset:\n" + sc.nft + "iptables:\n" + sc.rules);
                }
            }
            String figures = String.format("nft conformance: %d scenarios (seed %d; moby %d, moby6 %d, kube-proxy %d, hand %d, mixed %d), "
                            + "%d steps, %d frames compared (IPv4 and ARP %d, IPv6 %d; %d built by the host), %d mismatches in %d scenarios, %.1f s",
                    to - from, ConformanceTest.SEED, perKind[0], perKind[1], perKind[2], perKind[3], perKind[4], steps, frames,
                    harness.framesCompared4, harness.framesCompared6, generated, mismatches.size(), failed, (System.nanoTime() - start) / 1e9);
            System.out.println(figures);
            if (!mismatches.isEmpty()) fail(figures + "\n\n" + String.join("\n\n", mismatches.subList(0, Math.min(10, mismatches.size()))));
            assertTrue(harness.framesCompared4 > 0 && harness.framesCompared6 > 0, "both families compared");
        }
    }
}
