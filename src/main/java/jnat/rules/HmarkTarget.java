package jnat.rules;

import jnat.wire.Jhash;

/**
 * -j HMARK (xt_HMARK.c, libxt_HMARK.c): the packet's mark set to a hash of its (masked) addresses,
 * ports or SPI and protocol, from the packet (an ICMP error's quoted packet for errors) or with
 * --hmark-tuple ct from its connection's two tuples, scaled to --hmark-mod and offset. The hash
 * orders the addresses and the ports so both directions of a flow get one mark.
 */
public final class HmarkTarget extends Target {
    static final int SADDR_MASK = 0, DADDR_MASK = 1, SPI = 2, SPI_MASK = 3, SPORT = 4, DPORT = 5, SPORT_MASK = 6,
            DPORT_MASK = 7, PROTO_MASK = 8, RND = 9, MODULUS = 10, OFFSET = 11, CT = 12;

    private final boolean ipv6;
    public final int flags, srcPlen, dstPlen, portMask, portSet, protoMask, rnd, modulus, offset;

    HmarkTarget(boolean ipv6, int flags, int srcPlen, int dstPlen, int portMask, int portSet, int protoMask, int rnd,
                int modulus, int offset) {
        this.ipv6 = ipv6;
        this.flags = flags;
        this.srcPlen = srcPlen;
        this.dstPlen = dstPlen;
        this.portMask = portMask;
        this.portSet = portSet;
        this.protoMask = protoMask;
        this.rnd = rnd;
        this.modulus = modulus;
        this.offset = offset;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "HMARK";
    }

    private boolean has(int f) {
        return (flags & 1 << f) != 0;
    }

    private static int mask4(int plen) {
        return plen == 0 ? 0 : -1 << (32 - plen);
    }

    /** hmark_addr6_mask: the XOR of the four masked words (host order). */
    private static int fold6(long hi, long lo, int plen) {
        long mh = plen == 0 ? 0 : plen >= 64 ? -1L : -1L << (64 - plen), ml = plen <= 64 ? 0 : plen >= 128 ? -1L : -1L << (128 - plen);
        long h = hi & mh, l = lo & ml;
        return (int) (h >>> 32) ^ (int) h ^ (int) (l >>> 32) ^ (int) l;
    }

    /** hmark_swap_ports: mask and set the two ports (or the SPI) as one word, the larger port on top. */
    private int swapPorts(int word) {
        int hp = word & portMask | portSet;
        int src = hp >>> 16, dst = hp & 0xffff;
        return dst > src ? dst << 16 | src : src << 16 | dst;
    }

    private static int word(PacketContext ctx, int off) {
        int b3 = ctx.networkByte(off + 3);
        if (b3 < 0) return -1;
        return ctx.networkByte(off) << 24 | ctx.networkByte(off + 1) << 16 | ctx.networkByte(off + 2) << 8 | b3;
    }

    private static boolean portsAt(PacketContext ctx, int off) {
        return ctx.networkByte(off + 3) >= 0;
    }

    /** proto_ports_offset: where the ports (or an SPI) sit in the transport header, -1 for none. */
    private static int portsOffset(int proto) {
        return switch (proto) {
            case 6, 17, 33, 50, 132, 136 -> 0;
            case 51 -> 4;
            default -> -1;
        };
    }

