package jnat.rules;

/** -m mac --mac-source ADDR (xt_mac.c, libxt_mac.c): the Ethernet source; PREROUTING, INPUT and FORWARD only. */
public final class MacMatch implements Match {
    public final long mac;
    public final boolean invert;

    MacMatch(long mac, boolean invert) {
        this.mac = mac;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "mac";
    }

    /** mac_mt: no Ethernet header (a TUN device, the host's own packet) never matches, inverted or not. */
    @Override
    public boolean matches(PacketContext ctx) {
        long src = ctx.sourceMac();
        if (src < 0) return false;
        return (src == mac) != invert;
    }

    @Override
    public int hooks() {
        return Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit();
    }

    private String format() {
        StringBuilder sb = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            sb.append(String.format("%02x", mac >>> (i * 8) & 0xff));
            if (i > 0) sb.append(':');
        }
        return sb.toString();
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" MAC ").append(invert ? "! " : "").append(format());
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(" --mac-source ").append(format());
    }

    /** xtables_parse_mac: six hex bytes separated by ':' (ether_aton's form). */
    static long parseMac(String v) {
        String[] parts = v.split(":", -1);
        if (parts.length != 6 || v.length() != 17) throw new RuleError("Invalid MAC address specified.");
        long m = 0;
        for (String p : parts) {
            long b = p.length() == 2 ? ModuleParser.strtoul("0x" + p, 0xff) : -1;
            if (b < 0) throw new RuleError("Invalid MAC address specified.");
            m = m << 8 | b;
        }
        return m;
    }

    static final class Parser extends ModuleParser {
        long mac = -1;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--mac-source")) return false;
            mac = parseMac(args.value(opt));
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (mac < 0) throw new RuleError("mac: option \"--mac-source\" must be specified");
            return new MacMatch(mac, inv);
        }
    }
}
