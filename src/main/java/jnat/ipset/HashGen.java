package jnat.ipset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ip_set_hash_gen.h: the hash types' common part. Elements are keys (address, prefix, protocol
 * and port as the type uses them) with their extensions; maxelem refuses an add with "Hash is
 * full"; timeouts are in jiffies (HZ 250) of the namespace's clock and an expired element counts
 * as absent (as SET_ELEM_EXPIRED); the net types keep the prefixes in use (struct net_prefixes)
 * and look a host up prefix by prefix, the longest first (mtype_test_cidrs), where a nomatch
 * element answers "not in the set".
 *
 * Not the kernel's: the members are kept in insertion order, not in jhash2's buckets, so an
 * unsorted listing's order differs.
 */
abstract class HashGen extends IpSet {
    static final int HZ = 250;
    /** IPSET_MIMINAL_HASHSIZE and IPSET_DEFAULT_MAXELEM. */
    static final int MIN_HASHSIZE = 64, DEFAULT_MAXELEM = 65536;

    /** One element's key: IPv4 in lo's low 32 bits; cidr the prefix (the host mask for host types). */
    record Key(long hi, long lo, int cidr, int proto, int port) {}

    static final class Entry {
        /** In jiffies; 0 is IPSET_ELEM_PERMANENT; unused without timeout support. */
        long expires;
        long packets, bytes;
        String comment;
        boolean nomatch;
    }

    final int hashsize, maxelem;
    final boolean withNets;
    final int hostMask;
    private final Map<Key, Entry> elements = new LinkedHashMap<>();
    /** nets[cidr]: how many elements have that prefix (the kernel's net_prefixes, indexed by cidr). */
    private final int[] nets;

    HashGen(String name, String type, int revision, int family, int hashsize, int maxelem, long timeout,
            boolean counters, boolean comment, boolean withNets) {
        super(name, type, revision, family, timeout, counters, comment);
        // hash_setname_create: the size rounded up to a power of two, at least 64
        int hbits = 32 - Integer.numberOfLeadingZeros(Math.max(hashsize, MIN_HASHSIZE) - 1);
        this.hashsize = 1 << hbits;
        this.maxelem = maxelem;
        this.withNets = withNets;
        this.hostMask = family == INET6 ? 128 : 32;
        this.nets = new int[hostMask + 1];
    }

    long jiffies() {
        return now() / (1_000_000_000L / HZ);
    }

    boolean expired(Entry e) {
        return timeout >= 0 && e.expires != 0 && jiffies() > e.expires;
    }

    @Override
    public int entries() {
        int n = 0;
        for (Entry e : elements.values()) if (!expired(e)) n++;
        return n;
    }

    /** mtype_add for one key. */
    void addKey(Key k, IpSetExt ext, boolean exist) {
        Entry e = elements.get(k);
        if (e != null && !exist && !expired(e)) throw new IpSetError("Element cannot be added to the set: it's already added");
        if (e == null) {
            purgeExpired();
            if (elements.size() >= maxelem) throw new IpSetError("Hash is full, cannot add more elements");
            e = new Entry();
            elements.put(k, e);
            if (withNets) nets[k.cidr]++;
        } else if (expired(e)) {
            e.packets = e.bytes = 0;
            e.comment = null;
        }
        e.nomatch = ext.nomatch;
        if (timeout >= 0) {
            long t = ext.timeout >= 0 ? ext.timeout : timeout;
            // ip_set_timeout_set: 0 is permanent
            e.expires = t == 0 ? 0 : jiffies() + t * HZ;
        }
        if (ext.packets >= 0) e.packets = ext.packets;
        if (ext.bytes >= 0) e.bytes = ext.bytes;
        if (ext.comment != null) e.comment = ext.comment;
    }

    /** mtype_del for one key: an expired element is not there. */
    void delKey(Key k, boolean exist) {
        Entry e = elements.get(k);
        if (e == null || expired(e)) {
            if (exist) return;
            throw new IpSetError("Element cannot be deleted from the set: it's not added");
        }
        elements.remove(k);
        if (withNets) nets[k.cidr]--;
    }

    /** mtype_test of an exact key; a nomatch element is not in the set. */
    boolean testKey(Key k) {
        Entry e = elements.get(k);
        return e != null && !expired(e) && !e.nomatch;
    }

    /** The kernel's gc: expired elements leave (mtype_add runs it when the set is full). */
    private void purgeExpired() {
        if (timeout < 0) return;
        var it = elements.entrySet().iterator();
        while (it.hasNext()) {
            var en = it.next();
            if (expired(en.getValue())) {
                it.remove();
                if (withNets) nets[en.getKey().cidr]--;
            }
        }
    }

    /** Lookup results of {@link #lookup}: no element, an element, a nomatch element (-ENOTEMPTY). */
    static final int NONE = 0, MATCH = 1, NOMATCH = -1;

    /**
     * mtype_test_cidrs (or mtype_test for a host type): the element a packet's address (with
     * {@code proto} and {@code port} where the type has them) falls in, the longest prefix first;
     * a found element's counters count the packet of {@code len} bytes unless {@code len} < 0.
     */
    int lookup(long hi, long lo, int proto, int port, int len) {
        for (int c = hostMask; c >= 0; c--) {
            if (withNets ? nets[c] == 0 : c != hostMask) continue;
            Key k = new Key(hi & maskHi(c), lo & maskLo(c), c, proto, port);
            Entry e = elements.get(k);
            if (e == null || expired(e)) continue;
            if (counters && len >= 0) {
                e.packets++;
                e.bytes += len;
            }
            return e.nomatch ? NOMATCH : MATCH;
        }
        return NONE;
    }

