package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * iptables' own extension tests (extensions/libip6t_*.t and libxt_*.t of the installed iptables'
 * Debian source package, which scripts/iptables-tests.sh fetches into {@link #DIR}: GPL test data
 * read where it is, not kept in this repository; .ci/run fetches it), run as
 * iptables-test.py runs them with ip6tables: each case's rule appended to each of its chains,
 * then found in the save. Every case runs against the real ip6tables 1.8.9 (one script per file
 * inside a namespace) and against jnat; the measure is how many of the cases the real one
 * accepts jnat accepts and saves identically. The count is pinned as a floor.
 */
class ExtensionTestFilesTest {
    /** The agreement measured when this test was written: raise it as jnat learns modules. */
    static final int AGREED_FLOOR = 461;
    /** The same for the IPv4 run (libipt_*.t and libxt_*.t with iptables). */
    static final int AGREED_FLOOR_IPV4 = 432;

    record Case(String file, int line, String table, List<String> chains, String rule) {}

    /** One chain's outcome: accepted, and the -S line of the rule. */
    record Outcome(boolean accepted, String saved) {}

    static List<Case> cases(String file, String text) {
        List<Case> out = new ArrayList<>();
        String table = "filter";
        List<String> chains = List.of();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#") || line.startsWith("@") || line.startsWith("%")) continue;
            if (line.startsWith(":")) chains = List.of(line.strip().substring(1).split(","));
            else if (line.startsWith("*")) table = line.strip().substring(1);
            else if (!chains.isEmpty()) out.add(new Case(file, i + 1, table, chains, line.split(";", -1)[0]));
        }
        return out;
    }

    /** The words of a rule as sh splits them: blanks, '...' literal, "..." with \ escapes, \ outside quotes. */
    static List<String> shellWords(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) end = s.length();
                cur.append(s, i + 1, end);
                i = end;
                any = true;
            } else if (c == '"') {
                any = true;
                for (i++; i < s.length() && s.charAt(i) != '"'; i++) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < s.length() && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) d = s.charAt(++i);
                    cur.append(d);
                }
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                any = true;
            } else if (c == ' ' || c == '\t') {
                if (any) words.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) words.add(cur.toString());
        return words;
    }

    /** Where scripts/iptables-tests.sh put the files ($JNAT_IPTABLES_TESTS overrides). */
    static final Path DIR = Path.of(System.getenv().getOrDefault("JNAT_IPTABLES_TESTS", "/var/cache/jnat/iptables-tests"));

    static Map<String, String> files(boolean ipv6) throws IOException, URISyntaxException {
        Path d = DIR;
        if (!Files.isDirectory(d)) {
            String why = d + " is missing: run scripts/iptables-tests.sh (as root) to fetch iptables' own tests";
            if (jnat.testing.Tools.REQUIRED) throw new AssertionError(why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.filter(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".t") && (n.startsWith(ipv6 ? "libip6t_" : "libipt_") || n.startsWith("libxt_"));
            }).toList()) {
                out.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static final String[] TABLES = {"filter", "nat", "mangle", "raw", "security"};

    /** One shell script for a file's cases: each chain's append, its exit status and the rule's -S line. */
    static String script(String tool, List<Case> cases) {
        StringBuilder sh = new StringBuilder("set -f\n");
        for (String t : TABLES) sh.append(tool + " -t ").append(t).append(" -F; " + tool + " -t ").append(t).append(" -X\n");
        for (int i = 0; i < cases.size(); i++) {
            Case k = cases.get(i);
            for (String chain : k.chains()) {
                sh.append("echo '@@ ").append(i).append("'\n");
                sh.append(tool).append(" -t ").append(k.table()).append(" -A ").append(chain).append(' ').append(k.rule())
                        .append(" >/dev/null 2>&1; echo \"@@rc $?\"\n");
                sh.append(tool).append(" -t ").append(k.table()).append(" -S ").append(chain).append(" 2>/dev/null | tail -n 1\n");
                sh.append(tool).append(" -t ").append(k.table()).append(" -F ").append(chain).append(" 2>/dev/null\n");
            }
        }
        return sh.toString();
    }

    /** The real outcomes per case (one per chain), from the script's output. */
    static List<List<Outcome>> parse(String out, int n) {
        List<List<Outcome>> res = new ArrayList<>();
        for (int i = 0; i < n; i++) res.add(new ArrayList<>());
        String[] lines = out.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("@@ ")) continue;
            int k = Integer.parseInt(lines[i].substring(3));
            boolean ok = lines[i + 1].equals("@@rc 0");
            String saved = i + 2 < lines.length && !lines[i + 2].startsWith("@@") ? lines[i + 2] : "";
            res.get(k).add(new Outcome(ok, saved));
        }
        return res;
    }

    static List<Outcome> jnat(Ruleset rs, Case k) {
        List<Outcome> out = new ArrayList<>();
        for (String chain : k.chains()) {
            List<String> argv = new ArrayList<>(List.of("-t", k.table(), "-A", chain));
            argv.addAll(shellWords(k.rule()));
            boolean ok;
            try {
                Iptables.run(rs, argv);
                ok = true;
            } catch (RuleError e) {
                ok = false;
            }
            String saved = "";
            try {
                String[] s = Iptables.run(rs, List.of("-t", k.table(), "-S", chain)).output().split("\n");
                saved = s[s.length - 1];
                Iptables.run(rs, List.of("-t", k.table(), "-F", chain));
            } catch (RuleError ignored) {
                // a chain the table lacks: nothing saved
            }
            out.add(new Outcome(ok, saved));
        }
        return out;
    }

    private static boolean allAccepted(List<Outcome> o) {
        return !o.isEmpty() && o.stream().allMatch(Outcome::accepted);
    }

    @Test
    void jnatAcceptsAndSavesWhatIp6tablesAcceptsAsItSavesIt() throws Exception {
        assertAgreement(true, AGREED_FLOOR);
    }

    @Test
    void jnatAcceptsAndSavesWhatIptablesAcceptsAsItSavesIt() throws Exception {
        assertAgreement(false, AGREED_FLOOR_IPV4);
    }

    /**
     * Writes target/extension-tests-TOOL.txt: the disagreeing cases grouped by module (the .t file),
     * the module with the most first, so the work can be ordered by count.
     */
    private static void writeDisagreements(String tool, Map<String, int[]> perFile, List<String> differ,
                                           List<String> wronglyAccepted) throws IOException {
        Map<String, List<String>> byModule = new TreeMap<>();
        for (String d : differ) byModule.computeIfAbsent(d.substring(0, d.indexOf(".t:")), x -> new ArrayList<>()).add(d);
        List<Map.Entry<String, List<String>>> order = new ArrayList<>(byModule.entrySet());
        order.sort((a, b) -> b.getValue().size() != a.getValue().size()
                ? b.getValue().size() - a.getValue().size() : a.getKey().compareTo(b.getKey()));
        StringBuilder out = new StringBuilder("# cases " + tool + " accepts that jnat refuses or saves otherwise, by module\n");
        for (var e : order) {
            int[] c = perFile.get(e.getKey() + ".t");
            out.append(String.format("%-24s %3d of %3d differ%n", e.getKey(), e.getValue().size(), c[0]));
        }
        for (var e : order) {
            out.append("\n## ").append(e.getKey()).append(" (").append(e.getValue().size()).append(")\n");
            e.getValue().forEach(d -> out.append(d).append('\n'));
        }
        if (!wronglyAccepted.isEmpty()) {
            out.append("\n## accepted by jnat, refused by ").append(tool).append('\n');
            wronglyAccepted.forEach(d -> out.append(d).append('\n'));
        }
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("extension-tests-" + tool + ".txt"), out);
    }

    /** Runs every case of the family's files in both and checks the agreement against its floor. */
    private static void assertAgreement(boolean ipv6, int floor) throws Exception {
        String tool = ipv6 ? "ip6tables" : "iptables";
        Tools.require(tool);
        int total = 0, realOk = 0, agreed = 0, realFail = 0, bothFail = 0;
        Map<String, int[]> perFile = new TreeMap<>();
        List<String> differ = new ArrayList<>();
        List<String> wronglyAccepted = new ArrayList<>();
        try (Netns ns = Netns.create(ipv6 ? "ip6t-t" : "ipt-t")) {
            for (var f : files(ipv6).entrySet()) {
                List<Case> cases = cases(f.getKey(), f.getValue());
                if (cases.isEmpty()) continue;
                List<List<Outcome>> real = parse(ns.execIn(script(tool, cases), "sh", "-s").stdout(), cases.size());
                Ruleset rs = new Ruleset(ipv6);
                int[] counts = perFile.computeIfAbsent(f.getKey(), x -> new int[2]);
                for (int i = 0; i < cases.size(); i++) {
                    total++;
                    List<Outcome> r = real.get(i), j = jnat(rs, cases.get(i));
                    if (allAccepted(r)) {
                        realOk++;
                        counts[0]++;
                        if (r.equals(j)) {
                            agreed++;
                            counts[1]++;
                        } else {
                            differ.add(f.getKey() + ":" + cases.get(i).line() + ": " + cases.get(i).rule() + "\n  real " + r
                                    + "\n  jnat " + j);
                        }
                    } else {
                        realFail++;
                        if (j.stream().noneMatch(Outcome::accepted)) bothFail++;
                        else wronglyAccepted.add(f.getKey() + ":" + cases.get(i).line() + ": " + cases.get(i).rule());
                    }
                }
            }
        }
        StringBuilder report = new StringBuilder();
        perFile.forEach((k, v) -> report.append(String.format("  %-24s %3d/%3d%n", k, v[1], v[0])));
        System.out.println("iptables extension tests with " + tool + ": " + total + " cases; " + tool + " 1.8.9 accepts "
                + realOk + ", jnat accepts and saves " + agreed + " of them identically; " + tool + " refuses " + realFail
                + ", jnat refuses " + bothFail + " of those\n" + report);
        if (System.getenv("JNAT_T_DIFFS") != null) differ.forEach(System.out::println);
        writeDisagreements(tool, perFile, differ, wronglyAccepted);
        assertTrue(agreed >= floor, "agreement fell to " + agreed + " (floor " + floor + ")");
        assertEquals(List.of(), wronglyAccepted, "accepted by jnat, refused by " + tool);
    }
}
