package jnat.nat;

import jnat.host.Interface;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The neighbours the host resolves itself (net/core/neighbour.c; one table per family, arp_tbl and
 * nd_tbl): a next hop the host file has no entry for is looked up here; a packet to one not
 * resolved yet waits in its entry's arp_queue while the family's {@link Ops} ({@link Arp},
 * {@link Ndisc}) solicit it, and leaves when the answer comes (neigh_update), or is reported
 * unreachable when the probes run out (neigh_invalidate). The host file's entries stay the host's
 * (permanent); these are the ones the kernel would create. An IPv4 key is its address in {@code lo}.
 *
 * <p>The tables' defaults (the same for both): ucast_probes 3, mcast_probes 3, app_probes 0 (so the
 * first three requests are broadcast, the first three solicitations go to the solicited-node
 * group), retrans_time 1 s, unres_qlen_bytes SK_WMEM_MAX
 * (212992). A queued packet counts as its skb's truesize, which in the kernel depends on how the
 * driver allocated it: here SKB_TRUESIZE of the frame and NET_SKB_PAD, an estimate. A resolved
 * entry stays resolved: reachable_time's move to STALE, DELAY and unicast PROBE is not modelled.
 * The slow path only: entries and queued copies are allocated when a neighbour is missing.
 * Entries are found by hash (neigh_lookup's hash buckets: an open-addressed table of the entries,
 * never shrunk, as entries are never garbage collected here), and the timer walk visits only the
 * INCOMPLETE entries (the kernel arms a timer per entry), so a host with many neighbours pays
 * nothing per packet for their number.
 */
final class NeighTable {
    static final int NUD_INCOMPLETE = 0x01, NUD_REACHABLE = 0x02, NUD_STALE = 0x04, NUD_FAILED = 0x20;
    static final int NUD_VALID = NUD_REACHABLE | NUD_STALE;
    static final int UCAST_PROBES = 3, MCAST_PROBES = 3, APP_PROBES = 0;
    static final long RETRANS_TIME_NS = 1_000_000_000L;
    static final int QUEUE_LEN_BYTES = 212_992;
    /** SKB_TRUESIZE's share beside the data: struct sk_buff and skb_shared_info, cache-aligned (x86_64). */
    private static final int SKB_OVERHEAD = 256 + 320, NET_SKB_PAD = 64;

    /** Room for the link header before a queued packet's copy. */
    static final int HEADROOM = 14;

    /** One queued packet (a copy of the IPv6 packet at {@link #HEADROOM}) with what its error report needs. */
    record Queued(byte[] packet, int truesize, int ctId, int ctinfo, boolean generated) {}

    /** struct neighbour: the key (device and address), nud_state, ha, probes, the timer and arp_queue. */
    static final class Neigh {
        final Interface dev;
        final long hi, lo;
        int state;
        long mac = Interface.NO_MAC;
        int probes;
        long timer;
        /** Where the entry's solicitations and queued packets leave: the last caller's transmitter. */
        Transmit tx;
        final ArrayDeque<Queued> queue = new ArrayDeque<>(2);
        int queueBytes;
        /** In {@link #incomplete} (its timer armed). */
        boolean timed;

        Neigh(Interface dev, long hi, long lo) {
            this.dev = dev;
            this.hi = hi;
            this.lo = lo;
        }
    }

    /** neigh_ops: the family's solicit and error_report (ndisc_solicit, ndisc_error_report), and the output. */
    interface Ops {
        /** Solicits {@code n}, {@code skb} the packet last queued (for the source address) or null. */
        void solicit(Neigh n, Queued skb, long now);

        /** The packet could not be delivered: its sender is told (dst_link_failure). */
        void errorReport(Neigh n, Queued skb, long now);

        /** The packet leaves to the now resolved neighbour (neigh_resolve_output's dev_queue_xmit). */
        void output(Neigh n, Queued skb, long now);
    }

    /** The entries by (device, address): open addressing, linear probing, at most half full. */
    private Neigh[] slots = new Neigh[16];
    private int size;
    /** The entries whose timer may be due: INCOMPLETE ones (neigh_add_timer). */
    private final List<Neigh> incomplete = new ArrayList<>();
    private final NetStats stats;
    private final boolean ipv6;
    private Ops ops;
    long queued, released;

    /** {@code ipv6}: nd_tbl, else arp_tbl. */
    NeighTable(NetStats stats, boolean ipv6) {
        this.stats = stats;
        this.ipv6 = ipv6;
    }

    void setOps(Ops ops) {
        this.ops = ops;
    }

    /** neigh_lookup. */
    Neigh lookup(Interface dev, long hi, long lo) {
        Neigh[] t = slots;
        int mask = t.length - 1;
        for (int i = hash(dev, hi, lo) & mask; ; i = (i + 1) & mask) {
            Neigh e = t[i];
            if (e == null) return null;
            if (e.dev == dev && e.hi == hi && e.lo == lo) return e;
        }
    }

    private static int hash(Interface dev, long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL) ^ dev.index();
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    /** neigh_create's insertion (the caller found none). */
    private Neigh create(Interface dev, long hi, long lo) {
        if (2 * (size + 1) > slots.length) {
            Neigh[] old = slots;
            slots = new Neigh[old.length * 2];
            for (Neigh e : old) if (e != null) insert(e);
        }
        Neigh n = new Neigh(dev, hi, lo);
        insert(n);
        size++;
        return n;
    }

