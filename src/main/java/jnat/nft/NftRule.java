package jnat.nft;

import java.util.ArrayList;
import java.util.List;

/** struct nft_rule: its expressions in order, its handle and the comment nft keeps in its userdata. */
final class NftRule {
    long handle;
    final List<Expr> exprs;
    String comment;

    NftRule(List<Expr> exprs, String comment) {
        this.exprs = exprs;
        this.comment = comment;
    }

    NftRule copy() {
        // the expressions are shared: a counter counts on in the ruleset a transaction leaves in place
        NftRule r = new NftRule(new ArrayList<>(exprs), comment);
        r.handle = handle;
        return r;
    }

    /** Whether a jump, goto or verdict map of this rule can reach the chain (for delete chain's EBUSY). */
    boolean refersTo(String chain, List<NftSet> anonymous) {
        for (Expr e : exprs) {
            if (e instanceof Expr.Immediate i && i.verdict() != null && chain.equals(i.verdict().chain())) return true;
        }
        return false;
    }
}
