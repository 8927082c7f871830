package jnat.rules;

/**
 * -m connlimit (libxt_connlimit.c revision 1, xt_connlimit.c over nf_conncount.c): how many
 * connections share the packet's source (or destination) address under a prefix, above or up to
 * a limit. Each rule keeps its own lists of connection tuples by masked address ({@link
 * NfConncount}): a packet adds its connection's original tuple to its key's list once, and entries
 * whose connection is gone or closed (TCP TIME_WAIT, CLOSE) are dropped as the list is walked.
 * Each entry is looked up in its connection's zone (without one, the default zone).
 */
public final class ConnlimitMatch implements Match {
    static final int INVERT = 1, DADDR = 2;

    public final long limit;
    public final int plen, flags;
    private final boolean ipv6;
    private final long maskHi, maskLo;

    /** xt_connlimit_data: the lists by key (rule state, as the kernel's; kept while the rule is). */
    private final NfConncount lists = new NfConncount();

    ConnlimitMatch(long limit, int plen, int flags, boolean ipv6) {
        this.limit = limit;
        this.plen = plen;
        this.flags = flags;
        this.ipv6 = ipv6;
        if (ipv6) {
            maskHi = plen == 0 ? 0 : plen >= 64 ? -1L : -1L << (64 - plen);
            maskLo = plen <= 64 ? 0 : plen == 128 ? -1L : -1L << (128 - plen);
        } else {
            maskHi = 0;
            maskLo = plen == 0 ? 0 : (0xFFFFFFFFL << (32 - plen)) & 0xFFFFFFFFL;
        }
    }

    @Override
    public String name() {
        return "connlimit";
    }

    /**
     * connlimit_mt: the key from the packet's address under the mask, then nf_conncount_count
     * with the connection's original tuple, or (without one) the packet's own, as
     * nf_ct_get_tuplepr makes it (IPv4 addresses in the low longs).
     */
    @Override
    public boolean matches(PacketContext ctx) {
        boolean dst = (flags & DADDR) != 0;
        long kHi = ipv6 ? (dst ? ctx.dstAddressHi() : ctx.srcAddressHi()) & maskHi : 0;
        long kLo = (ipv6 ? dst ? ctx.dstAddressLo() : ctx.srcAddressLo()
                : Integer.toUnsignedLong(dst ? ctx.dstAddress() : ctx.srcAddress())) & maskLo;
        int count;
        if (ctx.hasConnection()) {
            count = ipv6
                    ? lists.add(ctx, true, kHi, kLo, ctx.ctProtocol(), ctx.ctAddressHi(0), ctx.ctAddressLo(0),
                            ctx.ctAddressHi(1), ctx.ctAddressLo(1), ctx.ctOrigSrcPort(), ctx.ctOrigDstPort(), ctx.ctZone())
                    : lists.add(ctx, false, kHi, kLo, ctx.ctProtocol(), 0, Integer.toUnsignedLong(ctx.ctOrigSrc()),
                            0, Integer.toUnsignedLong(ctx.ctOrigDst()), ctx.ctOrigSrcPort(), ctx.ctOrigDstPort(), ctx.ctZone());
        } else {
            boolean ports = ctx.protocol() == 6 || ctx.protocol() == 17;
            int sp = ports ? ctx.srcPort() : 0, dp = ports ? ctx.dstPort() : 0;
            count = ipv6
                    ? lists.add(ctx, true, kHi, kLo, ctx.protocol(), ctx.srcAddressHi(), ctx.srcAddressLo(),
                            ctx.dstAddressHi(), ctx.dstAddressLo(), sp, dp, 0)
                    : lists.add(ctx, false, kHi, kLo, ctx.protocol(), 0, Integer.toUnsignedLong(ctx.srcAddress()),
                            0, Integer.toUnsignedLong(ctx.dstAddress()), sp, dp, 0);
        }
        return (count > limit) != ((flags & INVERT) != 0);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" #conn ").append((flags & DADDR) != 0 ? "dst" : "src").append('/').append(plen)
                .append((flags & INVERT) != 0 ? " <= " : " > ").append(limit);
    }

    @Override
    public void save(StringBuilder out) {
        out.append((flags & INVERT) != 0 ? " --connlimit-upto " : " --connlimit-above ").append(limit)
                .append(" --connlimit-mask ").append(plen).append((flags & DADDR) != 0 ? " --connlimit-daddr" : " --connlimit-saddr");
    }

    static final class Parser extends ModuleParser {
        static final int O_UPTO = 0, O_ABOVE = 1, O_MASK = 2, O_SADDR = 3, O_DADDR = 4;
        private final XtOptions opts = new XtOptions("connlimit",
                new XtOptions.Entry("connlimit-upto", O_UPTO, true, 1 << O_ABOVE, 0, false),
                new XtOptions.Entry("connlimit-above", O_ABOVE, true, 1 << O_UPTO, 0, false),
                XtOptions.entry("connlimit-mask", O_MASK),
                new XtOptions.Entry("connlimit-saddr", O_SADDR, false, 1 << O_DADDR, 0, false),
                new XtOptions.Entry("connlimit-daddr", O_DADDR, false, 1 << O_SADDR, 0, false));
        private final boolean ipv6;
        long limit;
        int plen, flags;

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
            plen = ipv6 ? 128 : 32;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = e.id() >= O_SADDR ? null : args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case O_UPTO, O_ABOVE -> {
                    limit = number("connlimit", opt, v, 0xFFFFFFFFL);
                    if ((e.id() == O_UPTO) != invert) flags |= INVERT;
                }
                case O_MASK -> {
                    int n = plen("connlimit", opt.substring(2), v, ipv6);
                    plen = n > (ipv6 ? 128 : 32) ? ipv6 ? 128 : 32 : n; // a mask not contiguous: xtopt_parse_plenmask leaves all ones
                }
                case O_SADDR -> flags &= ~DADDR;
                default -> flags |= DADDR;
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            // xtables_option_mfcheck: the extension's x6_fcheck, then the option table's checks
            if (!opts.given(O_UPTO) && !opts.given(O_ABOVE)) {
                throw new RuleError("You must specify \"--connlimit-above\" or \"--connlimit-upto\".");
            }
            opts.fcheck();
            return new ConnlimitMatch(limit, plen, flags, ipv6);
        }
    }

    /** Its checkentry takes the namespace's conntrack (nf_ct_netns_get). */
    @Override
    public boolean usesConntrack() {
        return true;
    }
}
