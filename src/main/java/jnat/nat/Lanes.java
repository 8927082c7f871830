package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.host.Interface;
import jnat.wire.Offload;

import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;

/**
 * The lock an engine's lanes share ({@link NatEngine#setLanes}): held shared while lanes run
 * established packets concurrently, exclusively for everything else (new connections, control
 * commands, timers), as the kernel's CPUs look connections up under RCU and change the table
 * under its locks. While it is held exclusively the conntrack table is told so
 * ({@link ConnTable#setConcurrent}), and the entries killed meanwhile are reaped before it is released.
 */
final class Lanes {
    private final StampedLock lock = new StampedLock();
    private final ConnTable table;
    /** {@link #start} was called: lanes may share the lock. */
    private volatile boolean concurrent;

    Lanes(ConnTable table) {
        this.table = table;
    }

    /** From now on lanes may share the lock; everyone else goes through {@link #exclusive}. */
    void start() {
        long stamp = lock.writeLock();
        try {
            concurrent = true;
            table.setConcurrent(true);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    <T> T exclusive(int cpu, Supplier<T> work) {
        long stamp = lockExclusive(cpu);
        try {
            return work.get();
        } finally {
            unlockExclusive(stamp);
        }
    }

    private long lockExclusive(int cpu) {
        long stamp = lock.writeLock();
        table.setConcurrent(false);
        if (table.cpus() > cpu) table.setCpu(cpu); // conntrack -S: this lane's line
        return stamp;
    }

    private void unlockExclusive(long stamp) {
        table.reapDying(); // nothing of the table's may be left for a concurrent packet to finish
        table.setConcurrent(concurrent);
        lock.unlockWrite(stamp);
    }

    /** {@link NatEngine#receiveConcurrent(Interface, byte[], int, int, long, Offload, Transmit)} on {@code lane}. */
    void receive(NatEngine primary, NatEngine lane, int cpu, LaneCheck check, Interface in, byte[] buf, int off, int len,
                 long now, Offload offload, Transmit tx) {
        if (concurrent && primary.lanesMayShare()) {
            long stamp = lock.readLock();
            try {
                if (check.eligible(in, buf, off, len, now, offload)) {
                    check.sharedPackets++;
                    run(lane, in, buf, off, len, now, offload, tx);
                    return;
                }
            } finally {
                lock.unlockRead(stamp);
            }
        }
        long stamp = lockExclusive(cpu);
        try {
            run(lane, in, buf, off, len, now, offload, tx);
        } finally {
            unlockExclusive(stamp);
        }
    }

    /** {@link NatEngine#receiveConcurrent(PacketBatch, Transmit)} on {@code lane}. */
    void receive(NatEngine primary, NatEngine lane, int cpu, LaneCheck check, PacketBatch batch, Transmit tx) {
        int n = batch.size, i = 0;
        if (concurrent && primary.lanesMayShare()) {
            long stamp = lock.readLock();
            try {
                if (n > 1) check.touch(batch);
                for (; i < n; i++) {
                    if (!check.eligible(batch.in[i], batch.buf[i], batch.off[i], batch.len[i], batch.now[i], batch.offload[i])) break;
                    check.sharedPackets++;
                    run(lane, batch.in[i], batch.buf[i], batch.off[i], batch.len[i], batch.now[i], batch.offload[i], tx);
                }
            } finally {
                lock.unlockRead(stamp);
            }
        }
        if (i == n) return;
        long stamp = lockExclusive(cpu);
        try {
            for (; i < n; i++) {
                run(lane, batch.in[i], batch.buf[i], batch.off[i], batch.len[i], batch.now[i], batch.offload[i], tx);
            }
        } finally {
            unlockExclusive(stamp);
        }
    }

    private static void run(NatEngine lane, Interface in, byte[] buf, int off, int len, long now, Offload o, Transmit tx) {
        if (o == null) lane.receive(in, buf, off, len, now, tx);
        else lane.receive(in, buf, off, len, now, o, tx);
    }
}