    private void insert(Neigh n) {
        int mask = slots.length - 1;
        int i = hash(n.dev, n.hi, n.lo) & mask;
        while (slots[i] != null) i = (i + 1) & mask;
        slots[i] = n;
    }

    /** The link-layer address of a resolved entry, or {@link Interface#NO_MAC}. */
    long resolved(Interface dev, long hi, long lo) {
        if (size == 0) return Interface.NO_MAC;
        Neigh e = lookup(dev, hi, lo);
        return e != null && (e.state & NUD_VALID) != 0 ? e.mac : Interface.NO_MAC;
    }

    /**
     * neigh_resolve_output for an unresolved next hop (__neigh_event_send): the packet (the IPv6
     * packet at {@code off}, {@code len} bytes, past POSTROUTING) is queued, the oldest dropped
     * while the queue would pass unres_qlen_bytes; a new or failed entry becomes INCOMPLETE and is
     * solicited at once (neigh_probe), then every retrans_time by {@link #timers}.
     */
    void eventSend(PacketState p, long hi, long lo, byte[] buf, int off, int len) {
        Neigh n = lookup(p.out(), hi, lo);
        if (n == null) n = create(p.out(), hi, lo);
        n.tx = p.tx;
        boolean probe = false;
        if ((n.state & (NUD_STALE | NUD_INCOMPLETE)) == 0) {
            n.probes = UCAST_PROBES;
            n.state = NUD_INCOMPLETE;
            n.timer = p.now + RETRANS_TIME_NS;
            if (!n.timed) {
                n.timed = true;
                incomplete.add(n);
            }
            probe = true;
        }
        int truesize = truesize(len);
        while (n.queueBytes + truesize > QUEUE_LEN_BYTES && !n.queue.isEmpty()) {
            Queued old = n.queue.pollFirst();
            n.queueBytes -= old.truesize;
            stats.count(DropReason.NEIGH_QUEUEFULL, ipv6);
        }
        byte[] copy = new byte[HEADROOM + len];
        System.arraycopy(buf, off, copy, HEADROOM, len);
        Queued q = new Queued(copy, truesize, p.ct.id, p.ct.ctinfo, p.generated);
        n.queue.addLast(q);
        n.queueBytes += truesize;
        queued++;
        if (probe) probe(n, p.now);
    }

    /** SKB_TRUESIZE of a received frame of this IP length (an estimate: see the class comment). */
    static int truesize(int ipLen) {
        int data = NET_SKB_PAD + 14 + ipLen;
        return (data + 63 & ~63) + SKB_OVERHEAD;
    }

    /** neigh_probe: solicit with the last queued packet, then count the probe. */
    private void probe(Neigh n, long now) {
        ops.solicit(n, n.queue.peekLast(), now);
        n.probes++;
    }

    /** neigh_max_probes for an INCOMPLETE entry. */
    static int maxProbes() {
        return UCAST_PROBES + APP_PROBES + MCAST_PROBES;
    }

    /**
     * neigh_timer_handler for the entries whose timer is due: an INCOMPLETE one that has used its
     * probes fails (neigh_invalidate: each queued packet reported and dropped), else is solicited again.
     */
    void timers(long now) {
        int kept = 0;
        for (int i = 0; i < incomplete.size(); i++) {
            Neigh n = incomplete.get(i);
            if (n.state == NUD_INCOMPLETE && now - n.timer >= 0) {
                if (n.probes >= maxProbes()) {
                    n.state = NUD_FAILED;
                    invalidate(n, now);
                } else {
                    n.timer = now + RETRANS_TIME_NS;
                    probe(n, now);
                }
            }
            // a resolved or failed entry's timer is off; the others keep their order
            if (n.state == NUD_INCOMPLETE) incomplete.set(kept++, n);
            else n.timed = false;
        }
        incomplete.subList(kept, incomplete.size()).clear();
    }

    /** neigh_invalidate: every queued packet goes to error_report (the sender told), then is freed. */
    private void invalidate(Neigh n, long now) {
        Queued q;
        while ((q = n.queue.pollFirst()) != null) {
            n.queueBytes -= q.truesize;
            stats.count(DropReason.NEIGH_FAILED, ipv6);
            ops.errorReport(n, q, now);
        }
    }

    /**
     * neigh_update with a link-layer address and a valid state (ndisc_recv_na's REACHABLE when
     * solicited, else STALE): the entry is resolved, and its queued packets leave in order. An
     * entry that is not valid yet ignores an update without an address.
     */
    void update(Neigh n, long mac, int state, long now) {
        if ((n.state & NUD_VALID) == 0 && mac == Interface.NO_MAC) return;
        if (mac != Interface.NO_MAC) n.mac = mac;
        n.state = state;
        Queued q;
        while ((state & NUD_VALID) != 0 && (q = n.queue.pollFirst()) != null) {
            n.queueBytes -= q.truesize;
            released++;
            ops.output(n, q, now);
        }
    }

    /**
     * neigh_event_ns: the sender of a solicitation or request for one of our addresses becomes a
     * STALE entry (created, or updated with its new address), and whatever waited for it leaves.
     */
    void learn(Interface dev, long hi, long lo, long mac, long now, Transmit tx) {
        Neigh n = lookup(dev, hi, lo);
        if (n == null) n = create(dev, hi, lo);
        n.tx = tx;
        if ((n.state & NUD_VALID) != 0 && n.mac == mac) return;
        update(n, mac, NUD_STALE, now);
    }

    int size() {
        return size;
    }
}
