package jnat.nat;

import jnat.wire.Ipv6ExtHeaders;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;

/**
 * nf_defrag_ipv6 (net/ipv6/netfilter/nf_defrag_ipv6_hooks.c, priority NF_IP6_PRI_CONNTRACK_DEFRAG
 * -400 at PREROUTING and LOCAL_OUT): ipv6_defrag hands a packet with a fragment header to its
 * {@link NfCtFrag6} queue; the one completing the datagram carries it on whole, in the queue's
 * buffer, CHECKSUM_NONE, with frag_max_size kept. A packet whose first header is no extension
 * header (TCP, UDP, ICMPv6: the common case) pays one comparison.
 */
final class Ip6DefragHook {
    private final NfCtFrag6 defrag;
    private final NetStats stats;
    private final Trace trace;
    /** A reassembled packet's offload state: CHECKSUM_NONE, no GSO (never changed). */
    private final Offload none;

    Ip6DefragHook(NfCtFrag6 defrag, Offload none, NetStats stats, Trace trace) {
        this.defrag = defrag;
        this.none = none;
        this.stats = stats;
        this.trace = trace;
    }

    /** ipv6_defrag for {@code user}: false when the packet was queued (NF_STOLEN) or dropped. */
    boolean defragment(PacketState p, int user) {
        Ipv6Packet ip = p.ip6;
        if (!Ipv6ExtHeaders.isExtHeader(ip.nextHeader())) return true; // find_prev_fhdr finds none
        int r = defrag.gather(ip, user, p.in == null ? 0 : p.in.index(), p.now);
        switch (r) {
            case NfCtFrag6.QUEUED -> {
                if (trace.on()) trace.fragmentQueued(p);
                return false;
            }
            case NfCtFrag6.DROPPED -> {
                stats.drop(p, defrag.dropReason());
                return false;
            }
            case NfCtFrag6.REASSEMBLED -> {
                ip.wrap(defrag.buffer(), defrag.offset(), defrag.length());
                p.fragMaxSize = defrag.fragMaxSize();
                p.offload = none;
                if (trace.on()) trace.reassembled(defrag.fragmentCount());
                return true;
            }
            default -> {
                return true; // NF_ACCEPT: not reassembled, it goes on as it is
            }
        }
    }
}
