package jnat.rules;

/**
 * -j NFLOG (xt_NFLOG.c, libxt_NFLOG.c, as iptables-nft 1.8.9 loads it: nft's native log
 * expression, so --nflog-range, which never worked, is dropped and listed as nothing): the packet
 * goes to the namespace's nfnetlink_log group --nflog-group with --nflog-prefix, cut to
 * --nflog-size bytes, and the walk goes on. The listener is the namespace's ({@link XtNet#nflog}):
 * without one, as without a program bound to the group, nothing is logged.
 * --nflog-threshold (how many packets the kernel batches per netlink message) changes nothing a
 * listener sees.
 */
public final class NflogTarget extends Target {
    /** XT_NFLOG_F_COPY_LEN: --nflog-size given. */
    static final int F_COPY_LEN = 1;
    public final int group, len, threshold, flags;
    public final String prefix;
    /** The namespace's groups, bound by {@link XtNet#bind}. */
    Net net;

    NflogTarget(int group, String prefix, int len, int threshold, int flags) {
        this.group = group;
        this.prefix = prefix;
        this.len = len;
        this.threshold = threshold;
        this.flags = flags;
    }

    @Override
    public String name() {
        return "NFLOG";
    }

    /** nflog_tg: nf_log_packet to the group, then XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        Net n = net;
        if (n != null && n.listener != null) {
            int got = ctx.packetBytes(n.buffer);
            int cut = (flags & F_COPY_LEN) != 0 ? (int) Math.min(got, len & 0xFFFFFFFFL) : got;
            n.listener.logged(group, prefix, ctx, n.buffer, cut, got);
        }
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        dump(out, "");
    }

    @Override
    public void save(StringBuilder out) {
        dump(out, "--");
    }

    /** nflog_print. */
    private void dump(StringBuilder out, String p) {
        if (!prefix.isEmpty()) {
            out.append(' ').append(p).append("nflog-prefix");
            CommentMatch.saveString(out, prefix);
        }
        if (group != 0) out.append(' ').append(p).append("nflog-group ").append(group);
        if ((flags & F_COPY_LEN) != 0) out.append(' ').append(p).append("nflog-size ").append(len & 0xFFFFFFFFL);
        if (threshold != 0) out.append(' ').append(p).append("nflog-threshold ").append(threshold);
    }

    /** Where a namespace's logged packets go (a program bound to the groups, as ulogd or tcpdump -i nflog). */
    public interface Listener {
        /**
         * One packet for {@code group}: its first {@code length} bytes from the network header are in
         * {@code packet} (valid during the call), {@code originalLength} is the whole packet's; the
         * packet's other facts (time, family, hook, devices, mark) are read from {@code ctx}.
         */
        void logged(int group, String prefix, PacketContext ctx, byte[] packet, int length, int originalLength);
    }

    /** The namespace's nfnetlink_log side: one listener for every group (null: nobody listens). */
    public static final class Net {
        private Listener listener;
        private final byte[] buffer = new byte[0x10000 + 64];

        public void listen(Listener l) {
            this.listener = l;
        }
    }

    static final class Parser extends ModuleParser {
        private static final int O_GROUP = 0, O_PREFIX = 1, O_RANGE = 2, O_SIZE = 3, O_THRESHOLD = 4;
        private final XtOptions opts = new XtOptions("NFLOG",
                XtOptions.entry("nflog-group", O_GROUP),
                XtOptions.entry("nflog-prefix", O_PREFIX),
                new XtOptions.Entry("nflog-range", O_RANGE, false, 1 << O_SIZE, 0, false),
                new XtOptions.Entry("nflog-size", O_SIZE, false, 1 << O_RANGE, 0, false),
                XtOptions.entry("nflog-threshold", O_THRESHOLD));
        int group, len, threshold;
        String prefix = "";

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case O_GROUP -> group = (int) number("NFLOG", opt, v, 0xFFFF);
                case O_PREFIX -> {
                    if (v.isEmpty()) throw new RuleError("Argument must have a minimum length of 1 characters");
                    if (v.indexOf('\n') >= 0) throw new RuleError("Newlines not allowed in --log-prefix");
                    // snprintf into NF_LOG_PREFIXLEN (128), which nft's log expression keeps whole
                    prefix = v.length() > 127 ? v.substring(0, 127) : v;
                }
                case O_RANGE -> number("NFLOG", opt, v, 0xFFFFFFFFL); // parsed, then lost to nft's log expression
                case O_SIZE -> len = (int) number("NFLOG", opt, v, 0xFFFFFFFFL);
                case O_THRESHOLD -> threshold = (int) number("NFLOG", opt, v, 0xFFFF);
                default -> throw new IllegalStateException();
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            return new NflogTarget(group, prefix, len, threshold, opts.given(O_SIZE) ? F_COPY_LEN : 0);
        }
    }
}
