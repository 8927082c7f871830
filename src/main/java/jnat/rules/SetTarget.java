package jnat.rules;

import jnat.ipset.IpSet;
import jnat.ipset.IpSetAdt;
import jnat.ipset.IpSetCore;

/**
 * -j SET revision 3 (libxt_SET.c, xt_set.c's set_target_v3): adds the packet to one set and/or
 * deletes it from another (ip_set_add/ip_set_del through the sets' indexes), --exist refreshing
 * an element already there and --timeout giving the added element its own; the walk goes on
 * (XT_CONTINUE). --map-set (the skbinfo mapping) is refused: jnat keeps no skb priority or queue.
 */
public final class SetTarget extends Target {
    final IpSetCore core;
    final SetMatch.SetRef add, del;
    final int flags;
    /** --timeout, -1 for none (UINT32_MAX in the rule). */
    final long timeout;
    private final IpSetAdt addOpt = new IpSetAdt(), delOpt = new IpSetAdt();

    private SetTarget(Parser p) {
        this.core = p.core;
        this.add = p.add;
        this.del = p.del;
        this.flags = p.flags;
        this.timeout = p.timeout;
        if (add != null) {
            addOpt.dim = add.dim;
            addOpt.flags = add.dirs;
            addOpt.cmdflags = flags;
            addOpt.timeout = timeout;
            addOpt.wantsMac = core.readsMac(add.index);
        }
        if (del != null) {
            delOpt.dim = del.dim;
            delOpt.flags = del.dirs;
            delOpt.wantsMac = core.readsMac(del.index);
        }
    }

    @Override
    public String name() {
        return "SET";
    }

    /** The sets' indexes the rule holds (add, then del; -1 for none). */
    public int[] setIndexes() {
        return new int[] {add == null ? -1 : add.index, del == null ? -1 : del.index};
    }

    public IpSetCore sets() {
        return core;
    }

    @Override
    public boolean apply(PacketContext ctx) {
        if (add != null) {
            SetMatch.fill(addOpt, ctx);
            core.kernelAdt(add.index, addOpt, IpSet.ADT_ADD);
        }
        if (del != null) {
            SetMatch.fill(delOpt, ctx);
            core.kernelAdt(del.index, delOpt, IpSet.ADT_DEL);
        }
        return true;
    }

    private void printInfo(StringBuilder out, String dash) {
        if (add != null) SetMatch.printSet(out, dash + "add-set", core, add.index, add.dim, add.dirs, false);
        if ((flags & IpSetAdt.EXIST) != 0) out.append(' ').append(dash).append("exist");
        if (timeout >= 0) out.append(' ').append(dash).append("timeout ").append(timeout);
        if (del != null) SetMatch.printSet(out, dash + "del-set", core, del.index, del.dim, del.dirs, false);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        printInfo(out, "");
    }

    @Override
    public void save(StringBuilder out) {
        printInfo(out, "--");
    }

    static final class Parser extends ModuleParser {
        IpSetCore core;
        SetMatch.SetRef add, del;
        int flags;
        long timeout = -1;
        boolean exist, timeoutGiven;


        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            core = spec.sets;
            switch (opt) {
                case "--add-set", "--del-set" -> {
                    String what = opt.substring(2);
                    if (opt.equals("--add-set") ? add != null : del != null) throw new RuleError("--" + what + " can be specified only once");
                    String name = args.value(opt);
                    SetMatch.SetRef r = SetMatch.setRef(core, name, args.peek(), spec.ipv6, what);
                    args.next();
                    if (opt.equals("--add-set")) add = r;
                    else del = r;
                }
                case "--exist" -> {
                    flags |= IpSetAdt.EXIST;
                    exist = true;
                }
                case "--timeout" -> {
                    String v = args.value(opt);
                    long n = strtoul(v, 0xFFFFFFFEL);
                    if (n < 0) throw new RuleError("Invalid value for option --timeout or out of range 0-4294967294");
                    timeout = n;
                    timeoutGiven = true;
                }
                case "--map-set", "--map-mark", "--map-prio", "--map-queue" -> throw new RuleError("jnat: -j SET " + opt
                        + " is not supported: jnat keeps no skb priority or queue mapping (--add-set and --del-set are)");
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (add == null && del == null) throw new RuleError("You must specify either `--add-set' or `--del-set' or `--map-set'");
            if (add == null && exist) throw new RuleError("Flag `--exist' can be used with `--add-set' only");
            if (add == null && timeoutGiven) throw new RuleError("Option `--timeout' can be used with `--add-set' only");
            return new SetTarget(this);
        }
    }
}
