package jnat.rules;

/** A rule, command or dump iptables would refuse; the message is what the user sees. */
public final class RuleError extends RuntimeException {
    private final int exitCode;

    public RuleError(String message) {
        this(message, 2);
    }

    public RuleError(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** iptables exits 1 for failed operations (no such rule/chain), 2 for bad arguments. */
    public int exitCode() {
        return exitCode;
    }
}
