package jnat.ipset;

/**
 * The extensions an add, del or test carries (struct ip_set_ext): an element's timeout in seconds,
 * its counters and comment, and the nomatch flag of the net types; -1 (null) where not given, as
 * IP_SET_INIT_UEXT leaves packets and bytes at ULLONG_MAX and the timeout at the set's default.
 */
public final class IpSetExt {
    public long timeout = -1;
    public long packets = -1;
    public long bytes = -1;
    public String comment;
    public boolean nomatch;

    /** What a packet brings to -j SET's add (IP_SET_INIT_KEXT): one packet of {@code len} bytes. */
    public static IpSetExt packet(int len, long timeout) {
        IpSetExt e = new IpSetExt();
        e.packets = 1;
        e.bytes = len;
        e.timeout = timeout;
        return e;
    }
}
