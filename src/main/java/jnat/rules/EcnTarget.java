package jnat.rules;

/**
 * -j ECN (ipt_ECN.c, libipt_ECN.c): sets the IP header's ECN codepoint and TCP's ECE and CWR
 * flags; --ecn-tcp-remove clears both flags. IPv4, mangle only, TCP bits need -p tcp.
 */
public final class EcnTarget extends Target {
    public static final int SET_ECE = 0x10, SET_CWR = 0x20, SET_IP = 0x40;

    public final int operation, ipEct, ece, cwr;

    EcnTarget(int operation, int ipEct, int ece, int cwr) {
        this.operation = operation;
        this.ipEct = ipEct;
        this.ece = ece;
        this.cwr = cwr;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "ECN";
    }

    @Override
    public String table() {
        return "mangle";
    }

    private boolean remove() {
        return operation == (SET_ECE | SET_CWR) && ece == 0 && cwr == 0;
    }

    /** ecn_tg: set_ect_ip, then set_ect_tcp for TCP (NF_DROP when its header is missing). */
    @Override
    public boolean apply(PacketContext ctx) {
        if ((operation & SET_IP) != 0 && (ctx.tos() & 0x03) != ipEct) ctx.setTos(ctx.tos() & ~0x03 | ipEct);
        if ((operation & (SET_ECE | SET_CWR)) != 0 && ctx.protocol() == 6) {
            int b12 = ctx.transportByte(12), b13 = ctx.transportByte(13);
            if (b13 < 0) return false;
            int flags = b13;
            if ((operation & SET_ECE) != 0) flags = flags & ~0x40 | ece << 6;
            if ((operation & SET_CWR) != 0) flags = flags & ~0x80 | cwr << 7;
            if (flags != b13) ctx.setTcpWord(12, b12 << 8 | flags);
        }
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" ECN");
        if (remove()) {
            out.append(" TCP remove");
            return;
        }
        if ((operation & SET_ECE) != 0) out.append(" ECE=").append(ece);
        if ((operation & SET_CWR) != 0) out.append(" CWR=").append(cwr);
        if ((operation & SET_IP) != 0) out.append(" ECT codepoint=").append(ipEct);
    }

    @Override
    public void save(StringBuilder out) {
        if (remove()) {
            out.append(" --ecn-tcp-remove");
            return;
        }
        if ((operation & SET_ECE) != 0) out.append(" --ecn-tcp-ece ").append(ece);
        if ((operation & SET_CWR) != 0) out.append(" --ecn-tcp-cwr ").append(cwr);
        if ((operation & SET_IP) != 0) out.append(" --ecn-ip-ect ").append(ipEct);
    }

    static final class Parser extends ModuleParser {
        int operation, ipEct, ece, cwr;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--ecn-tcp-remove" -> {
                    // libipt_ECN assigns here: an --ecn-ip-ect (or -ece, -cwr) before it is forgotten
                    operation = SET_ECE | SET_CWR;
                    ece = 0;
                    cwr = 0;
                }
                case "--ecn-tcp-ece" -> {
                    operation |= SET_ECE;
                    ece = (int) number("ECN", opt, args.value(opt), 1);
                }
                case "--ecn-tcp-cwr" -> {
                    operation |= SET_CWR;
                    cwr = (int) number("ECN", opt, args.value(opt), 1);
                }
                case "--ecn-ip-ect" -> {
                    operation |= SET_IP;
                    ipEct = (int) number("ECN", opt, args.value(opt), 3);
                }
                default -> {
                    return false;
                }
            }
            noInvert("ECN", opt, invert);
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (operation == 0) throw new RuleError("ECN target: An operation is required");
            if ((operation & (SET_ECE | SET_CWR)) != 0 && (spec.proto != 6 || spec.protoInverted())) throw kernelRefuses();
            return new EcnTarget(operation, ipEct, ece, cwr);
        }
    }
}
