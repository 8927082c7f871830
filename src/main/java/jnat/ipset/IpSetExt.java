package jnat.ipset;

/**
 * The extensions an add, del or test carries (struct ip_set_ext): an element's timeout in seconds,
 * its counters, comment and skbinfo, and the nomatch flag of the net types; -1 (null) where not
 * given, as IP_SET_INIT_UEXT leaves packets and bytes at ULLONG_MAX and the timeout at the set's default.
 */
public final class IpSetExt {
    public long timeout = -1;
    public long packets = -1;
    public long bytes = -1;
    public String comment;
    public boolean nomatch;
    /** The element's expiry in jiffies of the namespace's clock (a sets file keeps it exactly), 0 for now + timeout. */
    public long expires;
    public long skbmark = -1, skbmarkmask = 0xFFFFFFFFL, skbprio = -1, skbqueue = -1;
}
