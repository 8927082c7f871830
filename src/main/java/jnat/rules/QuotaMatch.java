package jnat.rules;

/**
 * -m quota (libxt_quota.c, xt_quota.c): matches while the rule's byte quota lasts, each packet's
 * length taken from it; the remaining bytes live in the match (the kernel's per-rule master), so a
 * ruleset rebuilt from its text starts again from --quota, as a table replace does.
 */
public final class QuotaMatch implements Match {
    /** --quota as the rule gave it (unsigned 64 bits). */
    public final long quota;
    public final boolean invert;
    /** The bytes left (xt_quota_priv.quota). */
    private long left;

    QuotaMatch(long quota, boolean invert) {
        this.quota = quota;
        this.invert = invert;
        this.left = quota;
    }

    @Override
    public String name() {
        return "quota";
    }

    /** quota_mt: enough left for the packet: take it and match (unless inverted); else nothing is left. */
    @Override
    public boolean matches(PacketContext ctx) {
        long len = ctx.length();
        if (Long.compareUnsigned(left, len) >= 0) {
            left -= len;
            return !invert;
        }
        left = 0;
        return invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" quota: ").append(Long.toUnsignedString(quota)).append(" bytes");
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --quota ").append(Long.toUnsignedString(quota));
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("quota", new XtOptions.Entry("quota", 0, true, 0, 0, false));
        long quota;
        boolean inv;

        Parser() {
            opts.mandatory = 1;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            java.math.BigInteger n = uint64(v);
            if (n == null) {
                throw new RuleError("quota: bad value for option \"--quota\", or out of range (0-18446744073709551615).");
            }
            quota = n.longValue();
            inv = invert;
            return true;
        }

        /** XTTYPE_UINT64: xtables_strtoul's base 0 over the whole argument, null when it is not one. */
        private static java.math.BigInteger uint64(String v) {
            String t = v.strip();
            int radix = 10;
            if (t.startsWith("0x") || t.startsWith("0X")) {
                radix = 16;
                t = t.substring(2);
            } else if (t.length() > 1 && t.startsWith("0")) {
                radix = 8;
                t = t.substring(1);
            }
            try {
                if (t.isEmpty() || t.startsWith("-") || t.startsWith("+")) return null;
                java.math.BigInteger n = new java.math.BigInteger(t, radix);
                return n.bitLength() > 64 ? null : n;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            return new QuotaMatch(quota, inv);
        }
    }
}