    /** hmark_tg_v4 / hmark_tg_v6: the tuple, then skb->mark = hmark_hash. */
    @Override
    public boolean apply(PacketContext ctx) {
        int src, dst, ports = 0, proto = 0;
        if (has(CT)) {
            if (!ctx.hasConnection()) return true;
            if (ipv6) {
                src = fold6(ctx.ctAddressHi(0), ctx.ctAddressLo(0), srcPlen);
                dst = fold6(ctx.ctAddressHi(2), ctx.ctAddressLo(2), dstPlen);
            } else {
                src = ctx.ctOrigSrc() & mask4(srcPlen);
                dst = ctx.ctReplySrc() & mask4(dstPlen);
            }
            proto = ctx.ctProtocol();
            if (proto != 1) ports = swapPorts(ctx.ctOrigSrcPort() << 16 | ctx.ctReplySrcPort());
        } else if (!ipv6) {
            int nh = 0;
            if (ctx.networkByte(9) == 1) {
                int ihl = (ctx.networkByte(0) & 0xf) * 4, type = ctx.networkByte(ihl);
                // get_inner_hdr: an error's quoted header, when there is one
                if (type >= 0 && type <= 18 && (type == 3 || type == 4 || type == 11 || type == 12 || type == 5)
                        && ctx.networkByte(ihl + 7) >= 0) {
                    nh = ihl + 8;
                    if (ctx.networkByte(nh + 19) < 0) return true;
                }
            }
            src = word(ctx, nh + 12) & mask4(srcPlen);
            dst = word(ctx, nh + 16) & mask4(dstPlen);
            proto = ctx.networkByte(nh + 9);
            int frag = ctx.networkByte(nh + 6) << 8 | ctx.networkByte(nh + 7);
            int po = portsOffset(proto), at = nh + (ctx.networkByte(nh) & 0xf) * 4 + po;
            if (proto != 1 && (frag & 0x3fff) == 0 && po >= 0 && portsAt(ctx, at)) ports = swapPorts(word(ctx, at));
        } else {
            int[] found = findHdr(ctx, 0);
            if (found == null) return true;
            int base = 0;
            if (found[0] == 58 && found[2] == 0) {
                int type = ctx.networkByte(found[1]);
                if (type > 0 && type < 128 && ctx.networkByte(found[1] + 7) >= 0) { // get_inner6_hdr
                    base = found[1] + 8;
                    if (ctx.networkByte(base + 39) < 0) return true;
                    found = findHdr(ctx, base);
                    if (found == null) return true;
                }
            }
            src = fold6(ctx.address6Hi(base + 8), ctx.address6Lo(base + 8), srcPlen);
            dst = fold6(ctx.address6Hi(base + 24), ctx.address6Lo(base + 24), dstPlen);
            proto = found[0];
            int po = portsOffset(proto);
            if (proto != 58 && found[2] == 0 && po >= 0 && portsAt(ctx, found[1] + po)) ports = swapPorts(word(ctx, found[1] + po));
        }
        int s = src, d = dst;
        if (Integer.compareUnsigned(d, s) < 0) {
            s = dst;
            d = src;
        }
        int hash = Jhash.jhash3words(s, d, ports, rnd) ^ (proto & protoMask);
        ctx.setMark((int) (((hash & 0xffffffffL) * (modulus & 0xffffffffL)) >>> 32) + offset);
        return true;
    }

