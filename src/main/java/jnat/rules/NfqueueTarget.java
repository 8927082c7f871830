package jnat.rules;

/**
 * -j NFQUEUE revision 3 (xt_NFQUEUE.c, libxt_NFQUEUE.c): the verdict NF_QUEUE for queue
 * --queue-num (or one of --queue-balance's). jnat has no nfnetlink_queue listener, so the packet
 * meets what nf_queue does when no program listens on the queue (__nf_queue's -ESRCH): it is
 * dropped, or with --queue-bypass it goes on as if accepted (the hook's next table), which
 * {@link #withoutListener} gives.
 */
public final class NfqueueTarget extends Target {
    static final int FLAG_BYPASS = 1, FLAG_CPU_FANOUT = 2;
    public final int queueNum, queuesTotal, flags;

    NfqueueTarget(int queueNum, int queuesTotal, int flags) {
        this.queueNum = queueNum;
        this.queuesTotal = queuesTotal;
        this.flags = flags;
    }

    @Override
    public String name() {
        return "NFQUEUE";
    }

    /** NF_QUEUE_NR(--queue-num) (the first of a balanced range), NF_VERDICT_FLAG_QUEUE_BYPASS with --queue-bypass. */
    @Override
    public int nfVerdict() {
        return NfTablesTrace.NF_QUEUE | queueNum << 16 | ((flags & FLAG_BYPASS) != 0 ? 0x8000 : 0);
    }

    /** nf_queue's answer with no listener: ACCEPT with --queue-bypass, else DROP. */
    public Target withoutListener() {
        return (flags & FLAG_BYPASS) != 0 ? Target.ACCEPT : Target.DROP;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (queuesTotal > 1) out.append(" NFQUEUE balance ").append(queueNum).append(':').append(queueNum + queuesTotal - 1);
        else out.append(" NFQUEUE num ").append(queueNum);
        if ((flags & FLAG_BYPASS) != 0) out.append(" bypass");
        if ((flags & FLAG_CPU_FANOUT) != 0) out.append(" cpu-fanout");
    }

    @Override
    public void save(StringBuilder out) {
        if (queuesTotal > 1) out.append(" --queue-balance ").append(queueNum).append(':').append(queueNum + queuesTotal - 1);
        else out.append(" --queue-num ").append(queueNum);
        if ((flags & FLAG_BYPASS) != 0) out.append(" --queue-bypass");
        if ((flags & FLAG_CPU_FANOUT) != 0) out.append(" --queue-cpu-fanout");
    }

    static final class Parser extends ModuleParser {
        private static final int O_QUEUE_NUM = 0, O_QUEUE_BALANCE = 1, O_QUEUE_BYPASS = 2, O_QUEUE_CPU_FANOUT = 3;
        private final XtOptions opts = new XtOptions("NFQUEUE",
                new XtOptions.Entry("queue-num", O_QUEUE_NUM, false, 1 << O_QUEUE_BALANCE, 0, false),
                new XtOptions.Entry("queue-balance", O_QUEUE_BALANCE, false, 1 << O_QUEUE_NUM, 0, false),
                XtOptions.entry("queue-bypass", O_QUEUE_BYPASS),
                new XtOptions.Entry("queue-cpu-fanout", O_QUEUE_CPU_FANOUT, false, 0, 1 << O_QUEUE_BALANCE, false));
        int num, total = 1, flags;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = e.id() <= O_QUEUE_BALANCE ? args.value(opt) : null;
            opts.parse(e, invert);
            switch (e.id()) {
                case O_QUEUE_NUM -> num = (int) number("NFQUEUE", opt, v, 0xFFFF);
                case O_QUEUE_BALANCE -> {
                    long[] r = mint("NFQUEUE", opt, v, 0xFFFF);
                    if (!v.contains(":")) throw new RuleError("Bad range \"" + v + "\"");
                    if (r[0] >= r[1]) throw new RuleError(r[0] + " should be less than " + r[1]);
                    num = (int) r[0];
                    total = (int) (r[1] - r[0] + 1) & 0xFFFF; // queues_total is a u16
                }
                case O_QUEUE_BYPASS -> flags |= FLAG_BYPASS;
                case O_QUEUE_CPU_FANOUT -> flags |= FLAG_CPU_FANOUT;
                default -> throw new IllegalStateException();
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            // nfqueue_tg_check
            if (total == 0) throw kernelRefuses();
            if (total - 1L + num > 0xFFFF) throw kernelRefusesRange();
            return new NfqueueTarget(num, total, flags);
        }
    }
}
