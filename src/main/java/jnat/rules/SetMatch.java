package jnat.rules;

import jnat.ipset.IpSetAdt;
import jnat.ipset.IpSetCore;

/**
 * -m set revision 4 (libxt_set.c, xt_set.c's set_match_v4): whether the packet's addresses and
 * ports, taken src or dst per dimension, are in a set of the namespace (ip_set_test through the
 * set's index, so after a swap the rule sees the set now under its name), with --return-nomatch, ! --update-
 * counters, ! --update-subcounters and the --packets-/--bytes- comparisons. The set is found by
 * name when the rule is parsed, as iptables' get_set_byname asks the kernel, and printed by index.
 */
public final class SetMatch implements Match {
    final IpSetCore core;
    final int index;
    final int dim, dirs;
    final boolean invert;
    /** info->flags: IPSET_FLAG_RETURN_NOMATCH, SKIP_COUNTER_UPDATE, SKIP_SUBCOUNTER_UPDATE. */
    final int flags;
    final int packetsOp, bytesOp;
    final long packets, bytes;
    /** The lookup's options and packet, refilled per packet: matching allocates nothing. */
    private final IpSetAdt opt = new IpSetAdt();

    private SetMatch(Parser p) {
        this.core = p.core;
        this.index = p.set.index;
        this.dim = p.set.dim;
        this.dirs = p.set.dirs;
        this.invert = p.set.invert;
        this.flags = p.flags;
        this.packetsOp = p.packetsOp;
        this.bytesOp = p.bytesOp;
        this.packets = p.packets;
        this.bytes = p.bytes;
        opt.dim = dim;
        opt.flags = dirs;
        opt.cmdflags = flags | (packetsOp != IpSetAdt.COUNTER_NONE || bytesOp != IpSetAdt.COUNTER_NONE ? IpSetAdt.MATCH_COUNTERS : 0);
        opt.packetsOp = packetsOp;
        opt.bytesOp = bytesOp;
        opt.packets = packets;
        opt.bytes = bytes;
        opt.wantsMac = core.readsMac(index);
    }

    @Override
    public String name() {
        return "set";
    }

    /** The set's index in the namespace (what the rule holds). */
    public int setIndex() {
        return index;
    }

    public IpSetCore sets() {
        return core;
    }

    /** match_set: ip_set_test, inverted with !. */
    @Override
    public boolean matches(PacketContext ctx) {
        fill(opt, ctx);
        return core.test(index, opt) != invert;
    }

    /** What a type's kadt reads from the sk_buff: addresses, protocol, ports (ip_set_get_ip4_port/ip6_port), length. */
    static void fill(IpSetAdt o, PacketContext ctx) {
        boolean v6 = ctx.ipv6();
        o.family = v6 ? jnat.ipset.IpSet.INET6 : jnat.ipset.IpSet.INET;
        if (v6) {
            o.srcHi = ctx.srcAddressHi();
            o.srcLo = ctx.srcAddressLo();
            o.dstHi = ctx.dstAddressHi();
            o.dstLo = ctx.dstAddressLo();
        } else {
            o.srcHi = o.dstHi = 0;
            o.srcLo = ctx.srcAddress() & 0xFFFFFFFFL;
            o.dstLo = ctx.dstAddress() & 0xFFFFFFFFL;
        }
        o.in = ctx.inInterface();
        o.out = ctx.outInterface();
        o.macLen = o.wantsMac ? ctx.macHeader(o.mac) : -1;
        int proto = ctx.protocol();
        o.proto = proto;
        o.len = ctx.length();
        boolean ports = proto == 6 || proto == 17 || proto == 132 || proto == 136;
        boolean icmp = proto == (v6 ? 58 : 1);
        o.sport = o.dport = 0;
        // a later fragment has no ports: the port types answer -EINVAL (IPv6: any later fragment)
        o.portsValid = !(ctx.nonFirstFragment() && (v6 || ports || icmp)) && proto > 0;
        if (!o.portsValid) return;
        if (ports) {
            int b0 = ctx.transportByte(0), b1 = ctx.transportByte(1), b2 = ctx.transportByte(2), b3 = ctx.transportByte(3);
            if (b3 < 0) {
                o.portsValid = false;
                return;
            }
            o.sport = b0 << 8 | b1;
            o.dport = b2 << 8 | b3;
        } else if (icmp) {
            int type = ctx.transportByte(0), code = ctx.transportByte(1);
            if (code < 0) {
                o.portsValid = false;
                return;
            }
            o.sport = o.dport = type << 8 | code;
        }
    }

    /** print_match: " [!] match-set NAME src,dst" (prefix "--match-set" when saved). */
    static void printSet(StringBuilder out, String prefix, IpSetCore core, int index, int dim, int dirs, boolean invert) {
        out.append(invert ? " !" : "").append(' ').append(prefix).append(' ').append(core.get(index).name());
        for (int i = 1; i <= dim; i++) out.append(i == 1 ? " " : ",").append((dirs & 1 << i) != 0 ? "src" : "dst");
    }

