package jnat.ipset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * ip_set_core.c: one network namespace's sets (struct ip_set_net), by index (ip_set_id_t: a
 * destroyed set's slot is free for the next create, as find_free_id picks the first), and the
 * commands on whole sets: create, destroy, flush, rename, swap, with the kernel's checks and
 * libipset's messages for its errors.
 */
public final class IpSetCore {
    private final List<IpSet> sets = new ArrayList<>();
    /** The clock element timeouts run on, in nanoseconds (the engine's, or the wall clock for the command line). */
    public LongSupplier clock = () -> 0;
    /** The clock's reading that is time 0 of the sets' jiffies. */
    private long origin;
    private boolean originPending;

    /**
     * Time 0 of the sets' timeouts is the clock's first non-zero reading (the engine's first packet):
     * sets loaded before an engine runs (replay and gateway --sets) count their elements' timeouts
     * from there, as the kernel's count from the ipset restore at boot.
     */
    public void startAtFirstTick() {
        originPending = true;
    }

    /** Nanoseconds since the sets' time 0. */
    long nanos() {
        long n = clock.getAsLong();
        if (originPending && n != 0) {
            origin = n;
            originPending = false;
        }
        return originPending ? 0 : n - origin;
    }

    /** The set's index, -1 when there is none of that name (ip_set_get_byname). */
    public int find(String name) {
        for (int i = 0; i < sets.size(); i++) if (sets.get(i) != null && sets.get(i).name.equals(name)) return i;
        return -1;
    }

    public IpSet get(int id) {
        return id >= 0 && id < sets.size() ? sets.get(id) : null;
    }

    /** The set of that name; "The set with the given name does not exist" without one. */
    public IpSet require(String name) {
        int i = find(name);
        if (i < 0) throw new IpSetError("The set with the given name does not exist");
        return sets.get(i);
    }

    /** The sets in index order. */
    public List<IpSet> sets() {
        List<IpSet> out = new ArrayList<>();
        for (IpSet s : sets) if (s != null) out.add(s);
        return out;
    }

    /** The types jnat has, in ipset's order of listing them (ipset help). */
    public static final java.util.List<String> TYPES = java.util.List.of("bitmap:ip", "bitmap:ip,mac", "bitmap:port", "hash:ip", "hash:net", "hash:ip,port",
            "hash:net,port", "hash:net,iface", "hash:ip,port,ip", "hash:ip,port,net", "list:set");

