package jnat.nat;

import jnat.wire.Bytes;
import jnat.wire.Ipv4Packet;

/**
 * ip_do_fragment (net/ipv4/ip_output.c): a packet larger than the out MTU, or one nf_defrag
 * reassembled (it has a frag_max_size), leaves as fragments, each handed to a {@link Sink} in
 * offset order, in one reused buffer.
 *
 * <p>The data space is the MTU, lowered to frag_max_size when there is one, less the header. A
 * reassembled datagram whose received fragments all fit it leaves cut where it was received (the
 * fast path over the skb's frag_list: conntrack's reassembly does not coalesce), with MF on all
 * but the last and no DF; otherwise it is cut in pieces of the data space rounded down to 8
 * (the slow path), DF set on each only when the reassembled header has it (IPSKB_FRAG_PMTU).
 * Every fragment carries the first's header with its own total length, offset, flags and header
 * checksum; options past the first fragment are those whose copied flag is set, the others
 * overwritten with NOPs (ip_options_fragment), so every header keeps the first's length. The
 * identification is the datagram's.
 */
final class IpFragmenter {
    /** Takes one fragment: {@code buf[off, off+len)}, with {@link #HEADROOM} free bytes before it. */
    interface Sink {
        void fragment(byte[] buf, int off, int len);
    }

    static final int HEADROOM = 16;
    private static final int IP_DF = 0x4000, IP_MF = 0x2000;

    /** Allocated with the first fragment sent, then reused. */
    private byte[] buf = new byte[0];
    private final byte[] laterHeader = new byte[60];

    /** Ip: FragOKs, FragCreates. */
    private long fragOks, fragCreates;

    long fragOks() { return fragOks; }
    long fragCreates() { return fragCreates; }

    /**
     * Fragments {@code ip} for an MTU of {@code mtu}. {@code fragMaxSize}: frag_max_size, 0 when
     * the packet was not reassembled; then {@code geometry} is ignored, else it holds the fragments
     * it was received in. Returns false (nothing sent) when the MTU leaves no room for 8 bytes of data.
     */
    boolean fragment(Ipv4Packet ip, int mtu, int fragMaxSize, InetFrag geometry, Sink sink) {
        if (fragMaxSize != 0 && fragMaxSize < mtu) mtu = fragMaxSize;
        byte[] src = ip.buffer();
        int ipOff = ip.offset();
        int hlen = ip.headerLength();
        int total = ip.totalLength();
        int space = mtu - hlen;
        if (space < 8) return false;
        if (buf.length == 0) buf = new byte[HEADROOM + IpDefrag.MAX_DATAGRAM];
        System.arraycopy(src, ipOff, laterHeader, 0, hlen);
        optionsFragment(laterHeader, hlen);

        if (fragMaxSize != 0 && fitsAsReceived(geometry, space)) {
            int n = geometry.fragmentCount();
            int start = 0;
            for (int i = 0; i < n; i++) {
                int end = geometry.fragmentEnd(i);
                emit(src, ipOff, i == 0 ? null : laterHeader, hlen, start, end - start, i < n - 1 ? IP_MF : 0, sink);
                start = end;
            }
            fragOks++;
            return true;
        }
        boolean df = fragMaxSize != 0 && ip.dontFragment();
        int left = total - hlen;
        int offset = 0;
        while (left > 0) {
            int len = Math.min(left, space);
            if (len < left) len &= ~7;
            left -= len;
            emit(src, ipOff, offset == 0 ? null : laterHeader, hlen, offset, len,
                    (df ? IP_DF : 0) | (left > 0 ? IP_MF : 0), sink);
            offset += len;
        }
        fragOks++;
        return true;
    }

    /** The fast path's geometry checks: each received fragment fits, all but the last a multiple of 8. */
    private static boolean fitsAsReceived(InetFrag g, int space) {
        int n = g.fragmentCount();
        int start = 0;
        for (int i = 0; i < n; i++) {
            int len = g.fragmentEnd(i) - start;
            if (len > space || (len & 7) != 0 && i < n - 1) return false;
            start += len;
        }
        return true;
    }

    /** One fragment: {@code header} (null: the packet's own) and data [offset, offset+len) of the datagram. */
    private void emit(byte[] src, int ipOff, byte[] header, int hlen, int offset, int len, int flags, Sink sink) {
        int h = HEADROOM;
        if (header == null) System.arraycopy(src, ipOff, buf, h, hlen);
        else System.arraycopy(header, 0, buf, h, hlen);
        System.arraycopy(src, ipOff + hlen + offset, buf, h + hlen, len);
        int tot = hlen + len;
        Bytes.put16(buf, h + Ipv4Packet.OFF_TOTAL_LENGTH, tot);
        Bytes.put16(buf, h + Ipv4Packet.OFF_FRAG, flags | offset >>> 3);
        Ipv4Packet.fillChecksum(buf, h);
        fragCreates++;
        sink.fragment(buf, h, tot);
    }

    /** ip_options_fragment: options without the copied flag become NOPs (the header keeps its length). */
    static void optionsFragment(byte[] hdr, int hlen) {
        int p = 20;
        while (p < hlen) {
            int type = hdr[p] & 0xff;
            if (type == 0) return;          // IPOPT_END
            if (type == 1) {                // IPOPT_NOOP
                p++;
                continue;
            }
            if (p + 1 >= hlen) return;
            int optlen = hdr[p + 1] & 0xff;
            if (optlen < 2 || optlen > hlen - p) return;
            if ((type & 0x80) == 0) java.util.Arrays.fill(hdr, p, p + optlen, (byte) 1);
            p += optlen;
        }
    }
}
