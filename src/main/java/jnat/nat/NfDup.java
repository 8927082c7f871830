package jnat.nat;

import jnat.rules.TeeTarget;
import jnat.wire.Offload;

/**
 * The engine's two duplicators, which every packet state that walks the tables reaches -j TEE
 * through ({@link PacketState#dup}): {@link NfDupIpv4} and {@link NfDupIpv6}, as xt_TEE's tee_tg4
 * and tee_tg6 call nf_dup_ipv4 and nf_dup_ipv6. Filled in once the output paths exist.
 */
final class NfDup {
    NfDupIpv4 ipv4;
    NfDupIpv6 ipv6;

    void dup(PacketState p, TeeTarget tee) {
        if (p.ipv6) {
            if (ipv6 != null) ipv6.dup(p, tee);
        } else if (ipv4 != null) {
            ipv4.dup(p, tee);
        }
    }

    /**
     * What both nf_dup_ipv4 and nf_dup_ipv6 do first: pskb_copy (the mark, offload state and frag_max_size
     * go with the bytes, and nftrace with them) and nf_reset_ct with the untracked template.
     */
    static void startCopy(PacketState p, PacketState c, Offload offload) {
        c.reset(null, p.now, copyOffload(p.offload, offload), p.tx, p.generated);
        c.mark = p.mark;
        c.fragMaxSize = p.fragMaxSize;
        c.nfTrace = p.nfTrace;
        c.nfTraceId = p.nfTraceId;
        c.untracked = true;
    }

    /** pskb_copy's copy of the offload state (the checksum offsets count from the IP header, so they hold in the copy). */
    private static Offload copyOffload(Offload from, Offload to) {
        to.ipSummed = from.ipSummed;
        to.csumStart = from.csumStart;
        to.csumOffset = from.csumOffset;
        to.gsoSize = from.gsoSize;
        to.gsoType = from.gsoType;
        return to;
    }
}
