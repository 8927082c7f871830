package jnat.rules;

/**
 * -j TCPOPTSTRIP (xt_TCPOPTSTRIP.c, libxt_TCPOPTSTRIP.c): the TCP options of the kinds given are
 * overwritten with NOPs, the checksum following; mangle only, TCP only (xt_target.table, .proto).
 */
public final class TcpoptstripTarget extends Target {
    static final String[] NAMES = {"wscale", "mss", "sack-permitted", "sack", "timestamp", "md5"};
    static final int[] KINDS = {3, 2, 4, 5, 8, 19};

    /** strip_bmap: one bit per option kind. */
    private final long[] bmap;

    TcpoptstripTarget(long[] bmap) {
        this.bmap = bmap;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "TCPOPTSTRIP";
    }

    @Override
    public String table() {
        return "mangle";
    }

    private boolean strips(int kind) {
        return (bmap[kind >>> 6] & 1L << (kind & 63)) != 0;
    }

    /** optlen: NOP, END and zero lengths step one byte. */
    private static int optlen(PacketContext ctx, int i) {
        int kind = ctx.transportByte(i), len = ctx.transportByte(i + 1);
        return kind <= 1 || len <= 0 ? 1 : len;
    }

    /** tcpoptstrip_mangle_packet: a header cut short or shorter than 20 bytes drops the packet. */
    @Override
    public boolean apply(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return true;
        if (ctx.transportByte(19) < 0) return false;
        int hdrlen = (ctx.transportByte(12) >>> 4) * 4;
        if (hdrlen < 20 || ctx.transportByte(hdrlen - 1) < 0) return false;
        for (int i = 20, optl; i < hdrlen - 1; i += optl) {
            optl = optlen(ctx, i);
            if (i + optl > hdrlen) break;
            if (!strips(ctx.transportByte(i))) continue;
            // each aligned word the option touches, rewritten with its bytes set to NOP (checksum updated)
            for (int w = i & ~1; w < i + optl; w += 2) {
                int hi = w >= i ? 1 : ctx.transportByte(w), lo = w + 1 < i + optl ? 1 : ctx.transportByte(w + 1);
                ctx.setTcpWord(w, hi << 8 | lo);
            }
        }
        return true;
    }

    private void list(StringBuilder out, boolean numeric) {
        boolean first = true;
        for (int i = 0; i < 256; i++) {
            if (!strips(i)) continue;
            if (!first) out.append(',');
            first = false;
            String name = null;
            if (!numeric) for (int j = 0; j < KINDS.length; j++) if (KINDS[j] == i) name = NAMES[j];
            out.append(name != null ? name : Integer.toString(i));
        }
    }

    private boolean empty() {
        return (bmap[0] | bmap[1] | bmap[2] | bmap[3]) == 0;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (empty()) return;
        out.append(" TCPOPTSTRIP options ");
        list(out, numeric);
    }

    @Override
    public void save(StringBuilder out) {
        if (empty()) return;
        out.append(" --strip-options ");
        list(out, true);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("TCPOPTSTRIP", XtOptions.entry("strip-options", 0));
        final long[] bmap = new long[4];

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            for (String arg : v.split(",", -1)) {
                int option = 0;
                for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(arg)) option = KINDS[i];
                if (option == 0) {
                    int[] end = new int[1];
                    long n = arg.isEmpty() ? -1 : strtoumaxPrefix(arg, end);
                    if (n < 0 || n > 255 || end[0] != arg.length()) throw new RuleError("Bad TCP option value \"" + arg + "\"");
                    option = (int) n;
                }
                if (option < 2) throw new RuleError("Option value may not be 0 or 1");
                if ((bmap[option >>> 6] & 1L << (option & 63)) != 0) throw new RuleError("Option \"" + arg + "\" already specified");
                bmap[option >>> 6] |= 1L << (option & 63);
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 6 || spec.protoInverted()) throw kernelRefuses(); // xt_target.proto = IPPROTO_TCP
            return new TcpoptstripTarget(bmap.clone());
        }
    }
}
