package jnat.rules;

/** -m dscp --dscp N | --dscp-class NAME (dscp_mt in xt_dscp.c, libxt_dscp.c): the six DSCP bits of the TOS byte or traffic class. */
public final class DscpMatch implements Match {
    /** dscp_helper.c's class table. */
    private static final String[] CLASSES = {"CS0", "CS1", "CS2", "CS3", "CS4", "CS5", "CS6", "CS7", "BE", "AF11", "AF12",
            "AF13", "AF21", "AF22", "AF23", "AF31", "AF32", "AF33", "AF41", "AF42", "AF43", "EF"};
    private static final int[] CLASS_VALUES = {0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x00, 0x0a, 0x0c, 0x0e,
            0x12, 0x14, 0x16, 0x1a, 0x1c, 0x1e, 0x22, 0x24, 0x26, 0x2e};

    public final int dscp;
    public final boolean invert;

    DscpMatch(int dscp, boolean invert) {
        this.dscp = dscp;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "dscp";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        return (ctx.tos() >>> 2 == dscp) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" DSCP match ").append(invert ? "!" : "").append(TosMatch.hex2(dscp));
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(" --dscp ").append(TosMatch.hex2(dscp));
    }

    /** class_to_dscp: the class's DSCP, case as given ignored. */
    static int classToDscp(String name) {
        for (int i = 0; i < CLASSES.length; i++) if (CLASSES[i].equalsIgnoreCase(name)) return CLASS_VALUES[i];
        throw new RuleError("Invalid DSCP value `" + name + "'");
    }

    static final class Parser extends ModuleParser {
        int dscp = -1;
        boolean inv;
        final java.util.List<String> given = new java.util.ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--dscp" -> dscp = (int) number("dscp", opt, args.value(opt), 63);
                case "--dscp-class" -> dscp = classToDscp(args.value(opt));
                default -> {
                    return false;
                }
            }
            given.add(opt);
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("dscp", java.util.List.of("--dscp", "--dscp-class"), given);
            if (dscp < 0) throw new RuleError("DSCP match: Parameter --dscp is required");
            return new DscpMatch(dscp, inv);
        }
    }
}
