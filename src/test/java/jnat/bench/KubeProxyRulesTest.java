package jnat.bench;

import jnat.rules.Ruleset;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's generated kube-proxy tables are tables iptables takes, and jnat reads them as it does. */
class KubeProxyRulesTest {

    /** Rule lines only: iptables-save's header, comments and chain lines (their counters) aside. */
    static List<String> rules(String save) {
        return save.lines().filter(l -> l.startsWith("-A ")).toList();
    }

    @Test
    void iptablesRestoresAServiceTableWithThreeEndpointsAndSavesItAsJnatSavesIt() {
        Tools.requireRoot();
        Tools.require("unshare");
        Tools.require("iptables-restore");
        String table = KubeProxyRules.generate(20, 3);
        // a network namespace of its own: the host's rules are not touched
        var r = Tools.run(List.of("unshare", "--net", "sh", "-c", "iptables-restore && iptables-save -t nat"), table).checked();
        List<String> kernel = rules(r.stdout());
        assertTrue(kernel.stream().anyMatch(l -> l.contains("-m statistic --mode random --probability 0.33333333349")),
                "the first endpoint's rule, as the kernel keeps 1/3");
        assertEquals(kernel, rules(Ruleset.parse(table).save("nat", false, true)));
    }

    @Test
    void aServiceWithOneEndpointJumpsToItWithoutAStatisticRule() {
        String table = KubeProxyRules.generate(30, 1);
        assertTrue(table.lines().noneMatch(l -> l.contains("statistic")));
        assertEquals(30, table.lines().filter(l -> l.startsWith("-A KUBE-SVC-") && l.contains("-j KUBE-SEP-")).count());
    }
}
