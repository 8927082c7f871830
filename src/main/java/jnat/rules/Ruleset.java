package jnat.rules;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * All tables of one host, as iptables-save dumps them and iptables-restore loads them. The text
 * form is the exact iptables-save format; {@link #parse} and {@link #save} round-trip it.
 */
public final class Ruleset {
    private final Map<String, Table> tables = new LinkedHashMap<>();
    /** The family: ip6tables' tables (true) or iptables' (false). */
    public final boolean ipv6;
    /**
     * The namespace's sets its -m set and -j SET rules name (ip_set_core's, found by name when a
     * rule is parsed, held by index); null for none. Copies share it.
     */
    public jnat.ipset.IpSetCore sets;
    /** The namespace's accounting objects its -m nfacct rules count into (found by name when parsed); null for none. Copies share it. */
    public NfnlAcct acct;
    /** The lanes that may walk each table at once ({@link #setCpus}). */
    private int cpus = 1;

    /** An empty IPv4 (iptables) ruleset. */
    public Ruleset() {
        this(false);
    }

    /** An empty ruleset of the family: ip6tables' with {@code ipv6}, else iptables'. */
    public Ruleset(boolean ipv6) {
        this.ipv6 = ipv6;
    }

    /** The table, created empty if it is a known one not yet present; null for unknown names. */
    /** The first -j RATEEST rule naming estimator {@code name}, in any table, null for none. */
    RateestTarget rateestTarget(String name) {
        for (Table t : tables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules) if (r.target instanceof RateestTarget rt && rt.name.equals(name)) return rt;
            }
        }
        return null;
    }

    public Table table(String name) {
        Table t = tables.get(name);
        if (t == null) {
            t = Table.create(name, ipv6);
            if (t != null) put(t);
        }
        return t;
    }

    /** The table if present, else null (nothing is created). */
    public Table existing(String name) {
        return tables.get(name);
    }

    /** The order iptables-save (nft) dumps tables in: its enum nft_table_type. */
    private static final java.util.List<String> SAVE_ORDER = java.util.List.of("mangle", "security", "raw", "filter", "nat");

    /** The tables present, in iptables-save's order. */
    /** Whether a rule takes conntrack ({@link Match#usesConntrack}, {@link Target#usesConntrack}): the family's connections are tracked. */
    public boolean usesConntrack() {
        for (Table t : tables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    if (r.target != null && r.target.usesConntrack()) return true;
                    for (int i = 0; i < r.matchCount(); i++) if (r.match(i).usesConntrack()) return true;
                }
            }
        }
        return false;
    }

    public Iterable<Table> tables() {
        java.util.List<Table> all = new java.util.ArrayList<>(tables.values());
        all.sort(java.util.Comparator.comparingInt(t -> SAVE_ORDER.indexOf(t.name)));
        return all;
    }

    /** Whether a rule needs conntrack's accounting (-m connbytes: connbytes_mt_check forces nf_conntrack_acct on). */
    public boolean needsAccounting() {
        for (Table t : tables.values())
            for (Chain c : t.chains())
                for (Rule r : c.rules())
                    for (Match m : r.matches) if (m instanceof ConnbytesMatch) return true;
        return false;
    }

    /** Whether a rule's target is SYNPROXY (its hook is registered for the ruleset's family). */
    public boolean hasSynproxy() {
        for (Table t : tables.values())
            for (Chain c : t.chains())
                for (Rule r : c.rules())
                    if (r.target instanceof SynproxyTarget) return true;
        return false;
    }

    /** Whether a rule uses connection labels (-m connlabel: connlabel_mt_check's nf_connlabels_get). */
    public boolean needsLabels() {
        for (Table t : tables.values())
            for (Chain c : t.chains())
                for (Rule r : c.rules())
                    for (Match m : r.matches) if (m instanceof ConnlabelMatch) return true;
        return false;
    }

    void put(Table t) {
        t.setCpus(cpus);
        tables.put(t.name, t);
    }

    /** {@link Table#setCpus} for every table, those present and those added later (copies too). */
    public void setCpus(int n) {
        if (n < 1) throw new IllegalArgumentException("cpus " + n);
        cpus = n;
        for (Table t : tables.values()) t.setCpus(n);
    }

    /** Whether every table is {@link Table#concurrentSafe}: lanes may walk them at once. */
    public boolean concurrentSafe() {
        for (Table t : tables.values()) if (!t.concurrentSafe()) return false;
        return true;
    }

    /** The lanes that may walk each table at once ({@link #setCpus}). */
    public int cpus() {
        return cpus;
    }

    /** Loads an iptables-save dump (counters included) into a new ruleset. */
    public static Ruleset parse(String dump) {
        return parse(dump, false);
    }

    /** Loads an iptables-save ({@code ipv6} false) or ip6tables-save dump into a new ruleset. */
    public static Ruleset parse(String dump, boolean ipv6) {
        return parse(dump, ipv6, null);
    }

    /** As {@link #parse(String, boolean)}, the rules' sets found in {@code sets}. */
    public static Ruleset parse(String dump, boolean ipv6, jnat.ipset.IpSetCore sets) {
        return parse(dump, ipv6, sets, null);
    }

    /** As {@link #parse(String, boolean, jnat.ipset.IpSetCore)}, the -m nfacct rules' objects found in {@code acct}. */
    public static Ruleset parse(String dump, boolean ipv6, jnat.ipset.IpSetCore sets, NfnlAcct acct) {
        Ruleset rs = new Ruleset(ipv6);
        rs.sets = sets;
        rs.acct = acct;
        Restore.apply(rs, dump, false, true);
        return rs;
    }

    /** A deep copy (counters included), for changes that must not touch the original until done. */
    public Ruleset copy() {
        Ruleset rs = new Ruleset(ipv6);
        rs.sets = sets;
        rs.acct = acct;
        rs.cpus = cpus;
        Restore.apply(rs, save(null, true, false), false, true);
        return rs;
    }

    /**
     * iptables-save's text: for each table (or only {@code tableName}) the "*table" line, chain
     * lines with policy counters, rules ("[p:b] " before each with {@code counters}), COMMIT;
     * with {@code header} the "# Generated by"/"# Completed on" comment lines.
     */
    public String save(String tableName, boolean counters, boolean header) {
        StringBuilder out = new StringBuilder();
        String date = header ? ZonedDateTime.now().format(DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)) : null;
        if (date != null && date.matches(".* [0-9] .*")) {
            date = date.replaceFirst(" ([0-9]) ", "  $1 "); // ctime pads the day with a space
        }
        for (Table t : tables()) {
            if (tableName != null && !t.name.equals(tableName)) continue;
            if (header) out.append("# Generated by jnat ").append(ipv6 ? "ip6tables" : "iptables").append("-save on ").append(date).append('\n');
            out.append('*').append(t.name).append('\n');
            for (Chain c : t.chains()) {
                out.append(':').append(c.name).append(' ').append(c.builtin() ? c.policy : "-")
                        .append(" [").append(c.builtin() ? Long.toUnsignedString(c.policyPackets) : "0").append(':')
                        .append(c.builtin() ? Long.toUnsignedString(c.policyBytes) : "0").append("]\n");
            }
            for (Chain c : t.chains()) {
                for (Rule r : c.rules) {
                    if (counters) out.append('[').append(Long.toUnsignedString(r.packets)).append(':').append(Long.toUnsignedString(r.bytes)).append("] ");
                    out.append("-A ").append(c.name);
                    r.save(out, false);
                    out.append('\n');
                }
            }
            out.append("COMMIT\n");
            if (header) out.append("# Completed on ").append(date).append('\n');
        }
        return out.toString();
    }

    /**
     * iptables -S: "-P"/"-N" lines then "-A" lines, for the table or one chain (and, with
     * {@code ruleNumber} > 0, only that rule); {@code verbose} adds "-c packets bytes".
     */
    static void listRules(StringBuilder out, Table t, String chainName, int ruleNumber, boolean verbose) {
        for (Chain c : t.chains()) {
            if (chainName != null && !c.name.equals(chainName)) continue;
            if (ruleNumber > 0) break;
            if (c.builtin()) {
                out.append("-P ").append(c.name).append(' ').append(c.policy);
                if (verbose) out.append(" -c ").append(Long.toUnsignedString(c.policyPackets)).append(' ').append(Long.toUnsignedString(c.policyBytes));
                out.append('\n');
            } else {
                out.append("-N ").append(c.name).append('\n');
            }
        }
        for (Chain c : t.chains()) {
            if (chainName != null && !c.name.equals(chainName)) continue;
            for (int i = 0; i < c.rules.size(); i++) {
                if (ruleNumber > 0 && i + 1 != ruleNumber) continue;
                out.append("-A ").append(c.name);
                c.rules.get(i).save(out, verbose);
                out.append('\n');
            }
        }
    }
}
