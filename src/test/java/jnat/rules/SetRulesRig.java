package jnat.rules;

import jnat.ipset.IpSetCore;
import jnat.ipset.Ipset;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rig of the -m set / -j SET tests: a namespace's sets, ipset commands on them, one rule parsed against them. */
abstract class SetRulesRig {
    final IpSetCore core = new IpSetCore();

    /** An ipset command line that must succeed. */
    void ipset(String line) {
        Ipset.Result r = Ipset.run(core, List.of(line.split(" ")), null);
        assertEquals("", r.err(), line);
    }

    /** The rule {@code -A INPUT spec} of a filter table whose sets are {@link #core}. */
    Rule rule(String spec) {
        Ruleset rs = new Ruleset();
        rs.sets = core;
        Iptables.run(rs, List.of(("-A INPUT " + spec).split(" ")));
        return rs.existing("filter").chain("INPUT").rules().get(0);
    }

    static boolean matches(Rule r, PacketContext p) {
        for (Match m : r.matches) if (!m.matches(p)) return false;
        return true;
    }
}
