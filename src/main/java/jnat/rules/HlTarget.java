package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * -j TTL and -j HL (xt_HL.c: ttl_tg and hl_tg6; libipt_TTL.c, libip6t_HL.c): set, raise or lower
 * the IPv4 TTL or the IPv6 hop limit; mangle only. One class for both families, as the kernel's one file.
 */
public final class HlTarget extends Target {
    public static final int SET = 0, INC = 1, DEC = 2;
    private static final String[] ACTIONS = {"set", "inc", "dec"};

    public final boolean ipv6;
    public final int mode, value;

    HlTarget(boolean ipv6, int mode, int value) {
        this.ipv6 = ipv6;
        this.mode = mode;
        this.value = value;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return ipv6 ? "HL" : "TTL";
    }

    @Override
    public String table() {
        return "mangle";
    }

    /** The new value clamped to 0..255 and written (IPv4's with csum_replace2) only when it changed; XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        int old = ipv6 ? ctx.hopLimit() : ctx.ttl();
        int t = switch (mode) {
            case SET -> value;
            case INC -> Math.min(255, old + value);
            default -> Math.max(0, old - value);
        };
        if (t != old) {
            if (ipv6) ctx.setHopLimit(t);
            else ctx.setTtl(t);
        }
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(' ').append(name()).append(' ')
                .append(mode == SET ? "set to" : mode == DEC ? "decrement by" : "increment by").append(' ').append(value);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --").append(ipv6 ? "hl" : "ttl").append('-').append(ACTIONS[mode]).append(' ').append(value);
    }

    static final class Parser extends ModuleParser {
        private final boolean ipv6;
        int mode = -1, value;
        final List<String> given = new ArrayList<>();

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            String prefix = ipv6 ? "--hl-" : "--ttl-";
            int m = List.of(ACTIONS).indexOf(opt.startsWith(prefix) ? opt.substring(prefix.length()) : "");
            if (m < 0) return false;
            String target = ipv6 ? "HL" : "TTL";
            noInvert(target, opt, invert);
            given.add(opt);
            long n = strtoul(args.value(opt), 0xFF);
            if (n < 0 || (m != SET && n < 1)) {
                throw new RuleError(target + ": bad value for option \"" + opt + "\", or out of range (" + (m == SET ? 0 : 1) + "-255).");
            }
            value = (int) n;
            mode = m;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            String target = ipv6 ? "HL" : "TTL";
            String prefix = ipv6 ? "--hl-" : "--ttl-";
            exclusive(target, List.of(prefix + "set", prefix + "dec", prefix + "inc"), given);
            if (mode < 0) throw new RuleError(target + ": You must specify an action");
            return new HlTarget(ipv6, mode, value);
        }
    }
}
