package jnat.rules;

import java.util.List;

/** Parses the options of one match or target module (the extension's parse and final_check). */
abstract class ModuleParser {
    /** Consumes {@code opt} (and its values) if it is this module's option; false if not. */
    abstract boolean option(String opt, boolean invert, Args args, RuleSpec spec);

    /** Checks the options given and returns the Match or Target. */
    abstract Object finish(RuleSpec spec);

    /** The kernel's checkentry refuses the rule (EINVAL); the command turns it into iptables-nft's message. */
    static final String KERNEL_EINVAL = "kernel: EINVAL";

    static RuleError kernelRefuses() {
        return new RuleError(KERNEL_EINVAL, 4);
    }

    static void noInvert(String module, String opt, boolean invert) {
        if (invert) throw new RuleError(module + ": option \"" + opt + "\" cannot be inverted.");
    }

    /** strtoul with base 0 (0x hex, 0 octal), or -1 when not a number in 0..max. */
    static long strtoul(String s, long max) {
        try {
            String t = s.trim();
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16)
                    : t.length() > 1 && t.startsWith("0") ? Long.parseLong(t.substring(1), 8) : Long.parseLong(t);
            return v >= 0 && v <= max && !t.startsWith("+") ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** XTTYPE_UINT8/UINT32: one number, or xtopt_parse_int's message. */
    static long number(String module, String opt, String v, long max) {
        long n = strtoul(v, max);
        if (n < 0) {
            throw new RuleError(module + ": bad value for option \"" + opt + "\", or out of range (0-" + max + ").");
        }
        return n;
    }

    /**
     * xtables_options_fcheck's exclusion check: the first option given (in the module's table order)
     * that excludes another given one, as "option X cannot be used together with Y.".
     */
    static void exclusive(String module, List<String> tableOrder, java.util.Collection<String> given) {
        for (String o : tableOrder) {
            if (!given.contains(o)) continue;
            for (String other : tableOrder) {
                if (!other.equals(o) && given.contains(other)) {
                    throw new RuleError(module + ": option \"" + o + "\" cannot be used together with \"" + other + "\".");
                }
            }
        }
    }

    /** XTTYPE_UINT32RC: "a", "a:b", ":b" or "a:" (an empty end is 0 or the maximum), as xtopt_parse_mint. */
    static long[] range(String module, String opt, String v, long max) {
        int colon = v.indexOf(':');
        if (colon < 0) {
            long n = number(module, opt, v, max);
            return new long[] {n, n};
        }
        String a = v.substring(0, colon), b = v.substring(colon + 1);
        long lo = a.isEmpty() ? 0 : strtoul(a, max), hi = b.isEmpty() ? max : strtoul(b, max);
        if (lo < 0 || hi < 0 || b.contains(":")) {
            throw new RuleError(module + ": bad value for option \"" + opt + "\" near \"" + (lo < 0 ? v : b)
                    + "\", or out of range (0-" + max + ").");
        }
        return new long[] {lo, hi};
    }

    /** "name" or "name:min:max" range text for -L ("s" after the name for a range), "" for the full range. */
    static void printRange(StringBuilder out, String name, long min, long max, long full, boolean inv) {
        if (min == 0 && max == full && !inv) return;
        out.append(name);
        if (min == max) out.append(':').append(inv ? "!" : "").append(min);
        else out.append("s:").append(inv ? "!" : "").append(min).append(':').append(max);
    }

    /** The save form of a range option, skipped for the full range even when inverted (as ip6tables 1.8.9 saves it). */
    static void saveRange(StringBuilder out, String opt, long min, long max, long full, boolean inv) {
        if (min == 0 && max == full) return;
        out.append(inv ? " !" : "").append(' ').append(opt).append(' ').append(min);
        if (min != max) out.append(':').append(max);
    }
}
