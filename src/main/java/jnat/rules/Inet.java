package jnat.rules;

import jnat.wire.Ipv4Address;

/** IPv4 addresses, masks and ports as iptables parses and prints them (xtables.c). */
public final class Inet {
    private Inet() {}

    /** Dotted quad to int, or throws with iptables' message. */
    public static int parseAddress(String s) {
        int v = parseQuad(s);
        if (v == -1 && !"255.255.255.255".equals(s)) throw new RuleError("host/network `" + s + "' not found");
        return v;
    }

    /** Parses a.b.c.d strictly; returns -1 (as 255.255.255.255 would) when malformed. */
    private static int parseQuad(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length < 1 || p.length > 4) return -1;
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int b = 0;
            if (i < p.length) {
                if (p[i].isEmpty() || p[i].length() > 3) return -1;
                for (char c : p[i].toCharArray()) if (c < '0' || c > '9') return -1;
                b = Integer.parseInt(p[i]);
                if (b > 255) return -1;
            } else if (p.length != 4) {
                return -1;
            }
            v = (v << 8) | b;
        }
        return v;
    }

    /** "a.b.c.d[/len|/mask]" to {address & mask, mask}. */
    public static int[] parseNetwork(String s) {
        int slash = s.indexOf('/');
        String a = slash < 0 ? s : s.substring(0, slash);
        int mask = -1;
        if (slash >= 0) mask = parseMask(s.substring(slash + 1));
        int addr = parseAddress(a);
        return new int[] {addr & mask, mask};
    }

    public static int parseMask(String m) {
        if (m.contains(".")) {
            int v = parseQuad(m);
            if (v == -1 && !"255.255.255.255".equals(m)) throw new RuleError("host/network `" + m + "' not found");
            return v;
        }
        int len;
        try {
            len = Integer.parseInt(m);
        } catch (NumberFormatException e) {
            len = -1;
        }
        if (len < 0 || len > 32) throw new RuleError("invalid mask `" + m + "' specified");
        return prefixMask(len);
    }

    public static int prefixMask(int len) {
        return Ipv4Address.mask(len);
    }

    /** The prefix length of a contiguous mask, or -1. */
    public static int prefixLength(int mask) {
        return Ipv4Address.prefixLength(mask);
    }

    public static String format(int a) {
        return Ipv4Address.format(a);
    }

    /** xtables_ipmask_to_numeric: "" for /32, "/len" or "/a.b.c.d". */
    public static String maskSuffix(int mask) {
        if (mask == -1) return "";
        int len = prefixLength(mask);
        return len >= 0 ? "/" + len : "/" + format(mask);
    }

    /** The save form of a mask: always "/len" or "/a.b.c.d". */
    public static String saveMask(int mask) {
        int len = prefixLength(mask);
        return len >= 0 ? "/" + len : "/" + format(mask);
    }

    /** A port number or service name (xtables_parse_port). */
    public static int parsePort(String s, String proto) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 0 && p <= 65535 && !s.startsWith("+") && !s.startsWith("-")) return p;
        } catch (NumberFormatException e) {
            int p = Services.port(s, proto);
            if (p >= 0) return p;
        }
        throw new RuleError("invalid port/service `" + s + "' specified");
    }

    /** "a", "a:b", ":b", "a:" to {min, max} (xtables_parse_port ranges). */
    public static int[] parsePortRange(String s, String proto) {
        return parsePortRange(s, proto, true);
    }

    /** As {@link #parsePortRange(String, String)}; libxt_udp takes "4:3" as it is ({@code ordered} false). */
    static int[] parsePortRange(String s, String proto, boolean ordered) {
        int colon = s.indexOf(':');
        if (colon < 0) {
            int p = parsePort(s, proto);
            return new int[] {p, p};
        }
        int min = colon == 0 ? 0 : parsePort(s.substring(0, colon), proto);
        int max = colon == s.length() - 1 ? 65535 : parsePort(s.substring(colon + 1), proto);
        if (ordered && min > max) throw new RuleError("invalid portrange (min > max)");
        return new int[] {min, max};
    }

    public static long parseUnsigned(String s, long max, String what) {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16)
                    : s.length() > 1 && s.startsWith("0") ? Long.parseLong(s.substring(1), 8) : Long.parseLong(s);
            if (v >= 0 && v <= max) return v;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new RuleError("Bad " + what + " value \"" + s + "\"");
    }
}
