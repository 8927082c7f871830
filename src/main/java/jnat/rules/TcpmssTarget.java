package jnat.rules;

/**
 * -j TCPMSS --set-mss N | --clamp-mss-to-pmtu (xt_TCPMSS.c, libxt_TCPMSS.c): lowers a TCP
 * header's MSS option (never raises it), or adds one to a SYN that has none (536 for IPv4,
 * 1220 for IPv6 at most); clamping takes the smaller MTU of the route out and the route back to
 * the source, less the IP and TCP headers. TCP only; clamping in FORWARD, OUTPUT and POSTROUTING only.
 */
public final class TcpmssTarget extends Target {
    /** XT_TCPMSS_CLAMP_PMTU. */
    public static final int CLAMP_PMTU = 0xffff;

    public final int mss;
    public final boolean ipv6;

    TcpmssTarget(int mss, boolean ipv6) {
        this.mss = mss;
        this.ipv6 = ipv6;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "TCPMSS";
    }

    @Override
    public int hooks() {
        return mss == CLAMP_PMTU ? Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit() : 0x1F;
    }

    @Override
    public boolean hooksCheckedByKernel() {
        return true;
    }

    /** tcpmss_tg4 / tcpmss_tg6: NF_DROP when tcpmss_mangle_packet fails, else XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        return mangle(ctx) >= 0;
    }

    /** tcpmss_mangle_packet: 0 unchanged or rewritten, 4 with an option added, -1 to drop. */
    private int mangle(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return 0;
        int minlen = ipv6 ? 40 + 20 : 20 + 20;
        if (ctx.transportByte(19) < 0) return -1; // no whole TCP header
        int b12 = ctx.transportByte(12);
        int hdrlen = (b12 >>> 4) * 4;
        int len = ctx.transportLength();
        if (len < hdrlen || hdrlen < 20) return -1;
        int newmss;
        if (mss == CLAMP_PMTU) {
            long rev = ctx.reverseRouteMtu() & 0xFFFFFFFFL; // ~0U without a route back
            long minMtu = Math.min(ctx.routeMtu(), rev);
            if (minMtu <= minlen) return -1; // "unknown or invalid path-MTU"
            newmss = (int) (minMtu - minlen);
        } else {
            newmss = mss;
        }
        for (int i = 20; i <= hdrlen - 4; i += optlen(ctx, i, hdrlen)) {
            if (ctx.transportByte(i) == 2 && ctx.transportByte(i + 1) == 4) {
                int oldmss = ctx.transportByte(i + 2) << 8 | ctx.transportByte(i + 3);
                if (oldmss <= newmss) return 0; // never increase the MSS
                setWord(ctx, i + 2, newmss);
                return 0;
            }
        }
        if (len > hdrlen) return 0; // data after the header: accepted unmodified
        if (hdrlen >= 15 * 4) return 0;
        newmss = Math.min(newmss, ipv6 ? 1220 : 536);
        return ctx.insertTcpOption(2 << 24 | 4 << 16 | newmss) ? 4 : -1;
    }

    /** The MSS sits at an even or odd offset: the checksum word is the aligned 16 bits around it. */
    private static void setWord(PacketContext ctx, int at, int value) {
        if ((at & 1) == 0) {
            ctx.setTcpWord(at, value);
        } else {
            int a = ctx.transportByte(at - 1), d = ctx.transportByte(at + 2);
            ctx.setTcpWord(at - 1, a << 8 | value >>> 8);
            ctx.setTcpWord(at + 1, (value & 0xff) << 8 | d);
        }
    }

    /** optlen: 1 for END and NOP and a length of 0, else the option's length byte. */
    private static int optlen(PacketContext ctx, int i, int hdrlen) {
        int kind = ctx.transportByte(i);
        if (kind <= 1) return 1;
        int l = ctx.transportByte(i + 1);
        return l <= 0 ? 1 : l;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (mss == CLAMP_PMTU) out.append(" TCPMSS clamp to PMTU");
        else out.append(" TCPMSS set ").append(mss);
    }

    @Override
    public void save(StringBuilder out) {
        if (mss == CLAMP_PMTU) out.append(" --clamp-mss-to-pmtu");
        else out.append(" --set-mss ").append(mss);
    }

    static final class Parser extends ModuleParser {
        final boolean ipv6;
        int mss = -1;

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--set-mss" -> mss = (int) number("TCPMSS", opt, args.value(opt), ipv6 ? 0xffff - 60 : 0xffff - 20);
                case "--clamp-mss-to-pmtu" -> mss = CLAMP_PMTU;
                default -> {
                    return false;
                }
            }
            noInvert("TCPMSS", opt, invert);
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (mss < 0) throw new RuleError("TCPMSS target: At least one parameter is required");
            if (spec.proto != 6 || spec.protoInverted()) throw kernelRefuses(); // xt_target.proto = IPPROTO_TCP
            return new TcpmssTarget(mss, ipv6);
        }
    }

    /**
     * tcpmss_mangle_packet's insertion: the {@code len}-byte IP packet at {@code start} (its TCP header
     * {@code thoff} bytes in, room for 4 more bytes after it) gets the 4-byte option {@code option} right
     * after the 20-byte TCP header; data offset, the IP length and both checksums are updated incrementally.
     */
    public static void growByOption(byte[] b, int start, int len, int thoff, int option, boolean ipv6) {
        int t = start + thoff;
        int l4len = len - thoff;
        System.arraycopy(b, t + 20, b, t + 24, l4len - 20);
        jnat.wire.Bytes.put16(b, t + 20, option >>> 16);
        jnat.wire.Bytes.put16(b, t + 22, option & 0xffff);
        int c = jnat.wire.Bytes.u16(b, t + jnat.wire.TcpSegment.OFF_CHECKSUM);
        c = jnat.wire.Checksum.update16(c, l4len, l4len + 4); // the pseudo-header's length
        c = jnat.wire.Checksum.update32(c, 0, option);
        int oldWord = jnat.wire.Bytes.u16(b, t + 12);
        int newWord = oldWord + (1 << 12); // doff += TCPOLEN_MSS / 4
        jnat.wire.Bytes.put16(b, t + 12, newWord);
        c = jnat.wire.Checksum.update16(c, oldWord, newWord);
        jnat.wire.Bytes.put16(b, t + jnat.wire.TcpSegment.OFF_CHECKSUM, c);
        if (ipv6) {
            jnat.wire.Bytes.put16(b, start + 4, jnat.wire.Bytes.u16(b, start + 4) + 4);
        } else {
            int oldLen = jnat.wire.Bytes.u16(b, start + jnat.wire.Ipv4Packet.OFF_TOTAL_LENGTH);
            jnat.wire.Bytes.put16(b, start + jnat.wire.Ipv4Packet.OFF_TOTAL_LENGTH, oldLen + 4);
            int ic = jnat.wire.Bytes.u16(b, start + jnat.wire.Ipv4Packet.OFF_CHECKSUM);
            jnat.wire.Bytes.put16(b, start + jnat.wire.Ipv4Packet.OFF_CHECKSUM, jnat.wire.Checksum.update16(ic, oldLen, oldLen + 4));
        }
    }
}
