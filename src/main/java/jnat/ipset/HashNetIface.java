package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_hash_netiface.c: "IP[/cidr],[physdev:]iface[+]" elements (prefixes from /0, IP_SET_HASH_WITH_NET0),
 * hashed without the interface (struct hash_netiface4_elem_hashed: ip, physdev, cidr, nomatch, elem),
 * so one net's interfaces share a bucket and the bucket size is tuned up for them
 * (IP_SET_HASH_WITH_MULTI). A packet's interface is its in device for a src second dimension, its out
 * device for dst. An element ending in + (wildcard) is its own element: an add, del or test from
 * userspace must name it with its +, and no packet's device matched it in Linux 6.18 (SetConformanceTest
 * counts it), so the wildcard takes part in the comparison as the physdev flag does; physdev
 * elements never match a packet, jnat having no bridges. The key's proto carries physdev (1) and
 * wildcard (2).
 */
final class HashNetIface extends HashGen {
    static final int PHYSDEV = 1, WILDCARD = 2;

    HashNetIface(String name, Create o) {
        super(name, "hash:net,iface", 8, o, true, o.family == INET6 ? 40 : 28, 488, 1264);
    }

    @Override
    public int dimension() {
        return 2;
    }

    @Override
    boolean multi() {
        return true;
    }

    @Override
    boolean supportsNomatch() {
        return true;
    }

    @Override
    int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w) {
        int n = addrWords(hi, lo, w);
        w[n] = (proto & PHYSDEV) | cidr << 8 | 1 << 24; // physdev, cidr, nomatch (0 while hashed), elem = 1
        return n + 1;
    }

    private List<Key> keys(String s) {
        int comma = s.indexOf(',');
        if (comma < 0 || comma == s.length() - 1) throw new IpSetError("Syntax error: Second element is missing from " + s + ".");
        String a = s.substring(0, comma), dev = s.substring(comma + 1);
        int flags = 0;
        if (dev.startsWith("physdev:")) {
            flags |= PHYSDEV;
            dev = dev.substring(8);
        }
        if (dev.endsWith("+")) {
            flags |= WILDCARD;
            dev = dev.substring(0, dev.length() - 1);
        }
        if (dev.length() > 15) throw new IpSetError("Syntax error: interface name '" + dev + "' is longer than 15 characters");
        List<long[]> nets = new ArrayList<>();
        int dash = a.indexOf('-');
        if (dash >= 0) {
            if (family == INET6) throw new IpSetError("Syntax error: IPv6 range is not supported: " + a);
            long from = address(a.substring(0, dash))[1], to = address(a.substring(dash + 1))[1];
            if (to < from) {
                long t = from;
                from = to;
                to = t;
            }
            for (long[] c : Parse.rangeToCidrs(from, to)) nets.add(new long[] {0, c[0], c[1]});
        } else {
            nets.add(net0(a));
        }
        List<Key> out = new ArrayList<>();
        for (long[] n : nets) out.add(new Key(n[0], n[1], (int) n[2], flags, 0, 0, 0, dev));
        return out;
    }

    /** "IP[/cidr]" with /0 allowed. */
    private long[] net0(String s) {
        int slash = s.indexOf('/');
        if (slash < 0 || !s.substring(slash + 1).equals("0")) return net(s);
        address(s.substring(0, slash));
        return new long[] {0, 0, 0};
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        checkExt(ext);
        for (Key k : keys(element)) addKey(k, ext, exist);
    }

    @Override
    public void del(String element, boolean exist) {
        for (Key k : keys(element)) delKey(k, exist);
    }

    /** A host address is looked up CIDR-wise, a network exactly; the interface exactly (a wildcard only as given). */
    @Override
    public boolean test(String element) {
        List<Key> ks = keys(element);
        Key k = ks.get(0);
        if (ks.size() == 1 && k.cidr() == hostMask) return testCidrs(k.hi(), k.lo(), k.proto(), k.iface()) == MATCH;
        for (Key x : ks) if (!testKey(x)) return false;
        return true;
    }

    /**
     * hash_netiface4_kadt: the interface of the second dimension's side (none: -EINVAL); the widest
     * prefix in use being /0 makes every packet -EINVAL, as INIT_CIDR's 0 does in the kernel.
     */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (anyNets() && widestCidrInUse() == 0) return 0;
        String dev = opt.src(2) ? opt.in : opt.out;
        if (dev == null || dev.isEmpty()) return 0;
        if (adt == ADT_TEST) return lookup(opt.hi(1), opt.lo(1), 0, 0, 0, 0, dev, opt);
        int c = widestCidrInUse();
        Key k = new Key(opt.hi(1) & maskHi(c), opt.lo(1) & maskLo(c), c, 0, 0, 0, 0, dev);
        if (adt == ADT_ADD) kernelAdd(k, opt);
        else kernelDel(k);
        return 0;
    }

    @Override
    String format(Key k) {
        String a = formatAddress(k.hi(), k.lo());
        if (k.cidr() != hostMask) a += "/" + k.cidr();
        return a + "," + ((k.proto() & PHYSDEV) != 0 ? "physdev:" : "") + k.iface() + ((k.proto() & WILDCARD) != 0 ? "+" : "");
    }
}
