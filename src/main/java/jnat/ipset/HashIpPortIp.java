package jnat.ipset;

import jnat.wire.Jhash;
import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_hash_ipportip.c: "IP,[proto:]port,IP" elements (struct hash_ipportip4_elem: ip, ip2,
 * port, proto, padding), the first address an IPv4 range or prefix, the port a range; a packet's
 * first address, port and second address from the rule's three dimensions.
 */
final class HashIpPortIp extends HashGen {
    HashIpPortIp(String name, Create o) {
        super(name, "hash:ip,port,ip", 6, o, false, o.family == INET6 ? 36 : 12, 208, 232);
    }

    @Override
    public int dimension() {
        return 3;
    }

    @Override
    int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w) {
        int n = addrWords(hi, lo, w, 0);
        n += addrWords(hi2, lo2, w, n);
        w[n] = Jhash.wordOf(port << 16 | proto << 8);
        return n + 1;
    }

    /** hash_ipportip4_uadt: the keys an element names. */
    private List<Key> keys(String s) {
        int c1 = s.indexOf(',');
        if (c1 < 0) throw new IpSetError("Syntax error: Second element is missing from " + s + ".");
        int c2 = s.indexOf(',', c1 + 1);
        if (c2 < 0) throw new IpSetError("Syntax error: Third element is missing from " + s + ".");
        String a = s.substring(0, c1), third = s.substring(c2 + 1);
        int[] pp = Parse.protoPort(s.substring(c1 + 1, c2), family == INET6);
        if (third.indexOf('/') >= 0 || third.indexOf('-') >= 0) throw new IpSetError("Syntax error: plain IP address must be supplied: " + third);
        long[] ip2 = address(third);
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
            for (int p = pp[1]; p <= pp[2]; p++) out.add(new Key(f[0], f[1], hostMask, pp[0], p, ip2[0], ip2[1]));
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

    @Override
    public boolean test(String element) {
        for (Key k : keys(element)) if (!testKey(k)) return false;
        return true;
    }

    /** hash_ipportip4_kadt. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (!opt.portsValid) return 0;
        int port = opt.port(2);
        if (adt == ADT_TEST) return lookup(opt.hi(1), opt.lo(1), opt.proto, port, opt.hi(3), opt.lo(3), opt);
        Key k = new Key(opt.hi(1), opt.lo(1), hostMask, opt.proto, port, opt.hi(3), opt.lo(3));
        if (adt == ADT_ADD) kernelAdd(k, opt);
        else kernelDel(k);
        return 0;
    }

    @Override
    String format(Key k) {
        return formatAddress(k.hi(), k.lo()) + "," + Parse.protoPort(k.proto(), k.port()) + "," + formatAddress(k.hi2(), k.lo2());
    }
}
