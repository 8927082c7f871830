package jnat.rules;

/**
 * -m eui64 (libip6t_eui64.c; the kernel's ip6t_eui64.c): the source address's interface
 * identifier is the modified EUI-64 of the frame's source MAC. No options; valid where a MAC
 * header exists (PREROUTING, INPUT, FORWARD).
 */
public final class Eui64Match implements Match {
    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "eui64";
    }

    /** eui64_mt6: mac[0..2] ^ 0x02, ff:fe, mac[3..5] against bytes 8-15 of the source; no MAC header: no match. */
    @Override
    public boolean matches(PacketContext ctx) {
        long mac = ctx.sourceMac();
        if (mac < 0) return false;
        return ctx.srcAddressLo() == eui64(mac);
    }

    static long eui64(long mac) {
        long oui = (mac >>> 24) & 0xFFFFFF ^ 0x020000;
        return oui << 40 | 0xFFFEL << 24 | (mac & 0xFFFFFF);
    }

    /** Only where a received frame's MAC header is there. */
    @Override
    public int hooks() {
        return Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit();
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {}

    @Override
    public void save(StringBuilder out) {}

    static final class Parser extends ModuleParser {
        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            return false;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new Eui64Match();
        }
    }
}
