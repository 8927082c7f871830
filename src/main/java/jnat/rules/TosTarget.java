package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * -j TOS (tos_tg in xt_DSCP.c, libxt_TOS.c revision 1): the TOS byte (IPv6: the traffic class)
 * becomes (tos & ~mask) ^ value; --and-tos, --or-tos and --xor-tos are spellings of that. Mangle only.
 */
public final class TosTarget extends Target {
    public final int value, mask;

    TosTarget(int value, int mask) {
        this.value = value;
        this.mask = mask;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "TOS";
    }

    @Override
    public String table() {
        return "mangle";
    }

    /** tos_tg: rewritten (ipv4_change_dsfield, checksum updated) only when it changes. */
    @Override
    public boolean apply(PacketContext ctx) {
        int orig = ctx.tos();
        int nv = (orig & ~mask ^ value) & 0xff;
        if (nv != orig) ctx.setTos(nv);
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        String v = TosMatch.hex2(value), m = TosMatch.hex2(mask);
        if (numeric) out.append(" TOS set ").append(v).append('/').append(m);
        else if (TosMatch.printSymbolic(out, " TOS set", value, mask)) return;
        else if (value == 0) out.append(" TOS and ").append(TosMatch.hex2(~mask & 0xff));
        else if (value == mask) out.append(" TOS or ").append(v);
        else if (mask == 0) out.append(" TOS xor ").append(v);
        else out.append(" TOS set ").append(v).append('/').append(m);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --set-tos ").append(TosMatch.hex2(value)).append('/').append(TosMatch.hex2(mask));
    }

    static final class Parser extends ModuleParser {
        int value = -1, mask;
        final List<String> given = new ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!List.of("--set-tos", "--and-tos", "--or-tos", "--xor-tos").contains(opt)) return false;
            noInvert("TOS", opt, invert);
            given.add(opt);
            String v = args.value(opt);
            if (opt.equals("--set-tos")) {
                int[] vm = TosMatch.parse(v);
                value = vm[0];
                mask = vm[1];
                return true;
            }
            int bits = (int) number("TOS", opt, v, 0xff);
            switch (opt) {
                case "--and-tos" -> {
                    value = 0;
                    mask = ~bits & 0xff;
                }
                case "--or-tos" -> {
                    value = bits;
                    mask = bits;
                }
                default -> {
                    value = bits;
                    mask = 0;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("TOS", List.of("--set-tos", "--and-tos", "--or-tos", "--xor-tos"), given);
            if (value < 0) throw new RuleError("TOS: An action is required");
            return new TosTarget(value, mask);
        }
    }
}
