package jnat.rules;

/**
 * -j CT and its alias -j NOTRACK (xt_CT.c, libxt_CT.c revision 2). --notrack: the packet leaves the
 * raw table untracked (IP_CT_UNTRACKED): conntrack skips it, -m conntrack --ctstate UNTRACKED
 * matches it, NAT does not apply; a packet that already carries a connection (the host's ICMP
 * error with nf_ct_attach, a packet looped through lo) keeps it, and xt_ct_tg_check ignores every
 * other option beside it. Without it the kernel attaches a template connection carrying the
 * options: --ctevents/--expevents choose which ctnetlink events the connection reports, which
 * changes nothing a packet meets (jnat has no event listener). --zone, --zone-orig and --zone-reply
 * put the connection the packet makes or finds in that conntrack zone (its id, or with "mark" the
 * packet's mark as conntrack sees it, nf_ct_zone_tmpl), for both directions or one. What jnat's
 * conntrack does not have is refused with the reason: helpers, timeout policies. Only in raw.
 */
public final class CtTarget extends Target {
    /** True for the NOTRACK alias (XT_CT_NOTRACK_ALIAS): saved as "-j NOTRACK", listed as "CT ... NOTRACK". */
    public final boolean alias;
    public final boolean notrack;
    /** The IPCT_* and IPEXP_* event masks. */
    final int ctEvents, expEvents;
    /** What --notrack makes the kernel ignore, kept for the listing: helper and timeout names ("" none), the zone. */
    final String helper, timeout;
    final int zone, zoneFlags;
    static final int ZONE_DIR_ORIG = 2, ZONE_DIR_REPL = 4, ZONE_MARK = 8;

    static final String[] CT_EVENTS = {"new", "related", "destroy", "reply", "assured", "protoinfo", "helper", "mark",
        "natseqinfo", "secmark"};
    static final String[] EXP_EVENTS = {"new"};

    CtTarget(boolean alias, boolean notrack, int ctEvents, int expEvents, String helper, String timeout, int zone, int zoneFlags) {
        this.alias = alias;
        this.notrack = notrack;
        this.ctEvents = ctEvents;
        this.expEvents = expEvents;
        this.helper = helper;
        this.timeout = timeout;
        this.zone = zone;
        this.zoneFlags = zoneFlags;
    }

    @Override
    public String name() {
        return "CT";
    }

    @Override
    public String saveName() {
        return alias ? "NOTRACK" : "CT";
    }

    @Override
    public String table() {
        return "raw";
    }

    @Override
    public int hooks() {
        return Hook.PREROUTING.bit() | Hook.OUTPUT.bit();
    }

    /** xt_ct_target: untracked with --notrack; else the template's zone for the packet's conntrack lookup. */
    @Override
    public boolean apply(PacketContext ctx) {
        if (notrack) {
            ctx.notrack();
        } else {
            int dirs = (zoneFlags & ZONE_DIR_ORIG) != 0 ? 1 : 0;
            if ((zoneFlags & ZONE_DIR_REPL) != 0) dirs |= 2;
            ctx.ctZoneTemplate(zone, dirs == 0 ? 3 : dirs, (zoneFlags & ZONE_MARK) != 0);
        }
        return true; // XT_CONTINUE
    }

    private static void events(StringBuilder out, String pfx, String[] names, int mask) {
        out.append(' ').append(pfx).append(' ');
        String sep = "";
        for (int i = 0; i < names.length; i++) {
            if ((mask & 1 << i) == 0) continue;
            out.append(sep).append(names[i]);
            sep = ",";
        }
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (alias) {
            out.append(" NOTRACK");
            return;
        }
        out.append(" CT");
        dump(out, "");
    }

