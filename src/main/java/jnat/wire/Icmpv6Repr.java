package jnat.wire;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * An ICMPv6 message as plain values: type, code, the 4 bytes after the checksum ({@code dataWord}:
 * echo id and sequence, MTU, pointer, NA flags, RA hop limit/flags/lifetime) and the body after the
 * 8-byte header (echo data, a quoted datagram, an NDP target and options, ...). Use the factories;
 * the {@code *Option} helpers give NDP option bytes to pass to them.
 */
public record Icmpv6Repr(int type, int code, int dataWord, byte[] body) implements Transport6Repr {

    /** As Linux's {@code icmp6_send}: an error with its IPv6 header fits in the minimum MTU, 1280. */
    public static final int LINUX_MAX_QUOTE = 1280 - Ipv6Packet.HEADER_LENGTH - Icmpv6Packet.HEADER_LENGTH;

    public Icmpv6Repr {
        Reprs.u8(type, "type");
        Reprs.u8(code, "code");
        body = body == null ? Reprs.EMPTY : body.clone();
    }

    public static Icmpv6Repr echoRequest(int id, int seq, byte[] data) {
        return new Icmpv6Repr(Icmpv6Packet.ICMPV6_ECHO_REQUEST, 0, Reprs.u16(id, "id") << 16 | Reprs.u16(seq, "seq"), data);
    }

    public static Icmpv6Repr echoReply(int id, int seq, byte[] data) {
        return echoRequest(id, seq, data).withType(Icmpv6Packet.ICMPV6_ECHO_REPLY);
    }

    /** Destination unreachable with {@code code} (e.g. {@link Icmpv6Packet#ICMPV6_PORT_UNREACH}), quoting as Linux does. */
    public static Icmpv6Repr destUnreachable(int code, byte[] original) {
        return new Icmpv6Repr(Icmpv6Packet.ICMPV6_DEST_UNREACH, code, 0, quote(original));
    }

    public static Icmpv6Repr packetTooBig(int mtu, byte[] original) {
        return new Icmpv6Repr(Icmpv6Packet.ICMPV6_PKT_TOOBIG, 0, mtu, quote(original));
    }

    public static Icmpv6Repr timeExceeded(int code, byte[] original) {
        return new Icmpv6Repr(Icmpv6Packet.ICMPV6_TIME_EXCEED, code, 0, quote(original));
    }

    public static Icmpv6Repr paramProblem(int code, int pointer, byte[] original) {
        return new Icmpv6Repr(Icmpv6Packet.ICMPV6_PARAMPROB, code, pointer, quote(original));
    }

    /** The first {@link #LINUX_MAX_QUOTE} bytes of {@code datagram} (all of it when shorter). */
    public static byte[] quote(byte[] datagram) {
        return Arrays.copyOf(datagram, Math.min(LINUX_MAX_QUOTE, datagram.length));
    }

    public static Icmpv6Repr neighbourSolicitation(long targetHi, long targetLo, byte[] options) {
        return nd(Icmpv6Packet.NDISC_NEIGHBOUR_SOLICITATION, 0, targetHi, targetLo, options);
    }

    /** {@code flags}: {@link Icmpv6Packet#NA_ROUTER}, {@code NA_SOLICITED}, {@code NA_OVERRIDE}. */
    public static Icmpv6Repr neighbourAdvertisement(int flags, long targetHi, long targetLo, byte[] options) {
        return nd(Icmpv6Packet.NDISC_NEIGHBOUR_ADVERTISEMENT, Reprs.u8(flags, "flags") << 24, targetHi, targetLo, options);
    }

    private static Icmpv6Repr nd(int type, int dataWord, long targetHi, long targetLo, byte[] options) {
        byte[] b = new byte[Ipv6Address.LENGTH + options.length];
        Ipv6Address.write(b, 0, targetHi, targetLo);
        System.arraycopy(options, 0, b, Ipv6Address.LENGTH, options.length);
        return new Icmpv6Repr(type, 0, dataWord, b);
    }

