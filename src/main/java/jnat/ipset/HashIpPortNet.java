package jnat.ipset;

import jnat.wire.Jhash;
import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_hash_ipportnet.c: "IP,[proto:]port,IP/cidr" elements (struct hash_ipportnet4_elem: ip,
 * ip2, port, cidr - 1 in seven bits with nomatch, proto), the first address an IPv4 range or
 * prefix, the port a range, the net an IPv4 range (split into prefixes) or a prefix; a packet's
 * address, port and net from the rule's three dimensions, the net looked up CIDR-wise.
 *
 * The key keeps the net in hi/lo (the address the prefixes mask, as HashGen's lookups do) and the
 * first address in hi2/lo2; {@link #words} lays them out in the kernel's order.
 */
final class HashIpPortNet extends HashGen {
    HashIpPortNet(String name, Create o) {
        super(name, "hash:ip,port,net", 8, o, true, o.family == INET6 ? 36 : 12, 464, 1256);
    }

    @Override
    public int dimension() {
        return 3;
    }

    @Override
    int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w) {
        int n = addrWords(hi2, lo2, w, 0);
        n += addrWords(hi, lo, w, n);
        w[n] = Jhash.wordOf(port << 16 | (cidr - 1 & 0x7F) << 8 | proto);
        return n + 1;
    }

    /** The nets "IP[/cidr]" or an IPv4 "IP-IP" names, as ip_set_range_to_cidr splits a range. */
    private List<long[]> nets(String s) {
        List<long[]> out = new ArrayList<>();
        int dash = s.indexOf('-');
        if (dash >= 0) {
            if (family == INET6) throw new IpSetError("Syntax error: IPv6 range is not supported: " + s);
            long from = address(s.substring(0, dash))[1], to = address(s.substring(dash + 1))[1];
            if (to < from) {
                long t = from;
                from = to;
                to = t;
            }
            for (long[] c : Parse.rangeToCidrs(from, to)) out.add(new long[] {0, c[0], c[1]});
            return out;
        }
        out.add(net(s));
        return out;
    }

    /** hash_ipportnet4_uadt: the keys an element names (address, then port, then net, as its loops run). */
    private List<Key> keys(String s) {
        int c1 = s.indexOf(',');
        if (c1 < 0) throw new IpSetError("Syntax error: Second element is missing from " + s + ".");
        int c2 = s.indexOf(',', c1 + 1);
        if (c2 < 0) throw new IpSetError("Syntax error: Third element is missing from " + s + ".");
        String a = s.substring(0, c1);
        int[] pp = Parse.protoPort(s.substring(c1 + 1, c2), family == INET6);
        List<long[]> nets = nets(s.substring(c2 + 1));
        List<long[]> firsts = new ArrayList<>();
        int dash = a.indexOf('-'), slash = a.indexOf('/');
        if (dash >= 0 || slash >= 0) {
            if (family == INET6) throw new IpSetError("Syntax error: plain IP address must be supplied: " + a);
            long from, to;
            if (dash >= 0) {
                from = address(a.substring(0, dash))[1];
                to = address(a.substring(dash + 1))[1];
                if (to < from) {
                    long t = from;
                    from = to;
                    to = t;
                }
            } else {
                long[] n = net(a);
                from = n[1];
                to = n[1] | ~maskLo((int) n[2]) & 0xFFFFFFFFL;
            }
            for (long ip = from; ip <= to; ip++) firsts.add(new long[] {0, ip});
        } else {
            firsts.add(address(a));
        }
        List<Key> out = new ArrayList<>();
        for (long[] f : firsts) {
            for (int p = pp[1]; p <= pp[2]; p++) {
                for (long[] n : nets) out.add(new Key(n[0], n[1], (int) n[2], pp[0], p, f[0], f[1]));
            }
        }
        return out;
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

    /** A host as the net is looked up CIDR-wise (the uadt test with cidr HOST_MASK), a net exactly. */
    @Override
    public boolean test(String element) {
        List<Key> keys = keys(element);
        String third = element.substring(element.indexOf(',', element.indexOf(',') + 1) + 1);
        if (third.indexOf('/') < 0 && third.indexOf('-') < 0 && keys.size() == 1) {
            Key k = keys.get(0);
            return lookup(k.hi(), k.lo(), k.proto(), k.port(), k.hi2(), k.lo2(), null) == MATCH;
        }
        for (Key k : keys) if (!testKey(k)) return false;
        return true;
    }

    /** hash_ipportnet4_kadt: a test looks the net up CIDR-wise, an add or delete takes the widest prefix in use. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (!opt.portsValid) return 0;
        int port = opt.port(2);
        if (adt == ADT_TEST) return lookup(opt.hi(3), opt.lo(3), opt.proto, port, opt.hi(1), opt.lo(1), opt);
        int c = widestCidrInUse();
        Key k = new Key(opt.hi(3) & maskHi(c), opt.lo(3) & maskLo(c), c, opt.proto, port, opt.hi(1), opt.lo(1));
        if (adt == ADT_ADD) kernelAdd(k, opt);
        else kernelDel(k);
        return 0;
    }

    /** ipset 7.17's sorted order: by the address, then protocol, port and net, the longer prefix of a net first (measured). */
    @Override
    int compareKeys(Key a, Key b) {
        int c = Long.compareUnsigned(a.hi2(), b.hi2());
        if (c == 0) c = Long.compareUnsigned(a.lo2(), b.lo2());
        if (c == 0) c = Integer.compare(a.proto(), b.proto());
        if (c == 0) c = Integer.compare(a.port(), b.port());
        if (c == 0) c = Long.compareUnsigned(a.hi(), b.hi());
        if (c == 0) c = Long.compareUnsigned(a.lo(), b.lo());
        if (c == 0) c = Integer.compare(b.cidr(), a.cidr());
        return c;
    }

    @Override
    boolean supportsNomatch() {
        return true;
    }

    @Override
    String format(Key k) {
        String net = formatAddress(k.hi(), k.lo());
        return formatAddress(k.hi2(), k.lo2()) + "," + Parse.protoPort(k.proto(), k.port()) + ","
                + (k.cidr() == hostMask ? net : net + "/" + k.cidr());
    }
}
