package jnat.nft;

import java.util.List;

/**
 * An error record (src/erec.c): a message at a location, printed as nft prints it:
 * {@code file:line:first-last: Error: message}, the source line, and beneath it a marker line that keeps
 * the line's tabs and puts a caret under every column of the location.
 */
final class NftError extends RuntimeException {
    record Location(int line, int col, int end) {}

    final Location loc;
    final List<Location> also = new java.util.ArrayList<>(); // marked with '~'
    boolean kernel; // reported by the kernel for the batch, after nft's own checks passed

    NftError(Location loc, String message) {
        super(message, null, false, false);
        this.loc = loc;
    }

    NftError with(Scanner.Token first, Scanner.Token last) {
        also.add(new Location(first.line(), first.col(), last.line() == first.line() ? last.end() : first.end()));
        return this;
    }

    static NftError kernel(Location loc, String message) {
        NftError e = new NftError(loc, message);
        e.kernel = true;
        return e;
    }

    static NftError at(Scanner.Token t, String message) {
        return new NftError(new Location(t.line(), t.col(), t.end()), message);
    }

    static NftError span(Scanner.Token first, Scanner.Token last, String message) {
        return new NftError(new Location(first.line(), first.col(), last.line() == first.line() ? last.end() : first.end()),
                message);
    }

    /** erec_print: three lines (two without a location). */
    /** file null: the command line (no location prefix, as nft prints errors in its arguments). */
    static String format(String file, String[] lines, NftError e) {
        if (e.loc == null) return (e.getMessage().startsWith("netlink: ") ? "" : "Error: ") + e.getMessage() + "\n";
        StringBuilder sb = new StringBuilder();
        if (file != null)
            sb.append(file).append(':').append(e.loc.line).append(':').append(e.loc.col).append('-').append(e.loc.end)
                    .append(": ");
        sb.append("Error: ").append(e.getMessage()).append('\n');
        int line = e.loc.line;
        // the end of the input is reported on the line after the last: nft shows the last line it read
        if (line - 1 >= lines.length || line == lines.length && lines[line - 1].isEmpty() && line > 1) line--;
        String src = line - 1 < lines.length ? lines[line - 1] : "";
        if (src.endsWith("\r")) src = src.substring(0, src.length() - 1);
        sb.append(src).append('\n');
        int last = e.loc.end;
        for (Location l : e.also) if (l.line == e.loc.line) last = Math.max(last, l.end);
        StringBuilder mark = new StringBuilder();
        for (int c = 1; c <= last; c++) {
            char m = 0;
            if (c >= e.loc.col && c <= e.loc.end) m = '^';
            else for (Location l : e.also) if (l.line == e.loc.line && c >= l.col && c <= l.end) m = '~';
            if (m == 0) m = c - 1 < src.length() && src.charAt(c - 1) == '\t' ? '\t' : ' ';
            mark.append(m);
        }
        sb.append(mark).append('\n');
        return sb.toString();
    }

    static String formatAll(String file, String[] lines, List<NftError> errors) {
        StringBuilder sb = new StringBuilder();
        for (NftError e : errors) sb.append(format(file, lines, e));
        return sb.toString();
    }
}
