package jnat.host;

/** Route and address scopes, the kernel's RT_SCOPE_* values (rtnetlink.h) and ip(8)'s names for them. */
public final class Scope {
    private Scope() {}

    public static final int UNIVERSE = 0;
    public static final int SITE = 200;
    public static final int LINK = 253;
    public static final int HOST = 254;
    public static final int NOWHERE = 255;

    /** ip(8)'s name: global, site, link, host, nowhere, else the number. */
    public static String name(int scope) {
        return switch (scope) {
            case UNIVERSE -> "global";
            case SITE -> "site";
            case LINK -> "link";
            case HOST -> "host";
            case NOWHERE -> "nowhere";
            default -> Integer.toString(scope);
        };
    }

    /** Parses a scope as ip(8) does (rtnl_rtscope_a2n): a name, "universe", or a number 0..255. */
    public static int parse(String s) {
        return switch (s) {
            case "global", "universe" -> UNIVERSE;
            case "site" -> SITE;
            case "link" -> LINK;
            case "host" -> HOST;
            case "nowhere" -> NOWHERE;
            default -> {
                int v = parseNumber(s, 255);
                if (v < 0) throw new IllegalArgumentException("invalid scope \"" + s + "\"");
                yield v;
            }
        };
    }

    static int parseNumber(String s, int max) {
        if (s.isEmpty() || s.length() > 10) return -1;
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v > max ? -1 : (int) v;
    }
}
