package jnat.rules;

import jnat.wire.Ipv6Address;

/**
 * IPv6 addresses and masks as ip6tables parses and prints them (xtables.c's ip6 half:
 * xtables_ip6parse_any, xtables_ip6addr_to_numeric, xtables_ip6mask_to_numeric). An address is
 * two longs, hi (bytes 0-7) and lo (bytes 8-15), as {@link Ipv6Address} holds it; a network is
 * {hi, lo, maskHi, maskLo}.
 */
public final class Inet6 {
    private Inet6() {}

    /** inet_pton, or null when the text is no IPv6 address. */
    static long[] tryParse(String s) {
        try {
            byte[] b = Ipv6Address.parse(s);
            return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An address, or ip6tables' "host/network `x' not found" (jnat resolves no names). */
    public static long[] parseAddress(String s) {
        long[] a = tryParse(s);
        if (a == null) throw new RuleError("host/network `" + s + "' not found");
        return a;
    }

    /** "addr[/len|/mask]" to {hi & maskHi, lo & maskLo, maskHi, maskLo} (xtables_ip6parse_any). */
    public static long[] parseNetwork(String s) {
        int slash = s.indexOf('/');
        long[] mask = slash < 0 ? new long[] {-1L, -1L} : parseMask(s.substring(slash + 1));
        long[] a = parseAddress(slash < 0 ? s : s.substring(0, slash));
        return new long[] {a[0] & mask[0], a[1] & mask[1], mask[0], mask[1]};
    }

    /** parse_ip6mask: a prefix length 0-128 or a mask in address form. */
    static long[] parseMask(String m) {
        if (m.contains(":")) {
            long[] a = tryParse(m);
            if (a == null) throw new RuleError("host/network `" + m + "' not found");
            return a;
        }
        int len;
        try {
            len = Integer.parseInt(m);
        } catch (NumberFormatException e) {
            len = -1;
        }
        if (len < 0 || len > 128 || m.startsWith("+")) throw new RuleError("invalid mask `" + m + "' specified");
        return new long[] {Ipv6Address.maskHi(len), Ipv6Address.maskLo(len)};
    }

    public static String format(long hi, long lo) {
        return Ipv6Address.format(hi, lo);
    }

    /** xtables_ip6mask_to_cidr: the prefix length of a contiguous mask, else -1. */
    static int prefixLength(long hi, long lo) {
        int h = Long.numberOfLeadingZeros(~hi);
        if (h < 64) return hi << h == 0 && lo == 0 ? h : -1;
        int l = Long.numberOfLeadingZeros(~lo);
        return l == 64 || lo << l == 0 ? 64 + l : -1;
    }

    /** xtables_ip6mask_to_numeric: "" for /128, "/len", or "/mask" when not contiguous. */
    static String maskSuffix(long hi, long lo) {
        int len = prefixLength(hi, lo);
        if (len == 128) return "";
        return len >= 0 ? "/" + len : "/" + format(hi, lo);
    }

    /** The save form: always "/len" (or "/mask"), "/128" included. */
    static String saveMask(long hi, long lo) {
        int len = prefixLength(hi, lo);
        return len >= 0 ? "/" + len : "/" + format(hi, lo);
    }

    /** Unsigned 128-bit comparison of (aHi, aLo) and (bHi, bLo). */
    static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }
}
