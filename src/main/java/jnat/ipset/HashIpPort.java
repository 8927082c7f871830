package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/**
 * ip_set_hash_ipport.c (withNets false) and ip_set_hash_netport.c (true): "IP,[proto:]port" and
 * "IP/cidr,[proto:]port" elements, a port range adding one element per port.
 */
final class HashIpPort extends HashGen {
    HashIpPort(String name, boolean net, int family, int hashsize, int maxelem, long timeout, boolean counters, boolean comment) {
        super(name, net ? "hash:net,port" : "hash:ip,port", net ? 7 : 7, family, hashsize, maxelem, timeout, counters, comment, net);
    }

    private List<Key> keys(String s) {
        int comma = s.indexOf(',');
        if (comma < 0) throw new IpSetError("Syntax error: Second element is missing from " + s + ".");
        String a = s.substring(0, comma);
        if (!withNets && (a.indexOf('/') >= 0 || a.indexOf('-') >= 0)) {
            throw new IpSetError("jnat: address ranges in hash:ip,port elements are not supported");
        }
        long[] n = withNets ? net(a) : address(a);
        int cidr = withNets ? (int) n[2] : hostMask;
        int[] pp = protoPort(s.substring(comma + 1));
        List<Key> out = new ArrayList<>();
        for (int p = pp[1]; p <= pp[2]; p++) out.add(new Key(n[0], n[1], cidr, pp[0], p));
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
            return lookup(k.hi(), k.lo(), k.proto(), k.port(), -1) == MATCH;
        }
        for (Key k : ks) if (!testKey(k)) return false;
        return true;
    }

    /** kadt: a packet's address, protocol and port. */
    public int lookup(long hi, long lo, int proto, int port, int len) {
        return super.lookup(hi, lo, proto, port, len);
    }

    @Override
    String format(Key k) {
        String a = formatAddress(k.hi(), k.lo());
        if (withNets && k.cidr() != hostMask) a += "/" + k.cidr();
        return a + "," + protoName(k.proto()) + ":" + k.port();
    }
}
