package jnat.rules;

/** -m pkttype --pkt-type TYPE (xt_pkttype.c, libxt_pkttype.c): skb->pkt_type, what the link layer made of the destination. */
public final class PkttypeMatch implements Match {
    /** libxt_pkttype's names, in its order: print takes the first printable one of a value. */
    private static final String[] NAMES = {"unicast", "broadcast", "multicast", "otherhost", "outgoing", "loopback",
            "fastroute", "host", "Host", "Broadcast", "Multicast", "Otherhost"};
    private static final int[] VALUES = {0, 1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 3};
    static final int PACKET_LOOPBACK = 5;

    public final int pktType;
    public final boolean invert;

    PkttypeMatch(int pktType, boolean invert) {
        this.pktType = pktType;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "pkttype";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        int type = ctx.pktType();
        if (type == PACKET_LOOPBACK) {
            type = ctx.ipv6() || (ctx.dstAddress() >>> 28) == 0xE ? PacketContext.PACKET_MULTICAST : PacketContext.PACKET_BROADCAST;
        }
        return (type == pktType) != invert;
    }

    private String typeName() {
        for (int i = 0; i < NAMES.length; i++) if (VALUES[i] == pktType) return NAMES[i];
        return Integer.toString(pktType);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" PKTTYPE ").append(invert ? "!= " : "= ").append(typeName());
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(" --pkt-type ").append(typeName());
    }

    static final class Parser extends ModuleParser {
        int type = -1;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--pkt-type")) return false;
            String v = args.value(opt);
            for (int i = 0; i < NAMES.length && type < 0; i++) if (NAMES[i].equalsIgnoreCase(v)) type = VALUES[i];
            if (type < 0) throw new RuleError("Bad packet type '" + v + "'");
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (type < 0) throw new RuleError("pkttype: option \"--pkt-type\" must be specified");
            return new PkttypeMatch(type, inv);
        }
    }
}
