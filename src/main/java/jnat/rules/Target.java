package jnat.rules;

/**
 * What a rule does when it matches (-j NAME): a verdict (ACCEPT, DROP, RETURN), a NAT target the
 * engine applies, or a non-terminal target (MARK, LOG) that acts and lets the walk continue.
 * Jumps and gotos to user chains are not targets: the Rule holds the chain.
 */
public abstract class Target {
    public static final Target ACCEPT = new Standard("ACCEPT");
    public static final Target DROP = new Standard("DROP");
    public static final Target RETURN = new Standard("RETURN");

    public abstract String name();

    /**
     * Acts on the packet; true means XT_CONTINUE (go on with the next rule), false means this
     * target is the verdict that {@link Table#traverse} returns.
     */
    public boolean apply(PacketContext ctx) {
        return false;
    }

    /**
     * The netfilter verdict this target is when it ends the walk ({@link #apply} false): NF_DROP (0)
     * unless it says otherwise (NF_ACCEPT 1, NF_QUEUE 3 with the queue number in the upper half).
     * The nf_tables trace reports it ({@link NfTablesTrace}).
     */
    public int nfVerdict() {
        return NfTablesTrace.NF_DROP;
    }

    /** The name iptables-save and -S write after "-j": the alias the rule was given (NOTRACK for CT). */
    public String saveName() {
        return name();
    }

    /** As {@link Match#usesConntrack}: the target's checkentry takes conntrack (nf_ct_netns_get). */
    public boolean usesConntrack() {
        return false;
    }

    /**
     * As {@link Match#concurrentSafe}: whether two lanes may run {@link #apply} at once, true only
     * where it writes nothing but the packet (its mark, its header bytes). Targets that keep state,
     * log, send, queue or touch the connection (CONNMARK, CT, NAT, SET, LOG, TEE, REJECT...) are
     * not. The verdicts ACCEPT, DROP and RETURN are.
     */
    public boolean concurrentSafe() {
        return false;
    }

    /** The one table the kernel allows this target in (xt_target.table), or null for any. */
    public String table() {
        return null;
    }

    /** The extension's print(): -L text after the addresses, starting with a space. */
    public void print(StringBuilder out, boolean numeric) {}

    /** The extension's save(): options after "-j NAME". */
    public void save(StringBuilder out) {}

    /** Bits of the hooks (Hook.bit()) the kernel allows this target in; checked at commit. */
    public int hooks() {
        return 0x1F;
    }

    /** The hooks are the kernel's checkentry's (EINVAL, "RULE_APPEND failed"), not x_tables' hook mask. */
    public boolean hooksCheckedByKernel() {
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name());
        save(sb);
        return sb.toString();
    }

    private static final class Standard extends Target {
        private final String name;

        Standard(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean concurrentSafe() {
            return true;
        }

        @Override
        public int nfVerdict() {
            return name.equals("ACCEPT") ? NfTablesTrace.NF_ACCEPT : NfTablesTrace.NF_DROP;
        }
    }
}
