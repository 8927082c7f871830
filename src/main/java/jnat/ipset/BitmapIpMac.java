package jnat.ipset;

/**
 * ip_set_bitmap_ipmac.c over ip_set_bitmap_gen.h ({@link BitmapGen}): IPv4 addresses of a range
 * (at most 65536), each with a MAC address or, added without one, waiting for the first packet
 * that a rule tests against it to fill in the packet's (bitmap_ipmac_do_test's -EAGAIN, which
 * ip_set_test answers with an add). An element without its MAC keeps its timeout as a plain
 * number of seconds (the timer starts when the MAC is filled in), which the kernel's
 * ip_set_timeout_expired takes for an expired time: re-adding it is no error, deleting it
 * deletes it and answers "it's not added", as the real ipset does. Memory is mtype_memsize's
 * with struct bitmap_ipmac's 80 bytes (x86_64, measured) and an 8-byte MAC slot in dsize.
 */
final class BitmapIpMac extends BitmapGen {
    /** sizeof(struct bitmap_ipmac) on x86_64 Linux 6.18, measured: a /24 lists 80 + 4 longs + 256 * 8 = 2160. */
    private static final int MAP_SIZE = 80;
    /** struct bitmap_ipmac_elem's filled: MAC_UNSET an element without its MAC yet. */
    private static final byte MAC_FILLED = 1, MAC_UNSET = 2;

    final long first, last;
    private final long[] macs;
    private final byte[] filled;

    private BitmapIpMac(String name, Create o, long[] r) {
        super(name, "bitmap:ip,mac", 3, o, (int) (r[1] - r[0] + 1), MAP_SIZE, 8);
        first = r[0];
        last = r[1];
        macs = new long[elements];
        filled = new byte[elements];
    }

    /** bitmap_ipmac_create: the range and its size. */
    static BitmapIpMac create(String name, Create o, String range) {
        long[] r = createRange(range);
        checkSize(r[1] - r[0] + 1);
        o.family = INET;
        return new BitmapIpMac(name, o, r);
    }

    @Override
    public int dimension() {
        return 2;
    }

    @Override
    public String header() {
        StringBuilder b = new StringBuilder("range ").append(formatIpv4(first)).append('-').append(formatIpv4(last));
        appendExtensions(b);
        return b.toString();
    }

    /** "IP[,MAC]": {ip, mac (-1 for none)}, as libipset parses them. */
    private long[] parse(String s) {
        int comma = s.indexOf(',');
        String ip = comma < 0 ? s : s.substring(0, comma);
        if (comma == s.length() - 1) ipv4(s); // an empty MAC: libipset parses the whole as the address
        if (ip.indexOf('-') >= 0 || ip.indexOf('/') >= 0) throw new IpSetError("Syntax error: plain IP address must be supplied: " + ip);
        long a = ipv4(ip);
        return new long[] {a, comma < 0 ? -1 : ether(s.substring(comma + 1))};
    }

    /** ipset_parse_ether: six two-digit hex octets separated by colons. */
    static long ether(String s) {
        long mac = 0;
        boolean ok = s.length() == 17;
        for (int i = 0; ok && i < 6; i++) {
            int hi = Character.digit(s.charAt(i * 3), 16), lo = Character.digit(s.charAt(i * 3 + 1), 16);
            ok = hi >= 0 && lo >= 0 && (i == 5 || s.charAt(i * 3 + 2) == ':');
            mac = mac << 8 | hi << 4 | lo;
        }
        if (!ok) throw new IpSetError("Syntax error: cannot parse '" + s + "' as ethernet address");
        return mac;
    }

