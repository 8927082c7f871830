package jnat.cli;

import jnat.linux.Libc;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * Progress of long work on stderr, one line rewritten in place ({@code \r}, erase to the end of the
 * line): what is done of the total, the rate, the time left. Only when stderr is a terminal
 * (isatty(2)) and not {@code --quiet}; otherwise {@link #of} gives null and callers print nothing.
 * The line is redrawn at most every 200 ms, and the clock is read once per 1024 steps.
 */
final class Progress {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream err;
    private final String what;
    private final String unit;
    private final LongSupplier clock;
    private final long start;
    private long total;
    private long done;
    private long lastDraw;
    private boolean drawn;

    Progress(PrintStream err, String what, String unit, long total, LongSupplier clock) {
        this.err = err;
        this.what = what;
        this.unit = unit;
        this.total = total;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastDraw = start - REDRAW_NANOS; // the first check draws
    }

    /** Progress on this process's stderr, or null when it is not a terminal or {@code quiet}. */
    static Progress of(boolean quiet, String what, String unit, long total) {
        if (quiet || !stderrIsTerminal()) return null;
        return new Progress(System.err, what, unit, total, System::nanoTime);
    }

    static boolean stderrIsTerminal() {
        try {
            return Libc.isatty(2);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    /** One more step done. */
    void step() {
        if ((++done & 1023) == 0) maybeDraw();
    }

    /** {@code n} steps done in all, of {@code total} (-1: unknown); {@code nanosLeft} >= 0 when the time left is known. */
    void at(long n, long total, long nanosLeft) {
        done = n;
        this.total = total;
        long now = clock.getAsLong();
        if (now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        draw(now, nanosLeft);
    }

    private void maybeDraw() {
        long now = clock.getAsLong();
        if (now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        draw(now, -1);
    }

    private void draw(long now, long nanosLeft) {
        err.print("\r" + line(now, nanosLeft) + "\u001b[K");
        err.flush();
        drawn = true;
    }

    /** "replay: 52,224/100,000 frames, 130,560 frames/s, 0:00:03 left". */
    String line(long now, long nanosLeft) {
        double secs = (now - start) / 1e9;
        double rate = secs >= 0.1 ? done / secs : 0; // no rate from the first tenth of a second: it means nothing yet
        StringBuilder b = new StringBuilder(what).append(": ").append(String.format("%,d", done));
        if (total > 0) b.append('/').append(String.format("%,d", total));
        b.append(' ').append(unit);
        if (rate > 0) b.append(", ").append(String.format("%,.0f", rate)).append(' ').append(unit).append("/s");
        long left = nanosLeft >= 0 ? nanosLeft : total > 0 && rate > 0 ? (long) ((total - done) / rate * 1e9) : -1;
        if (left >= 0) b.append(", ").append(clockTime(left)).append(" left");
        return b.toString();
    }

    private static String clockTime(long nanos) {
        long s = (nanos + 999_999_999L) / 1_000_000_000L;
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Erases the line (the work is done; what follows prints on a clean line). */
    void done() {
        if (!drawn) return;
        err.print("\r\u001b[K");
        err.flush();
    }
}
