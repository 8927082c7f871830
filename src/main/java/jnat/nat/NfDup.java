package jnat.nat;

import jnat.rules.TeeTarget;

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
}
