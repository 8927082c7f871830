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

    /** -j NFLOG's groups (nfnetlink_log): {@link NflogTarget.Net#listen} to receive what they log. */
    public final NflogTarget.Net nflog = new NflogTarget.Net();

    /** -j LOG's kernel log (nf_log_syslog): {@link LogTarget.Net#listen} to read its lines. */
    public final LogTarget.Net log = new LogTarget.Net();

    /** Binds every stateful match and target of {@code rules} to this namespace's state. */
    public void bind(Ruleset rules) {
        recent.bind(rules);
        hashlimit.bind(rules);
        for (Table t : rules.tables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    if (r.target instanceof NflogTarget n) n.net = nflog;
                    else if (r.target instanceof LogTarget l) l.net = log;
                }
            }
        }
    }
}
