package jnat.rules;

/**
 * -j LOG (libxt_LOG.c, xt_LOG.c): the kernel log line of nf_log_syslog.c ({@link NfLogSyslog}) to the
 * namespace's log ({@link XtNet#log}: what the user named, e.g. jnat replay --log FILE); the walk
 * continues. --log-uid's UID=0 GID=0 is printed for the host's own packets (jnat's host sends as root),
 * nothing for others, as the kernel prints nothing without a local socket.
 */
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

    /** The namespace's kernel log, bound by {@link XtNet#bind}. */
    Net net;

    /** log_tg: nf_log_packet with this rule's level, flags and prefix, then XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        Net n = net;
        if (n != null && n.sink != null) {
            int len = ctx.packetBytes(n.packet);
            int macLen = ctx.macHeader(n.mac);
            StringBuilder m = n.line;
            m.setLength(0);
            NfLogSyslog.packet(m, prefix, logFlags, ctx, n.packet, len, n.mac, Math.max(macLen, 0));
            n.sink.line(level, m);
        }
        return true;
    }

    /** Where a namespace's kernel log lines go (dmesg's reader). */
    public interface Sink {
        /** One line at syslog {@code level} (0 emerg .. 7 debug); {@code text} is valid during the call. */
        void line(int level, CharSequence text);
    }

    /** The namespace's kernel log: one sink (null: lines are built by nobody, as no logger is registered). */
    public static final class Net {
        private Sink sink;
        private final byte[] packet = new byte[0x10000 + 64];
        private final byte[] mac = new byte[64];
        private final StringBuilder line = new StringBuilder(256);

        public void listen(Sink s) {
            this.sink = s;
        }
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
