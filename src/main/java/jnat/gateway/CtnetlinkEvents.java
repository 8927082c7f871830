package jnat.gateway;

import jnat.conntrack.ConnTable;
import jnat.conntrack.ConntrackEvents;
import jnat.conntrack.ConntrackTool;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * ctnetlink's event side (nf_conntrack_netlink.c ctnetlink_conntrack_event, and af_netlink.c's
 * netlink_broadcast to the NFNLGRP_CONNTRACK_* groups) for the gateway's {@code conntrack -E}
 * listeners. The engine's thread formats each event once per listener that wants it (nothing is
 * done while nobody listens: the table has no listener then) and offers it to that listener's
 * bounded queue, never waiting: a full queue drops the event and counts it, as netlink_overrun
 * drops a message for a full receive buffer and counts it in sk_drops, and the listener's reader
 * says so with conntrack's ENOBUFS warning once it has read what was queued before.
 */
final class CtnetlinkEvents implements ConntrackEvents {
    /**
     * Events a listener's queue holds: the kernel bounds by bytes (net.core.rmem_default, 212992,
     * against each message's truesize, under a kilobyte for an event); jnat bounds by count, 256,
     * of that order (not measured against the kernel).
     */
    static final int QUEUE = 256;

    /** One {@code conntrack -E}: its parsed command line, queue and overrun state. */
    static final class Listener {
        final ConntrackTool.Events events;
        final ArrayBlockingQueue<String> queue;
        volatile boolean overrun;
        final AtomicLong dropped = new AtomicLong();

        Listener(ConntrackTool.Events events, int capacity) {
            this.events = events;
            this.queue = new ArrayBlockingQueue<>(capacity);
        }
    }

    private final Gateway gateway;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();

    CtnetlinkEvents(Gateway gateway) {
        this.gateway = gateway;
    }

    /** The events dropped for full queues, all listeners together (sk_drops). */
    long dropped() {
        return dropped.get();
    }

    int listeners() {
        return listeners.size();
    }

    @Override
    public void event(int bits, ConnTable table, int id) {
        long now = table.lastClock();
        for (Listener l : listeners) {
            String line = l.events.line(bits, table, id, now);
            if (line == null) continue;
            if (!l.queue.offer(line)) {
                l.overrun = true;
                l.dropped.incrementAndGet();
                dropped.incrementAndGet();
            }
        }
    }

    Listener attach(ConntrackTool.Events events, int capacity) {
        Listener l = new Listener(events, capacity);
        gateway.withEngine(e -> {
            listeners.add(l);
            e.connections().setEvents(this);
            return null;
        });
        return l;
    }

    void detach(Listener l) {
        gateway.withEngine(e -> {
            listeners.remove(l);
            if (listeners.isEmpty() && e.connections().events() == this) e.connections().setEvents(null);
            return null;
        });
    }

    /**
     * A listener's reader: writes each queued line to {@code out} ({@code -o timestamp}: with
     * gettimeofday's prefix as it is read), the ENOBUFS warning after an overrun once the queue is
     * drained, until {@code ended}. Returns the events written.
     */
    static int drain(Listener l, ControlServer.Stream out, BooleanSupplier ended) {
        int n = 0;
        while (!ended.getAsBoolean()) {
            String line;
            try {
                line = l.queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (line == null) {
                if (l.overrun) {
                    l.overrun = false;
                    out.stderr(ConntrackTool.Events.ENOBUFS);
                }
                continue;
            }
            if (l.events.timestamps()) {
                java.time.Instant t = java.time.Instant.now();
                line = ConntrackTool.Events.timestampPrefix(t.getEpochSecond() * 1_000_000 + t.getNano() / 1000) + line;
            }
            out.stdout(line + "\n");
            n++;
        }
        return n;
    }
}
