package jnat.rules;

/** -m icmp6 --icmpv6-type (libip6t_icmp6.c, libxt_icmp.h's icmpv6_codes; the kernel's icmp6_match). */
public final class Icmp6Match implements Match {
    /** ip6tables 1.8.9's icmpv6_codes (the mld-* names came later), aliases after their names (the first is printed). */
    private static final IcmpMatch.Code[] CODES = {
        new IcmpMatch.Code("destination-unreachable", 1, 0, 0xFF),
        new IcmpMatch.Code("no-route", 1, 0, 0),
        new IcmpMatch.Code("communication-prohibited", 1, 1, 1),
        new IcmpMatch.Code("beyond-scope", 1, 2, 2),
        new IcmpMatch.Code("address-unreachable", 1, 3, 3),
        new IcmpMatch.Code("port-unreachable", 1, 4, 4),
        new IcmpMatch.Code("failed-policy", 1, 5, 5),
        new IcmpMatch.Code("reject-route", 1, 6, 6),
        new IcmpMatch.Code("packet-too-big", 2, 0, 0xFF),
        new IcmpMatch.Code("time-exceeded", 3, 0, 0xFF),
        new IcmpMatch.Code("ttl-exceeded", 3, 0, 0xFF),
        new IcmpMatch.Code("ttl-zero-during-transit", 3, 0, 0),
        new IcmpMatch.Code("ttl-zero-during-reassembly", 3, 1, 1),
        new IcmpMatch.Code("parameter-problem", 4, 0, 0xFF),
        new IcmpMatch.Code("bad-header", 4, 0, 0),
        new IcmpMatch.Code("unknown-header-type", 4, 1, 1),
        new IcmpMatch.Code("unknown-option", 4, 2, 2),
        new IcmpMatch.Code("echo-request", 128, 0, 0xFF),
        new IcmpMatch.Code("ping", 128, 0, 0xFF),
        new IcmpMatch.Code("echo-reply", 129, 0, 0xFF),
        new IcmpMatch.Code("pong", 129, 0, 0xFF),
        new IcmpMatch.Code("router-solicitation", 133, 0, 0xFF),
        new IcmpMatch.Code("router-advertisement", 134, 0, 0xFF),
        new IcmpMatch.Code("neighbour-solicitation", 135, 0, 0xFF),
        new IcmpMatch.Code("neighbor-solicitation", 135, 0, 0xFF),
        new IcmpMatch.Code("neighbour-advertisement", 136, 0, 0xFF),
        new IcmpMatch.Code("neighbor-advertisement", 136, 0, 0xFF),
        new IcmpMatch.Code("redirect", 137, 0, 0xFF),
    };

    public final int type, codeMin, codeMax;
    public final boolean invert;

    Icmp6Match(int type, int codeMin, int codeMax, boolean invert) {
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
        return "icmp6";
    }

    /** icmp6_match: type equal and code in range (no "any" type in IPv6); fragments never match. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        int c = ctx.icmpCode();
        return (ctx.icmpType() == type && c >= codeMin && c <= codeMax) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        // "type" follows " ipv6-icmp" with no space when no name fits, as libip6t_icmp6 prints it
        out.append(" ipv6-icmp");
        IcmpMatch.printType(out, CODES, type, codeMin, codeMax, invert, numeric);
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --icmpv6-type ").append(type);
        if (codeMin != 0 || codeMax != 0xFF) out.append('/').append(codeMin);
    }

    static final class Parser extends ModuleParser {
        int type = -1, min = 0, max = 0xFF;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--icmpv6-type")) return false;
            if (type >= 0) throw new RuleError("icmp6: \"--icmpv6-type\" option may only be specified once");
            String v = args.value(opt);
            inv = invert;
            parse(v);
            return true;
        }

        /** __parse_icmp: a unique name prefix (case-insensitive), else "type[/code]". */
        private void parse(String v) {
            IcmpMatch.Code match = null;
            for (IcmpMatch.Code k : CODES) {
                if (!k.name().regionMatches(true, 0, v, 0, v.length()) || v.length() > k.name().length()) continue;
                if (match != null) { // any second name with the prefix, an alias too
                    throw new RuleError("Ambiguous ICMPv6 type `" + v + "': `" + match.name() + "' or `" + k.name() + "'?");
                }
                match = k;
            }
            if (match != null) {
                type = match.type();
                min = match.min();
                max = match.max();
                return;
            }
            int slash = v.indexOf('/');
            type = number(slash < 0 ? v : v.substring(0, slash), "type", v);
            if (slash >= 0) min = max = number(v.substring(slash + 1), "code", v);
        }

        private static int number(String s, String what, String all) {
            try {
                int n = Integer.parseInt(s);
                if (n >= 0 && n <= 255 && !s.startsWith("+")) return n;
            } catch (NumberFormatException ignored) {
                // fall through
            }
            throw new RuleError("Unknown ICMPv6 " + what + " `" + all + "'");
        }

        @Override
        Object finish(RuleSpec spec) {
            if (type < 0) throw new RuleError("icmp6: option \"--icmpv6-type\" must be specified");
            // the match is registered for IPPROTO_ICMPV6: xt_check_match refuses any other -p
            if (spec.proto != 58 || spec.protoInverted()) throw kernelRefuses();
            return new Icmp6Match(type, min, max, inv);
        }
    }
}
