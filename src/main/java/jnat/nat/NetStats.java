package jnat.nat;

import jnat.host.Interface;

import java.util.Arrays;

/**
 * The engine's counters (the device stats, the MIB counters, drops by reason) and the one drop
 * verb every stage uses: a dropped packet frees the connection it created and never confirmed.
 * Drops, deliveries and INVALID packets are counted per family (the kernel keeps IPv4's MIBs in
 * /proc/net/snmp and IPv6's in /proc/net/snmp6): the packet's {@code PacketState.ipv6} picks the slot.
 */
final class NetStats {
    private final Trace trace;
    private static final int REASONS = DropReason.values().length;
    /** IPv4's drops by reason, then IPv6's. */
    private final long[] drops = new long[2 * REASONS];
    private long[] rxPackets = new long[8], rxBytes = new long[8], txPackets = new long[8], txBytes = new long[8];
    /** Packets delivered to the host, IPv4 (and ARP) and IPv6. */
    private long delivered, delivered6;
    /** Packets conntrack found INVALID, IPv4 and IPv6. */
    private long invalid, invalid6;

    NetStats(Trace trace) {
        this.trace = trace;
    }

    /** kfree_skb with a drop reason: counted, traced, its unconfirmed connection freed. */
    void drop(PacketState p, DropReason reason) {
        p.releaseUnconfirmed();
        drops[(p.ipv6 ? REASONS : 0) + reason.ordinal()]++;
        if (trace.on()) trace.dropped(p, reason);
    }

    /** A drop with no packet in hand (a reassembly queue that timed out), of family {@code ipv6}. */
    void count(DropReason reason, boolean ipv6) {
        drops[(ipv6 ? REASONS : 0) + reason.ordinal()]++;
    }

    /** Both families' drops for {@code reason}. */
    long drops(DropReason reason) {
        return drops[reason.ordinal()] + drops[REASONS + reason.ordinal()];
    }

    long drops(DropReason reason, boolean ipv6) {
        return drops[(ipv6 ? REASONS : 0) + reason.ordinal()];
    }

    /** The packet was delivered to the host (ip_local_deliver's count). */
    void delivered(PacketState p) {
        if (p.ipv6) delivered6++;
        else delivered++;
    }

    long delivered(boolean ipv6) {
        return ipv6 ? delivered6 : delivered;
    }

    /** Conntrack found the packet INVALID. */
    void invalid(PacketState p) {
        if (p.ipv6) invalid6++;
        else invalid++;
    }

    long invalid(boolean ipv6) {
        return ipv6 ? invalid6 : invalid;
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
