package jnat.rules;

/**
 * Told each step of a table walk, as the kernel's TRACE target reports them
 * ({@code nat:PREROUTING:rule:1}, {@code nat:DOCKER:return:3}, {@code nat:POSTROUTING:policy:2}).
 */
public interface Tracer {
    /** Rule {@code number} (1-based) of {@code chain} matched; its counters have counted the packet. */
    void rule(Table table, Chain chain, int number, Rule rule);

    /**
     * The walk left {@code chain} at position {@code number} (1-based, one past the last rule when
     * it fell off the end): through RETURN or its end for a user chain, to the policy for a built-in one.
     */
    void leave(Table table, Chain chain, int number, boolean policy);
}
