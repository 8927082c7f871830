package jnat.rules;

/**
 * -j SYNPROXY [--sack-perm] [--timestamp] [--wscale N] [--mss N] [--ecn] (ipt_SYNPROXY.c,
 * ip6t_SYNPROXY.c, nf_synproxy_core.c; libxt_SYNPROXY.c): struct xt_synproxy_info's options byte,
 * wscale (u8) and mss (u16), which iptables fills from 32-bit option values and so truncates
 * ({@code --wscale 300} is saved as 44). The kernel's checkentry wants {@code -p tcp} not
 * inverted, and takes conntrack (nf_ct_netns_get); the target is allowed in INPUT and FORWARD.
 * The engine runs it for both families (jnat.nat.NfSynproxy, NfSynproxyIpv6).
 */
public final class SynproxyTarget extends Target {
    /** XT_SYNPROXY_OPT_*. */
    public static final int OPT_MSS = 0x01, OPT_WSCALE = 0x02, OPT_SACK_PERM = 0x04, OPT_TIMESTAMP = 0x08, OPT_ECN = 0x10;

    /** What {@link PacketContext#synproxy} returns: go on with the next rule, or the verdict (NF_DROP, NF_STOLEN). */
    public static final int XT_CONTINUE = -1, NF_DROP = 0, NF_STOLEN = 2;

    public final int options;
    public final int wscale;
    public final int mss;

    SynproxyTarget(int options, int wscale, int mss) {
        this.options = options;
        this.wscale = wscale;
        this.mss = mss;
    }

    @Override
    public String name() {
        return "SYNPROXY";
    }

    /** synproxy_tg4, synproxy_tg6 (the engine's): XT_CONTINUE goes on; else this target is the verdict, the packet stolen or dropped. */
    @Override
    public boolean apply(PacketContext ctx) {
        return ctx.synproxy(this) == XT_CONTINUE;
    }

    /** synproxy_tg4_reg.hooks, synproxy_tg6_reg's: LOCAL_IN and FORWARD (x_tables' check, EINVAL). */
    @Override
    public int hooks() {
        return Hook.INPUT.bit() | Hook.FORWARD.bit();
    }

    @Override
    public boolean hooksCheckedByKernel() {
        return true;
    }

    /** synproxy_tg4_check, synproxy_tg6_check: nf_ct_netns_get. */
    @Override
    public boolean usesConntrack() {
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" SYNPROXY ");
        if ((options & OPT_SACK_PERM) != 0) out.append("sack-perm ");
        if ((options & OPT_TIMESTAMP) != 0) out.append("timestamp ");
        if ((options & OPT_WSCALE) != 0) out.append("wscale ").append(wscale).append(' ');
        if ((options & OPT_MSS) != 0) out.append("mss ").append(mss).append(' ');
        if ((options & OPT_ECN) != 0) out.append("ecn ");
    }

    @Override
    public void save(StringBuilder out) {
        if ((options & OPT_SACK_PERM) != 0) out.append(" --sack-perm");
        if ((options & OPT_TIMESTAMP) != 0) out.append(" --timestamp");
        if ((options & OPT_WSCALE) != 0) out.append(" --wscale ").append(wscale);
        if ((options & OPT_MSS) != 0) out.append(" --mss ").append(mss);
        if ((options & OPT_ECN) != 0) out.append(" --ecn");
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("SYNPROXY", XtOptions.entry("sack-perm", 0),
                XtOptions.entry("timestamp", 1), XtOptions.entry("wscale", 2), XtOptions.entry("mss", 3),
                XtOptions.entry("ecn", 4));
        int options, wscale, mss;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            switch (e.id()) {
                case 0 -> { opts.parse(e, invert); options |= OPT_SACK_PERM; }
                case 1 -> { opts.parse(e, invert); options |= OPT_TIMESTAMP; }
                case 2 -> {
                    String v = args.value(opt);
                    opts.parse(e, invert);
                    wscale = (int) (number("SYNPROXY", opt, v, 0xFFFFFFFFL) & 0xFF); // u32 into the u8 field
                    options |= OPT_WSCALE;
                }
                case 3 -> {
                    String v = args.value(opt);
                    opts.parse(e, invert);
                    mss = (int) (number("SYNPROXY", opt, v, 0xFFFFFFFFL) & 0xFFFF); // u32 into the u16 field
                    options |= OPT_MSS;
                }
                default -> { opts.parse(e, invert); options |= OPT_ECN; }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            if (spec.proto != 6 || spec.protoInverted()) throw kernelRefuses(); // synproxy_tg4_check: e->ip.proto; tg6's e->ipv6.proto
            return new SynproxyTarget(options, wscale, mss);
        }
    }
}
