package jnat.wire;

/**
 * The IPv6 extension header chain (RFC 8200 section 4) walked as the kernel walks it: a reusable walker
 * whose {@link #skip} is {@code ipv6_skip_exthdr} and {@link #find} is {@code ipv6_find_hdr}
 * (net/ipv6/exthdrs_core.c), allocation-free. Results of the last walk are read with
 * {@link #nextHeader()}, {@link #offset()}, {@link #fragOff()}, {@link #fragmentHeaderOffset()}.
 *
 * <p>Hop-by-hop, routing and destination options are {@code (hdrlen + 1) * 8} bytes, AH is
 * {@code (hdrlen + 2) * 4} ("special handling of AUTH header"), the fragment header 8. ESP and any
 * other value end the walk as the upper-layer protocol, as does No Next Header. Every step moves at
 * least 8 bytes on and must start inside the bytes given, so a chain that names itself again and again
 * (a "loop") ends when the bytes do: no walk takes more than {@code (end - start) / 8 + 1} steps.
 * Where the kernel's walk returns an offset past the packet (the last header cut short), these refuse
 * with {@link WireError#BAD_EXT_HEADER}: every caller of the kernel's then fails to read the
 * upper-layer header anyway.
 */
public final class Ipv6ExtHeaders {
    /** Next header values, as include/net/ipv6.h names them. */
    public static final int NEXTHDR_HOP = 0;
    public static final int NEXTHDR_IPV4 = 4;
    public static final int NEXTHDR_TCP = 6;
    public static final int NEXTHDR_UDP = 17;
    public static final int NEXTHDR_IPV6 = 41;
    public static final int NEXTHDR_ROUTING = 43;
    public static final int NEXTHDR_FRAGMENT = 44;
    public static final int NEXTHDR_GRE = 47;
    public static final int NEXTHDR_ESP = 50;
    public static final int NEXTHDR_AUTH = 51;
    public static final int NEXTHDR_ICMP = 58;
    public static final int NEXTHDR_NONE = 59;
    public static final int NEXTHDR_DEST = 60;
    public static final int NEXTHDR_SCTP = 132;
    public static final int NEXTHDR_MOBILITY = 135;

    /** Offsets in every extension header ({@code struct ipv6_opt_hdr}). */
    public static final int OFF_NEXT_HEADER = 0;
    public static final int OFF_HDR_LEN = 1;
    /** Offsets in a routing header ({@code struct ipv6_rt_hdr}). */
    public static final int OFF_RT_TYPE = 2;
    public static final int OFF_RT_SEGMENTS_LEFT = 3;
    /** The smallest extension header: 8 bytes (hdrlen 0). */
    public static final int MIN_LENGTH = 8;

    /** {@link #find} flags, as the kernel's IP6_FH_F_*. */
    public static final int IP6_FH_F_FRAG = 1;
    public static final int IP6_FH_F_AUTH = 1 << 1;
    public static final int IP6_FH_F_SKIP_RH = 1 << 2;

    /** What {@link #find} returns when the header is not in the chain (the kernel's -ENOENT). */
    public static final int NOT_FOUND = -2;
    /** What {@link #find} returns when a header cannot be read (the kernel's -EBADMSG). */
    public static final int BAD_MESSAGE = -74;

    private int nextHeader;
    private int offset;
    private int fragOff;
    private int fragmentHeader = -1;
    private int flags;

    /** True for the values {@code ipv6_ext_hdr} calls extension headers (No Next Header among them). */
    public static boolean isExtHeader(int nexthdr) {
        return nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_FRAGMENT
                || nexthdr == NEXTHDR_AUTH || nexthdr == NEXTHDR_NONE || nexthdr == NEXTHDR_DEST;
    }

    /** The length of the extension header of type {@code type} at {@code p} (its first two bytes must be there). */
    public static int length(byte[] b, int p, int type) {
        if (type == NEXTHDR_FRAGMENT) return Ipv6FragmentHeader.LENGTH;
        int hdrlen = b[p + OFF_HDR_LEN] & 0xff;
        return type == NEXTHDR_AUTH ? (hdrlen + 2) << 2 : (hdrlen + 1) << 3;
    }

    /**
     * {@code ipv6_skip_exthdr}: walks the extension headers in {@code b[start, end)} whose first type
     * is {@code nexthdr}. On {@link WireError#OK}, {@link #nextHeader()} is the first header that is no
     * extension header (ESP, TCP, ...), {@link #NEXTHDR_NONE} where the kernel returns -1 for No Next
     * Header, or {@link #NEXTHDR_FRAGMENT} for a fragment that is not the first (its offset not 0: the
     * walk stops there, {@link #offset()} at the fragment header); {@link #offset()} is where it starts,
     * at most {@code end}; {@link #fragOff()} is the last fragment header's offset and M field.
     * {@link WireError#BAD_EXT_HEADER} when a header does not fit. Never throws.
     */
    public int skip(byte[] b, int start, int end, int nexthdr) {
        reset(nexthdr, start);
        if (start < 0 || end > b.length || start > end) return WireError.BAD_EXT_HEADER;
        while (isExtHeader(nexthdr) && nexthdr != NEXTHDR_NONE) {
            if (start + 2 > end) return WireError.BAD_EXT_HEADER;
            int hdrlen;
            if (nexthdr == NEXTHDR_FRAGMENT) {
                if (start + Ipv6FragmentHeader.OFF_FRAG_OFF + 2 > end) return WireError.BAD_EXT_HEADER;
                fragmentHeader = start;
                fragOff = Bytes.u16(b, start + Ipv6FragmentHeader.OFF_FRAG_OFF);
                if ((fragOff & ~0x7) != 0) break;
                hdrlen = Ipv6FragmentHeader.LENGTH;
            } else {
                hdrlen = length(b, start, nexthdr);
            }
            if (start + hdrlen > end) return WireError.BAD_EXT_HEADER;
            nexthdr = b[start + OFF_NEXT_HEADER] & 0xff;
            start += hdrlen;
        }
        nextHeader = nexthdr;
        offset = start;
        return WireError.OK;
    }

