package jnat.rules;

/** -m comment --comment TEXT: always matches (libxt_comment.c). */
public final class CommentMatch implements Match {
    public final String comment;

    CommentMatch(String comment) {
        this.comment = comment;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "comment";
    }

    @Override
    public boolean matches(PacketContext ctx) {
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" /* ").append(comment).append(" */");
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --comment");
        saveString(out, comment);
    }

    /** xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with \ before " \ '. */
    static void saveString(StringBuilder out, String s) {
        out.append(' ');
        boolean bare = !s.isEmpty() && s.chars().allMatch(c -> c == '_' || c == '-'
                || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
        if (bare) {
            out.append(s);
            return;
        }
        out.append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\' || c == '\'') out.append('\\');
            out.append(c);
        }
        out.append('"');
    }

    static final class Parser extends ModuleParser {
        String comment;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--comment")) return false;
            noInvert("comment", opt, invert);
            comment = args.value(opt);
            if (comment.length() > 255) throw new RuleError("comment: option \"--comment\" must be 255 characters or less");
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (comment == null) throw new RuleError("comment: option \"--comment\" must be specified");
            return new CommentMatch(comment);
        }
    }
}
