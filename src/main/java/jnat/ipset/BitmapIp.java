package jnat.ipset;

/**
 * ip_set_bitmap_ip.c over ip_set_bitmap_gen.h ({@link BitmapGen}): IPv4 addresses of a range
 * (at most 65536 ids), with a netmask each id a network of that size (the range widened to it),
 * as bitmap_ip_create sizes it. Memory is mtype_memsize's with struct bitmap_ip's 88 bytes
 * (x86_64: members pointer, first/last/elements/hosts, memsize, netmask, the gc timer_list, the
 * set pointer; measured with the real ipset: a /24 lists 88 + 4 longs = 120).
 */
final class BitmapIp extends BitmapGen {
    /** sizeof(struct bitmap_ip) on x86_64 Linux 6.18, measured. */
    private static final int MAP_SIZE = 88;

    final long first, last;
    final int netmask;
    /** map->hosts: the addresses one id covers. */
    private final long hosts;

    private BitmapIp(String name, Create o, long[] r, int netmask, int elements, long hosts) {
        super(name, "bitmap:ip", 3, o, elements, MAP_SIZE, 0);
        this.first = r[0];
        this.last = r[1];
        this.netmask = netmask;
        this.hosts = hosts;
    }

    /** bitmap_ip_create: the range, masked with the netmask, its size checked. */
    static BitmapIp create(String name, Create o, String range) {
        long[] r = createRange(range);
        int netmask = o.netmask < 0 ? 32 : o.netmask;
        long hosts, elements;
        if (netmask == 32) {
            hosts = 1;
            elements = r[1] - r[0] + 1;
        } else {
            r[0] &= hostmask(netmask);
            r[1] |= ~hostmask(netmask) & 0xFFFFFFFFL;
            // range_to_mask
            long mask = 0xFFFFFFFEL;
            int bits = 32;
            while (--bits > 0 && mask != 0 && (r[1] & mask) != r[0]) mask = mask << 1 & 0xFFFFFFFFL;
            if (mask == 0 && (r[0] != 0 || r[1] != 0xFFFFFFFFL) || netmask <= bits) {
                throw new IpSetError("Element is out of the range of the set");
            }
            hosts = 2L << (32 - netmask - 1);
            elements = 2L << (netmask - bits - 1);
        }
        checkSize(elements);
        o.family = INET;
        return new BitmapIp(name, o, r, netmask, (int) elements, hosts);
    }

    @Override
    public int dimension() {
        return 1;
    }

    @Override
    public String header() {
        StringBuilder b = new StringBuilder("range ").append(formatIpv4(first)).append('-').append(formatIpv4(last));
        if (netmask != 32) b.append(" netmask ").append(netmask);
        appendExtensions(b);
        return b.toString();
    }

    /** ip_to_id. */
    private int id(long ip) {
        return (int) (((ip & hostmask(netmask)) - first) / hosts);
    }

    /** bitmap_ip_uadt's range: "IP", "FROM-TO" or "IP/CIDR", {from, to}, checked against the set's. */
    private long[] range(String s, IpSetExt ext) {
        if (s.indexOf(',') >= 0) throw new IpSetError("Syntax error: Elem separator in " + s + ", but settype bitmap:ip supports none.");
        int dash = s.indexOf('-'), slash = s.indexOf('/');
        long ip, to;
        if (dash >= 0) {
            ip = ipv4(s.substring(0, dash));
            to = ipv4(s.substring(dash + 1));
            if (ext != null) checkExt(ext);
            if (ip < first || ip > last) throw outOfRange();
            if (ip > to) {
                long t = ip;
                ip = to;
                to = t;
                if (ip < first) throw outOfRange();
            }
        } else if (slash >= 0) {
            ip = ipv4(s.substring(0, slash));
            int cidr = cidr(s.substring(slash + 1), s);
            if (ext != null) checkExt(ext);
            if (ip < first || ip > last) throw outOfRange();
            if (cidr == 0) throw new IpSetError("The value of the CIDR parameter of the IP address is invalid");
            ip &= hostmask(cidr);
            to = ip | ~hostmask(cidr) & 0xFFFFFFFFL;
        } else {
            ip = to = ipv4(s);
            if (ext != null) checkExt(ext);
            if (ip < first || ip > last) throw outOfRange();
        }
        if (to > last) throw outOfRange();
        return new long[] {ip, to};
    }

    private static IpSetError outOfRange() {
        return new IpSetError("Element is out of the range of the set");
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        long[] r = range(element, ext);
        for (long ip = r[0]; ip <= r[1]; ip += hosts) add(id(ip), -1, ext, exist, true);
    }

    @Override
    public void del(String element, boolean exist) {
        long[] r = range(element, null);
        for (long ip = r[0]; ip <= r[1]; ip += hosts) del(id(ip), exist, true);
    }

    @Override
    public boolean test(String element) {
        if (element.indexOf(',') < 0 && element.indexOf('-') >= 0) {
            throw new IpSetError("FROM-TO IP range is not allowed in command test with set type bitmap:ip and family inet");
        }
        if (element.indexOf(',') < 0 && element.indexOf('/') >= 0) {
            throw new IpSetError("IP/CIDR range is not allowed in command test with set type bitmap:ip and family inet");
        }
        if (element.indexOf(',') >= 0) range(element, null);
        long ip = BitmapGen.ipv4(element);
        return ip >= first && ip <= last && live(id(ip)); // out of the range: "is NOT in set", as ipset prints it
    }

    /** bitmap_ip_kadt: the packet's address of the dimension's side, in the range. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (opt.family != INET) return 0;
        long ip = opt.lo(1);
        if (ip < first || ip > last) return 0;
        return kadtElement(id(ip), opt, adt);
    }

    @Override
    String format(int id) {
        return formatIpv4(first + id * hosts);
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof BitmapIp b && b.first == first && b.last == last && b.netmask == netmask && b.timeout == timeout
                && b.extensions() == extensions();
    }
}
