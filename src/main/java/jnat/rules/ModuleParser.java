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

    /** The kernel's checkentry answers ENOENT (no such textsearch algorithm for -m string). */
    static final String KERNEL_ENOENT = "kernel: ENOENT";

    static RuleError kernelRefusesNoEntry() {
        return new RuleError(KERNEL_ENOENT, 4);
    }

    /** The kernel's checkentry answers ERANGE (hashlimit's overflow checks). */
    static final String KERNEL_ERANGE = "kernel: ERANGE";

    static RuleError kernelRefusesRange() {
        return new RuleError(KERNEL_ERANGE, 4);
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

    /**
     * xtopt_parse_mint for a two-component type (XTTYPE_UINT32RC and friends): "a", "a:b", ":b",
     * "a:" or ":" (an empty component is 0 first, the maximum second); {lo, hi}, hi = lo for one.
     */
    static long[] mint(String module, String opt, String v, long max) {
        long[] vals = new long[2];
        int n = 0;
        int pos = 0;
        while (true) {
            if (n == 2) {
                throw new RuleError(module + ": Too many components for option \"" + opt + "\" (max: 2)");
            }
            String arg = v.substring(pos);
            int end;
            long value;
            if (arg.isEmpty() || arg.charAt(0) == ':') {
                end = pos;
                value = n == 1 ? max : 0;
            } else {
                int[] stop = new int[1];
                value = strtoumaxPrefix(arg, stop);
                if (value < 0 || value > max) {
                    throw new RuleError(module + ": bad value for option \"" + opt + "\" near \"" + arg
                            + "\", or out of range (0-" + max + ").");
                }
                end = pos + stop[0];
                if (end < v.length() && v.charAt(end) != ':') {
                    throw new RuleError(module + ": Argument to \"" + opt + "\" has unexpected characters near \""
                            + v.substring(end) + "\".");
                }
            }
            vals[n++] = value;
            if (end >= v.length()) break;
            pos = end + 1;
        }
        return new long[] {vals[0], n == 1 ? vals[0] : vals[1]};
    }

    /** strtoumax(s, &end, 0) as xtables_strtoul checks it: -1 for no digits, a minus sign or overflow. */
    static long strtoumaxPrefix(String s, int[] end) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        if (i < s.length() && s.charAt(i) == '-') return -1;
        if (i < s.length() && s.charAt(i) == '+') i++;
        int base = 10;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
            if (i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
                base = 16;
                i += 2;
            }
        } else if (s.startsWith("0", i)) {
            base = 8;
        }
        int start = i;
        java.math.BigInteger v = java.math.BigInteger.ZERO;
        while (i < s.length() && Character.digit(s.charAt(i), base) >= 0) {
            v = v.multiply(java.math.BigInteger.valueOf(base)).add(java.math.BigInteger.valueOf(Character.digit(s.charAt(i), base)));
            i++;
        }
        if (i == start) return -1;
        end[0] = i;
        return v.bitLength() > 62 ? Long.MAX_VALUE : v.longValue();
    }

    /** XTTYPE_PLEN: a prefix length, or a mask in address form (its CIDR length, 255 when not contiguous). */
    static int plen(String module, String opt, String v, boolean v6) {
        int max = v6 ? 128 : 32;
        long n = strtoul(v, max);
        if (n >= 0) return (int) n;
        if (!v6 && v.matches("[0-9]+")) {
            // getaddrinfo(AI_NUMERICHOST) takes a bare number as an IPv4 address (inet_aton)
            long a = strtoul(v, 0xFFFFFFFFL);
            if (a >= 0) {
                int m = (int) a, len = Integer.bitCount(m);
                return m == (len == 0 ? 0 : -1 << (32 - len)) ? len : 255;
            }
        }
        if (!v6) {
            if (v.matches("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+")) {
                int m = Inet.parseAddress(v);
                int len = Integer.bitCount(m);
                return m == (len == 0 ? 0 : -1 << (32 - len)) ? len : 255;
            }
        } else {
            long[] a = Inet6.tryParse(v);
            if (a != null) {
                int len = Long.bitCount(a[0]) + Long.bitCount(a[1]);
                long eh = len == 0 ? 0 : len >= 64 ? -1 : -1L << (64 - len), el = len <= 64 ? 0 : -1L << (128 - len);
                return a[0] == eh && a[1] == el ? len : 255;
            }
        }
        throw new RuleError(module + ": bad value for option \"--" + opt + "\", neither a valid network mask nor valid CIDR (0-" + max + ").");
    }
}
