package jnat.conntrack;

/**
 * What conntrack(8) (conntrack-tools 1.4.7) matches an entry against: the template its options
 * filled ({@code cmd->tmpl}) and nfct_filter's tests, for {@code -L}, {@code -D}, {@code -G},
 * {@code -E} and (without the mark, which it sets) {@code -U}. Each field is -1 (or null, or false)
 * when its option was not given. Zones are those -j CT --zone rules put connections in.
 */
final class ConntrackFilter {
    /** An address option's value: family, an IPv4 int or IPv6 hi/lo, and the prefix ({@code -s 10.0.0.0/8}; 32/128 when none). */
    record Addr(int family, int v4, long hi, long lo, int prefix) {
        boolean ipv6() {
            return family == Tuple.NFPROTO_IPV6;
        }

        /** The address as the first word of libnetfilter_conntrack's union (its v4 member: getobjopt's NAT tests). */
        int firstWord() {
            return ipv6() ? (int) (hi >>> 32) : v4;
        }

        boolean matches(ConnTable t, int id, int dir, boolean src) {
            if (t.family(id) != family) return false;
            if (!ipv6()) {
                int a = src ? t.srcAddr(id, dir) : t.dstAddr(id, dir);
                int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                return (a & mask) == (v4 & mask);
            }
            long h = src ? t.srcHi(id, dir) : t.dstHi(id, dir), l = src ? t.srcLo(id, dir) : t.dstLo(id, dir);
            long mh = jnat.wire.Ipv6Address.maskHi(prefix), ml = jnat.wire.Ipv6Address.maskLo(prefix);
            return (h & mh) == (hi & mh) && (l & ml) == (lo & ml);
        }
    }

    int protocol = -1;
    /** -f, or the family of the first address given; 0 for both (AF_UNSPEC). */
    int family;
    Addr origSrc, origDst, replySrc, replyDst;
    int origSport = -1, origDport = -1, replySport = -1, replyDport = -1;
    int icmpType = -1, icmpCode = -1, icmpId = -1;
    /** -n, -g, -j: the option given, and its optional address and port (--src-nat 203.0.113.10:1024). */
    boolean srcNat, dstNat, anyNat;
    Addr snatAddr, dnatAddr;
    int snatPort = -1, dnatPort = -1;
    /** -m/--mark VALUE[/MASK]: (mark & mask) == value; mask -1 when none was given. */
    boolean markGiven;
    int mark, markMask = -1;
    /** -u/--status: (status & statusMask) == status value (the kernel's dump filter, CTA_STATUS/CTA_STATUS_MASK). */
    boolean statusGiven;
    int status, statusMask;
    /** -w/--zone, --orig-zone, --reply-zone. */
    int zone = -1, origZone = -1, replyZone = -1;

    /** conntrack's set_family: -f and every address option must agree. */
    Addr family(Addr a) throws ConntrackTool.BadArgs {
        setFamily(a.family());
        return a;
    }

    void setFamily(int f) throws ConntrackTool.BadArgs {
        if (family != 0 && family != f) throw new ConntrackTool.BadArgs("mismatched address family");
        family = f;
    }

    /** The tests of nfct_filter: filter_nat, filter_mark, then nfct_cmp of the template's attributes. */
    boolean matches(ConnTable t, int id) {
        return nat(t, id) && (!markGiven || (t.mark(id) & markMask) == mark) && tuple(t, id, true, true) && meta(t, id);
    }

    /**
     * mnl_nfct_update_cb's tests for {@code -U}: filter_nat, then the original tuple's attributes
     * when an original address or -p was given, the reply's when a reply address or -p was (the mark
     * is what -U sets, not a filter).
     */
    boolean matchesForUpdate(ConnTable t, int id) {
        return nat(t, id) && tuple(t, id, origSrc != null || origDst != null || protocol >= 0,
                replySrc != null || replyDst != null || protocol >= 0);
    }

