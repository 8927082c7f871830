package jnat.rules;

/** -j LOG (libxt_LOG.c): accepted and counted; jnat writes no kernel log, the walk continues. */
public final class LogTarget extends Target {
    /** The names -L prints for levels 0..7. */
    static final String[] LEVELS = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};
    /** The names --log-level accepts (libxt_LOG's ipt_log_names), by level. */
    static final String[][] LEVEL_NAMES = {{"emerg", "panic"}, {"alert"}, {"crit"}, {"error"}, {"warning"}, {"notice"},
        {"info"}, {"debug"}};
    static final String[] FLAG_OPTS = {"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid",
        null, "--log-macdecode"};
    static final String[] FLAG_NAMES = {"tcp-sequence", "tcp-options", "ip-options", "uid", null, "macdecode"};

    public final String prefix;
    public final int level, logFlags;

    LogTarget(String prefix, int level, int logFlags) {
        this.prefix = prefix;
        this.level = level;
        this.logFlags = logFlags;
    }

    @Override
    public String name() {
        return "LOG";
    }

    @Override
    public boolean apply(PacketContext ctx) {
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" LOG");
        if (numeric) {
            out.append(" flags ").append(logFlags).append(" level ").append(level);
        } else {
            out.append(" level ").append(level < LEVELS.length ? LEVELS[level] : Integer.toString(level));
            for (int i = 0; i < FLAG_NAMES.length; i++) {
                if (FLAG_NAMES[i] != null && (logFlags & (1 << i)) != 0) out.append(' ').append(FLAG_NAMES[i]);
            }
        }
        if (!prefix.isEmpty()) out.append(" prefix \"").append(prefix).append('"');
    }

    @Override
    public void save(StringBuilder out) {
        if (!prefix.isEmpty()) {
            out.append(" --log-prefix");
            CommentMatch.saveString(out, prefix);
        }
        if (level != 4) out.append(" --log-level ").append(level);
        for (int i = 0; i < FLAG_OPTS.length; i++) {
            if (FLAG_OPTS[i] != null && (logFlags & (1 << i)) != 0) out.append(' ').append(FLAG_OPTS[i]);
        }
    }

    static final class Parser extends ModuleParser {
        String prefix = "";
        int level = 4, flags;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (opt.equals("--log-prefix")) {
                noInvert("LOG", opt, invert);
                prefix = args.value(opt);
                if (prefix.length() > 29) throw new RuleError("Maximum prefix length 29 for --log-prefix");
                return true;
            }
            if (opt.equals("--log-level")) {
                noInvert("LOG", opt, invert);
                String v = args.value(opt);
                int l = -1;
                for (int i = 0; i < LEVEL_NAMES.length; i++) {
                    for (String name : LEVEL_NAMES[i]) if (name.equalsIgnoreCase(v)) l = i;
                }
                if (l < 0) {
                    try {
                        l = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        l = -1;
                    }
                }
                if (l < 0 || l > 7) throw new RuleError("log level \"" + v + "\" unknown");
                level = l;
                return true;
            }
            for (int i = 0; i < FLAG_OPTS.length; i++) {
                if (opt.equals(FLAG_OPTS[i])) {
                    noInvert("LOG", opt, invert);
                    flags |= 1 << i;
                    return true;
                }
            }
            return false;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new LogTarget(prefix, level, flags);
        }
    }
}
