package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rulesets real projects write (src/test/resources/rulesets/real, each one's origin in
 * SOURCES.md there), loaded unchanged into the real iptables and ip6tables 1.8.9 in a network
 * namespace and into jnat: iptables-save, -S and -L -n -v of every table of both families must be
 * byte-identical (the prot column aside, see {@link Dumps#normaliseProt}).
 *
 * <p>A file's kind is its extension: {@code .rules} is iptables-restore input and {@code .rules6}
 * ip6tables-restore input, both loaded with --noflush (ufw runs its files so, one after another);
 * {@code .cmds} is the iptables and ip6tables command lines a program runs, one per line, with the
 * shell's quoting and backslash continuations; {@code .ts} is Tailscale's test notation
 * ("v4/filter/ts-input -i lo -j ACCEPT": the family, table and chain, then the rule), each line
 * appended and its user chain created first, as the router does; {@code .golden} is istio-iptables'
 * golden notation: the iptables-save/ip6tables-save lines it runs (dumps, skipped) and
 * iptables-restore --noflush inputs ("* table" ... COMMIT), IPv4's tables first, then IPv6's (a
 * table seen before starts the IPv6 input); {@code .S} is what {@code iptables -S} (--list-rules) printed
 * for the filter table, each line run as {@code iptables LINE} ({@code .S6}: ip6tables), which rebuilds
 * the policies, chains and rules in the order printed. A file NAME.cmds beside another file holds the
 * commands run before it (nfacct add: the kernel refuses -m nfacct naming an object that does not
 * exist; ipset create: nor -m set naming a set that does not).
 */
class RealRulesetsTest {
    static final List<String> RULESETS = List.of("ufw.rules", "ufw6.rules6", "fail2ban.cmds", "libvirt.cmds",
            "tailscale.ts", "aws-vpc-cni.cmds", "fail2ban-ipset.cmds", "istio-sidecar-tproxy.cmds",
            "istio-sidecar-tproxy-wildcard.golden", "istio-dns-zones.golden", "istio-sidecar-redirect6.cmds", "istio-ambient-tproxy.cmds",
            "kube-proxy-affinity-nfacct.rules", "calico-mangle.rules", "strongswan-updown.cmds",
            "firewalld.rules", "firewalld.rules6", "firewalld-rich.rules", "firewalld-rich.rules6",
            "shorewall.rules", "shorewall6.rules6", "shorewall-rules.rules", "calico-aks-filter.S",
            "calico-vxlan-ipvs-nat.rules", "calico-ipip-filter.S");

    static final List<String> TABLES = List.of("filter", "nat", "mangle", "raw");

    static final List<List<String>> LISTINGS = List.of(List.of("-S"), List.of("-nvL"), List.of("-nvxL", "--line-numbers"),
            List.of("-L", "-n"));

    static boolean exists(String name) {
        return RealRulesetsTest.class.getResource("/rulesets/real/" + name) != null;
    }

    static String read(String name) {
        try (InputStream in = RealRulesetsTest.class.getResourceAsStream("/rulesets/real/" + name)) {
            if (in == null) throw new AssertionError("missing resource rulesets/real/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** One command: the tool (iptables, ip6tables, iptables-restore, ip6tables-restore), its arguments and its stdin. */
    record Step(String tool, List<String> args, String stdin) {}

    static List<Step> steps(String name) {
        String text = read(name);
        List<Step> out = new ArrayList<>();
        // NAME.cmds beside a file: the commands run before it (the nfacct objects its rules name)
        if (!name.endsWith(".cmds") && exists(name + ".cmds")) {
            for (List<String> words : shellLines(read(name + ".cmds"))) out.add(new Step(words.get(0), words.subList(1, words.size()), null));
        }
        if (name.endsWith(".rules")) {
            out.add(new Step("iptables-restore", List.of("-n"), text));
        } else if (name.endsWith(".rules6")) {
            out.add(new Step("ip6tables-restore", List.of("-n"), text));
        } else if (name.endsWith(".cmds")) {
            for (List<String> words : shellLines(text)) {
                out.add(new Step(words.get(0), words.subList(1, words.size()), null));
            }
        } else if (name.endsWith(".S") || name.endsWith(".S6")) {
            String tool = name.endsWith(".S6") ? "ip6tables" : "iptables";
            for (List<String> words : shellLines(text)) out.add(new Step(tool, words, null));
        } else if (name.endsWith(".ts")) {
            Set<String> created = new LinkedHashSet<>();
            List<Step> rules = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank()) continue;
                int sp = line.indexOf(' ');
                String[] where = line.substring(0, sp).split("/");
                String tool = where[0].equals("v6") ? "ip6tables" : "iptables";
                List<String> a = new ArrayList<>(List.of("-t", where[1], "-A", where[2]));
                a.addAll(shellLines(line.substring(sp + 1)).get(0));
                rules.add(new Step(tool, a, null));
                for (String chain : new String[] {where[2], a.get(a.size() - 1)}) {
                    if (chain.startsWith("ts-") && created.add(tool + " " + where[1] + " " + chain)) {
                        out.add(new Step(tool, List.of("-t", where[1], "-N", chain), null));
                    }
                }
            }
            out.addAll(rules);
        } else if (name.endsWith(".golden")) {
            StringBuilder[] input = {new StringBuilder(), new StringBuilder()};
            Set<String> seen = new LinkedHashSet<>();
            int family = 0;
            for (String line : text.split("\n")) {
                if (line.equals("iptables-save") || line.equals("ip6tables-save") || line.isBlank()) continue;
                if (line.startsWith("*") && !seen.add(line.substring(1).strip())) {
                    family = 1;
                    seen.clear();
                    seen.add(line.substring(1).strip());
                }
                input[family].append(line).append('\n');
            }
            out.add(new Step("iptables-restore", List.of("--noflush"), input[0].toString()));
            if (!input[1].isEmpty()) out.add(new Step("ip6tables-restore", List.of("--noflush"), input[1].toString()));
        } else {
            throw new AssertionError("unknown ruleset kind: " + name);
        }
        return out;
    }

    /** The words of each command line, as sh splits them: quotes, backslash-newline, # comments. */
    static List<List<String>> shellLines(String text) {
        List<List<String>> lines = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        int i = 0, n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < n && text.charAt(i + 1) == '\n') {
                i += 2;
                continue;
            }
            if (c == '\n') {
                if (w != null) words.add(w.toString());
                w = null;
                if (!words.isEmpty()) lines.add(words);
                words = new ArrayList<>();
                i++;
                continue;
            }
            if (c == ' ' || c == '\t') {
                if (w != null) words.add(w.toString());
                w = null;
                i++;
                continue;
            }
            if (c == '#' && w == null) {
                while (i < n && text.charAt(i) != '\n') i++;
                continue;
            }
            if (w == null) w = new StringBuilder();
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                w.append(text, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) i++;
                    w.append(text.charAt(i++));
                }
                i++;
            } else if (c == '\\' && i + 1 < n) {
                w.append(text.charAt(i + 1));
                i += 2;
            } else {
                w.append(c);
                i++;
            }
        }
        if (w != null) words.add(w.toString());
        if (!words.isEmpty()) lines.add(words);
        return lines;
    }

    /** The two families' rulesets after jnat ran the steps, as the real tools would have left them. */
    static Ruleset[] loadIntoJnat(List<Step> steps) {
        Ruleset v4 = new Ruleset(false), v6 = new Ruleset(true);
        v4.sets = v6.sets = new jnat.ipset.IpSetCore();
        v4.acct = v6.acct = new NfnlAcct();
        for (Step s : steps) {
            if (s.tool().equals("nfacct")) {
                Nfacct.Result r = Nfacct.run(v4.acct, s.args(), null);
                if (r.exitCode() != 0) throw new AssertionError(s + ": " + r.err());
                continue;
            }
            if (s.tool().equals("ipset")) {
                jnat.ipset.Ipset.Result r = jnat.ipset.Ipset.run(v4.sets, s.args(), null);
                if (r.exitCode() != 0) throw new AssertionError(s + ": " + r.err());
                continue;
            }
            boolean six = s.tool().startsWith("ip6");
            Ruleset rs = six ? v6 : v4;
            if (s.tool().endsWith("-restore")) {
                Restore.apply(rs, s.stdin(), s.args().contains("-n") || s.args().contains("--noflush"), false, null, !six);
            } else {
                Iptables.Result r = Iptables.run(rs, s.args());
                if (!r.output().isEmpty() && !s.args().contains("--list-rules")) {
                    throw new AssertionError(s + " printed " + r.output());
                }
            }
        }
        return new Ruleset[] {v4, v6};
    }

    static Stream<String> rulesets() {
        return RULESETS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rulesets")
    void listsAndSavesAsIptables189(String name) {
        Tools.require("iptables");
        Tools.require("iptables-restore");
        List<Step> steps = steps(name);
        Ruleset[] ours = loadIntoJnat(steps);
        try (Netns ns = Netns.create("real")) {
            for (Step s : steps) {
                List<String> cmd = new ArrayList<>(List.of(s.tool()));
                cmd.addAll(s.args());
                if (s.stdin() != null) ns.execIn(s.stdin(), cmd.toArray(String[]::new)).checked();
                else ns.exec(cmd.toArray(String[]::new)).checked();
            }
            for (int f = 0; f < 2; f++) {
                String tool = f == 0 ? "iptables" : "ip6tables";
                Ruleset rs = ours[f];
                String realSave = ns.exec(tool + "-save").checked().stdout();
                if (steps.stream().anyMatch(s -> s.tool().startsWith(tool))) {
                    assertTrue(realSave.contains("\n-A "), name + ": the real " + tool + " holds no rules");
                }
                assertEquals(Dumps.withoutComments(realSave),
                        Dumps.withoutComments(rs.save(null, false, true)), name + ": " + tool + "-save");
                assertEquals(Dumps.withoutComments(ns.exec(tool + "-save", "-c").checked().stdout()),
                        Dumps.withoutComments(rs.save(null, true, true)), name + ": " + tool + "-save -c");
                for (String table : TABLES) {
                    for (List<String> l : LISTINGS) {
                        List<String> a = new ArrayList<>(List.of("-t", table));
                        a.addAll(l);
                        List<String> cmd = new ArrayList<>(List.of(tool));
                        cmd.addAll(a);
                        String real = ns.exec(cmd.toArray(String[]::new)).checked().stdout();
                        assertEquals(Dumps.normaliseProt(real), Dumps.normaliseProt(Dumps.run(rs, a.toArray(String[]::new))),
                                name + ": " + tool + " " + a);
                    }
                }
            }
        }
    }
}
