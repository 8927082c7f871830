package jnat.cli;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same nfacct and iptables command lines through the kernel (nfacct 1.0.2 and iptables 1.8.9
 * in a namespace) and through {@code jnat nfacct --acct FILE} and {@code jnat iptables --rules R
 * --acct FILE}: standard output, standard error and exit code byte-identical for each. The
 * sequence holds objects with -m nfacct rules (delete refused while a rule holds one, flush
 * leaving it: {@code jnat nfacct --rules R} knows the rules), the kernel's refusal of a rule naming a missing object, and restore from a file.
 */
class NfacctCliKernelTest {
    private static final Path DIR = Path.of("src/test/resources/nfacct");

    @Test
    void commandSequenceOutputsAndErrorsAreNfaccts() throws IOException {
        Tools.require("nfacct");
        Tools.require("iptables");
        List<String> lines = Files.readAllLines(DIR.resolve("commands.txt"));
        Path work = Files.createTempDirectory("jnat-nfacct");
        Path acct = work.resolve("objects.acct"), rules = work.resolve("rules");
        List<String> diffs = new ArrayList<>();
        InputStream stdin = System.in;
        try (Netns ns = Netns.create("nfa")) {
            for (String line : lines) {
                if (line.isBlank()) continue;
                String input = null;
                String cmd = line;
                int lt = line.indexOf(" < ");
                if (lt >= 0) {
                    input = Files.readString(DIR.resolve(line.substring(lt + 3)));
                    cmd = line.substring(0, lt);
                }
                List<String> argv = split(cmd);
                Tools.Result k = input == null ? ns.exec(argv.toArray(String[]::new)) : ns.execIn(input, argv.toArray(String[]::new));
                List<String> jnatCmd = new ArrayList<>(List.of(argv.get(0)));
                if (argv.get(0).equals("iptables")) jnatCmd.addAll(List.of("--rules", rules.toString()));
                jnatCmd.addAll(List.of("--acct", acct.toString()));
                if (argv.get(0).equals("nfacct")) jnatCmd.addAll(List.of("--rules", rules.toString()));
                jnatCmd.addAll(argv.subList(1, argv.size()));
                if (input != null) System.setIn(new ByteArrayInputStream(input.getBytes()));
                CliRun j;
                try {
                    j = CliRun.jnat(jnatCmd.toArray(String[]::new));
                } finally {
                    System.setIn(stdin);
                }
                // iptables' messages are RealIptables' to compare (ExtensionModulesTest); here its exit code and output
                boolean nfacct = argv.get(0).equals("nfacct");
                String kernel = "exit " + k.exitCode() + "\n" + jnat.rules.Dumps.normaliseProt(k.stdout()) + (nfacct ? "--stderr--\n" + k.stderr() : "");
                String ours = "exit " + j.exit() + "\n" + jnat.rules.Dumps.normaliseProt(j.out()) + (nfacct ? "--stderr--\n" + j.err() : "");
                if (!kernel.equals(ours)) diffs.add(line + "\n--- kernel:\n" + kernel + "--- jnat:\n" + ours);
            }
        } finally {
            Files.deleteIfExists(acct);
            Files.deleteIfExists(rules);
            Files.delete(work);
        }
        assertEquals("", String.join("\n", diffs));
    }

    /** Words split at blanks, a double-quoted part kept whole (\" inside it a quote), as a shell would hand them over. */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean q = false, any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (q && c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                w.append('"');
                i++;
            } else if (c == '"') {
                q = !q;
                any = true;
            } else if (c == ' ' && !q) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
            } else {
                w.append(c);
                any = true;
            }
        }
        if (any) out.add(w.toString());
        return out;
    }
}
