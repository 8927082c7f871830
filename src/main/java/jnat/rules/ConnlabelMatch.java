package jnat.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * -m connlabel (libxt_connlabel.c, xt_connlabel.c): whether the connection carries a label (one
 * of 128 bits), --set setting it first. Names come from connlabel.conf as libnetfilter_conntrack's
 * label map reads it ("bit name" lines; numbers work without the file). A ruleset with the match
 * gives connections labels ({@link Ruleset#needsLabels}).
 */
public final class ConnlabelMatch implements Match {
    static final int OP_INVERT = 1, OP_SET = 2, MAX_BITS = 128;
    /** nfct_labels_get_path() on Debian. */
    static final Path CONF = Path.of("/etc/xtables/connlabel.conf");

    public final int bit, options;

    ConnlabelMatch(int bit, int options) {
        this.bit = bit;
        this.options = options;
    }

    /** Safe without --set only: --set writes the connection's labels (nf_connlabels_replace), not just the packet. */
    @Override
    public boolean concurrentSafe() {
        return (options & OP_SET) == 0;
    }

    @Override
    public String name() {
        return "connlabel";
    }

    /** connlabel_mt: no connection or no labels is "not set"; --set sets it and matches. */
    @Override
    public boolean matches(PacketContext ctx) {
        boolean invert = (options & OP_INVERT) != 0;
        int has = ctx.ctLabel(bit, false);
        if (has < 0) return invert;
        if (has == 1) return !invert;
        if ((options & OP_SET) != 0) {
            ctx.ctLabel(bit, true);
            return !invert;
        }
        return invert;
    }

    /** nfct_labelmap's name for a bit: the file's first name for it, or null. */
    static String nameOf(int bit) {
        try {
            for (String line : Files.readAllLines(CONF)) {
                String[] f = line.strip().split("\\s+");
                if (f.length >= 2 && !f[0].startsWith("#") && f[0].matches("\\d+") && Integer.parseInt(f[0]) == bit) return f[1];
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    static int bitOf(String name) {
        try {
            for (String line : Files.readAllLines(CONF)) {
                String[] f = line.strip().split("\\s+");
                if (f.length >= 2 && !f[0].startsWith("#") && f[0].matches("\\d+") && f[1].equals(name)) {
                    int b = Integer.parseInt(f[0]);
                    if (b < MAX_BITS) return b;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        String n = numeric ? null : nameOf(bit);
        out.append(" connlabel").append((options & OP_INVERT) != 0 ? " !" : "");
        if (n == null) out.append(' ').append(bit);
        else out.append(" '").append(n).append('\'');
        if ((options & OP_SET) != 0) out.append(" set");
    }

    @Override
    public void save(StringBuilder out) {
        String n = nameOf(bit);
        out.append((options & OP_INVERT) != 0 ? " !" : "").append(" --label \"").append(n != null ? n : Integer.toString(bit)).append('"');
        if ((options & OP_SET) != 0) out.append(" --set");
    }

    static final class Parser extends ModuleParser {
        private final XtOptions opts = new XtOptions("connlabel", new XtOptions.Entry("label", 0, true, 0, 0, false),
                XtOptions.entry("set", 1));
        int bit, options;

        Parser() {
            opts.mandatory = 1;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            if (e.id() == 1) {
                opts.parse(e, invert);
                options |= OP_SET;
                return true;
            }
            String v = args.value(opt);
            opts.parse(e, invert);
            if (v.isEmpty()) throw new RuleError("Argument must have a minimum length of 1 characters");
            // connlabel_value_parse: strtoul base 0 over the whole text, else the label map's name
            int[] end = new int[1];
            long n = strtoumaxPrefix(v, end);
            long b = n >= 0 && end[0] == v.length() ? n : bitOf(v);
            if (b < 0) throw new RuleError("label '" + v + "' not found or invalid value");
            bit = (int) (b & 0xFFFF);
            if (invert) options |= OP_INVERT;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            if (bit >= MAX_BITS) throw kernelRefusesRange(); // nf_connlabels_get: beyond NF_CT_LABELS_MAX_SIZE
            return new ConnlabelMatch(bit, options);
        }
    }

    /** Its checkentry takes the namespace's conntrack (nf_ct_netns_get). */
    @Override
    public boolean usesConntrack() {
        return true;
    }
}