    private boolean tuple(ConnTable t, int id, boolean orig, boolean reply) {
        if (family != 0 && t.family(id) != family) return false;
        if (protocol >= 0 && t.protocol(id) != protocol) return false;
        int o = ConnTable.ORIGINAL, r = ConnTable.REPLY;
        if (orig) {
            if (origSrc != null && !origSrc.matches(t, id, o, true)) return false;
            if (origDst != null && !origDst.matches(t, id, o, false)) return false;
            if (origSport >= 0 && t.srcPort(id, o) != origSport) return false;
            if (origDport >= 0 && t.dstPort(id, o) != origDport) return false;
            if (icmpType >= 0 && t.dstPort(id, o) >>> 8 != icmpType) return false;
            if (icmpCode >= 0 && (t.dstPort(id, o) & 0xff) != icmpCode) return false;
            if (icmpId >= 0 && t.srcPort(id, o) != icmpId) return false;
        }
        if (reply) {
            if (replySrc != null && !replySrc.matches(t, id, r, true)) return false;
            if (replyDst != null && !replyDst.matches(t, id, r, false)) return false;
            if (replySport >= 0 && t.srcPort(id, r) != replySport) return false;
            if (replyDport >= 0 && t.dstPort(id, r) != replyDport) return false;
        }
        return true;
    }

    private boolean meta(ConnTable t, int id) {
        if (statusGiven && (t.status(id) & statusMask) != status) return false;
        // the entry's CTA_ZONE, which only a zone of both directions has; zone 0 is no filter
        int z = t.zone(id);
        if (zone > 0 && (z >>> 16 != 3 || (z & 0xFFFF) != zone)) return false;
        if (origZone > 0 && NfConntrackZones.id(z, ConnTable.ORIGINAL) != origZone) return false;
        return replyZone <= 0 || NfConntrackZones.id(z, ConnTable.REPLY) == replyZone;
    }

    /** filter_nat: libnetfilter_conntrack's NFCT_GOPT_IS_SNAT/SPAT/DNAT/DPAT over the tuples. */
    private boolean nat(ConnTable t, int id) {
        boolean checkSrc = srcNat || anyNat, checkDst = dstNat || anyNat;
        boolean hasSrc = false, hasDst = false;
        int o = ConnTable.ORIGINAL, r = ConnTable.REPLY;
        int st = t.status(id);
        if (checkSrc) {
            boolean done = (st & Status.SRC_NAT_DONE) != 0;
            boolean isSnat = done && firstWord(t, id, r, false) != firstWord(t, id, o, true);
            boolean isSpat = done && t.dstPort(id, r) != t.srcPort(id, o);
            hasSrc = natMatch(snatAddr, snatPort, isSnat, isSpat,
                    snatAddr != null && snatAddr.firstWord() == firstWord(t, id, r, false), t.dstPort(id, r) == snatPort);
        }
        if (checkDst) {
            boolean done = (st & Status.DST_NAT_DONE) != 0;
            boolean isDnat = done && firstWord(t, id, r, true) != firstWord(t, id, o, false);
            boolean isDpat = done && t.srcPort(id, r) != t.dstPort(id, o);
            hasDst = natMatch(dnatAddr, dnatPort, isDnat, isDpat,
                    dnatAddr != null && dnatAddr.firstWord() == firstWord(t, id, r, true), t.srcPort(id, r) == dnatPort);
        }
        if (anyNat) return hasSrc || hasDst;
        if (srcNat && dstNat) return hasSrc && hasDst;
        if (srcNat) return hasSrc;
        if (dstNat) return hasDst;
        return true;
    }

    /** One direction of filter_nat: the address (IPv4 only, as 1.4.7 reads ATTR_SNAT_IPV4), the port, or either NAT. */
    private static boolean natMatch(Addr addr, int port, boolean isNat, boolean isPat, boolean addrEqual, boolean portEqual) {
        boolean checkAddress = addr != null && !addr.ipv6(), checkPort = port >= 0;
        boolean has = checkAddress && isNat && addrEqual;
        if (checkPort) {
            boolean ret = isPat && portEqual;
            if (checkAddress && has && !ret) has = false;
            if (!checkAddress && ret) has = true;
        }
        if (!checkAddress && !checkPort && (isNat || isPat)) has = true;
        return has;
    }

    private static int firstWord(ConnTable t, int id, int dir, boolean src) {
        if (t.ipv6(id)) return (int) ((src ? t.srcHi(id, dir) : t.dstHi(id, dir)) >>> 32);
        return src ? t.srcAddr(id, dir) : t.dstAddr(id, dir);
    }
}
