package jnat.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void helpListsTheCommands() {
        var cl = Main.commandLine();
        var out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        assertTrue(out.toString().contains("demo"), out.toString());
    }

    @Test
    void unknownCommandIsAUsageErrorWithNonZeroExit() {
        var cl = Main.commandLine();
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("no-such-command"));
        assertTrue(err.toString().contains("no-such-command"), err.toString());
    }

    @Test
    void ipsetAndNfacctHelpPrintJnatsOwnUsage() {
        for (String tool : new String[] {"ipset", "nfacct"}) {
            var cl = Main.commandLine();
            var out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            assertEquals(0, cl.execute(tool, "--help"), tool);
            assertTrue(out.toString().contains("--control"), out.toString());
        }
    }

    @Test
    void ipsetWithNoArgumentsIsAUsageErrorShowingTheUsage() {
        var cl = Main.commandLine();
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("ipset"));
        assertTrue(err.toString().contains("--sets"), err.toString());
    }
}
