package jnat.pcap;

/** The LINKTYPE_* values jnat reads and writes (tcpdump.org/linktypes.html), with the names tcpdump prints. */
public final class LinkType {
    private LinkType() {}

    /** BSD loopback: a 4-byte address family in the capturing host's byte order, then the packet. */
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    /** Raw IP: IPv4 or IPv6, told apart by the version nibble. */
    public static final int RAW = 101;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;

    /** The "NAME (description)" pair tcpdump prints in "reading from file ..., link-type X". */
    public static String describe(int linkType) {
        return switch (linkType) {
            case NULL -> "NULL (BSD loopback)";
            case ETHERNET -> "EN10MB (Ethernet)";
            case RAW -> "RAW (Raw IP)";
            case IPV4 -> "IPV4 (Raw IPv4)";
            case IPV6 -> "IPV6 (Raw IPv6)";
            default -> "LINKTYPE_" + linkType;
        };
    }
}
