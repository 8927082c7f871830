package jnat.conntrack;

/** The IPS_* status bits of include/uapi/linux/netfilter/nf_conntrack_common.h, as masks. */
public final class Status {
    private Status() {}

    /** It's an expected connection (a helper's child); jnat has no helpers yet. */
    public static final int EXPECTED = 1 << 0;
    /** We've seen packets both ways. */
    public static final int SEEN_REPLY = 1 << 1;
    /** Conntrack should never be early-expired. */
    public static final int ASSURED = 1 << 2;
    /** Connection is in the table (the first packet left the host). */
    public static final int CONFIRMED = 1 << 3;
    /** Connection needs source NAT in the original direction. */
    public static final int SRC_NAT = 1 << 4;
    /** Connection needs destination NAT in the original direction. */
    public static final int DST_NAT = 1 << 5;
    public static final int NAT_MASK = SRC_NAT | DST_NAT;
    /** Connection needs TCP sequence adjustment (helpers); unused. */
    public static final int SEQ_ADJUST = 1 << 6;
    /** NAT initialization done for the source manipulation. */
    public static final int SRC_NAT_DONE = 1 << 7;
    /** NAT initialization done for the destination manipulation. */
    public static final int DST_NAT_DONE = 1 << 8;
    public static final int NAT_DONE_MASK = SRC_NAT_DONE | DST_NAT_DONE;
    /** Connection is dying (removed from the table, still referenced by the packet in flight). */
    public static final int DYING = 1 << 9;
    /** Connection has a fixed timeout. */
    public static final int FIXED_TIMEOUT = 1 << 10;
    public static final int TEMPLATE = 1 << 11;
    /** Lost a NAT clash race; never becomes ASSURED. */
    public static final int NAT_CLASH = 1 << 12;
    public static final int HELPER = 1 << 13;
    public static final int OFFLOAD = 1 << 14;
    public static final int HW_OFFLOAD = 1 << 15;
}
