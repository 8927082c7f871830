package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw, mangle and security tables and the CT/NOTRACK target: loaded, listed and saved as real
 * iptables does; and the targets jnat cannot run refused at load, never ignored.
 */
class OtherTablesTest {
    static final String DUMP = Dumps.rules("other-tables");

    static final List<List<String>> LISTINGS = List.of(
            List.of("-t", "raw", "-S"), List.of("-t", "raw", "-nvL"), List.of("-t", "raw", "-L", "-n", "--line-numbers"),
            List.of("-t", "mangle", "-S"), List.of("-t", "mangle", "-nvL"),
            List.of("-t", "security", "-S"), List.of("-t", "security", "-nvL"),
            List.of("-t", "filter", "-S"), List.of("-t", "filter", "-nvL"));

    @Test
    void listingsAndSaveAreWhatRealIptablesPrints() {
        Tools.require("iptables");
        Tools.require("iptables-restore");
        Ruleset rs = Ruleset.parse(DUMP);
        try (Netns ns = Netns.create("tables")) {
            ns.execIn(DUMP, "iptables-restore").checked();
            for (List<String> args : LISTINGS) {
                List<String> cmd = new ArrayList<>(List.of("iptables"));
                cmd.addAll(args);
                String real = ns.exec(cmd.toArray(String[]::new)).checked().stdout();
                assertEquals(Dumps.normaliseProt(real), Dumps.normaliseProt(Dumps.run(rs, args.toArray(String[]::new))),
                        String.join(" ", args));
            }
            assertEquals(Dumps.withoutComments(ns.exec("iptables-save").checked().stdout()),
                    Dumps.withoutComments(rs.save(null, false, true)));
        }
    }

    @Test
    void dumpRoundTrips() {
        assertEquals(DUMP, Ruleset.parse(DUMP).save(null, false, false));
    }

    @Test
    void notrackIsSavedUnderTheNameItWasGiven() {
        Ruleset rs = new Ruleset();
        Iptables.run(rs, List.of("-t", "raw", "-A", "PREROUTING", "-j", "NOTRACK"));
        Iptables.run(rs, List.of("-t", "raw", "-A", "OUTPUT", "-j", "CT", "--notrack"));
        assertEquals("-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n-A PREROUTING -j NOTRACK\n-A OUTPUT -j CT --notrack\n",
                Dumps.run(rs, "-t", "raw", "-S"));
    }

    static RuleError refused(String... argv) {
        return assertThrows(RuleError.class, () -> Iptables.run(new Ruleset(), List.of(argv)));
    }

    @Test
    void ctOutsideTheRawTableIsRefused() {
        // the kernel: "CT target: only valid in raw table, not filter" (iptables-nft: RULE_APPEND failed (Invalid argument))
        assertTrue(refused("-t", "filter", "-A", "INPUT", "-j", "NOTRACK").getMessage().contains("only valid in the raw table"));
        assertTrue(refused("-t", "mangle", "-A", "PREROUTING", "-j", "CT", "--notrack").getMessage().contains("RULE_APPEND failed (Invalid argument)"));
    }

    @Test
    void natTargetsOutsideTheNatTableAreRefused() {
        assertTrue(refused("-t", "filter", "-A", "OUTPUT", "-p", "tcp", "-j", "DNAT", "--to-destination", "10.0.0.1")
                .getMessage().contains("only valid in the nat table"));
    }

    @Test
    void ctWithAHelperJnatLacksIsRefusedSayingWhy() {
        assertEquals("CT target is not supported by jnat here: jnat's conntrack has no helpers (--helper ftp)",
                refused("-t", "raw", "-A", "PREROUTING", "-j", "CT", "--helper", "ftp").getMessage());
    }

    @Test
    void targetsJnatCannotRunAreRefusedAtLoadNotIgnored() {
        for (String t : List.of("LED")) {
            assertEquals("target `" + t + "' is not supported by jnat: jnat has no LED triggers",
                    refused("-t", "mangle", "-A", "POSTROUTING", "-j", t).getMessage(), t);
        }
    }

    @Test
    void rejectOutsideFilterAndTcpResetWithoutTcpAreRefused() {
        assertTrue(refused("-t", "mangle", "-A", "INPUT", "-j", "REJECT").getMessage().contains("only valid in the filter table"));
        assertTrue(refused("-t", "filter", "-A", "INPUT", "-p", "udp", "-j", "REJECT", "--reject-with", "tcp-reset")
                .getMessage().contains("only valid for -p tcp"));
        assertEquals("unknown reject type \"icmp-foo\"",
                refused("-t", "filter", "-A", "INPUT", "-j", "REJECT", "--reject-with", "icmp-foo").getMessage());
    }

    @Test
    void securityAndRawHaveTheKernelsBuiltinChains() {
        Ruleset rs = new Ruleset();
        assertEquals("-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n", Dumps.run(rs, "-t", "raw", "-S"));
        assertEquals("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n", Dumps.run(rs, "-t", "security", "-S"));
    }
}