    /** ct_print_v1 and ct_save_v1: the same words, "--" before each in the save. */
    private void dump(StringBuilder out, String p) {
        if (notrack) out.append(' ').append(p).append("notrack");
        if (!helper.isEmpty()) out.append(' ').append(p).append("helper ").append(helper);
        if (!timeout.isEmpty()) out.append(' ').append(p).append("timeout ").append(timeout);
        if (ctEvents != 0) events(out, p + "ctevents", CT_EVENTS, ctEvents);
        if (expEvents != 0) events(out, p + "expevents", EXP_EVENTS, expEvents);
        if ((zoneFlags & ZONE_MARK) != 0 || zone != 0) {
            out.append(' ').append(p).append("zone");
            int dir = zoneFlags & (ZONE_DIR_ORIG | ZONE_DIR_REPL);
            if (dir == ZONE_DIR_ORIG) out.append("-orig");
            if (dir == ZONE_DIR_REPL) out.append("-reply");
            if ((zoneFlags & ZONE_MARK) != 0) out.append(" mark");
            else out.append(' ').append(zone);
        }
    }

    @Override
    public void save(StringBuilder out) {
        if (!alias) dump(out, "--");
    }

    static final class Parser extends ModuleParser {
        private static final int O_NOTRACK = 0, O_HELPER = 1, O_TIMEOUT = 2, O_CTEVENTS = 3, O_EXPEVENTS = 4,
                O_ZONE_ORIG = 5, O_ZONE_REPLY = 6, O_ZONE = 7;
        private final XtOptions opts = new XtOptions("CT",
                XtOptions.entry("notrack", O_NOTRACK),
                XtOptions.entry("helper", O_HELPER),
                XtOptions.entry("timeout", O_TIMEOUT),
                XtOptions.entry("ctevents", O_CTEVENTS),
                XtOptions.entry("expevents", O_EXPEVENTS),
                XtOptions.entry("zone-orig", O_ZONE_ORIG),
                XtOptions.entry("zone-reply", O_ZONE_REPLY),
                XtOptions.entry("zone", O_ZONE));
        private final boolean alias;
        private boolean notrack;
        private int ctEvents, expEvents, zone, zoneFlags;
        private String unmodelled, helper = "", timeout = "";

        Parser(boolean alias) {
            this.alias = alias;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (alias) return false; // NOTRACK has no options
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = e.id() == O_NOTRACK ? null : args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case O_NOTRACK -> notrack = true;
                case O_HELPER -> {
                    helper = v.length() > 15 ? v.substring(0, 15) : v; // char helper[16]
                    unmodelled = "jnat's conntrack has no helpers (--helper " + v + ")";
                }
                case O_TIMEOUT -> {
                    timeout = v.length() > 31 ? v.substring(0, 31) : v; // char timeout[32]
                    unmodelled = "jnat's conntrack has no timeout policies (--timeout " + v + ")";
                }
                case O_CTEVENTS -> ctEvents = events(CT_EVENTS, v);
                case O_EXPEVENTS -> expEvents = events(EXP_EVENTS, v);
                default -> { // the zones: ct_parse_zone_id
                    if (e.id() == O_ZONE_ORIG) zoneFlags |= ZONE_DIR_ORIG;
                    if (e.id() == O_ZONE_REPLY) zoneFlags |= ZONE_DIR_REPL;
                    zone = 0;
                    if (v.equalsIgnoreCase("mark")) {
                        zoneFlags |= ZONE_MARK;
                    } else {
                        long z = strtoul(v, 0xFFFF);
                        if (z < 0) throw new RuleError("Cannot parse " + v + " as a zone ID");
                        zone = (int) z;
                    }
                }
            }
            return true;
        }

        /** ct_parse_events: comma-separated names, each exactly one of the table's. */
        private static int events(String[] names, String v) {
            int mask = 0;
            for (String t : v.split(",", -1)) {
                int i = java.util.Arrays.asList(names).indexOf(t);
                if (i < 0) throw new RuleError("Unknown event type \"" + t + "\"");
                mask |= 1 << i;
            }
            return mask;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            // xt_ct_tg_check: with --notrack nothing else is looked at
            if (!notrack && unmodelled != null) throw new RuleError("CT target is not supported by jnat here: " + unmodelled);
            // NOTRACK is CT --notrack (XT_CT_NOTRACK | XT_CT_NOTRACK_ALIAS)
            return new CtTarget(alias, notrack || alias, ctEvents, expEvents, helper, timeout, zone, zoneFlags);
        }
    }

    @Override
    public boolean usesConntrack() {
        return !notrack; // xt_ct_tg_check: --notrack takes no conntrack
    }
}
