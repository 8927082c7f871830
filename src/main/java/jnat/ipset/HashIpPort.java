package jnat.ipset;

import jnat.wire.Jhash;
import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_hash_ipport.c (withNets false) and ip_set_hash_netport.c (true): "IP,[proto:]port" and
 * "IP/cidr,[proto:]port" elements, a port range adding one element per port.
 */
final class HashIpPort extends HashGen {
    HashIpPort(String name, boolean net, Create o) {
        super(name, net ? "hash:net,port" : "hash:ip,port", net ? 8 : 7, o, net, o.family == INET6 ? 20 : 8,
                net ? 456 : 216, net ? 1240 : 232);
    }

    @Override
    public int dimension() {
        return 2;
    }

    /**
     * struct hash_ipport4_elem (ip, port, proto, padding) or hash_netport4_elem (ip, port, proto,
     * cidr - 1 in seven bits with nomatch, 0 while hashed).
     */
    @Override
    int words(long hi, long lo, int cidr, int proto, int port, long hi2, long lo2, int[] w) {
        int n = addrWords(hi, lo, w);
        w[n] = Jhash.wordOf(port << 16 | proto << 8 | (withNets ? cidr - 1 & 0x7F : 0));
        return n + 1;
    }

    /**
     * hash_ipport4_kadt / hash_netport4_kadt (ip_set_get_ip4_port: no ports in a later fragment is
     * -EINVAL); a net type's add takes the widest prefix in use.
     */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (!opt.portsValid) return 0;
        int port = opt.port(2);
        if (adt == ADT_TEST) return lookup(opt.hi(1), opt.lo(1), opt.proto, port, opt);
        int c = withNets ? widestCidrInUse() : hostMask;
        Key k = new Key(opt.hi(1) & maskHi(c), opt.lo(1) & maskLo(c), c, opt.proto, port);
        if (adt == ADT_ADD) kernelAdd(k, opt);
        else kernelDel(k);
        return 0;
    }

    /** hash_ipport4_uadt / hash_netport4_uadt: an IPv4 range (or a hash:ip,port prefix) adds each address (or covering prefix), each with every port. */
    private List<Key> keys(String s) {
        int comma = s.indexOf(',');
        if (comma < 0) throw new IpSetError("Syntax error: Second element is missing from " + s + ".");
        String a = s.substring(0, comma);
        int[] pp = Parse.protoPort(s.substring(comma + 1), family == INET6);
        List<long[]> nets = new ArrayList<>();
        int dash = a.indexOf('-'), slash = a.indexOf('/');
        if (dash >= 0 || slash >= 0 && !withNets) {
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
            if (withNets) {
                for (long[] c : Parse.rangeToCidrs(from, to)) nets.add(new long[] {0, c[0], c[1]});
            } else {
                for (long ip = from; ip <= to; ip++) nets.add(new long[] {0, ip, hostMask});
            }
        } else if (withNets) {
            nets.add(net(a));
        } else {
            long[] n = address(a);
            nets.add(new long[] {n[0], n[1], hostMask});
        }
        List<Key> out = new ArrayList<>();
        for (long[] n : nets) for (int p = pp[1]; p <= pp[2]; p++) out.add(new Key(n[0], n[1], (int) n[2], pp[0], p));
        return out;
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        checkExt(ext);
        if (ext.nomatch && !withNets) throw new IpSetError("Syntax error: nomatch is not supported by hash:ip,port");
        for (Key k : keys(element)) addKey(k, ext, exist);
    }

    @Override
    public void del(String element, boolean exist) {
        for (Key k : keys(element)) delKey(k, exist);
    }

    @Override
    public boolean test(String element) {
        List<Key> ks = keys(element);
        if (withNets && ks.size() == 1 && ks.get(0).cidr() == hostMask) {
            Key k = ks.get(0);
            return lookup(k.hi(), k.lo(), k.proto(), k.port(), null) == MATCH;
        }
        for (Key k : ks) if (!testKey(k)) return false;
        return true;
    }

    @Override
    boolean supportsNomatch() {
        return withNets;
    }

    @Override
    String format(Key k) {
        String a = formatAddress(k.hi(), k.lo());
        if (withNets && k.cidr() != hostMask) a += "/" + k.cidr();
        return a + "," + Parse.protoPort(k.proto(), k.port());
    }
}
