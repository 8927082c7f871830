package jnat.host;

/** A bad line in a host file: the message is one line, {@code FILE:LINE: reason}. */
public final class HostFileException extends HostException {
    private final String file;
    private final int line;

    public HostFileException(String file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public String file() { return file; }

    public int line() { return line; }
}
