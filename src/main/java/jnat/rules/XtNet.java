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

    /** Binds every stateful match of {@code rules} to this namespace's state. */
    public void bind(Ruleset rules) {
        recent.bind(rules);
        hashlimit.bind(rules);
    }
}