    long maskHi(int cidr) {
        if (family != INET6) return 0;
        return cidr >= 64 ? -1L : cidr == 0 ? 0 : -1L << (64 - cidr);
    }

    long maskLo(int cidr) {
        if (family != INET6) return cidr == 0 ? 0 : 0xFFFFFFFFL << (32 - cidr) & 0xFFFFFFFFL;
        return cidr <= 64 ? 0 : cidr == 128 ? -1L : -1L << (128 - cidr);
    }

    @Override
    public void flush() {
        elements.clear();
        java.util.Arrays.fill(nets, 0);
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof HashGen h && h.type.equals(type) && h.family == family && h.maxelem == maxelem
                && h.timeout == timeout && h.counters == counters && h.comment == comment;
    }

    /** The element as ipset prints it (the type's print functions in libipset). */
    abstract String format(Key k);

    @Override
    public List<String> members() {
        List<String> out = new ArrayList<>();
        long now = jiffies();
        for (var en : elements.entrySet()) {
            Entry e = en.getValue();
            if (expired(e)) continue;
            StringBuilder b = new StringBuilder(format(en.getKey()));
            // ip_set_timeout_get: whole seconds left, never 0 for one that has not expired
            if (timeout >= 0) b.append(" timeout ").append(e.expires == 0 ? 0 : Math.max(1, (e.expires - now) / HZ));
            if (e.nomatch) b.append(" nomatch");
            if (counters) b.append(" packets ").append(e.packets).append(" bytes ").append(e.bytes);
            if (comment && e.comment != null) b.append(" comment \"").append(e.comment).append('"');
            out.add(b.toString());
        }
        return out;
    }

    /** "family inet hashsize 1024 maxelem 65536" and the extensions, as ipset list's Header line begins. */
    String headerStart() {
        StringBuilder b = new StringBuilder("family ").append(family == INET6 ? "inet6" : "inet")
                .append(" hashsize ").append(hashsize).append(" maxelem ").append(maxelem);
        if (timeout >= 0) b.append(" timeout ").append(timeout);
        if (counters) b.append(" counters");
        if (comment) b.append(" comment");
        return b.toString();
    }

    // The element parsers libipset's parse.c has for these types.

    /** An address of the set's family, as two longs (IPv4 in lo). */
    long[] address(String s) {
        try {
            if (family == INET6) {
                byte[] b = jnat.wire.Ipv6Address.parse(s);
                return new long[] {word64(b, 0), word64(b, 8)};
            }
            return new long[] {0, jnat.wire.Ipv4Address.parse(s) & 0xFFFFFFFFL};
        } catch (IllegalArgumentException e) {
            throw new IpSetError("Syntax error: cannot parse " + s + ": resolving to IPv" + (family == INET6 ? 6 : 4)
                    + " address failed");
        }
    }

    private static long word64(byte[] b, int off) {
        return (long) jnat.wire.Bytes.i32(b, off) << 32 | jnat.wire.Bytes.i32(b, off + 4) & 0xFFFFFFFFL;
    }

    String formatAddress(long hi, long lo) {
        return family == INET6 ? jnat.wire.Ipv6Address.format(hi, lo) : jnat.wire.Ipv4Address.format((int) lo);
    }

    /** "[tcp|udp|sctp|udplite:]port[-port]" (tcp when no protocol is named): {proto, from, to}. */
    static int[] protoPort(String s) {
        int proto = 6;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            proto = switch (s.substring(0, colon)) {
                case "tcp" -> 6;
                case "udp" -> 17;
                case "sctp" -> 132;
                case "udplite" -> 136;
                default -> throw new IpSetError("jnat: protocol " + s.substring(0, colon)
                        + " in an ipset element is not supported (tcp, udp, sctp and udplite are)");
            };
            s = s.substring(colon + 1);
        }
        int dash = s.indexOf('-');
        int from = port(dash < 0 ? s : s.substring(0, dash)), to = dash < 0 ? from : port(s.substring(dash + 1));
        if (to < from) {
            int t = from;
            from = to;
            to = t;
        }
        return new int[] {proto, from, to};
    }

    private static int port(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 0 && p <= 65535 && !s.startsWith("+")) return p;
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new IpSetError("Syntax error: cannot parse '" + s + "' as a port number");
    }

    static String protoName(int proto) {
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> String.valueOf(proto);
        };
    }

    /** "IP[/cidr]": {hi, lo, cidr}; no prefix is the host mask; /0 (and beyond the host mask) refused as the kernel does. */
    long[] net(String s) {
        int slash = s.indexOf('/');
        long[] a = address(slash < 0 ? s : s.substring(0, slash));
        int cidr = hostMask;
        if (slash >= 0) {
            try {
                cidr = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IpSetError("Syntax error: cannot parse " + s + ": CIDR is not a number");
            }
            if (cidr <= 0 || cidr > hostMask) throw new IpSetError("The value of the CIDR parameter of the IP address is invalid");
        }
        return new long[] {a[0] & maskHi(cidr), a[1] & maskLo(cidr), cidr};
    }

    /** ip_set_range_to_cidr: an IPv4 range as the largest aligned prefixes covering it. */
    static List<long[]> rangeToCidrs(long from, long to) {
        List<long[]> out = new ArrayList<>();
        long ip = from;
        while (ip <= to) {
            int cidr = 32;
            while (cidr > 1) {
                long size = 1L << (33 - cidr);
                if ((ip & size - 1) != 0 || ip + size - 1 > to) break;
                cidr--;
            }
            out.add(new long[] {ip, cidr});
            ip += 1L << (32 - cidr);
        }
        return out;
    }
}
