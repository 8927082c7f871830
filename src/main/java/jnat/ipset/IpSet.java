package jnat.ipset;

/**
 * One set (struct ip_set): its name, type, family, the create-time extensions (timeout, counters,
 * comment) and the references rules and list:set members hold on it. The type (the variant's
 * uadt/kadt) is the subclass.
 */
public abstract class IpSet {
    /** NFPROTO_IPV4 and NFPROTO_IPV6, as ipset's "family inet" and "family inet6". */
    public static final int INET = 2, INET6 = 10;
    /** IPSET_MAXNAMELEN - 1. */
    public static final int MAX_NAME = 31;

    String name;
    public final String type;
    public final int revision;
    public final int family;
    /** The default timeout in seconds, -1 for a set created without timeout support. */
    public final long timeout;
    public final boolean counters, comment;
    /** set->ref: rules (xt_set's checkentry) and list:set members using the set. */
    int ref;
    /** The namespace's clock, set by {@link IpSetCore#create}. */
    IpSetCore core;

    IpSet(String name, String type, int revision, int family, long timeout, boolean counters, boolean comment) {
        if (name.length() > MAX_NAME) {
            throw new IpSetError("Syntax error: setname '" + name + "' is longer than " + MAX_NAME + " characters");
        }
        this.name = name;
        this.type = type;
        this.revision = revision;
        this.family = family;
        this.timeout = timeout;
        this.counters = counters;
        this.comment = comment;
    }

    public String name() {
        return name;
    }

    public int references() {
        return ref;
    }

    /** The number of elements not expired. */
    public abstract int entries();

    /** Adds the elements the text names (the type's uadt with IPSET_ADD); -exist is {@code exist}. */
    public abstract void add(String element, IpSetExt ext, boolean exist);

    /** Deletes the elements the text names (uadt IPSET_DEL). */
    public abstract void del(String element, boolean exist);

    /** Whether the element is in the set (uadt IPSET_TEST: a plain address of a net type is looked up CIDR-wise). */
    public abstract boolean test(String element);

    public abstract void flush();

    /** mtype_same_set: what create -exist requires of a set of the same name. */
    abstract boolean sameSet(IpSet other);

    /** The members with their extensions, as ipset save prints them after "add NAME ". */
    public abstract java.util.List<String> members();

    long now() {
        return core == null ? 0 : core.clock.getAsLong();
    }

    /** The extension checks of an add, as ip_set_get_extensions refuses them. */
    void checkExt(IpSetExt ext) {
        if (ext.timeout >= 0 && timeout < 0) throw new IpSetError("Timeout cannot be used: set was created without timeout support");
        if ((ext.packets >= 0 || ext.bytes >= 0) && !counters) {
            throw new IpSetError("Packet/byte counters cannot be used: set was created without counter support");
        }
        if (ext.comment != null && !comment) throw new IpSetError("Comment cannot be used: set was created without comment support");
    }
}
