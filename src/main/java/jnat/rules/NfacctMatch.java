package jnat.rules;

/**
 * -m nfacct --nfacct-name NAME (libxt_nfacct.c, xt_nfacct.c): counts every packet the rule sees
 * into the namespace's accounting object NAME and matches unless the object has a quota it is
 * still under. The object must exist when the rule is added (nfacct_mt_checkentry's
 * nfnl_acct_find_get: ENOENT otherwise); the rule holds it, so nfacct(8) cannot delete it.
 */
public final class NfacctMatch implements Match {
    final NfnlAcct.Obj acct;

    NfacctMatch(NfnlAcct.Obj acct) {
        this.acct = acct;
    }

    @Override
    public String name() {
        return "nfacct";
    }

    public NfnlAcct.Obj acct() {
        return acct;
    }

    /** nfacct_mt: nfnl_acct_update, then nfnl_acct_overquota != NFACCT_UNDERQUOTA. */
    @Override
    public boolean matches(PacketContext ctx) {
        NfnlAcct.update(acct, ctx.length());
        return NfnlAcct.overquota(acct) != NfnlAcct.UNDERQUOTA;
    }

    /** nfacct_print_name: the prefix, then xtables_save_string's own space. */
    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" nfacct-name ");
        CommentMatch.saveString(out, acct.name);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --nfacct-name ");
        CommentMatch.saveString(out, acct.name);
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("nfacct", XtOptions.entry("nfacct-name", 0));
        String name;

        Parser() {
            opts.mandatory = 1;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            // XTTYPE_STRING with .min = 1, put into the 32-byte name (strncpy; the kernel reads 31)
            if (v.isEmpty()) throw new RuleError("Argument must have a minimum length of 1 characters");
            name = v;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            NfnlAcct.Obj o = spec.acct == null ? null : spec.acct.find(name);
            if (o == null) throw kernelRefusesNoEntry();
            return new NfacctMatch(o);
        }
    }
}
