package jnat.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * moby's iptablesdoc golden files hold what real iptables printed on a live dockerd
 * (`iptables -S -t nat` and `iptables -vL --line-numbers -t nat`, names not numbers): jnat,
 * given the -S rules, prints both the same.
 */
class DockerGoldenFilesTest {
    /** The indented blocks of a markdown file, indentation removed. */
    static List<List<String>> blocks(String md) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> cur = null;
        for (String line : md.split("\n", -1)) {
            boolean indented = line.startsWith("    ") || line.startsWith("\t");
            if (indented) {
                if (cur == null) blocks.add(cur = new ArrayList<>());
                cur.add(line.startsWith("\t") ? line.substring(1) : line.substring(4));
            } else {
                cur = null;
            }
        }
        for (List<String> b : blocks) while (!b.isEmpty() && b.get(b.size() - 1).isEmpty()) b.remove(b.size() - 1);
        return blocks;
    }

    /** A dump made of an `iptables -S` listing: -P and -N become chain lines. */
    static String dumpOf(List<String> s) {
        return dumpOf("nat", s);
    }

    static String dumpOf(String table, List<String> s) {
        StringBuilder chains = new StringBuilder("*" + table + "\n");
        StringBuilder rules = new StringBuilder();
        for (String line : s) {
            String[] f = line.split(" ");
            if (f[0].equals("-P")) chains.append(':').append(f[1]).append(' ').append(f[2]).append(" [0:0]\n");
            else if (f[0].equals("-N")) chains.append(':').append(f[1]).append(" - [0:0]\n");
            else rules.append(line).append('\n');
        }
        return chains.append(rules).append("COMMIT\n").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"usernet-portmap.md", "usernet-portmap-noproxy.md", "new-daemon.md"})
    void natListingsMatchTheGoldenFile(String file) throws java.io.IOException {
        // the golden listings name 127.0.0.0 "loopback" and port 8080 "http-alt", as getnetbyaddr and
        // getservbyport answer from Debian's /etc/networks and /etc/services (netbase)
        java.nio.file.Path networks = java.nio.file.Path.of("/etc/networks");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(networks)
                && java.nio.file.Files.readString(networks).contains("loopback"), "no loopback in /etc/networks");
        List<List<String>> blocks = blocks(Dumps.read(file));
        int checked = 0;
        for (int i = 1; i < blocks.size(); i++) {
            List<String> s = blocks.get(i);
            if (s.isEmpty() || !s.get(0).equals("-P PREROUTING ACCEPT") || !s.contains("-P POSTROUTING ACCEPT")) continue;
            List<String> listing = blocks.get(i - 1);
            Ruleset rs = Ruleset.parse(dumpOf(s));
            assertEquals(String.join("\n", s) + "\n", Dumps.run(rs, "-t", "nat", "-S"));
            assertEquals(String.join("\n", listing) + "\n", Dumps.run(rs, "-t", "nat", "-vL", "--line-numbers"));
            checked++;
        }
        assertFalse(checked == 0, "no nat table found in " + file);
    }

    @org.junit.jupiter.api.Test
    void rawListingOfDockersFilterDirectAccessMatchesTheGoldenFile() {
        List<List<String>> blocks = blocks(Dumps.read("usernet-portmap.md"));
        int checked = 0;
        for (int i = 1; i < blocks.size(); i++) {
            List<String> s = blocks.get(i);
            if (!s.equals(List.of("-P PREROUTING ACCEPT", "-P OUTPUT ACCEPT", "-A PREROUTING -d 192.0.2.2/32 ! -i bridge1 -j DROP"))) continue;
            Ruleset rs = Ruleset.parse(dumpOf("raw", s));
            assertEquals(String.join("\n", s) + "\n", Dumps.run(rs, "-t", "raw", "-S"));
            assertEquals(String.join("\n", blocks.get(i - 1)) + "\n", Dumps.run(rs, "-t", "raw", "-vL", "--line-numbers"));
            checked++;
        }
        assertEquals(1, checked, "the raw table's block in usernet-portmap.md");
    }
}
