package jnat.ipset;

/**
 * One set (struct ip_set): its name, type, family, the create-time extensions (timeout, counters,
 * comment, skbinfo, forceadd) and the references rules and list:set members hold on it. The type
 * (the variant's uadt/kadt) is the subclass.
 */
public abstract class IpSet {
    /** NFPROTO_IPV4 and NFPROTO_IPV6, as ipset's "family inet" and "family inet6". */
    public static final int INET = 2, INET6 = 10;
    /** IPSET_MAXNAMELEN - 1. */
    public static final int MAX_NAME = 31;
    /** enum ipset_adt. */
    public static final int ADT_TEST = 0, ADT_ADD = 1, ADT_DEL = 2;

    /** The create command's options, parsed (what the type's create reads from the netlink attributes). */
    static final class Create {
        int family = INET;
        int hashsize = HashGen.DEFAULT_HASHSIZE, maxelem = HashGen.DEFAULT_MAXELEM, bucketsize = -1, netmask = -1;
        Integer initval;
        long timeout = -1;
        boolean counters, comment, skbinfo, forceadd;
        /** bitmap:port's range. */
        int from = -1, to = -1;
        /** list:set's size. */
        int size = 8;
    }

    String name;
    public final String type;
    public final int revision;
    public final int family;
    /** The default timeout in seconds, -1 for a set created without timeout support. */
    public final long timeout;
    public final boolean counters, comment, skbinfo, forceadd;
    /** set->ref: rules (xt_set's checkentry) and list:set members using the set. */
    int ref;
    /** The bound iptables and ip6tables rules naming the set (set by {@link IpSetCore#setRuleReferences}). */
    int ruleRefs4, ruleRefs6;
    /** The namespace's clock, set by {@link IpSetCore#create}. */
    IpSetCore core;

    IpSet(String name, String type, int revision, Create o) {
        if (name.length() > MAX_NAME) {
            throw new IpSetError("Syntax error: setname '" + name + "' is longer than " + MAX_NAME + " characters");
        }
        this.name = name;
        this.type = type;
        this.revision = revision;
        this.family = o.family;
        this.timeout = o.timeout;
        this.counters = o.counters;
        this.comment = o.comment;
        this.skbinfo = o.skbinfo;
        this.forceadd = o.forceadd;
    }

    public String name() {
        return name;
    }

    public int references() {
        return ref + ruleRefs4 + ruleRefs6;
    }

    /** The type's dimension (IPSET_DIM_*): how many src/dst flags a rule must give at least. */
    public abstract int dimension();

    /** The number of elements not expired. */
    public abstract int entries();

    /** The set's "Size in memory" (the type's head function). */
    public abstract long memsize();

    /** The Header line after "Header: ". */
    public abstract String header();

    /** Adds the elements the text names (the type's uadt with IPSET_ADD); -exist is {@code exist}. */
    public abstract void add(String element, IpSetExt ext, boolean exist);

    /** Deletes the elements the text names (uadt IPSET_DEL). */
    public abstract void del(String element, boolean exist);

    /** Whether the element is in the set (uadt IPSET_TEST: a plain address of a net type is looked up CIDR-wise). */
    public abstract boolean test(String element);

    public abstract void flush();

    /**
     * The type's kadt from a packet: IPSET_TEST answers &gt; 0 for an element, -1 for a nomatch
     * one (-ENOTEMPTY), 0 for none or when the packet lacks what the type needs (-EINVAL); ADD and
     * DEL change the set and answer 0. Allocates nothing for a test.
     */
    public abstract int kadt(IpSetAdt opt, int adt);

    /** IPSET_TYPE_NOMATCH: the type's elements can be nomatch. */
    boolean supportsNomatch() {
        return false;
    }

    /** mtype_same_set: what create -exist requires of a set of the same name. */
    abstract boolean sameSet(IpSet other);

    /** The members with their extensions, as ipset save prints them after "add NAME ", in the kernel's order or sorted. */
    public abstract java.util.List<String> members(boolean sorted);

    /** As {@link #members(boolean)}, each member's expiry in jiffies (0: none) added to {@code expires}. */
    public abstract java.util.List<String> members(boolean sorted, java.util.List<Long> expires);

    public java.util.List<String> members() {
        return members(false);
    }

    long now() {
        return core == null ? 0 : core.nanos();
    }

    /** The extension bits, as set->extensions compares them. */
    int extensions() {
        return (timeout >= 0 ? 1 : 0) | (counters ? 2 : 0) | (comment ? 4 : 0) | (skbinfo ? 8 : 0);
    }

    /** " timeout N counters comment skbinfo" as the header lists the extensions. */
    void appendExtensions(StringBuilder b) {
        if (timeout >= 0) b.append(" timeout ").append(timeout);
        if (counters) b.append(" counters");
        if (comment) b.append(" comment");
        if (skbinfo) b.append(" skbinfo");
    }

    /** The extension checks of an add, as ip_set_get_extensions refuses them. */
    void checkExt(IpSetExt ext) {
        if (ext.timeout >= 0 && timeout < 0) throw new IpSetError("Timeout cannot be used: set was created without timeout support");
        if ((ext.packets >= 0 || ext.bytes >= 0) && !counters) {
            throw new IpSetError("Packet/byte counters cannot be used: set was created without counter support");
        }
        if (ext.comment != null && !comment) throw new IpSetError("Comment cannot be used: set was created without comment support");
        if ((ext.skbmark >= 0 || ext.skbprio >= 0 || ext.skbqueue >= 0) && !skbinfo) {
            throw new IpSetError("Skbinfo mapping cannot be used:  set was created without skbinfo support");
        }
    }
}