    private void printInfo(StringBuilder out, String opt, String sep) {
        printSet(out, opt, core, index, dim, dirs, invert);
        if ((flags & IpSetAdt.RETURN_NOMATCH) != 0) out.append(' ').append(sep).append("return-nomatch");
        if ((flags & IpSetAdt.SKIP_COUNTER_UPDATE) != 0) out.append(" ! ").append(sep).append("update-counters");
        if ((flags & IpSetAdt.SKIP_SUBCOUNTER_UPDATE) != 0) out.append(" ! ").append(sep).append("update-subcounters");
        counter(out, packetsOp, packets, "packets", sep);
        counter(out, bytesOp, bytes, "bytes", sep);
    }

    /** set_printv4_counter. */
    private static void counter(StringBuilder out, int op, long value, String name, String sep) {
        String v = Long.toUnsignedString(value);
        switch (op) {
            case IpSetAdt.COUNTER_EQ -> out.append(' ').append(sep).append(name).append("-eq ").append(v);
            case IpSetAdt.COUNTER_NE -> out.append(" ! ").append(sep).append(name).append("-eq ").append(v);
            case IpSetAdt.COUNTER_LT -> out.append(' ').append(sep).append(name).append("-lt ").append(v);
            case IpSetAdt.COUNTER_GT -> out.append(' ').append(sep).append(name).append("-gt ").append(v);
            default -> { }
        }
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        printInfo(out, "match-set", "");
    }

    @Override
    public void save(StringBuilder out) {
        printInfo(out, "--match-set", "--");
    }

    /** A set named by --match-set, --add-set or --del-set: its index, dimensions and src/dst bits (struct xt_set_info). */
    static final class SetRef {
        int index = -1, dim, dirs;
        boolean invert;
    }

    /**
     * parse_dirs and get_set_byname: "src,dst" (at most six), the set found by name in the
     * namespace and of the rule's family, or iptables' messages.
     */
    static SetRef setRef(IpSetCore core, String name, String dirs, boolean ipv6, String what) {
        if (dirs == null || dirs.startsWith("-") || dirs.startsWith("!")) throw new RuleError("--" + what + " requires two args.");
        if (name.length() > jnat.ipset.IpSet.MAX_NAME) {
            throw new RuleError("setname `" + name + "' too long, max " + jnat.ipset.IpSet.MAX_NAME + " characters.");
        }
        SetRef r = new SetRef();
        r.index = core == null ? -1 : core.find(name);
        if (r.index < 0) throw new RuleError("Set " + name + " doesn't exist.");
        int family = core.get(r.index).family;
        if (family != 0 && family != (ipv6 ? jnat.ipset.IpSet.INET6 : jnat.ipset.IpSet.INET)) { // NFPROTO_UNSPEC: both
            throw new RuleError("The protocol family of set " + name + " is " + (family == jnat.ipset.IpSet.INET ? "IPv4" : "IPv6")
                    + ", which is not applicable.");
        }
        String[] parts = dirs.split(",", -1);
        for (String p : parts) {
            if (r.dim == 6) throw new RuleError("Can't be more src/dst options than 6.");
            r.dim++;
            if (p.startsWith("src")) r.dirs |= 1 << r.dim;
            else if (!p.startsWith("dst")) throw new RuleError("You must spefify (the comma separated list of) 'src' or 'dst'.");
        }
        return r;
    }

    static final class Parser extends ModuleParser {
        IpSetCore core;
        SetRef set;
        int flags, packetsOp, bytesOp;
        long packets, bytes;


        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            core = spec.sets;
            switch (opt) {
                case "--match-set", "--set" -> {
                    if (set != null) throw new RuleError("--match-set can be specified only once");
                    String name = args.value(opt);
                    set = setRef(core, name, args.peek(), spec.ipv6, "match-set");
                    args.next();
                    set.invert = invert;
                }
                case "--return-nomatch" -> {
                    if (invert) throw new RuleError("--return-nomatch flag cannot be inverted");
                    flags |= IpSetAdt.RETURN_NOMATCH;
                }
                case "--update-counters" -> {
                    if (invert) flags |= IpSetAdt.SKIP_COUNTER_UPDATE;
                }
                case "--update-subcounters" -> {
                    if (invert) flags |= IpSetAdt.SKIP_SUBCOUNTER_UPDATE;
                }
                case "--packets-eq", "--packets-lt", "--packets-gt", "--bytes-eq", "--bytes-lt", "--bytes-gt" -> counterOption(opt, invert, args.value(opt));
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void counterOption(String opt, boolean invert, String v) {
            boolean pk = opt.startsWith("--packets");
            String kind = opt.substring(opt.length() - 2);
            if ((pk ? packetsOp : bytesOp) != IpSetAdt.COUNTER_NONE) {
                throw new RuleError("only one of the --" + (pk ? "packets" : "bytes") + "-[eq|lt|gt] is allowed");
            }
            if (invert && !kind.equals("eq")) throw new RuleError(opt + " option cannot be inverted");
            int op = switch (kind) {
                case "eq" -> invert ? IpSetAdt.COUNTER_NE : IpSetAdt.COUNTER_EQ;
                case "lt" -> IpSetAdt.COUNTER_LT;
                default -> IpSetAdt.COUNTER_GT;
            };
            long n = strtoul(v, Long.MAX_VALUE);
            if (n < 0) throw new RuleError("Cannot parse " + v + " as a counter value");
            if (pk) {
                packetsOp = op;
                packets = n;
            } else {
                bytesOp = op;
                bytes = n;
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            if (set == null) throw new RuleError("You must specify `--match-set' with proper arguments");
            return new SetMatch(this);
        }
    }
}