    /**
     * {@code ipv6_find_hdr}: in the IPv6 packet at {@code b[ipOff, end)} (an outer one, or one an
     * ICMPv6 error quotes), the header of type {@code target}, or with {@code target < 0} the last
     * one (the upper-layer protocol, ESP or No Next Header). Returns its type with {@link #offset()}
     * at it, {@link #NOT_FOUND} or {@link #BAD_MESSAGE}. A fragment that is not the first returns its
     * next header for {@code target < 0} (when that is no extension header), {@link #fragOff()} then
     * the offset in bytes; {@link #flags()} gets {@link #IP6_FH_F_FRAG} when a fragment header was met.
     * {@code flags} may ask {@link #IP6_FH_F_AUTH} (stop at AH) and {@link #IP6_FH_F_SKIP_RH} (routing
     * headers with no segments left do not count). Never throws.
     */
    public int find(byte[] b, int ipOff, int end, int target, int flags) {
        reset(-1, ipOff);
        this.flags = flags;
        if (ipOff < 0 || end > b.length || ipOff + Ipv6Packet.HEADER_LENGTH > end
                || (b[ipOff] & 0xff) >>> 4 != 6) return BAD_MESSAGE;
        int start = ipOff + Ipv6Packet.HEADER_LENGTH;
        int nexthdr = b[ipOff + Ipv6Packet.OFF_NEXT_HEADER] & 0xff;
        boolean found;
        do {
            found = nexthdr == target;
            if (!isExtHeader(nexthdr) || nexthdr == NEXTHDR_NONE) {
                if (target < 0 || found) break;
                return NOT_FOUND;
            }
            if (start + 2 > end) return BAD_MESSAGE;
            if (nexthdr == NEXTHDR_ROUTING) {
                if (start + 4 > end) return BAD_MESSAGE;
                if ((flags & IP6_FH_F_SKIP_RH) != 0 && b[start + OFF_RT_SEGMENTS_LEFT] == 0) found = false;
            }
            int hdrlen;
            if (nexthdr == NEXTHDR_FRAGMENT) {
                this.flags |= IP6_FH_F_FRAG;
                if (start + Ipv6FragmentHeader.OFF_FRAG_OFF + 2 > end) return BAD_MESSAGE;
                fragmentHeader = start;
                int fo = Bytes.u16(b, start + Ipv6FragmentHeader.OFF_FRAG_OFF) & ~0x7;
                if (fo != 0) {
                    int inner = b[start + OFF_NEXT_HEADER] & 0xff;
                    if (target < 0 && (!isExtHeader(inner) || inner == NEXTHDR_NONE)) {
                        fragOff = fo;
                        offset = start;
                        nextHeader = inner;
                        return inner;
                    }
                    return NOT_FOUND;
                }
                hdrlen = Ipv6FragmentHeader.LENGTH;
            } else if (nexthdr == NEXTHDR_AUTH) {
                if ((flags & IP6_FH_F_AUTH) != 0 && target < 0) break;
                hdrlen = length(b, start, nexthdr);
            } else {
                hdrlen = length(b, start, nexthdr);
            }
            if (!found) {
                nexthdr = b[start + OFF_NEXT_HEADER] & 0xff;
                start += hdrlen;
                // the kernel reads the next header only when it gets to it; a header past the end stops here
                if (start > end) return BAD_MESSAGE;
            }
        } while (!found);
        offset = start;
        nextHeader = nexthdr;
        return nexthdr;
    }

    private void reset(int nexthdr, int start) {
        nextHeader = nexthdr;
        offset = start;
        fragOff = 0;
        fragmentHeader = -1;
        flags = 0;
    }

    /** The header the last walk stopped at (see {@link #skip} and {@link #find}). */
    public int nextHeader() { return nextHeader; }

    /** Absolute index where {@link #nextHeader()} starts. */
    public int offset() { return offset; }

    /**
     * {@link #skip}: the last fragment header's 16-bit offset-and-M field (0 without one);
     * {@link #find}: a non-first fragment's offset in bytes.
     */
    public int fragOff() { return fragOff; }

    /** Absolute index of the last fragment header met, or -1. */
    public int fragmentHeaderOffset() { return fragmentHeader; }

    /** The flags {@link #find} was given, with {@link #IP6_FH_F_FRAG} added when it met a fragment header. */
    public int flags() { return flags; }
}
