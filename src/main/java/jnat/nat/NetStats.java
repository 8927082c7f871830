package jnat.nat;

import jnat.host.Interface;

import java.util.Arrays;

/**
 * The engine's counters (the device stats, the MIB counters, drops by reason) and the one drop
 * verb every stage uses: a dropped packet frees the connection it created and never confirmed.
 */
final class NetStats {
    private final Trace trace;
    private final long[] drops = new long[DropReason.values().length];
    private long[] rxPackets = new long[8], rxBytes = new long[8], txPackets = new long[8], txBytes = new long[8];
    long delivered;
    /** Packets conntrack found INVALID. */
    long invalid;

    NetStats(Trace trace) {
        this.trace = trace;
    }

    /** kfree_skb with a drop reason: counted, traced, its unconfirmed connection freed. */
    void drop(PacketState p, DropReason reason) {
        p.releaseUnconfirmed();
        drops[reason.ordinal()]++;
        if (trace.on()) trace.dropped(p, reason);
    }

    /** A drop with no packet in hand (a reassembly queue that timed out). */
    void count(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    void rx(Interface dev, int len) {
        int i = slot(dev);
        rxPackets[i]++;
        rxBytes[i] += len;
    }

    void tx(Interface dev, int len) {
        int i = slot(dev);
        txPackets[i]++;
        txBytes[i] += len;
    }

    long rxPackets(Interface dev) { return at(rxPackets, dev); }
    long rxBytes(Interface dev) { return at(rxBytes, dev); }
    long txPackets(Interface dev) { return at(txPackets, dev); }
    long txBytes(Interface dev) { return at(txBytes, dev); }

    private static long at(long[] a, Interface dev) {
        return dev.index() < a.length ? a[dev.index()] : 0;
    }

    private int slot(Interface dev) {
        int i = dev.index();
        if (i >= rxPackets.length) {
            int n = Math.max(i + 1, rxPackets.length * 2);
            rxPackets = Arrays.copyOf(rxPackets, n);
            rxBytes = Arrays.copyOf(rxBytes, n);
            txPackets = Arrays.copyOf(txPackets, n);
            txBytes = Arrays.copyOf(txBytes, n);
        }
        return i;
    }
}
