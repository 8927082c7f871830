package jnat.rules;

/**
 * One match module of a rule (-m NAME): decides on a packet, prints itself as iptables -L
 * does (the extension's print(), text starting with a space) and as iptables-save does
 * (the extension's save(), the options after "-m NAME").
 */
public interface Match {
    /** The module name after -m. */
    String name();

    boolean matches(PacketContext ctx);

    void print(StringBuilder out, boolean numeric);

    void save(StringBuilder out);

    /** Bits of the hooks (Hook.bit()) the kernel allows this match in (xt_match.hooks); checked at commit. */
    default int hooks() {
        return 0x1F;
    }

    /**
     * Whether the kernel's checkentry takes the namespace's conntrack for the family (nf_ct_netns_get):
     * connections are tracked only while some rule of the family does.
     */
    default boolean usesConntrack() {
        return false;
    }

    /**
     * Whether two lanes ({@link PacketContext#cpu}) may run {@link #matches} at once: true only
     * where it reads the packet, its connection through the context and the rule's own immutable
     * options, and writes nothing but the packet (its mark, its bytes). A match with state of its
     * own (limit, recent, quota, statistic, counters, timeouts, scratch memory) is not.
     */
    default boolean concurrentSafe() {
        return false;
    }
}
