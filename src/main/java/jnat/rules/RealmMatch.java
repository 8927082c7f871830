package jnat.rules;

/**
 * -m realm (xt_realm.c, libipt_realm.c; IPv4 only): the packet's route's tclassid under a mask
 * equals the value. The tclassid is the realms of the route ({@code ip route add ... realm N} or
 * {@code realms S/D}) with, for a received packet, the realm of the route back to its source as the
 * source realm where the route has none (fib_validate_source's itag). Names from
 * /etc/iproute2/rt_realms as iptables reads them.
 */
public final class RealmMatch implements Match {
    final int id, mask;
    final boolean invert;

    RealmMatch(int id, int mask, boolean invert) {
        this.id = id;
        this.mask = mask;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "realm";
    }

    /** realm_mt: (info->id == (dst->tclassid & info->mask)) ^ info->invert. */
    @Override
    public boolean matches(PacketContext ctx) {
        return (id == (ctx.routeClassid() & mask)) != invert;
    }

    /** realm_mt_reg.hooks: where the packet has a route. */
    @Override
    public int hooks() {
        return Hook.POSTROUTING.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.INPUT.bit();
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (invert) out.append(" !");
        out.append(" realm");
        Lmap.printValMask(out, Integer.toUnsignedLong(id), Integer.toUnsignedLong(mask), numeric ? null : Lmap.REALMS);
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --realm");
        Lmap.printValMask(out, Integer.toUnsignedLong(id), Integer.toUnsignedLong(mask), Lmap.REALMS);
    }

    static final class Parser extends ModuleParser {
        long[] vm;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--realm")) return false;
            vm = Lmap.parseValMask("realm", opt, args.value(opt), Lmap.REALMS);
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (vm == null) throw new RuleError("realm: option \"--realm\" must be specified");
            return new RealmMatch((int) vm[0], (int) vm[1], inv);
        }
    }
}