    static String formatMac(long mac) {
        StringBuilder b = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            b.append(Character.toUpperCase(Character.forDigit((int) (mac >> (i * 8 + 4)) & 15, 16)));
            b.append(Character.toUpperCase(Character.forDigit((int) (mac >> (i * 8)) & 15, 16)));
            if (i > 0) b.append(':');
        }
        return b.toString();
    }

    /** The element as ipset test prints it back (the MAC in capitals). */
    String shown(String element) {
        long[] e = parse(element);
        return formatIpv4(e[0]) + (e[1] < 0 ? "" : "," + formatMac(e[1]));
    }

    private int id(long ip) {
        if (ip < first || ip > last) throw new IpSetError("Element is out of the range of the set");
        return (int) (ip - first);
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        long[] e = parse(element);
        checkExt(ext);
        add(id(e[0]), e[1], ext, exist, true);
    }

    @Override
    public void del(String element, boolean exist) {
        del(id(parse(element)[0]), exist, true);
    }

    /** bitmap_ipmac_do_test from userspace: a MAC given against a filled one must be equal; else -EAGAIN, which ip_set_utest takes for a hit. */
    @Override
    public boolean test(String element) {
        long[] e = parse(element);
        if (e[0] < first || e[0] > last) return false; // "is NOT in set", as ipset prints it
        int id = id(e[0]);
        if (!member(id)) return false;
        if (e[1] >= 0 && filled[id] == MAC_FILLED) return macs[id] == e[1] && !expired(id);
        return live(id); // the kernel answers yes until gc removes an expired one; jnat has no gc pass
    }

    @Override
    int doAdd(int id, long mac, boolean exist) {
        if (member(id)) {
            if (filled[id] == MAC_FILLED) {
                if (mac >= 0 && exist && mac != macs[id]) {
                    members[id >> 6] &= ~(1L << id);
                    macs[id] = mac;
                }
                return ADD_FAILED;
            } else if (mac < 0) {
                return ADD_FAILED;
            }
            members[id >> 6] &= ~(1L << id);
            macs[id] = mac;
            filled[id] = MAC_FILLED;
            return ADD_START_STORED_TIMEOUT;
        }
        if (mac >= 0) {
            macs[id] = mac;
            filled[id] = MAC_FILLED;
            return ADD_OK;
        }
        filled[id] = MAC_UNSET;
        return ADD_STORE_PLAIN_TIMEOUT;
    }

    /** bitmap_ipmac_add_timeout: the stored plain timeout starts when the MAC is filled in. */
    @Override
    void addTimeout(int id, long mac, IpSetExt ext, long t, int mode) {
        if (mode == ADD_START_STORED_TIMEOUT) {
            if (t == timeout) t = expires[id];
            expires[id] = t == 0 ? 0 : jiffies() + t * HashGen.HZ;
        } else if (mac >= 0) {
            super.addTimeout(id, mac, ext, t, mode);
        } else {
            expires[id] = t;
        }
    }

    /** A plain stored timeout (an element without its MAC) is "expired" unless 0, as ip_set_timeout_expired compares it with jiffies. */
    @Override
    boolean expired(int id) {
        if (filled[id] == MAC_UNSET) return timeout >= 0 && expires[id] != 0;
        return super.expired(id);
    }

    @Override
    boolean timerRuns(int id) {
        return filled[id] == MAC_FILLED;
    }

    @Override
    long listedTimeout(int id, long now) {
        return filled[id] == MAC_UNSET ? expires[id] : super.listedTimeout(id, now);
    }

    @Override
    long exactExpiry(int id) {
        return filled[id] == MAC_UNSET ? 0 : expires[id];
    }

    /**
     * bitmap_ipmac_kadt: the address of the first dimension's side, the MAC of the second's
     * (source or destination of the packet's Ethernet header); a packet without an Ethernet
     * header (the host's own, a layer-3 or loopback device: a zero MAC) is -EINVAL.
     */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (opt.family != INET) return 0;
        long ip = opt.lo(1);
        if (ip < first || ip > last) return 0;
        if (opt.macLen < 14) return 0;
        int off = opt.src(2) ? 6 : 0;
        long mac = 0;
        for (int i = 0; i < 6; i++) mac = mac << 8 | opt.mac[off + i] & 0xFF;
        if (mac == 0) return 0;
        int id = (int) (ip - first);
        if (adt == ADT_TEST) {
            if (!member(id)) return 0;
            if (filled[id] == MAC_FILLED) return macs[id] == mac ? matchExtensions(id, opt) : 0;
            kernelAdd(id, mac, opt); // -EAGAIN: ip_set_test completes the element with an add, and matches
            return 1;
        }
        if (adt == ADT_ADD) kernelAdd(id, mac, opt);
        else del(id, false, false);
        return 0;
    }

    @Override
    String format(int id) {
        return formatIpv4(first + id) + (filled[id] == MAC_FILLED ? "," + formatMac(macs[id]) : "");
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof BitmapIpMac b && b.first == first && b.last == last && b.timeout == timeout && b.extensions() == extensions();
    }
}
