package jnat.rules;

/**
 * -m tos --tos value[/mask] (tos_mt in xt_dscp.c, libxt_tos.c revision 1): (IPv4's TOS byte or
 * IPv6's traffic class & mask) == value. A symbolic name (RFC 1349's) means its value under 0x3f.
 */
public final class TosMatch implements Match {
    static final String[] SYMBOLS = {"Minimize-Cost", "Maximize-Reliability", "Maximize-Throughput", "Minimize-Delay",
            "Normal-Service"};
    static final int[] SYMBOL_VALUES = {0x02, 0x04, 0x08, 0x10, 0x00};

    public final int value, mask;
    public final boolean invert;

    TosMatch(int value, int mask, boolean invert) {
        this.value = value;
        this.mask = mask;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "tos";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        return ((ctx.tos() & mask) == value) != invert;
    }

    /** tos_try_print_symbolic: " PREFIXName" when the mask is 0x3f and the value has a name. */
    static boolean printSymbolic(StringBuilder out, String prefix, int value, int mask) {
        if (mask != 0x3f) return false;
        for (int i = 0; i < SYMBOLS.length; i++) {
            if (SYMBOL_VALUES[i] == value) {
                out.append(' ').append(prefix).append(SYMBOLS[i]);
                return true;
            }
        }
        return false;
    }

    static String hex2(int v) {
        return String.format("0x%02x", v);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" tos match");
        if (invert) out.append('!');
        if (numeric || !printSymbolic(out, "", value, mask)) out.append(hex2(value)).append('/').append(hex2(mask));
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --tos ").append(hex2(value)).append('/').append(hex2(mask));
    }

    /** tos_parse_symbolic: a number (mask 0xff unless given) or a name (mask 0x3f). */
    static int[] parse(String v) {
        int slash = v.indexOf('/');
        String val = slash < 0 ? v : v.substring(0, slash);
        long n = ModuleParser.strtoul(val, 0xff);
        if (n >= 0 && !val.isEmpty()) {
            long m = slash < 0 ? 0xff : ModuleParser.strtoul(v.substring(slash + 1), 0xff);
            if (m < 0) throw new RuleError("Symbolic name \"" + v + "\" is unknown");
            return new int[] {(int) n, (int) m};
        }
        for (int i = 0; i < SYMBOLS.length; i++) {
            if (SYMBOLS[i].equalsIgnoreCase(v)) return new int[] {SYMBOL_VALUES[i], 0x3f};
        }
        throw new RuleError("Symbolic name \"" + v + "\" is unknown");
    }

    static final class Parser extends ModuleParser {
        int[] vm;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--tos")) return false;
            vm = parse(args.value(opt));
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (vm == null) throw new RuleError("tos: option \"--tos\" must be specified");
            return new TosMatch(vm[0], vm[1], inv);
        }
    }
}