    /**
     * ipv6_find_hdr(skb, &off, -1, &fragoff, IP6_FH_F_AUTH) from the IPv6 header at {@code base}:
     * {the upper-layer protocol (AH stops the walk), its offset, 1 when a fragment header was met}, null when the chain is cut short.
     */
    private static int[] findHdr(PacketContext ctx, int base) {
        int next = ctx.networkByte(base + 6), off = base + 40, frag = 0;
        while (next == 0 || next == 43 || next == 60 || next == 44) {
            if (ctx.networkByte(off + 1) < 0) return null;
            if (next == 44) {
                if (ctx.networkByte(off + 3) < 0) return null;
                frag = 1;
                int fragOff = (ctx.networkByte(off + 2) << 8 | ctx.networkByte(off + 3)) & 0xfff8;
                int n = ctx.networkByte(off);
                if (fragOff != 0) return new int[] {n, off + 8, frag};
                next = n;
                off += 8;
            } else {
                int n = ctx.networkByte(off);
                off += (ctx.networkByte(off + 1) + 1) * 8;
                next = n;
            }
        }
        return next < 0 ? null : new int[] {next, off, frag};
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" HMARK ");
        if (has(MODULUS)) out.append("mod ").append(Integer.toUnsignedString(modulus)).append(' ');
        if (has(OFFSET)) out.append("+ 0x").append(Integer.toHexString(offset)).append(' ');
        if (has(CT)) out.append("ct, ");
        // IPv6 prints xtables_ip6mask_to_numeric() + 1, which for /128 is past its "": nothing
        if (has(SADDR_MASK)) out.append("src-prefix ").append(ipv6 && srcPlen == 128 ? "" : srcPlen).append(' ');
        if (has(DADDR_MASK)) out.append("dst-prefix ").append(ipv6 && dstPlen == 128 ? "" : dstPlen).append(' ');
        if (has(SPORT_MASK)) out.append("sport-mask 0x").append(Integer.toHexString(portMask >>> 16)).append(' ');
        if (has(DPORT_MASK)) out.append("dport-mask 0x").append(Integer.toHexString(portMask & 0xffff)).append(' ');
        if (has(SPI_MASK)) out.append("spi-mask 0x").append(Integer.toHexString(portMask)).append(' ');
        if (has(SPORT)) out.append("sport 0x").append(Integer.toHexString(portSet >>> 16)).append(' ');
        if (has(DPORT)) out.append("dport 0x").append(Integer.toHexString(portSet & 0xffff)).append(' ');
        if (has(SPI)) out.append("spi 0x").append(Integer.toHexString(portSet)).append(' ');
        if (has(PROTO_MASK)) out.append("proto-mask 0x").append(Integer.toHexString(protoMask)).append(' ');
        if (has(RND)) out.append("rnd 0x").append(Integer.toHexString(rnd)).append(' ');
    }

    @Override
    public void save(StringBuilder out) {
        if (has(SADDR_MASK)) out.append(" --hmark-src-prefix ").append(srcPlen);
        if (has(DADDR_MASK)) out.append(" --hmark-dst-prefix ").append(dstPlen);
        if (has(SPORT_MASK)) out.append(String.format(" --hmark-sport-mask 0x%04x", portMask >>> 16));
        if (has(DPORT_MASK)) out.append(String.format(" --hmark-dport-mask 0x%04x", portMask & 0xffff));
        if (has(SPI_MASK)) out.append(String.format(" --hmark-spi-mask 0x%08x", portMask));
        if (has(SPORT)) out.append(String.format(" --hmark-sport 0x%04x", portSet >>> 16));
        if (has(DPORT)) out.append(String.format(" --hmark-dport 0x%04x", portSet & 0xffff));
        if (has(SPI)) out.append(String.format(" --hmark-spi 0x%08x", portSet));
        if (has(PROTO_MASK)) out.append(String.format(" --hmark-proto-mask 0x%02x", protoMask));
        if (has(RND)) out.append(String.format(" --hmark-rnd 0x%08x", rnd));
        if (has(MODULUS)) out.append(" --hmark-mod ").append(Integer.toUnsignedString(modulus));
        if (has(OFFSET)) out.append(" --hmark-offset ").append(Integer.toUnsignedString(offset));
        if (has(CT)) out.append(" --hmark-tuple ct");
    }

    static final class Parser extends ModuleParser {
        static final int O_TYPE = 13;
        static final String[] NAMES = {"hmark-src-prefix", "hmark-dst-prefix", "hmark-spi", "hmark-spi-mask", "hmark-sport",
            "hmark-dport", "hmark-sport-mask", "hmark-dport-mask", "hmark-proto-mask", "hmark-rnd", "hmark-mod", "hmark-offset"};
        private final XtOptions opts;
        private final boolean ipv6;
        int flags, xflags, srcPlen, dstPlen, portMask, portSet, protoMask, rnd, modulus, offset;

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
            XtOptions.Entry[] e = new XtOptions.Entry[NAMES.length + 1];
            e[0] = XtOptions.entry("hmark-tuple", O_TYPE);
            for (int i = 0; i < NAMES.length; i++) e[i + 1] = XtOptions.entry(NAMES[i], i);
            opts = new XtOptions("HMARK", e);
            opts.mandatory = 1 << MODULUS;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            int id = e.id();
            int full = ipv6 ? 128 : 32;
            switch (id) {
                case O_TYPE -> tuple(v, full);
                case SADDR_MASK, DADDR_MASK -> {
                    int n = plen("HMARK", opt.substring(2), v, ipv6);
                    if (n > full) n = full; // a mask not contiguous: xtopt_parse_plenmask leaves all ones
                    if (id == SADDR_MASK) srcPlen = n;
                    else dstPlen = n;
                }
                case SPORT, DPORT, SPORT_MASK, DPORT_MASK, PROTO_MASK -> {
                    int n = (int) number("HMARK", opt, v, 0xFFFF);
                    if (id == SPORT) portSet = portSet & 0xffff | n << 16;
                    else if (id == DPORT) portSet = portSet & 0xffff0000 | n;
                    else if (id == SPORT_MASK) portMask = portMask & 0xffff | n << 16;
                    else if (id == DPORT_MASK) portMask = portMask & 0xffff0000 | n;
                    else protoMask = n;
                }
                case MODULUS -> {
                    long n = strtoul(v, 0xFFFFFFFFL);
                    if (n < 1) throw new RuleError("HMARK: bad value for option \"" + opt + "\", or out of range (1-4294967295).");
                    modulus = (int) n;
                }
                default -> {
                    int n = (int) number("HMARK", opt, v, 0xFFFFFFFFL);
                    if (id == SPI) portSet = n;
                    else if (id == SPI_MASK) portMask = n;
                    else if (id == RND) rnd = n;
                    else offset = n;
                }
            }
            if (id != O_TYPE) flags |= 1 << id;
            xflags |= 1 << id;
            return true;
        }

        /** hmark_parse_type: a comma-separated list of (abbreviable, case-blind) types. */
        private void tuple(String arg, int full) {
            String[] types = {"ct", "src", "dst", "sport", "dport", "proto", "spi"};
            String rest = arg;
            while (true) {
                int comma = rest.indexOf(',');
                String t = comma < 0 ? rest : rest.substring(0, comma);
                if (comma < 0 && t.isEmpty()) {
                    throw new RuleError("\"--hmark-tuple\" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto");
                }
                String hit = null;
                for (String ty : types) {
                    if (!t.isEmpty() && t.length() <= ty.length() && ty.regionMatches(true, 0, t, 0, t.length())) {
                        hit = ty;
                        break;
                    }
                }
                if (hit == null) throw new RuleError("Bad type \"" + rest + "\"");
                switch (hit) {
                    case "ct" -> set(CT);
                    case "src" -> { srcPlen = full; set(SADDR_MASK); }
                    case "dst" -> { dstPlen = full; set(DADDR_MASK); }
                    case "sport" -> { portMask |= 0xffff0000; set(SPORT_MASK); }
                    case "dport" -> { portMask |= 0xffff; set(DPORT_MASK); }
                    case "proto" -> { protoMask = 0xffff; set(PROTO_MASK); }
                    default -> { portMask = -1; set(SPI_MASK); }
                }
                if (comma < 0) return;
                rest = rest.substring(comma + 1);
            }
        }

        private void set(int f) {
            flags |= 1 << f;
            xflags |= 1 << f;
        }

        @Override
        Object finish(RuleSpec spec) {
            // xtables_option_tfcheck: the extension's x6_fcheck, then the option table's checks
            if ((xflags & 1 << MODULUS) == 0) throw new RuleError("--hmark-mod is mandatory");
            if ((xflags & 1 << RND) == 0) throw new RuleError("--hmark-rnd is mandatory");
            if ((xflags & 1 << SPI_MASK) != 0 && (xflags & (1 << SPORT_MASK | 1 << DPORT_MASK)) != 0) {
                throw new RuleError("you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time");
            }
            int pkt = 1 << SADDR_MASK | 1 << DADDR_MASK | 1 << SPI_MASK | 1 << SPORT_MASK | 1 << DPORT_MASK | 1 << PROTO_MASK
                    | 1 << SPORT | 1 << DPORT | 1 << SPI;
            if ((xflags & pkt) == 0 && (xflags & 1 << CT) == 0) throw new RuleError("you have to specify --hmark-tuple at least");
            opts.fcheck();
            // hmark_tg_check
            if ((flags & 1 << SPI) != 0 && (flags & (1 << SPORT | 1 << DPORT)) != 0) throw kernelRefuses();
            return new HmarkTarget(ipv6, flags, srcPlen, dstPlen, portMask, portSet, protoMask, rnd, modulus, offset);
        }
    }
}
