package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_hash_net.c: networks, each with its prefix; a host is looked up through the prefixes in
 * use, the longest first, and a nomatch network excludes its hosts from a shorter one.
 */
final class HashNet extends HashGen {
    HashNet(String name, Create o) {
        super(name, "hash:net", 7, o, true, o.family == INET6 ? 20 : 8, 456, 1240);
    }

    @Override
    public int dimension() {
        return 1;
    }

    /** struct hash_net4_elem: ip, padding0 (u16), nomatch (0 while hashed), cidr. */
    @Override
    int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w) {
        int n = addrWords(hi, lo, w);
        w[n] = cidr << 24;
        return n + 1;
    }

    /**
     * hash_net4_kadt: a test looks the address up CIDR-wise; an add or delete takes the widest
     * prefix in use (h->nets[0].cidr), the host mask in an empty set.
     */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (adt == ADT_TEST) return lookup(opt.hi(1), opt.lo(1), 0, 0, opt);
        int c = widestCidrInUse();
        Key k = new Key(opt.hi(1) & maskHi(c), opt.lo(1) & maskLo(c), c, 0, 0);
        if (adt == ADT_ADD) kernelAdd(k, opt);
        else kernelDel(k);
        return 0;
    }

    private List<Key> keys(String s) {
        List<Key> out = new ArrayList<>();
        int dash = s.indexOf('-');
        if (dash >= 0) {
            if (family == INET6) throw new IpSetError("Syntax error: IPv6 range is not supported: " + s);
            long from = address(s.substring(0, dash))[1], to = address(s.substring(dash + 1))[1];
            if (to < from) throw new IpSetError("Range is invalid: the first element is greater than the last one");
            for (long[] c : Parse.rangeToCidrs(from, to)) out.add(new Key(0, c[0], (int) c[1], 0, 0));
            return out;
        }
        long[] n = net(s);
        out.add(new Key(n[0], n[1], (int) n[2], 0, 0));
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

    /** A plain address is looked up CIDR-wise (hash_net4_uadt's test with the host mask), a network exactly. */
    @Override
    public boolean test(String element) {
        if (element.indexOf('/') < 0 && element.indexOf('-') < 0) {
            long[] a = address(element);
            return lookup(a[0], a[1], 0, 0, null) == MATCH;
        }
        for (Key k : keys(element)) if (!testKey(k)) return false;
        return true;
    }

    /** {@link HashGen#MATCH}, {@link HashGen#NOMATCH} or {@link HashGen#NONE} for an address. */
    int lookup(long hi, long lo) {
        return lookup(hi, lo, 0, 0, null);
    }

    @Override
    boolean supportsNomatch() {
        return true;
    }

    @Override
    String format(Key k) {
        String a = formatAddress(k.hi(), k.lo());
        return k.cidr() == hostMask ? a : a + "/" + k.cidr();
    }
}
