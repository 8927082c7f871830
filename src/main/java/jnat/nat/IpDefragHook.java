package jnat.nat;

import jnat.wire.Ipv4Packet;
import jnat.wire.Offload;

/**
 * nf_defrag_ipv4 (priority -400 at PREROUTING and LOCAL_OUT): a fragment goes to its
 * {@link IpDefrag} queue; the one completing the datagram carries it on whole, in the queue's
 * buffer, CHECKSUM_NONE, with frag_max_size kept.
 */
final class IpDefragHook {
    private final IpDefrag defrag;
    private final NetStats stats;
    private final Trace trace;
    /** A reassembled datagram's offload state: CHECKSUM_NONE, no GSO (never changed). */
    private final Offload none;

    IpDefragHook(IpDefrag defrag, Offload none, NetStats stats, Trace trace) {
        this.defrag = defrag;
        this.none = none;
        this.stats = stats;
        this.trace = trace;
    }

    /** ip_defrag for {@code user}: false when the fragment was queued or dropped. */
    boolean defragment(PacketState p, int user) {
        Ipv4Packet ip = p.ip;
        int r = defrag.queue(ip, user, p.in == null ? 0 : p.in.index(), p.now);
        if (r == IpDefrag.QUEUED) {
            if (trace.on()) trace.fragmentQueued(p);
            return false;
        }
        if (r == IpDefrag.DROPPED) {
            stats.drop(p, defrag.dropReason());
            return false;
        }
        ip.wrap(defrag.buffer(), defrag.offset(), defrag.length());
        p.fragMaxSize = defrag.fragMaxSize();
        p.offload = none;
        if (trace.on()) trace.reassembled(defrag.fragmentCount());
        return true;
    }
}
