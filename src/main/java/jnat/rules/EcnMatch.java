package jnat.rules;

/** -m ecn (xt_ecn.c, libxt_ecn.c): TCP's ECE and CWR flags and the IP header's ECN codepoint, each inverted on its own. */
public final class EcnMatch implements Match {
    public static final int ECE = 0x01, CWR = 0x02, IP = 0x04;

    public final int operation, invert, ipEct;

    EcnMatch(int operation, int invert, int ipEct) {
        this.operation = operation;
        this.invert = invert;
        this.ipEct = ipEct;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "ecn";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        if ((operation & IP) != 0 && ((ctx.tos() & 0x03) == ipEct) == ((invert & IP) != 0)) return false;
        if ((operation & (ECE | CWR)) != 0) {
            int flags = ctx.transportByte(13); // match_tcp: no TCP header, no match
            if (flags < 0) return false;
            if ((operation & ECE) != 0 && ((flags & 0x40) != 0) == ((invert & ECE) != 0)) return false;
            if ((operation & CWR) != 0 && ((flags & 0x80) != 0) == ((invert & CWR) != 0)) return false;
        }
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" ECN match");
        if ((operation & ECE) != 0) out.append((invert & ECE) != 0 ? " !ECE" : " ECE");
        if ((operation & CWR) != 0) out.append((invert & CWR) != 0 ? " !CWR" : " CWR");
        if ((operation & IP) != 0) out.append((invert & IP) != 0 ? " !ECT=" : " ECT=").append(ipEct);
    }

    @Override
    public void save(StringBuilder out) {
        if ((operation & ECE) != 0) out.append((invert & ECE) != 0 ? " !" : "").append(" --ecn-tcp-ece");
        if ((operation & CWR) != 0) out.append((invert & CWR) != 0 ? " !" : "").append(" --ecn-tcp-cwr");
        if ((operation & IP) != 0) out.append((invert & IP) != 0 ? " !" : "").append(" --ecn-ip-ect ").append(ipEct);
    }

    static final class Parser extends ModuleParser {
        int operation, invert, ipEct;

        @Override
        boolean option(String opt, boolean inv, Args args, RuleSpec spec) {
            int bit = switch (opt) {
                case "--ecn-tcp-ece" -> ECE;
                case "--ecn-tcp-cwr" -> CWR;
                case "--ecn-ip-ect" -> IP;
                default -> 0;
            };
            if (bit == 0) return false;
            if (bit == IP) ipEct = (int) number("ecn", opt, args.value(opt), 3);
            operation |= bit;
            if (inv) invert |= bit;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (operation == 0) throw new RuleError("ECN match: some option required");
            // ecn_mt_check4/6: the TCP bits need -p tcp, not inverted
            if ((operation & (ECE | CWR)) != 0 && (spec.proto != 6 || spec.protoInverted())) throw kernelRefuses();
            return new EcnMatch(operation, invert, ipEct);
        }
    }
}
