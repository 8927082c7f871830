package jnat.rules;

/**
 * -m devgroup (xt_devgroup.c, libxt_devgroup.c): the group of the device a packet came in on
 * ({@code --src-group}) or leaves by ({@code --dst-group}) under a mask; groups as
 * {@code ip link set DEV group N} gives them (0, "default", unless the host file says). Names
 * from /etc/iproute2/group as iptables reads them.
 */
public final class DevgroupMatch implements Match {
    static final int MATCH_SRC = 1, INVERT_SRC = 2, MATCH_DST = 4, INVERT_DST = 8;

    final int flags, srcGroup, srcMask, dstGroup, dstMask;

    DevgroupMatch(int flags, int srcGroup, int srcMask, int dstGroup, int dstMask) {
        this.flags = flags;
        this.srcGroup = srcGroup;
        this.srcMask = srcMask;
        this.dstGroup = dstGroup;
        this.dstMask = dstMask;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "devgroup";
    }

    /** devgroup_mt: each given side's group under its mask, each inverted on its own. */
    @Override
    public boolean matches(PacketContext ctx) {
        if ((flags & MATCH_SRC) != 0 && (((srcGroup ^ ctx.inDeviceGroup()) & srcMask) != 0) != ((flags & INVERT_SRC) != 0)) {
            return false;
        }
        return (flags & MATCH_DST) == 0 || (((dstGroup ^ ctx.outDeviceGroup()) & dstMask) != 0) == ((flags & INVERT_DST) != 0);
    }

    /** devgroup_mt_checkentry: a source group where there is an in device, a destination group where there is an out one. */
    @Override
    public int hooks() {
        int h = 0x1F;
        if ((flags & MATCH_SRC) != 0) h &= Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit();
        if ((flags & MATCH_DST) != 0) h &= Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit();
        return h;
    }

    private void show(StringBuilder out, String pfx, Lmap names) {
        if ((flags & MATCH_SRC) != 0) {
            if ((flags & INVERT_SRC) != 0) out.append(" !");
            out.append(' ').append(pfx).append("src-group");
            Lmap.printValMask(out, Integer.toUnsignedLong(srcGroup), Integer.toUnsignedLong(srcMask), names);
        }
        if ((flags & MATCH_DST) != 0) {
            if ((flags & INVERT_DST) != 0) out.append(" !");
            out.append(' ').append(pfx).append("dst-group");
            Lmap.printValMask(out, Integer.toUnsignedLong(dstGroup), Integer.toUnsignedLong(dstMask), names);
        }
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        show(out, "", numeric ? null : Lmap.DEVGROUPS);
    }

    @Override
    public void save(StringBuilder out) {
        show(out, "--", Lmap.DEVGROUPS);
    }

    static final class Parser extends ModuleParser {
        int flags, srcGroup, srcMask, dstGroup, dstMask;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            boolean src = opt.equals("--src-group");
            if (!src && !opt.equals("--dst-group")) return false;
            long[] vm = Lmap.parseValMask("devgroup", opt, args.value(opt), Lmap.DEVGROUPS);
            if (src) {
                srcGroup = (int) vm[0];
                srcMask = (int) vm[1];
                flags |= MATCH_SRC | (invert ? INVERT_SRC : 0);
            } else {
                dstGroup = (int) vm[0];
                dstMask = (int) vm[1];
                flags |= MATCH_DST | (invert ? INVERT_DST : 0);
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (flags == 0) throw new RuleError("devgroup match: You must specify either '--src-group' or '--dst-group'");
            return new DevgroupMatch(flags, srcGroup, srcMask, dstGroup, dstMask);
        }
    }
}
