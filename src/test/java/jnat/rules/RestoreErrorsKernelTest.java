package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * iptables-restore's errors: the same bad dumps given to iptables-restore 1.8.9 in a namespace and
 * to jnat's restore, each with the exit code iptables-restore gives it (2 for a bad rule, 1 for a
 * failed operation or a line outside a table, 4 when the kernel refused the batch) and its message.
 */
class RestoreErrorsKernelTest {
    static final List<String> DUMPS = List.of(
            "*filter\n-A INPUT -j NOPE\nCOMMIT\n",
            "*filter\n-A INPUT --bogus\nCOMMIT\n",
            "*filter\n-A INPUT -j ACCEPT\n",
            "*filter\n-A NOCHAIN -j ACCEPT\nCOMMIT\n",
            "*nosuch\nCOMMIT\n",
            "*filter\n-A INPUT -m rateest --rateest X --rateest-eq --rateest-pps 1\nCOMMIT\n",
            "*filter\n-A INPUT -m nfacct --nfacct-name nosuch\nCOMMIT\n",
            "garbage\n",
            ":FOO - [0:0]\n",
            "-A INPUT -j ACCEPT\n*filter\nCOMMIT\n",
            "COMMIT\n",
            "*filter\n-P INPUT BOGUS\nCOMMIT\n",
            "*filter\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n");

    /**
     * What the message says, without where: iptables-restore 1.8.9 prints a bad rule's message and
     * then "Error occurred at line: N", a failed operation's as "line N failed: MESSAGE", a kernel
     * refusal's on a line of its own; jnat's are "line N: MESSAGE". The line numbers are not
     * compared (iptables-nft finds a jump to a missing chain at COMMIT, jnat at the rule).
     */
    static String what(String message) {
        List<String> lines = message.lines().filter(l -> !l.isBlank() && !l.startsWith("Try `")
                && !l.startsWith("Error occurred at line")).toList();
        String l = lines.isEmpty() ? "" : lines.getLast();
        return l.replaceFirst("^iptables-restore( v1\\.8\\.9 \\(nf_tables\\))?: ", "").replaceFirst("^iptables-restore: ", "")
                .replaceFirst("^line \\d+ failed: ", "").replaceFirst("^line \\d+:? ", "");
    }

    @Test
    void badDumpsFailWithIptablesRestoresExitCodeAndLine() {
        Tools.require("iptables-restore");
        List<String> wrong = new ArrayList<>();
        try (Netns ns = Netns.create("restore-errors")) {
            for (String dump : DUMPS) {
                Tools.Result real = ns.execIn(dump, "iptables-restore");
                String ours;
                int code;
                try {
                    Restore.apply(new Ruleset(), dump, false, false);
                    ours = "";
                    code = 0;
                } catch (RuleError e) {
                    ours = e.getMessage();
                    code = e.exitCode();
                }
                String want = what(real.stderr());
                if (real.exitCode() != code || !what(ours).startsWith(want)) {
                    wrong.add(dump.replace("\n", "\\n") + "\n  real " + real.exitCode() + " " + want + "\n  jnat " + code + " " + ours);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }
}
