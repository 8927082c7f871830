package jnat.rules;

/**
 * -j TRACE (xt_TRACE.c, libxt_TRACE.c), as iptables-nft 1.8.9 loads it: nft's native
 * {@code meta nftrace set 1}, so it is valid in any table and chain (the kernel's xt_TRACE is raw's
 * only; nf_tables' meta expression has no such check). It sets the packet's nf_trace and the walk
 * goes on; from then on every rule the packet hits and every policy it ends at, in every table, is
 * reported to the namespace's trace listener ({@link XtNet#trace}, {@link NfTablesTrace}), as
 * nf_tables_trace.c reports them to {@code xtables-monitor --trace}. Without a listener nothing
 * is reported, as without one the kernel sends nothing.
 */
public final class TraceTarget extends Target {
    @Override
    public String name() {
        return "TRACE";
    }

    /** nft_meta_set_eval for NFT_META_NFTRACE (trace_tg): skb->nf_trace = 1, then XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        ctx.setNfTrace();
        return true;
    }

    static final class Parser extends ModuleParser {
        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            return false; // "TRACE does not take any options": getopt's unknown option
        }

        @Override
        Object finish(RuleSpec spec) {
            return new TraceTarget();
        }
    }
}
