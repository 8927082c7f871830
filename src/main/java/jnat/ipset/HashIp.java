package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/** ip_set_hash_ip.c: addresses, stored with the set's netmask applied; IPv4 ranges and prefixes add each address. */
final class HashIp extends HashGen {
    final int netmask;

    HashIp(String name, Create o) {
        super(name, "hash:ip", 6, o, false, o.family == INET6 ? 16 : 4, 216, 224);
        int host = family == INET6 ? 128 : 32;
        int netmask = o.netmask < 0 ? host : o.netmask;
        if (netmask < 1 || netmask > host) throw new IpSetError("The value of the netmask parameter is invalid");
        this.netmask = netmask;
    }

    /** hash_ip4_uadt: the keys an element names. */
    private List<Key> keys(String s) {
        List<Key> out = new ArrayList<>();
        int dash = s.indexOf('-'), slash = s.indexOf('/');
        if ((dash >= 0 || slash >= 0) && family == INET6) throw new IpSetError("Syntax error: plain IP address must be supplied: " + s);
        long from, to;
        if (dash >= 0) {
            from = address(s.substring(0, dash))[1];
            to = address(s.substring(dash + 1))[1];
            if (to < from) {
                long t = from;
                from = to;
                to = t;
            }
        } else if (slash >= 0) {
            long[] n = net(s);
            from = n[1];
            to = n[1] | ~maskLo((int) n[2]) & 0xFFFFFFFFL;
        } else {
            long[] a = address(s);
            out.add(new Key(a[0] & maskHi(netmask), a[1] & maskLo(netmask), hostMask, 0, 0));
            return out;
        }
        long step = 1L << (32 - netmask);
        for (long ip = from & maskLo(netmask); ip <= to; ip += step) out.add(new Key(0, ip, hostMask, 0, 0));
        return out;
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        checkExt(ext);
        if (ext.nomatch) throw new IpSetError("Syntax error: nomatch is not supported by hash:ip");
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

    @Override
    public int dimension() {
        return 1;
    }

    @Override
    int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w) {
        return addrWords(hi, lo, w);
    }

    /** hash_ip4_kadt: the packet's address with the netmask. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        long hi = opt.hi(1) & maskHi(netmask), lo = opt.lo(1) & maskLo(netmask);
        if (adt == ADT_TEST) return lookup(hi, lo, 0, 0, opt);
        Key k = new Key(hi, lo, hostMask, 0, 0);
        if (adt == ADT_ADD) kernelAdd(k, opt);
        else kernelDel(k);
        return 0;
    }

    @Override
    void headerExtra(StringBuilder b) {
        if (netmask != hostMask) b.append(" netmask ").append(netmask);
    }

    @Override
    boolean sameSet(IpSet o) {
        return super.sameSet(o) && ((HashIp) o).netmask == netmask;
    }

    @Override
    String format(Key k) {
        return formatAddress(k.hi(), k.lo());
    }
}
