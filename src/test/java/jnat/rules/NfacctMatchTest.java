package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** -m nfacct's parsing and the kernel's checkentry, against iptables 1.8.9 and the kernel in a namespace. */
class NfacctMatchTest {
    @Test
    void rulesNamingNoObjectOrBadOptionsAreRefusedAsIptables() {
        Tools.require("iptables");
        List<String> wrong;
        try (Netns ns = Netns.create("nfacct-bad")) {
            // the namespace has no accounting objects, nor has jnat's fresh ruleset
            wrong = RealIptables.refusalDifferences(ns, List.of(
                    "-A INPUT -m nfacct --nfacct-name x",
                    "-A INPUT -m nfacct",
                    "-A INPUT -m nfacct ! --nfacct-name x",
                    "-A INPUT -m nfacct --nfacct-name x --nfacct-name y",
                    "-I INPUT -m nfacct --nfacct-name x"), Ruleset::new, true);
        }
        assertEquals(List.of(), wrong);
    }
}
