package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.Ipv6ExtHeaders;
import jnat.wire.Ipv6FragmentHeader;
import jnat.wire.Ipv6Packet;

import java.util.random.RandomGenerator;

/**
 * ip6_fragment (net/ipv6/ip6_output.c) for what ip6_finish_output cuts: a packet nf_defrag_ipv6
 * reassembled that is longer than its frag_max_size or the MTU. Each fragment goes to a
 * {@link IpFragmenter.Sink} in offset order, in one reused buffer.
 *
 * <ul>
 * <li>the unfragmentable part is what ip6_find_1stfragopt finds (hop-by-hop, routing, destination
 *     options before a routing header or without one); each fragment repeats it, the header that
 *     named the first fragmentable one now naming the fragment header;</li>
 * <li>frag_max_size larger than the MTU is refused ({@link #TOO_BIG}: packet too big with the MTU);
 *     otherwise the MTU becomes frag_max_size, but never under IPV6_MIN_MTU ("don't send fragments
 *     larger than what we received");</li>
 * <li>the data space is that, less the unfragmentable part and the 8-byte fragment header; a
 *     datagram whose received fragments fit it, all but the last a multiple of 8, leaves cut where
 *     it was received (the fast path over the frag_list, which conntrack's reassembly keeps), otherwise
 *     in pieces of the space rounded down to 8 (the slow path);</li>
 * <li>the identification is new, ipv6_select_ident's random non-zero one (the received one is not
 *     kept), drawn from the engine's seeded generator.</li>
 * </ul>
 */
final class Ip6Fragmenter {
    static final int HEADROOM = 16;
    /** What {@link #fragment} answers. */
    static final int SENT = 0, TOO_BIG = 1, FAILED = 2;

    private final RandomGenerator random;
    /** Allocated with the first fragment sent, then reused. */
    private byte[] buf = new byte[0];
    private int prevhdr;

    /** Ip6: FragOKs, FragCreates, FragFails. */
    private long fragOks, fragCreates, fragFails;

    Ip6Fragmenter(RandomGenerator random) {
        this.random = random;
    }

    long fragOks() { return fragOks; }
    long fragCreates() { return fragCreates; }
    long fragFails() { return fragFails; }

    /**
     * Cuts {@code ip} (reassembled: {@code fragMaxSize} is its frag_max_size, {@code geometry} the
     * fragments it came in) for an MTU of {@code mtu}: {@link #SENT}, {@link #TOO_BIG} or
     * {@link #FAILED} (its headers cannot be walked).
     */
    int fragment(Ipv6Packet ip, int mtu, int fragMaxSize, NfCtFrag6 geometry, IpFragmenter.Sink sink) {
        byte[] src = ip.buffer();
        int ipOff = ip.offset();
        int total = ip.length();
        int hlen = findFirstFragOpt(src, ipOff, total);
        if (hlen < 0) {
            fragFails++;
            return FAILED;
        }
        if (fragMaxSize == 0 && total > mtu || fragMaxSize > mtu) {
            fragFails++;
            return TOO_BIG;
        }
        if (fragMaxSize != 0) mtu = Math.max(fragMaxSize, Ip6Forward.IPV6_MIN_MTU);
        if (mtu < hlen + Ipv6FragmentHeader.LENGTH + 8) {
            fragFails++;
            return TOO_BIG;
        }
        int space = mtu - hlen - Ipv6FragmentHeader.LENGTH;
        int id;
        do {
            id = random.nextInt(); // get_random_u32_above(0)
        } while (id == 0);
        if (buf.length == 0) buf = new byte[HEADROOM + Ipv6Packet.HEADER_LENGTH + NfCtFrag6.MAX_PAYLOAD + Ipv6FragmentHeader.LENGTH];
        int nexthdr = src[ipOff + prevhdr] & 0xff;

        // the fast path: the fragments as received, when each fits (shifted by where the fragmentable part starts)
        int shift = geometry == null ? 0 : geometry.unfragmentableLength() - hlen;
        int n = geometry == null ? 0 : geometry.fragmentCount();
        if (fragMaxSize != 0 && n > 1 && fitsAsReceived(geometry, n, shift, space)) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                int end = geometry.fragmentEnd(i) + shift; // the last one's is the data's end
                emit(src, ipOff, hlen, nexthdr, id, start, end - start, i < n - 1, sink);
                start = end;
            }
            fragOks++;
            return SENT;
        }
        int offset = 0;
        for (int left = total - hlen; left > 0; ) {
            int len = Math.min(left, space);
            if (len < left) len &= ~7;
            left -= len;
            emit(src, ipOff, hlen, nexthdr, id, offset, len, left > 0, sink);
            offset += len;
        }
        fragOks++;
        return SENT;
    }

    /** ip6_fragment's geometry checks over the frag_list: each fragment fits, all but the last a multiple of 8. */
    private static boolean fitsAsReceived(NfCtFrag6 g, int n, int shift, int space) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            int end = g.fragmentEnd(i) + shift;
            int len = end - start;
            if (len <= 0 || len > space || (len & 7) != 0 && i < n - 1) return false;
            start = end;
        }
        return true;
    }

    /** One fragment: the unfragmentable part, a fragment header, and data [offset, offset+len) of the fragmentable part. */
    private void emit(byte[] src, int ipOff, int hlen, int nexthdr, int id, int offset, int len, boolean more,
                      IpFragmenter.Sink sink) {
        int h = HEADROOM;
        System.arraycopy(src, ipOff, buf, h, hlen);
        buf[h + prevhdr] = (byte) Ipv6ExtHeaders.NEXTHDR_FRAGMENT;
        Ipv6FragmentHeader.write(buf, h + hlen, nexthdr, offset >>> 3, more, id);
        System.arraycopy(src, ipOff + hlen + offset, buf, h + hlen + Ipv6FragmentHeader.LENGTH, len);
        int tot = hlen + Ipv6FragmentHeader.LENGTH + len;
        Bytes.put16(buf, h + Ipv6Packet.OFF_PAYLOAD_LENGTH, tot - Ipv6Packet.HEADER_LENGTH);
        fragCreates++;
        sink.fragment(buf, h, tot);
    }

    /**
     * ip6_find_1stfragopt: where the fragmentable part starts, -1 (EINVAL) when the chain runs past
     * the packet; {@link #prevhdr} gets the offset of the next-header byte that names it.
     */
    private int findFirstFragOpt(byte[] b, int ipOff, int packetLen) {
        int offset = Ipv6Packet.HEADER_LENGTH;
        int nh = Ipv6Packet.OFF_NEXT_HEADER;
        boolean foundRhdr = false;
        while (offset <= packetLen) {
            int type = b[ipOff + nh] & 0xff;
            switch (type) {
                case Ipv6ExtHeaders.NEXTHDR_HOP -> { }
                case Ipv6ExtHeaders.NEXTHDR_ROUTING -> foundRhdr = true;
                case Ipv6ExtHeaders.NEXTHDR_DEST -> {
                    if (foundRhdr) {
                        prevhdr = nh;
                        return offset;
                    }
                }
                default -> {
                    prevhdr = nh;
                    return offset;
                }
            }
            if (offset + 2 > packetLen) return -1;
            nh = offset;
            offset += ((b[ipOff + offset + Ipv6ExtHeaders.OFF_HDR_LEN] & 0xff) + 1) << 3; // ipv6_optlen
            if (offset > NfCtFrag6.MAX_PAYLOAD) return -1;
        }
        return -1;
    }
}
