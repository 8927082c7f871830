package jnat.rules;

/** -j CHECKSUM --checksum-fill (xt_CHECKSUM.c, libxt_CHECKSUM.c): a checksum left to the device is computed here; mangle only. */
public final class ChecksumTarget extends Target {
    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "CHECKSUM";
    }

    @Override
    public String table() {
        return "mangle";
    }

    /** checksum_tg: skb_checksum_help for CHECKSUM_PARTIAL packets that are not GSO; the walk goes on. */
    @Override
    public boolean apply(PacketContext ctx) {
        ctx.checksumFill();
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" CHECKSUM fill");
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --checksum-fill");
    }

    static final class Parser extends ModuleParser {
        boolean fill;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--checksum-fill")) return false;
            noInvert("CHECKSUM", opt, invert);
            fill = true;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (!fill) throw new RuleError("CHECKSUM: option \"--checksum-fill\" must be specified");
            return new ChecksumTarget();
        }
    }
}