    /**
     * ipset create NAME TYPE [options]: the type's create with its options (family, hashsize,
     * maxelem, bucketsize, initval, netmask, timeout, counters, comment, skbinfo, forceadd). An
     * existing set of the name is an error, unless {@code exist} and it was created the same
     * (mtype_same_set), which is no change.
     */
    public IpSet create(String name, String type, Map<String, String> options, boolean exist) {
        Map<String, String> o = new java.util.HashMap<>(options);
        IpSet.Create c = new IpSet.Create();
        c.family = switch (o.getOrDefault("family", "inet")) {
            case "inet", "ipv4", "-4" -> IpSet.INET;
            case "inet6", "ipv6", "-6" -> IpSet.INET6;
            default -> throw new IpSetError("Syntax error: unknown inet family " + o.get("family"));
        };
        c.hashsize = (int) number(o, "hashsize", HashGen.DEFAULT_HASHSIZE, 0xFFFFFFFFL);
        c.maxelem = (int) number(o, "maxelem", HashGen.DEFAULT_MAXELEM, 0xFFFFFFFFL);
        c.bucketsize = (int) number(o, "bucketsize", -1, 255);
        if (o.containsKey("initval")) c.initval = (int) number(o, "initval", 0, 0xFFFFFFFFL);
        c.timeout = o.containsKey("timeout") ? number(o, "timeout", 0, 2147483L) : -1;
        c.counters = o.containsKey("counters");
        c.comment = o.containsKey("comment");
        c.skbinfo = o.containsKey("skbinfo");
        c.forceadd = o.containsKey("forceadd");
        if (o.containsKey("netmask")) {
            if (!type.equals("hash:ip") && !type.equals("bitmap:ip")) throw new IpSetError("Syntax error: netmask is not supported by " + type);
            c.netmask = (int) number(o, "netmask", -1, 255);
            int host = c.family == IpSet.INET6 ? 128 : 32;
            if (c.netmask < 1 || c.netmask > host) {
                throw new IpSetError("Syntax error: '" + o.get("netmask") + "' is out of range 1-" + host
                        + "\nSyntax error: netmask is out of the inclusive range of 1-" + host);
            }
        }
        IpSet s = switch (type) {
            case "hash:ip" -> new HashIp(name, c);
            case "hash:net" -> new HashNet(name, c);
            case "hash:ip,port" -> new HashIpPort(name, false, c);
            case "hash:net,port" -> new HashIpPort(name, true, c);
            case "hash:ip,port,ip" -> new HashIpPortIp(name, c);
            case "hash:ip,port,net" -> new HashIpPortNet(name, c);
            case "hash:net,iface" -> new HashNetIface(name, c);
            case "list:set" -> {
                if (o.containsKey("size")) c.size = (int) number(o, "size", 8, 0xFFFFFFFFL);
                yield new ListSet(name, c);
            }
            case "bitmap:ip" -> BitmapIp.create(name, c, o.get("range"));
            case "bitmap:ip,mac" -> BitmapIpMac.create(name, c, o.get("range"));
            case "bitmap:port" -> {
                String range = o.get("range");
                if (range != null) {
                    int dash = range.indexOf('-');
                    c.from = Parse.port(dash < 0 ? range : range.substring(0, dash), "tcp");
                    c.to = Parse.port(range.substring(dash + 1), "tcp");
                }
                yield new BitmapPort(name, c);
            }
            default -> throw new IpSetError("jnat: set type " + type + " is not supported yet (" + String.join(", ", TYPES) + " are)");
        };
        int old = find(name);
        if (old >= 0) {
            if (exist && sets.get(old).sameSet(s)) return sets.get(old);
            throw new IpSetError("Set cannot be created: set with the same name already exists");
        }
        s.core = this;
        int free = sets.indexOf(null);
        if (free >= 0) sets.set(free, s);
        else sets.add(s);
        return s;
    }

    /** A number as libipset's ipset_parse_uint32 reads it (strtoul with base 0). */
    private static long number(Map<String, String> o, String key, long dflt, long max) {
        String v = o.get(key);
        if (v == null) return dflt;
        try {
            long n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16)
                    : v.length() > 1 && v.startsWith("0") ? Long.parseLong(v.substring(1), 8) : Long.parseLong(v);
            if (n >= 0 && n <= max) return n;
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new IpSetError("Syntax error: '" + v + "' is invalid as number");
    }

    /** ip_set_destroy: one set, or all with a null name; a set in use is refused, and then none goes. */
    public void destroy(String name) {
        if (name == null) {
            for (IpSet s : sets) if (s != null && s.references() > 0) throw inUse();
            for (IpSet s : sets) if (s instanceof ListSet l) l.release();
            sets.clear();
            return;
        }
        IpSet s = require(name);
        if (s.references() > 0) throw inUse();
        if (s instanceof ListSet l) l.release();
        sets.set(sets.indexOf(s), null);
    }

    private static IpSetError inUse() {
        return new IpSetError("Set cannot be destroyed: it is in use by a kernel component");
    }

    /** ip_set_flush: one set's elements, or every set's. */
    public void flush(String name) {
        if (name == null) {
            for (IpSet s : sets) if (s != null) s.flush();
        } else {
            require(name).flush();
        }
    }

    /** ip_set_rename: not while referenced (IPSET_ERR_REFERENCED); the new name must be free. */
    public void rename(String from, String to) {
        IpSet s = require(from);
        if (s.references() > 0) throw new IpSetError("Set cannot be renamed: it is in use by another system");
        if (to.length() > IpSet.MAX_NAME) throw new IpSetError("Syntax error: setname '" + to + "' is longer than 31 characters");
        if (find(to) >= 0) throw new IpSetError("Set cannot be renamed: a set with the new name already exists");
        s.name = to;
    }