    public static Icmpv6Repr routerSolicitation(byte[] options) {
        return new Icmpv6Repr(Icmpv6Packet.NDISC_ROUTER_SOLICITATION, 0, 0, options);
    }

    /** {@code flags}: {@link Icmpv6Packet#RA_MANAGED}, {@code RA_OTHER}, ...; times in milliseconds, lifetime in seconds. */
    public static Icmpv6Repr routerAdvertisement(int hopLimit, int flags, int routerLifetime, int reachableTime,
                                                 int retransTimer, byte[] options) {
        byte[] b = new byte[8 + options.length];
        Bytes.put32(b, 0, reachableTime);
        Bytes.put32(b, 4, retransTimer);
        System.arraycopy(options, 0, b, 8, options.length);
        return new Icmpv6Repr(Icmpv6Packet.NDISC_ROUTER_ADVERTISEMENT, 0,
                Reprs.u8(hopLimit, "hop limit") << 24 | Reprs.u8(flags, "flags") << 16 | Reprs.u16(routerLifetime, "lifetime"), b);
    }

    /** A source ({@link NdiscOptions#ND_OPT_SOURCE_LL_ADDR}) or target link-layer address option for an Ethernet address. */
    public static byte[] linkLayerOption(int type, long mac) {
        byte[] b = new byte[NdiscOptions.LL_ADDR_LENGTH_ETHERNET];
        NdiscOptions.writeLinkLayer(b, 0, type, mac);
        return b;
    }

    public static byte[] mtuOption(long mtu) {
        byte[] b = new byte[NdiscOptions.MTU_LENGTH];
        NdiscOptions.writeMtu(b, 0, mtu);
        return b;
    }

    public static byte[] prefixInfoOption(int prefixLength, int flags, long valid, long preferred, long prefixHi, long prefixLo) {
        byte[] b = new byte[NdiscOptions.PREFIX_INFO_LENGTH];
        NdiscOptions.writePrefixInfo(b, 0, prefixLength, flags, valid, preferred, prefixHi, prefixLo);
        return b;
    }

    /** The options one after the other. */
    public static byte[] options(byte[]... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] o : options) out.writeBytes(o);
        return out.toByteArray();
    }

    public Icmpv6Repr withType(int t) { return new Icmpv6Repr(t, code, dataWord, body); }
    public Icmpv6Repr withCode(int c) { return new Icmpv6Repr(type, c, dataWord, body); }
    public Icmpv6Repr withDataWord(int d) { return new Icmpv6Repr(type, code, d, body); }
    public Icmpv6Repr withBody(byte[] b) { return new Icmpv6Repr(type, code, dataWord, b); }

    public int echoId() { return dataWord >>> 16; }
    public int echoSeq() { return dataWord & 0xffff; }

    @Override
    public byte[] body() { return body.clone(); }

    @Override
    public int protocol() { return IpProtocol.ICMPV6; }

    @Override
    public int length() { return Icmpv6Packet.HEADER_LENGTH + body.length; }

    @Override
    public void emit6(byte[] buf, int off, long srcHi, long srcLo, long dstHi, long dstLo) {
        Icmpv6Packet.writeHeader(buf, off, type, code, dataWord);
        System.arraycopy(body, 0, buf, off + Icmpv6Packet.HEADER_LENGTH, body.length);
        Icmpv6Packet.fillChecksum(buf, off, length(), srcHi, srcLo, dstHi, dstLo);
    }

    public static Icmpv6Repr parse(Icmpv6Packet p) {
        return new Icmpv6Repr(p.type(), p.code(), p.dataWord(), Reprs.copy(p.buffer(), p.payloadOffset(), p.payloadLength()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv6Repr r && type == r.type && code == r.code && dataWord == r.dataWord
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + code) * 31 + dataWord) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Icmpv6Repr[type " + type + " code " + code + " data 0x" + Integer.toHexString(dataWord)
                + " body " + Reprs.hex(body) + "]";
    }
}
