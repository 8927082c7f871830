package jnat.wire;

/**
 * Why a view refused to wrap some bytes: the result of {@code wrap(...)}, 0 ({@link #OK}) when the header
 * is sound. Plain int constants so the hot path returns a number, and a drop counter can be an
 * {@code long[WireError.COUNT]} indexed by the code.
 */
public final class WireError {
    private WireError() {}

    public static final int OK = 0;
    /** Fewer bytes than the fixed header (or than a length field inside it says is there). */
    public static final int TRUNCATED = 1;
    /** The version field is not 4 (IPv4 views) or 6 (IPv6 views). */
    public static final int BAD_VERSION = 2;
    /** IPv4 IHL below 5 (a header shorter than 20 bytes). */
    public static final int BAD_IHL = 3;
    /** IPv4 total length smaller than the header length. */
    public static final int BAD_TOTAL_LENGTH = 4;
    /** TCP data offset below 5 or pointing past the segment. */
    public static final int BAD_DATA_OFFSET = 5;
    /** UDP length below 8 or beyond the bytes present. */
    public static final int BAD_UDP_LENGTH = 6;
    /** A checksum that does not verify (views do not check it in wrap; callers use this code to count). */
    public static final int BAD_CHECKSUM = 7;
    /** ARP for something other than Ethernet hardware and IPv4 protocol addresses. */
    public static final int UNSUPPORTED_ARP = 8;
    /** Ports or ICMP header asked of a fragment that does not carry them (fragment offset not 0). */
    public static final int NOT_FIRST_FRAGMENT = 9;
    /** A protocol this view does not handle (e.g. asking an ICMP echo id of a TCP packet). */
    public static final int UNSUPPORTED_PROTOCOL = 10;

    /**
     * An IPv6 extension header chain that cannot be walked: a header that does not fit in the bytes
     * present, as {@code ipv6_skip_exthdr} meets it (the fixed header itself may be sound).
     */
    public static final int BAD_EXT_HEADER = 11;
    /** NDP options that {@code ndisc_parse_options} refuses: a length of 0, or one running past the message. */
    public static final int BAD_ND_OPTION = 12;

    public static final int COUNT = 13;

    private static final String[] TEXT = {
            "ok",
            "truncated",
            "bad IP version",
            "bad IP header length",
            "bad IP total length",
            "bad TCP data offset",
            "bad UDP length",
            "bad checksum",
            "unsupported ARP format",
            "not the first fragment",
            "unsupported protocol",
            "bad IPv6 extension header",
            "bad ND option",
    };

    /** A short text for drop counters and logs; "unknown" for a code that is not one of ours. */
    public static String text(int code) {
        return code >= 0 && code < COUNT ? TEXT[code] : "unknown";
    }
}
