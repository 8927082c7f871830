package jnat.rules;

/**
 * The state the xt modules keep per network namespace (net_generic's recent_net and friends),
 * which outlives any one ruleset: the engine holds one and {@link #bind}s each ruleset it is given,
 * as the kernel's checkentry functions find or create a rule's list by name.
 */
public final class XtNet {
    /** -m recent's lists (xt_recent.c's recent_net). */
    public final RecentMatch.Net recent = new RecentMatch.Net();
    /** -m hashlimit's tables (xt_hashlimit.c's hashlimit_net), one set per family. */
    public final HashlimitMatch.Net hashlimit = new HashlimitMatch.Net();

    /** -j RATEEST's estimators (xt_RATEEST.c's xt_rateest_net), which -m rateest reads. */
    public final RateestTarget.Net rateest = new RateestTarget.Net();

    /** -j NFLOG's groups (nfnetlink_log): {@link NflogTarget.Net#listen} to receive what they log. */
    public final NflogTarget.Net nflog = new NflogTarget.Net();

    /** -j LOG's kernel log (nf_log_syslog): {@link LogTarget.Net#listen} to read its lines. */
    public final LogTarget.Net log = new LogTarget.Net();

    /** The nf_tables trace (nf_tables_trace.c): {@link NfTablesTrace#listen} to read what -j TRACE'd packets hit. */
    public final NfTablesTrace trace = new NfTablesTrace();

    /** The namespace's ipsets (ip_set_net): what -m set and -j SET rules look packets up in. */
    private jnat.ipset.IpSetCore ipset = new jnat.ipset.IpSetCore();
    private java.util.function.LongSupplier clock = () -> 0;

    public jnat.ipset.IpSetCore ipset() {
        return ipset;
    }

    /** The namespace's accounting objects (nfnl_acct_net): what -m nfacct rules count into. */
    private NfnlAcct acct = new NfnlAcct();

    public NfnlAcct acct() {
        return acct;
    }

    /** The clock the sets' element timeouts run on (the engine's). */
    public void setClock(java.util.function.LongSupplier clock) {
        this.clock = clock;
        ipset.clock = clock;
    }

    /**
     * Binds every stateful match and target of {@code rules} to this namespace's state. A ruleset
     * parsed against sets of its own (jnat replay --sets) brings them: they become the namespace's;
     * one without gets the namespace's, so rules added to its copies find them. Each set's rule
     * references are counted per family, as xt_set's checkentry takes one per rule.
     */
    public void bind(Ruleset rules) {
        if (rules.sets == null) {
            rules.sets = ipset;
        } else if (rules.sets != ipset) {
            ipset = rules.sets;
            ipset.clock = clock;
        }
        java.util.Map<Integer, Integer> refs = new java.util.HashMap<>();
        for (Table t : rules.tables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    for (Match m : r.matches) if (m instanceof SetMatch sm) refs.merge(sm.index, 1, Integer::sum);
                    if (r.target instanceof SetTarget st) {
                        for (int i : st.setIndexes()) if (i >= 0) refs.merge(i, 1, Integer::sum);
                    }
                }
            }
        }
        ipset.setRuleReferences(rules.ipv6, refs);
        if (rules.acct == null) rules.acct = acct;
        else acct = rules.acct;
        acct.holdFor(rules);
        recent.bind(rules);
        hashlimit.bind(rules);
        rateest.bind(rules, clock.getAsLong());
        for (Table t : rules.tables()) {
            t.nfTrace = trace;
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    if (r.target instanceof NflogTarget n) n.net = nflog;
                    else if (r.target instanceof LogTarget l) l.net = log;
                }
            }
        }
    }
}
