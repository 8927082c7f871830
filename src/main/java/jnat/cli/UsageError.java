package jnat.cli;

/** An error the user caused (bad file, bad argument): printed as one line, exit code given. */
public final class UsageError extends RuntimeException {
    private final int exitCode;

    public UsageError(String message) {
        this(message, 1);
    }

    public UsageError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
