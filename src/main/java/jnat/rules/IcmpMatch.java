package jnat.rules;

/** -m icmp --icmp-type (libxt_icmp.c; the kernel's icmp_match in ip_tables.c). */
public final class IcmpMatch implements Match {
    /** One name of icmp_codes/icmpv6_codes: a type and its code range. */
    record Code(String name, int type, int min, int max) {}

    private static final Code[] CODES = {
        new Code("any", 0xFF, 0, 0xFF),
        new Code("echo-reply", 0, 0, 0xFF),
        new Code("destination-unreachable", 3, 0, 0xFF),
        new Code("network-unreachable", 3, 0, 0),
        new Code("host-unreachable", 3, 1, 1),
        new Code("protocol-unreachable", 3, 2, 2),
        new Code("port-unreachable", 3, 3, 3),
        new Code("fragmentation-needed", 3, 4, 4),
        new Code("source-route-failed", 3, 5, 5),
        new Code("network-unknown", 3, 6, 6),
        new Code("host-unknown", 3, 7, 7),
        new Code("network-prohibited", 3, 9, 9),
        new Code("host-prohibited", 3, 10, 10),
        new Code("TOS-network-unreachable", 3, 11, 11),
        new Code("TOS-host-unreachable", 3, 12, 12),
        new Code("communication-prohibited", 3, 13, 13),
        new Code("host-precedence-violation", 3, 14, 14),
        new Code("precedence-cutoff", 3, 15, 15),
        new Code("source-quench", 4, 0, 0xFF),
        new Code("redirect", 5, 0, 0xFF),
        new Code("network-redirect", 5, 0, 0),
        new Code("host-redirect", 5, 1, 1),
        new Code("TOS-network-redirect", 5, 2, 2),
        new Code("TOS-host-redirect", 5, 3, 3),
        new Code("echo-request", 8, 0, 0xFF),
        new Code("router-advertisement", 9, 0, 0xFF),
        new Code("router-solicitation", 10, 0, 0xFF),
        new Code("time-exceeded", 11, 0, 0xFF),
        new Code("ttl-zero-during-transit", 11, 0, 0),
        new Code("ttl-zero-during-reassembly", 11, 1, 1),
        new Code("parameter-problem", 12, 0, 0xFF),
        new Code("ip-header-bad", 12, 0, 0),
        new Code("required-option-missing", 12, 1, 1),
        new Code("timestamp-request", 13, 0, 0xFF),
        new Code("timestamp-reply", 14, 0, 0xFF),
        new Code("address-mask-request", 17, 0, 0xFF),
        new Code("address-mask-reply", 18, 0, 0xFF),
    };

    public final int type, codeMin, codeMax;
    public final boolean invert;

    IcmpMatch(int type, int codeMin, int codeMax, boolean invert) {
        this.type = type;
        this.codeMin = codeMin;
        this.codeMax = codeMax;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "icmp";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        int c = ctx.icmpCode();
        boolean m = type == 0xFF || (ctx.icmpType() == type && c >= codeMin && c <= codeMax);
        return m != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" icmp");
        printType(out, CODES, type, codeMin, codeMax, invert, numeric);
    }

    /** print_icmptype / print_icmpv6type: the name of the type and codes, else "type N [code(s) ...]". */
    static void printType(StringBuilder out, Code[] codes, int type, int codeMin, int codeMax, boolean invert, boolean numeric) {
        if (!numeric) {
            for (Code k : codes) {
                if (k.type == type && k.min == codeMin && k.max == codeMax) {
                    out.append(' ').append(invert ? "!" : "").append(k.name);
                    return;
                }
            }
        }
        if (invert) out.append(" !");
        out.append("type ").append(type);
        if (codeMin == codeMax) out.append(" code ").append(codeMin);
        else if (codeMin != 0 || codeMax != 0xFF) out.append(" codes ").append(codeMin).append('-').append(codeMax);
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        if (type == 0xFF) {
            out.append(" --icmp-type any");
            return;
        }
        out.append(" --icmp-type ").append(type);
        if (codeMin != 0 || codeMax != 0xFF) out.append('/').append(codeMin);
    }

    static final class Parser extends ModuleParser {
        int type = 0xFF, min = 0, max = 0xFF;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--icmp-type")) return false;
            String v = args.value(opt);
            inv = invert;
            for (Code k : CODES) {
                if (k.name.equalsIgnoreCase(v)) {
                    type = k.type;
                    min = k.min;
                    max = k.max;
                    return true;
                }
            }
            String[] tc = v.split("/", -1);
            try {
                type = Integer.parseInt(tc[0]);
                if (tc.length == 2) {
                    min = max = Integer.parseInt(tc[1]);
                } else if (tc.length > 2) {
                    throw new NumberFormatException();
                }
                if (type < 0 || type > 255 || min < 0 || min > 255) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new RuleError("Invalid ICMP type `" + v + "'");
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 1 || spec.protoInverted()) {
                // the kernel's icmp_checkentry refuses it; iptables reports the failed append
                throw new RuleError("RULE_APPEND failed (Invalid argument): icmp match needs -p icmp", 4);
            }
            return new IcmpMatch(type, min, max, inv);
        }
    }
}
