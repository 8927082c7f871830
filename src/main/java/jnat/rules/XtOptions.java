package jnat.rules;

/**
 * An extension's option table and the checks libxtables/xtoptions.c makes over it: each option at
 * most once unless multi (xtables_option_parse), "!" only where allowed, and at the end every
 * given option's exclusions and requirements (xtables_options_fcheck, xtables_option_fcheck2), in
 * the table's order, with iptables' messages.
 */
final class XtOptions {
    /** struct xt_option_entry: the name without "--", its id (its xflags bit), excl and also as id bits. */
    record Entry(String name, int id, boolean invertible, int excl, int also, boolean multi) {}

    static Entry entry(String name, int id) {
        return new Entry(name, id, false, 0, 0, false);
    }

    private final String ext;
    private final Entry[] table;
    /** The ids given so far (cb->xflags). */
    int xflags;
    /** The ids whose entries are XTOPT_MAND. */
    int mandatory;

    XtOptions(String ext, Entry... table) {
        this.ext = ext;
        this.table = table;
    }

    /** The entry for "--name", or null when the option is not this extension's. */
    Entry find(String opt) {
        if (!opt.startsWith("--")) return null;
        for (Entry e : table) if (e.name.equals(opt.substring(2))) return e;
        return null;
    }

    boolean given(int id) {
        return (xflags & 1 << id) != 0;
    }

    /** xtables_option_parse's checks before the value is parsed; then the option counts as given. */
    void parse(Entry e, boolean invert) {
        int ef = 1 << e.id;
        if ((!e.multi || (e.excl & ef) != 0) && (xflags & ef) != 0) {
            throw new RuleError(ext + ": option \"--" + e.name + "\" can only be used once.");
        }
        if (invert && !e.invertible) throw new RuleError(ext + ": option \"--" + e.name + "\" cannot be inverted.");
        xflags |= ef;
    }

    /** xtables_options_fcheck: each given option in table order against every other id. */
    void fcheck() {
        for (Entry e : table) {
            if ((mandatory & 1 << e.id) != 0 && (xflags & 1 << e.id) == 0) {
                throw new RuleError(ext + ": option \"--" + e.name + "\" must be specified");
            }
            if ((xflags & 1 << e.id) == 0) continue;
            for (int i = 0; i < 32; i++) {
                if (i == e.id) continue;
                Entry other = lookup(i);
                if (other == null) continue;
                int of = 1 << i;
                if ((e.also & of) != 0 && (xflags & of) == 0) {
                    throw new RuleError(ext + ": option \"--" + e.name + "\" also requires \"--" + other.name + "\".");
                }
                if ((e.excl & of) != 0 && (xflags & of) != 0) {
                    throw new RuleError(ext + ": option \"--" + e.name + "\" cannot be used together with \"--" + other.name + "\".");
                }
            }
        }
    }

    /** xtables_option_lookup: the first entry with the id. */
    private Entry lookup(int id) {
        for (Entry e : table) if (e.id == id) return e;
        return null;
    }
}