    /**
     * ip_set_swap: the two sets change places and names, so what referred to one index (a rule)
     * now finds the other's elements under the same name; type and family must agree.
     */
    public void swap(String a, String b) {
        int i = find(a);
        if (i < 0) throw new IpSetError("The set with the given name does not exist");
        int j = find(b);
        if (j < 0) throw new IpSetError("Sets cannot be swapped: the second set does not exist");
        IpSet x = sets.get(i), y = sets.get(j);
        if (!x.type.equals(y.type) || x.family != y.family) {
            throw new IpSetError("The sets cannot be swapped: their type does not match");
        }
        String n = x.name;
        x.name = y.name;
        y.name = n;
        int r = x.ref, r4 = x.ruleRefs4, r6 = x.ruleRefs6;
        x.ref = y.ref;
        x.ruleRefs4 = y.ruleRefs4;
        x.ruleRefs6 = y.ruleRefs6;
        y.ref = r;
        y.ruleRefs4 = r4;
        y.ruleRefs6 = r6;
        sets.set(i, y);
        sets.set(j, x);
    }

    /**
     * ip_set_test from a rule (xt_set's match): a rule with fewer dimensions than the set, or of
     * another family, never matches; --return-nomatch turns a nomatch element into a match and an
     * element into none. True when the packet is in the set.
     */
    public boolean test(int id, IpSetAdt opt) {
        IpSet s = sets.get(id);
        if (s == null || opt.dim < s.dimension() || opt.family != s.family && s.family != 0) return false;
        int ret = s.kadt(opt, IpSet.ADT_TEST);
        if ((opt.cmdflags & IpSetAdt.RETURN_NOMATCH) != 0 && s.supportsNomatch()) ret = -ret;
        return ret > 0;
    }

    /** ip_set_add / ip_set_del from -j SET: a mismatched dimension or family changes nothing. */
    public void kernelAdt(int id, IpSetAdt opt, int adt) {
        IpSet s = sets.get(id);
        if (s == null || opt.dim < s.dimension() || opt.family != s.family && s.family != 0) return;
        s.kadt(opt, adt);
    }

    /** The rules of one family holding references, by set index (counts replace the family's previous ones). */
    public void setRuleReferences(boolean ipv6, Map<Integer, Integer> refs) {
        for (int i = 0; i < sets.size(); i++) {
            IpSet s = sets.get(i);
            if (s == null) continue;
            int n = refs.getOrDefault(i, 0);
            if (ipv6) s.ruleRefs6 = n;
            else s.ruleRefs4 = n;
        }
    }

    /** ip_set_add/ip_set_del for a list:set member: whether the member took it (same family and dimensions, no error). */
    boolean kernelAdtAccepted(int id, IpSetAdt opt, int adt) {
        IpSet s = sets.get(id);
        if (s == null || opt.dim < s.dimension() || opt.family != s.family && s.family != 0) return false;
        if (s instanceof HashGen h && adt == IpSet.ADT_ADD) return h.kadtAdded(opt);
        int before = s.entries();
        s.kadt(opt, adt);
        return adt == IpSet.ADT_ADD || s.entries() != before; // a delete that found nothing: the next member

    }

    /** Whether a rule's lookups in the set at {@code id} need the packet's MAC header (bitmap:ip,mac's kadt, or a list:set's member's). */
    public boolean readsMac(int id) {
        IpSet s = get(id);
        return s instanceof BitmapIpMac || s instanceof ListSet;
    }

    /** A rule takes a reference on the set at {@code id} (__ip_set_get), which keeps it from being destroyed. */
    public void hold(int id) {
        sets.get(id).ref++;
    }

    /** A rule lets go of its reference (__ip_set_put). */
    public void release(int id) {
        sets.get(id).ref--;
    }
}
