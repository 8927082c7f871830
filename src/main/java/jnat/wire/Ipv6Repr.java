package jnat.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv6 header and its extension headers as plain values, to build packets (tests, tools) and
 * compare parsed ones. Start from {@link #of(String, String)} (hop limit 64, as Linux sends) and
 * change fields with the {@code with...} methods; {@link #packet(Transport6Repr)} gives the bytes with
 * the upper-layer checksum filled in (over this header's destination: a routing header's final
 * destination is not looked up). {@code protocol} is the upper layer, the last next header of the chain.
 */
public record Ipv6Repr(long srcHi, long srcLo, long dstHi, long dstLo, int trafficClass, int flowLabel,
                       int hopLimit, int protocol, List<ExtHeader> extHeaders) {

    /**
     * One extension header: its type (a next header value) and the bytes after its next header and
     * length bytes. Hop-by-hop, routing and destination options come to a multiple of 8 bytes, AH to
     * a multiple of 4 (at least 8), a fragment header to 8.
     */
    public record ExtHeader(int type, byte[] body) {
        public ExtHeader {
            body = body == null ? Reprs.EMPTY : body.clone();
            int total = body.length + 2;
            boolean ok = switch (type) {
                case Ipv6ExtHeaders.NEXTHDR_HOP, Ipv6ExtHeaders.NEXTHDR_ROUTING, Ipv6ExtHeaders.NEXTHDR_DEST ->
                        total % 8 == 0 && total <= 256 * 8;
                case Ipv6ExtHeaders.NEXTHDR_FRAGMENT -> total == Ipv6FragmentHeader.LENGTH;
                case Ipv6ExtHeaders.NEXTHDR_AUTH -> total % 4 == 0 && total >= 8 && total <= 257 * 4;
                default -> false;
            };
            if (!ok) throw new IllegalArgumentException("extension header " + type + " of " + total + " bytes");
        }

        /** A fragment header: {@code offset} in 8-octet units. */
        public static ExtHeader fragment(int offset, boolean more, int identification) {
            if (offset < 0 || offset > 0x1fff) throw new IllegalArgumentException("fragment offset " + offset);
            byte[] b = new byte[Ipv6FragmentHeader.LENGTH];
            Ipv6FragmentHeader.write(b, 0, 0, offset, more, identification);
            return new ExtHeader(Ipv6ExtHeaders.NEXTHDR_FRAGMENT, Arrays.copyOfRange(b, 2, b.length));
        }

        /** Hop-by-hop or destination options: the TLVs given, padded with Pad1/PadN to a multiple of 8. */
        public static ExtHeader options(int type, byte[] tlvs) {
            int pad = (8 - (tlvs.length + 2) % 8) % 8;
            byte[] b = Arrays.copyOf(tlvs, tlvs.length + pad);
            if (pad == 1) {
                b[tlvs.length] = 0;                   // Pad1
            } else if (pad > 1) {
                b[tlvs.length] = 1;                   // PadN, its length, zeros
                b[tlvs.length + 1] = (byte) (pad - 2);
            }
            return new ExtHeader(type, b);
        }

        public int length() { return body.length + 2; }

        @Override
        public byte[] body() { return body.clone(); }

        /** Writes it at {@code off}, followed by {@code nextHeader}. */
        void emit(byte[] buf, int off, int nextHeader) {
            Bytes.put8(buf, off + Ipv6ExtHeaders.OFF_NEXT_HEADER, nextHeader);
            int hdrlen = type == Ipv6ExtHeaders.NEXTHDR_FRAGMENT ? 0
                    : type == Ipv6ExtHeaders.NEXTHDR_AUTH ? length() / 4 - 2 : length() / 8 - 1;
            Bytes.put8(buf, off + Ipv6ExtHeaders.OFF_HDR_LEN, hdrlen);
            System.arraycopy(body, 0, buf, off + 2, body.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ExtHeader e && type == e.type && Arrays.equals(body, e.body);
        }

        @Override
        public int hashCode() { return type * 31 + Arrays.hashCode(body); }

        @Override
        public String toString() { return "ExtHeader[" + type + " " + Reprs.hex(body) + "]"; }
    }

    public Ipv6Repr {
        Reprs.u8(trafficClass, "traffic class");
        if (flowLabel < 0 || flowLabel > Ipv6Packet.FLOW_LABEL_MASK) throw new IllegalArgumentException("flow label " + flowLabel);
        Reprs.u8(hopLimit, "hop limit");
        Reprs.u8(protocol, "protocol");
        extHeaders = extHeaders == null ? List.of() : List.copyOf(extHeaders);
    }

    public static Ipv6Repr of(long srcHi, long srcLo, long dstHi, long dstLo) {
        return new Ipv6Repr(srcHi, srcLo, dstHi, dstLo, 0, 0, 64, Ipv6ExtHeaders.NEXTHDR_NONE, null);
    }

    public static Ipv6Repr of(String src, String dst) {
        byte[] s = Ipv6Address.parse(src), d = Ipv6Address.parse(dst);
        return of(Ipv6Address.readHi(s, 0), Ipv6Address.readLo(s, 0), Ipv6Address.readHi(d, 0), Ipv6Address.readLo(d, 0));
    }

    public Ipv6Repr withSrc(long hi, long lo) { return new Ipv6Repr(hi, lo, dstHi, dstLo, trafficClass, flowLabel, hopLimit, protocol, extHeaders); }
    public Ipv6Repr withDst(long hi, long lo) { return new Ipv6Repr(srcHi, srcLo, hi, lo, trafficClass, flowLabel, hopLimit, protocol, extHeaders); }
    public Ipv6Repr withTrafficClass(int t) { return new Ipv6Repr(srcHi, srcLo, dstHi, dstLo, t, flowLabel, hopLimit, protocol, extHeaders); }
    public Ipv6Repr withFlowLabel(int f) { return new Ipv6Repr(srcHi, srcLo, dstHi, dstLo, trafficClass, f, hopLimit, protocol, extHeaders); }
    public Ipv6Repr withHopLimit(int h) { return new Ipv6Repr(srcHi, srcLo, dstHi, dstLo, trafficClass, flowLabel, h, protocol, extHeaders); }
    public Ipv6Repr withProtocol(int p) { return new Ipv6Repr(srcHi, srcLo, dstHi, dstLo, trafficClass, flowLabel, hopLimit, p, extHeaders); }
    public Ipv6Repr withExtHeaders(List<ExtHeader> e) { return new Ipv6Repr(srcHi, srcLo, dstHi, dstLo, trafficClass, flowLabel, hopLimit, protocol, e); }
    public Ipv6Repr withExtHeaders(ExtHeader... e) { return withExtHeaders(List.of(e)); }

    /** The fixed header and the extension headers, in bytes. */
    public int headerLength() {
        int n = Ipv6Packet.HEADER_LENGTH;
        for (ExtHeader e : extHeaders) n += e.length();
        return n;
    }

    /** Writes the fixed header and extension headers at {@code off} for {@code upperLength} bytes after them. */
    public void emit(byte[] buf, int off, int upperLength) {
        int payload = headerLength() - Ipv6Packet.HEADER_LENGTH + upperLength;
        if (payload > 0xffff) throw new IllegalArgumentException("IPv6 payload too long (no jumbograms): " + payload);
        int first = extHeaders.isEmpty() ? protocol : extHeaders.getFirst().type();
        Ipv6Packet.writeHeader(buf, off, trafficClass, flowLabel, payload, first, hopLimit, srcHi, srcLo, dstHi, dstLo);
        int p = off + Ipv6Packet.HEADER_LENGTH;
        for (int i = 0; i < extHeaders.size(); i++) {
            ExtHeader e = extHeaders.get(i);
            e.emit(buf, p, i + 1 < extHeaders.size() ? extHeaders.get(i + 1).type() : protocol);
            p += e.length();
        }
    }

    /** The bytes of this header carrying {@code l4} (the protocol is taken from it), checksum filled in. */
    public byte[] packet(Transport6Repr l4) {
        Ipv6Repr ip = withProtocol(l4.protocol());
        int h = ip.headerLength();
        byte[] out = new byte[h + l4.length()];
        ip.emit(out, 0, l4.length());
        l4.emit6(out, h, srcHi, srcLo, dstHi, dstLo);
        return out;
    }

    /** The bytes of this header followed by {@code payload} as is (protocol as in this repr). */
    public byte[] packet(byte[] payload) {
        int h = headerLength();
        byte[] out = new byte[h + payload.length];
        emit(out, 0, payload.length);
        System.arraycopy(payload, 0, out, h, payload.length);
        return out;
    }

    /**
     * The header a view shows, its extension headers walked as the view walked them (up to a later
     * fragment's fragment header); throws IllegalArgumentException when the walk failed.
     */
    public static Ipv6Repr parse(Ipv6Packet p) {
        Reprs.check(p.extHeaderError(), "IPv6 extension headers");
        byte[] b = p.buffer();
        List<ExtHeader> ext = new ArrayList<>();
        int type = p.nextHeader();
        int at = p.payloadOffset();
        int end = p.upperOffset();
        while (at < end) {
            int n = Ipv6ExtHeaders.length(b, at, type);
            if (at + n > p.offset() + p.length()) throw new IllegalArgumentException("IPv6: a fragment header cut short");
            ext.add(new ExtHeader(type, Reprs.copy(b, at + 2, n - 2)));
            type = b[at + Ipv6ExtHeaders.OFF_NEXT_HEADER] & 0xff;
            at += n;
        }
        return new Ipv6Repr(p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(), p.trafficClass(), p.flowLabel(), p.hopLimit(),
                p.upperProtocol(), ext);
    }

    /** Wraps {@code packet} and parses its header; throws IllegalArgumentException when malformed. */
    public static Ipv6Repr parse(byte[] packet) {
        Ipv6Packet p = new Ipv6Packet();
        Reprs.check(p.wrap(packet, 0, packet.length), "IPv6");
        return parse(p);
    }

    @Override
    public String toString() {
        return "Ipv6Repr[" + Ipv6Address.format(srcHi, srcLo) + " > " + Ipv6Address.format(dstHi, dstLo)
                + " next " + protocol + " hlim " + hopLimit + " class 0x" + Integer.toHexString(trafficClass)
                + " flow 0x" + Integer.toHexString(flowLabel) + (extHeaders.isEmpty() ? "" : " " + extHeaders) + "]";
    }
}
