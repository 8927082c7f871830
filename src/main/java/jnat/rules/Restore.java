package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * iptables-restore (iptables-restore.c / xtables-restore.c): loads a dump table by table. Each
 * table is built aside and replaces the ruleset's table at its COMMIT; any error throws with the
 * line number and leaves the ruleset as the last COMMIT left it (callers wanting all-or-nothing
 * restore into a copy).
 */
public final class Restore {
    private Restore() {}

    /**
     * Applies {@code dump} to {@code rs}. Without {@code noflush} each table in the dump is
     * replaced whole; with it, rules are added to the present tables (chains declared with ":"
     * are flushed). {@code counters} applies "[p:b]" counters (iptables-restore -c).
     */
    public static void apply(Ruleset rs, String dump, boolean noflush, boolean counters) {
        apply(rs, dump, noflush, counters, null);
    }

    /** As {@link #apply(Ruleset, String, boolean, boolean)}, restoring only {@code onlyTable} if not null (-T). */
    public static void apply(Ruleset rs, String dump, boolean noflush, boolean counters, String onlyTable) {
        apply(rs, dump, noflush, counters, onlyTable, true);
    }

    /**
     * As {@link #apply(Ruleset, String, boolean, boolean, String)}; {@code ruleCounters} false keeps
     * only the chains' policy counters, as ip6tables-restore 1.8.9 -c does (it drops every rule's).
     */
    public static void apply(Ruleset rs, String dump, boolean noflush, boolean counters, String onlyTable,
            boolean ruleCounters) {
        String[] lines = dump.split("\n", -1);
        int count = dump.endsWith("\n") ? lines.length - 1 : lines.length;
        Ruleset work = null; // holds the table being built
        Table table = null;
        boolean skipping = false;
        for (int n = 1; n <= count; n++) {
            String line = lines[n - 1];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            if (onlyTable != null) {
                if (trimmed.startsWith("*")) skipping = !trimmed.substring(1).strip().equals(onlyTable);
                if (skipping) {
                    if (trimmed.equals("COMMIT")) skipping = false;
                    continue;
                }
            }
            try {
                if (trimmed.equals("COMMIT")) {
                    if (table == null) throw outsideTable(n);
                    table.validate();
                    rs.put(table); // the ruleset's lanes (setCpus) before the table is compiled for them
                    table.compile();
                    table = null;
                } else if (trimmed.startsWith("*")) {
                    if (table != null) throw new RuleError("table '" + trimmed.substring(1) + "' started before COMMIT of '" + table.name + "'");
                    String name = trimmed.substring(1).strip();
                    Table existing = rs.existing(name);
                    if (noflush && existing != null) {
                        work = new Ruleset(rs.ipv6);
                        work.sets = rs.sets;
                        work.acct = rs.acct;
                        Restore.apply(work, rs.save(name, true, false), false, true);
                        table = work.existing(name);
                    } else {
                        table = Table.create(name, rs.ipv6);
                        if (table == null) throw new RuleError("table name '" + name + "' invalid");
                        work = new Ruleset(rs.ipv6);
                        work.sets = rs.sets;
                        work.acct = rs.acct;
                        work.put(table);
                    }
                } else if (trimmed.startsWith(":")) {
                    if (table == null) throw outsideTable(n);
                    chainLine(table, trimmed, counters);
                } else {
                    if (table == null) throw outsideTable(n);
                    long[] c = null;
                    String rule = trimmed;
                    if (rule.startsWith("[")) {
                        int close = rule.indexOf(']');
                        if (close < 0) throw new RuleError("bad counters");
                        c = parseCounters(rule.substring(1, close));
                        rule = rule.substring(close + 1).strip();
                    }
                    Iptables.run(work, tokenize(rule), table.name, counters ? c : null, ruleCounters);
                }
            } catch (OutsideTable e) {
                throw e.error;
            } catch (RuleError e) {
                // the kernel's refusal stays 4 (iptables-restore's batch failed), a failed operation 1, the rest 2
                throw new RuleError("line " + n + ": " + e.getMessage(), e.exitCode() == 1 || e.exitCode() == 4 ? e.exitCode() : 2);
            }
        }
        if (table != null) throw new RuleError("COMMIT expected at line " + (count + 1), 1);
    }

    /** A line outside a table (a rule, a chain, COMMIT): xtables-restore's "line N failed", exit 1. */
    private static final class OutsideTable extends RuntimeException {
        final RuleError error;

        OutsideTable(int n) {
            super(null, null, false, false);
            error = new RuleError("line " + n + " failed", 1);
        }
    }

    private static OutsideTable outsideTable(int n) {
        return new OutsideTable(n);
    }

    private static void chainLine(Table table, String line, boolean counters) {
        String[] f = line.substring(1).strip().split("\\s+");
        String name = f[0];
        String policy = f.length > 1 ? f[1] : null;
        if (policy == null) throw new RuleError("Bad chain line \"" + line + "\"");
        Chain c = table.chain(name);
        if (c != null && c.builtin()) {
            if (policy.equals("-")) return; // iptables-restore: "-" keeps the built-in chain's policy and counters
            if (!policy.equals("ACCEPT") && !policy.equals("DROP")) {
                throw new RuleError("Can't set policy `" + policy + "' on `" + name + "': Bad built-in chain name");
            }
            c.policy = policy;
            if (counters && f.length > 2) {
                long[] pc = parseCounters(f[2].replace("[", "").replace("]", ""));
                c.policyPackets = pc[0];
                c.policyBytes = pc[1];
            }
            return;
        }
        if (Hook.of(name) != null) throw new RuleError("invalid chain name `" + name + "': built-in chain of another table");
        if (c != null) {
            c.rules.clear();
            return;
        }
        if (name.length() > 28) throw new RuleError("chain name `" + name + "' too long (must be under 29 chars)");
        table.newChain(name);
    }

    private static long[] parseCounters(String s) {
        int colon = s.indexOf(':');
        try {
            return new long[] {Long.parseUnsignedLong(s.substring(0, colon)), Long.parseUnsignedLong(s.substring(colon + 1))};
        } catch (RuntimeException e) {
            throw new RuleError("bad counters [" + s + "]");
        }
    }

    /** add_param_to_argv: whitespace splits, double quotes group, backslash escapes inside quotes. */
    static List<String> tokenize(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, escaped = false, any = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (escaped) {
                    cur.append(ch);
                    escaped = false;
                } else if (ch == '\\') {
                    escaped = true;
                } else if (ch == '"') {
                    quoted = false;
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                } else {
                    cur.append(ch);
                }
                continue;
            }
            if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ' ' || ch == '\t') {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(ch);
            }
        }
        if (quoted) throw new RuleError("unterminated quoted string");
        if (cur.length() > 0) out.add(cur.toString());
        return out;
    }
}
