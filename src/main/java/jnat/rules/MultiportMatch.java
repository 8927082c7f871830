package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/** -m multiport (xt_multiport.c revision 1, libxt_multiport.c): up to 15 ports or ranges. */
public final class MultiportMatch implements Match {
    public static final int SOURCE = 0, DESTINATION = 1, EITHER = 2;
    private static final String[] LABELS = {"sports", "dports", "ports"};

    public final int flags;
    /** Ports in order; pflags[i] marks that ports[i]:ports[i+1] is a range. */
    private final int[] ports;
    private final boolean[] pflags;
    public final boolean invert;
    private final String proto;

    MultiportMatch(int flags, int[] ports, boolean[] pflags, boolean invert, String proto) {
        this.flags = flags;
        this.ports = ports;
        this.pflags = pflags;
        this.invert = invert;
        this.proto = proto;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "multiport";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        int src = ctx.srcPort(), dst = ctx.dstPort();
        for (int i = 0; i < ports.length; i++) {
            int s = ports[i], e = s;
            if (pflags[i]) e = ports[++i];
            boolean hit = switch (flags) {
                case SOURCE -> src >= s && src <= e;
                case DESTINATION -> dst >= s && dst <= e;
                default -> (src >= s && src <= e) || (dst >= s && dst <= e);
            };
            if (hit) return !invert;
        }
        return invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" multiport ").append(LABELS[flags]).append(' ');
        if (invert) out.append(" !");
        list(out, numeric);
    }

    private void list(StringBuilder out, boolean numeric) {
        for (int i = 0; i < ports.length; i++) {
            if (i > 0) out.append(',');
            out.append(PortMatch.port(ports[i], proto, numeric));
            if (pflags[i]) out.append(':').append(PortMatch.port(ports[++i], proto, numeric));
        }
    }

    @Override
    public void save(StringBuilder out) {
        if (invert) out.append(" !");
        out.append(" --").append(LABELS[flags]).append(' ');
        list(out, true);
    }

    static final class Parser extends ModuleParser {
        int flags = -1;
        boolean inv;
        final List<Integer> ports = new ArrayList<>();
        final List<Boolean> pflags = new ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            int f = switch (opt) {
                case "--sports", "--source-ports" -> SOURCE;
                case "--dports", "--destination-ports" -> DESTINATION;
                case "--ports" -> EITHER;
                default -> -1;
            };
            if (f < 0) return false;
            if (flags >= 0) throw new RuleError("multiport can only have one option");
            String proto = checkProto(spec);
            flags = f;
            inv = invert;
            for (String p : args.value(opt).split(",", -1)) {
                int colon = p.indexOf(':');
                if (colon >= 0) {
                    int lo = Inet.parsePort(p.substring(0, colon), proto);
                    int hi = Inet.parsePort(p.substring(colon + 1), proto);
                    if (lo >= hi) throw new RuleError("invalid portrange specified");
                    ports.add(lo);
                    pflags.add(true);
                    ports.add(hi);
                    pflags.add(false);
                } else {
                    ports.add(Inet.parsePort(p, proto));
                    pflags.add(false);
                }
                if (ports.size() > 15) throw new RuleError("too many ports specified");
            }
            return true;
        }

        static String checkProto(RuleSpec spec) {
            String p = spec.protoName();
            if (spec.protoInverted() || p == null || p.equals("icmp") || p.equals("icmp6")) {
                throw new RuleError("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
            }
            return p;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (flags < 0) throw new RuleError("multiport expects an option");
            int[] p = ports.stream().mapToInt(Integer::intValue).toArray();
            boolean[] pf = new boolean[pflags.size()];
            for (int i = 0; i < pf.length; i++) pf[i] = pflags.get(i);
            return new MultiportMatch(flags, p, pf, inv, spec.protoName());
        }
    }
}
