package jnat.wire;

import java.util.Arrays;

/**
 * An IPv4 header as plain values, to build packets (tests, tools) and compare parsed ones.
 * Start from {@link #of(String, String)} (TTL 64, DF set, as Linux sends TCP and ping) and change
 * fields with the {@code with...} methods; {@link #packet(TransportRepr)} gives the bytes with every
 * checksum filled in. Fragment offset is in units of 8 bytes, as in the header.
 */
public record Ipv4Repr(int src, int dst, int protocol, int ttl, int tos, int identification,
                       boolean dontFragment, boolean moreFragments, int fragmentOffset, byte[] options) {

    public Ipv4Repr {
        Reprs.u8(protocol, "protocol");
        Reprs.u8(ttl, "ttl");
        Reprs.u8(tos, "tos");
        Reprs.u16(identification, "identification");
        if (fragmentOffset < 0 || fragmentOffset > 0x1fff) throw new IllegalArgumentException("fragment offset " + fragmentOffset);
        options = options == null ? Reprs.EMPTY : options.clone();
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("IPv4 options must be a multiple of 4 bytes, at most 40: " + options.length);
        }
    }

    public static Ipv4Repr of(int src, int dst) {
        return new Ipv4Repr(src, dst, 0, 64, 0, 0, true, false, 0, null);
    }

    public static Ipv4Repr of(String src, String dst) {
        return of(Ipv4Address.parse(src), Ipv4Address.parse(dst));
    }

    public Ipv4Repr withSrc(int a) { return new Ipv4Repr(a, dst, protocol, ttl, tos, identification, dontFragment, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withSrc(String a) { return withSrc(Ipv4Address.parse(a)); }
    public Ipv4Repr withDst(int a) { return new Ipv4Repr(src, a, protocol, ttl, tos, identification, dontFragment, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withDst(String a) { return withDst(Ipv4Address.parse(a)); }
    public Ipv4Repr withProtocol(int p) { return new Ipv4Repr(src, dst, p, ttl, tos, identification, dontFragment, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withTtl(int t) { return new Ipv4Repr(src, dst, protocol, t, tos, identification, dontFragment, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withTos(int t) { return new Ipv4Repr(src, dst, protocol, ttl, t, identification, dontFragment, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withIdentification(int id) { return new Ipv4Repr(src, dst, protocol, ttl, tos, id, dontFragment, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withDontFragment(boolean df) { return new Ipv4Repr(src, dst, protocol, ttl, tos, identification, df, moreFragments, fragmentOffset, options); }
    public Ipv4Repr withMoreFragments(boolean mf) { return new Ipv4Repr(src, dst, protocol, ttl, tos, identification, dontFragment, mf, fragmentOffset, options); }
    public Ipv4Repr withFragmentOffset(int fo) { return new Ipv4Repr(src, dst, protocol, ttl, tos, identification, dontFragment, moreFragments, fo, options); }
    public Ipv4Repr withOptions(byte[] o) { return new Ipv4Repr(src, dst, protocol, ttl, tos, identification, dontFragment, moreFragments, fragmentOffset, o); }

    @Override
    public byte[] options() { return options.clone(); }

    public int headerLength() { return Ipv4Packet.MIN_HEADER_LENGTH + options.length; }

    /** Writes the header at {@code off} for a payload of {@code payloadLength} bytes, checksum filled in. */
    public void emit(byte[] buf, int off, int payloadLength) {
        int hlen = headerLength();
        int total = hlen + payloadLength;
        if (total > 0xffff) throw new IllegalArgumentException("IPv4 packet too long: " + total);
        int frag = (dontFragment ? Ipv4Packet.FLAG_DF : 0) | (moreFragments ? Ipv4Packet.FLAG_MF : 0) | fragmentOffset;
        Ipv4Packet.writeFields(buf, off, hlen / 4, tos, total, identification, frag, ttl, protocol, src, dst);
        System.arraycopy(options, 0, buf, off + Ipv4Packet.MIN_HEADER_LENGTH, options.length);
        Ipv4Packet.fillChecksum(buf, off);
    }

    /** The bytes of this header carrying {@code l4} (the protocol field is taken from it), checksums filled in. */
    public byte[] packet(TransportRepr l4) {
        Ipv4Repr ip = withProtocol(l4.protocol());
        byte[] out = new byte[ip.headerLength() + l4.length()];
        ip.emit(out, 0, l4.length());
        l4.emit(out, ip.headerLength(), src, dst);
        return out;
    }

    /** The bytes of this header followed by {@code payload} as is (protocol field as in this repr). */
    public byte[] packet(byte[] payload) {
        byte[] out = new byte[headerLength() + payload.length];
        emit(out, 0, payload.length);
        System.arraycopy(payload, 0, out, headerLength(), payload.length);
        return out;
    }

    /** The header a view shows (checksum not verified: see {@link Ipv4Packet#verifyChecksum()}). */
    public static Ipv4Repr parse(Ipv4Packet p) {
        return new Ipv4Repr(p.src(), p.dst(), p.protocol(), p.ttl(), p.tos(), p.identification(),
                p.dontFragment(), p.moreFragments(), p.fragmentOffset(),
                Reprs.copy(p.buffer(), p.optionsOffset(), p.optionsLength()));
    }

    /** Wraps {@code packet} and parses its header; throws IllegalArgumentException when malformed. */
    public static Ipv4Repr parse(byte[] packet) {
        Ipv4Packet p = new Ipv4Packet();
        Reprs.check(p.wrap(packet, 0, packet.length), "IPv4");
        return parse(p);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Repr r && src == r.src && dst == r.dst && protocol == r.protocol && ttl == r.ttl
                && tos == r.tos && identification == r.identification && dontFragment == r.dontFragment
                && moreFragments == r.moreFragments && fragmentOffset == r.fragmentOffset
                && Arrays.equals(options, r.options);
    }

    @Override
    public int hashCode() {
        return ((src * 31 + dst) * 31 + protocol) * 31 + identification + Arrays.hashCode(options);
    }

    @Override
    public String toString() {
        return "Ipv4Repr[" + Ipv4Address.format(src) + " > " + Ipv4Address.format(dst) + " proto " + protocol
                + " ttl " + ttl + " tos 0x" + Integer.toHexString(tos) + " id " + identification
                + (dontFragment ? " DF" : "") + (moreFragments ? " MF" : "")
                + (fragmentOffset != 0 ? " frag " + fragmentOffset : "")
                + (options.length > 0 ? " options " + Reprs.hex(options) : "") + "]";
    }
}
