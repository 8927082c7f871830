package jnat.gateway;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Saves a gateway's conntrack table to its state file: every few seconds on a thread of its own
 * (the table is copied between two packets, written without holding the engine) and once more at
 * exit. A failed save is one line on stderr; the gateway keeps forwarding.
 */
public final class StateSaver {
    private final Gateway gateway;
    private final Path file;
    private final PrintWriter err;
    private Thread periodic;
    private boolean done;

    public StateSaver(Gateway gateway, Path file, PrintWriter err) {
        this.gateway = gateway;
        this.file = file;
        this.err = err;
    }

    /** Starts saving every {@code seconds}. */
    public synchronized void every(int seconds) {
        periodic = Thread.ofPlatform().daemon().name("jnat-state").start(() -> {
            try {
                for (;;) {
                    Thread.sleep(seconds * 1000L);
                    save();
                }
            } catch (InterruptedException e) {
                // stopped by last()
            }
        });
    }

    /** Copies the table now and writes it; returns false (and says why on stderr) if writing failed. */
    public boolean save() {
        ConntrackState.Snapshot s = gateway.withEngine(e -> ConntrackState.snapshot(e, System.nanoTime()));
        synchronized (this) {
            if (done) return true; // the final save won
            try {
                ConntrackState.write(file, s);
                return true;
            } catch (IOException e) {
                err.println("jnat gateway: saving --state " + file + ": " + e);
                err.flush();
                return false;
            }
        }
    }

    /** The final save (call after the loop stopped); later calls do nothing. */
    public void last() {
        Thread t;
        synchronized (this) {
            if (done) return;
            t = periodic;
        }
        if (t != null) t.interrupt();
        save();
        synchronized (this) {
            done = true;
        }
    }
}
