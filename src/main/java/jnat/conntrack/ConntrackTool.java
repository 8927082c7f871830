package jnat.conntrack;

import jnat.wire.Ipv6Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conntrack(8) command (conntrack-tools 1.4.7) against a {@link ConnTable}: {@code -L} list,
 * {@code -D} delete, {@code -F} flush, {@code -C} count, {@code -G} get one, {@code -S} statistics, with the original/reply tuple filters
 * ({@code -s -d -r -q -p --sport --dport --reply-port-src --reply-port-dst}), {@code -n}/{@code -g}
 * (source/destination NATed), {@code -f ipv4|ipv6} (both families without it, as conntrack lists
 * them), {@code --icmp-type/--icmp-code/--icmp-id}, {@code -m MARK[/MASK]} and {@code -o extended,id}. Output, the summary line on stderr and the
 * exit codes are conntrack's: 0, 1 when {@code -D} deleted nothing, 2 for a bad command line.
 * The caller serialises this with the packet path.
 */
public final class ConntrackTool {
    private ConntrackTool() {}

    public record Result(int exitCode, String stdout, String stderr) {}

    private static final String PREFIX = "conntrack v" + ConntrackPrinter.VERSION + " (conntrack-tools): ";
    private static final String TRY = "Try `conntrack -h' or 'conntrack --help' for more information.\n";

    private enum Command { LIST, DELETE, FLUSH, COUNT, GET, STATS, EVENT, UPDATE }

    /** conntrack-tools' optflags, in its order: the first illegal one given is the one its error names. */
    private static final String[] OPTFLAGS = {"src", "dst", "reply-src", "reply-dst", "protonum", "timeout", "status",
        "zero", "event-mask", "tuple-src", "tuple-dst", "mask-src", "mask-dst", "nat-range", "mark", "id", "family",
        "src-nat", "dst-nat", "output", "secmark", "buffer-size", "any-nat", "zone", "label", "label-add", "label-del",
        "orig-zone", "reply-zone"};
    private static final int OPT_SRC = 0, OPT_DST = 1, OPT_REPLY_SRC = 2, OPT_REPLY_DST = 3, OPT_PROTONUM = 4,
            OPT_TIMEOUT = 5, OPT_STATUS = 6, OPT_EVENT_MASK = 8, OPT_MARK = 14, OPT_FAMILY = 16, OPT_SRC_NAT = 17,
            OPT_DST_NAT = 18, OPT_OUTPUT = 19, OPT_BUFFER_SIZE = 21, OPT_ANY_NAT = 22, OPT_ZONE = 23,
            OPT_ORIG_ZONE = 27, OPT_REPLY_ZONE = 28;

    /**
     * commands_v_options, one row per command over the options above (0 illegal, 1 compulsory,
     * 2 optional, 3 decided by generic_opt_check's address pairs).
     */
    private static String legal(Command c) {
        //                       s d r q p t u z e [ ] { } a m i f n g o c b j w l < > ( )
        return switch (c) {
            case LIST ->   "22222022000220202222202220022";
            case UPDATE -> "22222220000220222222000022200";
            case DELETE -> "22222220000220222222000222002";
            case GET ->    "33331000000000002000200002000";
            case FLUSH ->  "00000000000000002000000000000";
            case EVENT ->  "22222000200220202222222220022";
            case COUNT, STATS -> "00000000000000000000000000000";
        };
    }

    static final class BadArgs extends Exception {
        BadArgs(String message) {
            super(message);
        }
    }

    /** A parsed command line. */
    private static final class Cmd {
        Command cmd;
        final ConntrackFilter f = new ConntrackFilter();
        int given; // the optflags bits given
        String table = "conntrack";
        boolean extended, withId, ktimestamp, timestamp, labels;
        int eventMask = EVENT_ALL;
        long bufferSize = -1;
        long timeout = -1;
    }

    /** conntrack's CT_EVENT_F_* bits of -e. */
    static final int EVENT_NEW = 1, EVENT_UPDATE = 2, EVENT_DESTROY = 4, EVENT_ALL = 7;

    private static final String[] EVENT_NAMES = {"ALL", "NEW", "UPDATES", "DESTROY"};
    private static final int[] EVENT_VALUES = {EVENT_ALL, EVENT_NEW, EVENT_UPDATE, EVENT_DESTROY};
    private static final String[] STATUS_NAMES = {"ASSURED", "SEEN_REPLY", "UNSET", "FIXED_TIMEOUT", "EXPECTED", "OFFLOAD", "HW_OFFLOAD"};
    private static final int[] STATUS_VALUES = {Status.ASSURED, Status.SEEN_REPLY, 0, Status.FIXED_TIMEOUT, Status.EXPECTED,
        Status.OFFLOAD, Status.HW_OFFLOAD};

    private static Cmd parse(List<String> args) throws BadArgs {
        Cmd c = new Cmd();
        ConntrackFilter f = c.f;
        List<String> portOptions = new ArrayList<>();
        List<String> icmpOptions = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            Command k = switch (a) {
                case "-L", "--dump" -> Command.LIST;
                case "-D", "--delete" -> Command.DELETE;
                case "-F", "--flush" -> Command.FLUSH;
                case "-C", "--count" -> Command.COUNT;
                case "-G", "--get" -> Command.GET;
                case "-S", "--stats" -> Command.STATS;
                case "-E", "--event" -> Command.EVENT;
                case "-U", "--update" -> Command.UPDATE;
                default -> null;
            };
            if (k != null) {
                if (c.cmd != null) throw new BadArgs("Invalid commands combination");
                c.cmd = k;
                if (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) { // the [table]
                    String type = args.get(++i);
                    boolean known = type.equals("conntrack") || k == Command.STATS && type.equals("expect");
                    if (!known) throw new BadArgs("unknown type `" + type + "'");
                    c.table = type;
                }
                continue;
            }
            c.given |= switch (a) {
                case "-s", "--src", "--orig-src" -> 1 << OPT_SRC;
                case "-d", "--dst", "--orig-dst" -> 1 << OPT_DST;
                case "-r", "--reply-src" -> 1 << OPT_REPLY_SRC;
                case "-q", "--reply-dst" -> 1 << OPT_REPLY_DST;
                case "-p", "--protonum", "--proto" -> 1 << OPT_PROTONUM;
                case "-t", "--timeout" -> 1 << OPT_TIMEOUT;
                case "-u", "--status" -> 1 << OPT_STATUS;
                case "-e", "--event-mask" -> 1 << OPT_EVENT_MASK;
                case "-m", "--mark" -> 1 << OPT_MARK;
                case "-f", "--family" -> 1 << OPT_FAMILY;
                case "-n", "--src-nat" -> 1 << OPT_SRC_NAT;
                case "-g", "--dst-nat" -> 1 << OPT_DST_NAT;
                case "-j", "--any-nat" -> 1 << OPT_ANY_NAT;
                case "-o", "--output" -> 1 << OPT_OUTPUT;
                case "-b", "--buffer-size" -> 1 << OPT_BUFFER_SIZE;
                case "-w", "--zone" -> 1 << OPT_ZONE;
                case "--orig-zone" -> 1 << OPT_ORIG_ZONE;
                case "--reply-zone" -> 1 << OPT_REPLY_ZONE;
                default -> 0;
            };
            switch (a) {
                case "-s", "--src", "--orig-src" -> f.origSrc = f.family(address(value(args, ++i, a), "orig-src", true));
                case "-d", "--dst", "--orig-dst" -> f.origDst = f.family(address(value(args, ++i, a), "orig-dst", true));
                case "-r", "--reply-src" -> f.replySrc = f.family(address(value(args, ++i, a), "reply-src", false));
                case "-q", "--reply-dst" -> f.replyDst = f.family(address(value(args, ++i, a), "reply-dst", false));
                case "-p", "--protonum", "--proto" -> f.protocol = protocol(value(args, ++i, a));
                case "--sport", "--orig-port-src" -> { f.origSport = port(value(args, ++i, a)); portOptions.add(a); }
                case "--dport", "--orig-port-dst" -> { f.origDport = port(value(args, ++i, a)); portOptions.add(a); }
                case "--reply-port-src" -> { f.replySport = port(value(args, ++i, a)); portOptions.add(a); }
                case "--reply-port-dst" -> { f.replyDport = port(value(args, ++i, a)); portOptions.add(a); }
                case "--icmp-type" -> { f.icmpType = byteValue(value(args, ++i, a)); icmpOptions.add(a); }
                case "--icmp-code" -> { f.icmpCode = byteValue(value(args, ++i, a)); icmpOptions.add(a); }
                case "--icmp-id" -> { f.icmpId = port(value(args, ++i, a)); icmpOptions.add(a); }
                case "-t", "--timeout" -> c.timeout = atol(value(args, ++i, a));
                case "-u", "--status" -> status(f, value(args, ++i, a));
                case "-e", "--event-mask" -> c.eventMask = names(value(args, ++i, a), EVENT_NAMES, EVENT_VALUES);
                case "-m", "--mark" -> mark(f, value(args, ++i, a));
                case "-n", "--src-nat", "-g", "--dst-nat", "-j", "--any-nat" -> {
                    char o = a.length() == 2 ? a.charAt(1) : a.charAt(2) == 's' ? 'n' : a.charAt(2) == 'd' ? 'g' : 'j';
                    if (o == 'n') f.srcNat = true;
                    else if (o == 'g') f.dstNat = true;
                    else f.anyNat = true;
                    // get_optional_arg: the next word, unless it starts with - or !
                    if (i + 1 < args.size() && !args.get(i + 1).startsWith("-") && !args.get(i + 1).startsWith("!")) {
                        natAddress(f, o, args.get(++i));
                    }
                }
                case "-w", "--zone" -> f.zone = u16(value(args, ++i, a));
                case "--orig-zone" -> f.origZone = u16(value(args, ++i, a));
                case "--reply-zone" -> f.replyZone = u16(value(args, ++i, a));
                case "-b", "--buffer-size" -> c.bufferSize = atol(value(args, ++i, a));
                case "-f", "--family" -> {
                    String fam = value(args, ++i, a);
                    // strncmp against the name's length, as do_parse does
                    if (fam.startsWith("ipv4")) f.setFamily(Tuple.NFPROTO_IPV4);
                    else if (fam.startsWith("ipv6")) f.setFamily(Tuple.NFPROTO_IPV6);
                    else throw new BadArgs("`" + fam + "' unsupported protocol");
                }
                case "-o", "--output" -> {
                    String v = value(args, ++i, a);
                    for (String o : v.split(",", -1)) {
                        switch (o) {
                            case "extended" -> c.extended = true;
                            case "id" -> c.withId = true;
                            case "timestamp" -> c.timestamp = true;
                            case "ktimestamp" -> c.ktimestamp = true;
                            case "labels" -> c.labels = true;
                            case "userspace" -> { } // 1.4.7 maps it to no flag: [USERSPACE] is always printed
                            case "xml", "save" -> throw new BadArgs("output format `" + o + "' is not supported by jnat");
                            default -> throw new BadArgs("Bad parameter `" + v + "'");
                        }
                    }
                }
                case "-z", "--zero", "-i", "--id", "-c", "--secmark", "-l", "--label", "--label-add", "--label-del",
                     "--mask-src", "--mask-dst", "--tuple-src", "--tuple-dst", "-a", "--nat-range" ->
                        throw new BadArgs("option `" + a + "' is not supported by jnat");
                default -> throw new BadArgs("unknown option `" + a + "'");
            }
        }
        if (c.cmd == null) throw new BadArgs("no command specified");
        if (f.anyNat && (f.srcNat || f.dstNat)) throw new BadArgs("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
        // generic_opt_check: the options in their order, each against the command's row
        String row = legal(c.cmd);
        boolean special = false;
        for (int b = 0; b < OPTFLAGS.length; b++) {
            char l = row.charAt(b);
            if ((c.given & 1 << b) == 0) {
                if (l == '1') throw new BadArgs("You need to supply the `--" + OPTFLAGS[b] + "' option for this command");
            } else if (l == '0') {
                throw new BadArgs("Illegal option `--" + OPTFLAGS[b] + "' with this command");
            }
            if (l == '3') special = true;
        }
        if (special) {
            int orig = 1 << OPT_SRC | 1 << OPT_DST, reply = 1 << OPT_REPLY_SRC | 1 << OPT_REPLY_DST;
            if ((c.given & orig) != orig && (c.given & reply) != reply) {
                if ((c.given & orig) == 0 && (c.given & reply) != 0) throw new BadArgs("you have to specify `--reply-src' and `--reply-dst'");
                throw new BadArgs("you have to specify `--src' and `--dst'");
            }
        }
        // conntrack knows the port options only once -p named a protocol with ports
        if (!portOptions.isEmpty() && f.protocol != Tuple.IPPROTO_TCP && f.protocol != Tuple.IPPROTO_UDP) {
            throw new BadArgs("unknown option `" + portOptions.getFirst() + "'");
        }
        boolean icmp = f.protocol == Tuple.IPPROTO_ICMP || f.protocol == Tuple.IPPROTO_ICMPV6;
        if (!icmpOptions.isEmpty() && !icmp) throw new BadArgs("unknown option `" + icmpOptions.getFirst() + "'");
        if (c.cmd == Command.GET) getArgs(f, c.given);
        if (c.cmd == Command.UPDATE && f.statusGiven) throw new BadArgs("option `--status' with -U is not supported by jnat");
        return c;
    }

    /** Runs {@code conntrack ARGS} at time {@code now} (the table's clock), for the packet path's own caller. */
    public static Result run(ConnTable table, List<String> args, long now) {
        return run(table, args, now, 0);
    }

    /**
     * Runs {@code conntrack ARGS} at time {@code now}; {@code portid} stands for the netlink socket
     * of the request (not 0: the events its -D, -F and -U cause carry it, as ctnetlink's do).
     */
    public static Result run(ConnTable table, List<String> args, long now, int portid) {
        Cmd c;
        try {
            c = parse(args);
        } catch (BadArgs e) {
            return new Result(2, "", PREFIX + e.getMessage() + "\n" + TRY);
        }
        ConntrackFilter f = c.f;
        ConntrackPrinter printer = new ConntrackPrinter().extended(c.extended).id(c.withId).ktimestamp(c.ktimestamp);
        String labels = c.labels ? NO_LABELMAP : "";
        int before = table.eventPortid();
        table.setEventPortid(portid);
        try {
            return switch (c.cmd) {
                case EVENT -> new Result(1, "", PREFIX + "-E needs a running gateway: jnat conntrack --control SOCKET -E\n");
                case STATS -> new Result(0, stats(table, c.table), "");
                case GET -> {
                    // ctnetlink_get_conntrack looks up the original tuple; given only the reply one it refuses
                    if (f.origSrc == null) yield new Result(1, "", PREFIX + "Operation failed: invalid parameters\n");
                    for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
                        if (table.expired(id, now) || !f.matches(table, id)) continue;
                        yield new Result(0, printer.use(2).line(table, id, now) + "\n", labels + PREFIX + "1 flow entries have been shown.\n");
                    }
                    yield new Result(1, "", labels + PREFIX + "Operation failed: such conntrack doesn't exist\n");
                }
                case LIST -> {
                    StringBuilder out = new StringBuilder();
                    int n = 0;
                    for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
                        if (table.expired(id, now) || !f.matches(table, id)) continue;
                        out.append(printer.line(table, id, now)).append('\n');
                        n++;
                    }
                    yield new Result(0, out.toString(), labels + PREFIX + n + " flow entries have been shown.\n");
                }
                case DELETE -> {
                    StringBuilder out = new StringBuilder();
                    int n = 0;
                    for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
                        if (table.expired(id, now) || !f.matches(table, id)) continue;
                        out.append(printer.line(table, id, now)).append('\n');
                        table.kill(id);
                        n++;
                    }
                    yield new Result(n == 0 ? 1 : 0, out.toString(), labels + PREFIX + n + " flow entries have been deleted.\n");
                }
                case UPDATE -> update(table, c, printer, now);
                case FLUSH -> {
                    table.flush();
                    yield new Result(0, "", PREFIX + "connection tracking table has been emptied.\n");
                }
                case COUNT -> {
                    int n = 0;
                    for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
                        if (!table.expired(id, now)) n++;
                    }
                    yield new Result(0, n + "\n", "");
                }
            };
        } finally {
            table.setEventPortid(before);
        }
    }

    /** What -o labels prints on a host without /etc/xtables/connlabel.conf (labelmap_init's perror), as jnat's. */
    private static final String NO_LABELMAP = "nfct_labelmap_new: No such file or directory\n";

    /** The bits ctnetlink_new_conntrack reports for an update (nf_conntrack_eventmask_report). */
    private static final int UPDATE_EVENTS = 1 << ConntrackEvents.IPCT_REPLY | 1 << ConntrackEvents.IPCT_ASSURED
            | 1 << ConntrackEvents.IPCT_HELPER | 1 << ConntrackEvents.IPCT_LABEL | 1 << ConntrackEvents.IPCT_PROTOINFO
            | 1 << ConntrackEvents.IPCT_SEQADJ | 1 << ConntrackEvents.IPCT_MARK;

    /**
     * {@code -U}: mnl_nfct_update_cb over a dump of the family given. Each entry that passes the
     * filters and would change (copy_mark's {@code (mark & ~mask) ^ value}, -t's timeout) is
     * updated (ctnetlink_change_conntrack, an UPDATE event) and counted. Without a family (no -f,
     * no address) the dump's entries carry none, so the kernel refuses the first update with
     * EOPNOTSUPP, as it does with conntrack 1.4.7 (ctnetlink_parse_tuple_ip knows only IPv4 and IPv6).
     * 1.4.7 asks for an ACK with the GET that reads an updated entry back and reads one message per
     * request, so from the second update on its reads fall out of step with the replies: which
     * lines it prints is what that queue of replies gives, simulated here.
     */
    private static Result update(ConnTable table, Cmd c, ConntrackPrinter printer, long now) {
        ConntrackFilter f = c.f;
        int n = 0;
        StringBuilder out = new StringBuilder();
        java.util.ArrayDeque<String> replies = new java.util.ArrayDeque<>();
        final String ack = "";
        for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
            if (table.expired(id, now) || f.family != 0 && table.family(id) != f.family || !f.matchesForUpdate(table, id)) continue;
            int mark = table.mark(id);
            int newMark = f.markGiven ? (mark & ~f.markMask) ^ f.mark : mark;
            long secs = table.expiresIn(id, now) / 1_000_000_000L;
            if (newMark == mark && (c.timeout < 0 || c.timeout == secs)) continue; // "do not send NFCT_Q_UPDATE if ct appears unchanged"
            if (f.family == 0) {
                String e = "Operation failed: " + "Operation not supported" + "\n";
                return new Result(1, out.toString(), e + PREFIX + e);
            }
            table.setMark(id, newMark);
            if (c.timeout >= 0) table.changeTimeout(id, c.timeout, now);
            table.report(UPDATE_EVENTS, id);
            n++;
            replies.add(ack);        // the update's ACK
            replies.poll();          // ... read by the update
            replies.add(printer.use(2).line(table, id, now)); // the GET's answer
            replies.add(ack);        // and the ACK it asked for
            String got = replies.poll();
            if (!got.isEmpty()) out.append(got).append('\n');
        }
        return new Result(n == 0 ? 1 : 0, out.toString(), PREFIX + n + " flow entries have been updated.\n");
    }

    /** -G names one connection: the protocol, both addresses and the protocol's tuple fields. */
    private static void getArgs(ConntrackFilter f, int given) throws BadArgs {
        if ((given & 1 << OPT_PROTONUM) == 0) throw new BadArgs("You need to supply the `--protonum' option for this command");
        boolean orig = f.origSrc != null || f.origDst != null, reply = f.replySrc != null || f.replyDst != null;
        if (orig || !reply) {
            if (f.origSrc == null || f.origDst == null) throw new BadArgs("you have to specify `--src' and `--dst'");
        }
        switch (f.protocol) {
            case Tuple.IPPROTO_TCP, Tuple.IPPROTO_UDP -> {
                boolean ports = orig ? f.origSport >= 0 && f.origDport >= 0 : f.replySport >= 0 && f.replyDport >= 0;
                if (!ports) throw new BadArgs("you have to specify `--sport' and `--dport'");
            }
            case Tuple.IPPROTO_ICMP, Tuple.IPPROTO_ICMPV6 -> {
                if (f.icmpType < 0) throw new BadArgs("You need to supply the `--icmp-type' option for this command");
                if (f.icmpCode < 0) throw new BadArgs("You need to supply the `--icmp-code' option for this command");
                if (f.icmpId < 0) throw new BadArgs("You need to supply the `--icmp-id' option for this command");
            }
            default -> { }
        }
    }

    /** {@code conntrack -S [conntrack|expect]}: a line per CPU (one per gateway worker; the file mode and replay are one CPU). */
    private static String stats(ConnTable t, String table) {
        StringBuilder b = new StringBuilder();
        for (int cpu = 0; cpu < t.cpus(); cpu++) {
            if (table.equals("expect")) { // no helpers, no expectations
                b.append(String.format("cpu=%-4d\texpect_new=0 expect_create=0 expect_delete=0 %n", cpu));
            } else {
                b.append(t.stat(cpu).line(cpu)).append('\n');
            }
        }
        return b.toString();
    }

    private static void mark(ConntrackFilter f, String s) throws BadArgs {
        // parse_u32_mask: strtoul's value, then /MASK (all ones without)
        int slash = s.indexOf('/');
        f.markGiven = true;
        f.mark = (int) strtoul(slash < 0 ? s : s.substring(0, slash));
        f.markMask = slash < 0 ? -1 : (int) strtoul(s.substring(slash + 1));
    }

    /** strtoul(s, NULL, 0) as conntrack reads marks: hex with 0x, octal with 0, what parses up to the first bad character. */
    private static long strtoul(String s) {
        int i = 0, base = 10;
        if (s.startsWith("0x") || s.startsWith("0X")) { base = 16; i = 2; }
        else if (s.length() > 1 && s.charAt(0) == '0') { base = 8; i = 1; }
        long v = 0;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), base);
            if (d < 0) break;
            v = v * base + d;
        }
        return v & 0xffffffffL;
    }

    private static long atol(String s) {
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || i == 0 && s.charAt(i) == '-')) i++;
        try {
            return i == 0 ? 0 : Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int u16(String s) {
        return (int) (strtoul(s) & 0xffff);
    }

    /** parse_parameter: comma-separated names, each a case-insensitive prefix of one of {@code names}. */
    private static int names(String arg, String[] names, int[] values) throws BadArgs {
        int v = 0;
        for (String part : arg.split(",", -1)) {
            boolean found = false;
            for (int k = 0; k < names.length && !part.isEmpty(); k++) {
                if (names[k].regionMatches(true, 0, part, 0, part.length()) && part.length() <= names[k].length()) {
                    v |= values[k];
                    found = true;
                    break;
                }
            }
            if (!found) throw new BadArgs("Bad parameter `" + arg.substring(arg.indexOf(part)) + "'");
        }
        return v;
    }

    /** parse_parameter_mask for -u: NAME sets the bit in value and mask, !NAME only in the mask, UNREPLIED masks SEEN_REPLY. */
    private static void status(ConntrackFilter f, String arg) throws BadArgs {
        int value = 0, mask = 0;
        for (String part : arg.split(",", -1)) {
            boolean neg = part.startsWith("!");
            String name = neg ? part.substring(1) : part;
            if (!neg && name.startsWith("UNREPLIED")) {
                mask |= Status.SEEN_REPLY;
                continue;
            }
            if (name.isEmpty()) throw new BadArgs("Bad parameter `" + part + "'");
            int v = names(name, STATUS_NAMES, STATUS_VALUES);
            if (neg) mask |= v;
            else value |= v;
        }
        f.statusGiven = true;
        f.status = value;
        f.statusMask = mask == 0 ? value : mask | value; // "if (tmpl->filter_status_kernel.mask == 0) mask = status"
    }

    /** -n/-g/-j's optional ADDR, ADDR:PORT or [ADDR6]:PORT (split_address_and_port). */
    private static void natAddress(ConntrackFilter f, char opt, String arg) throws BadArgs {
        String addr = arg, port = null;
        int lb = arg.indexOf('[');
        if (lb >= 0) {
            int rb = arg.indexOf(']', lb + 1);
            if (rb == lb + 1) throw new BadArgs("No IPv6 address specified");
            if (rb < 0) throw new BadArgs("No closing ']' around IPv6 address");
            int colon = arg.indexOf(':', rb);
            if (colon >= 0) { addr = arg.substring(lb + 1, rb); port = arg.substring(colon + 1); }
        } else {
            int colon = arg.indexOf(':');
            if (colon >= 0 && arg.indexOf(':', colon + 1) < 0) { addr = arg.substring(0, colon); port = arg.substring(colon + 1); }
        }
        int p = -1;
        if (port != null) {
            if (port.isEmpty()) throw new BadArgs("No port specified after `:'");
            if (!port.chars().allMatch(Character::isDigit) || port.length() > 5 || Integer.parseInt(port) > 65535) {
                throw new BadArgs("Invalid port `" + port + "'");
            }
            p = Integer.parseInt(port);
        }
        String name = opt == 'n' ? "src-nat" : opt == 'g' ? "dst-nat" : "any-nat";
        ConntrackFilter.Addr a = f.family(address(addr, name, false));
        if (opt == 'n' || opt == 'j') { f.snatAddr = a; f.snatPort = p; }
        if (opt == 'g' || opt == 'j') { f.dnatAddr = a; f.dnatPort = p; }
    }

    /** parse_addr: an IPv4 (inet_aton) or IPv6 address, with /PREFIX where the option takes one. */
    private static ConntrackFilter.Addr address(String s, String option, boolean cidr) throws BadArgs {
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        int prefix = -1;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -2;
            }
            if (prefix < 0) prefix = -2;
        }
        ConntrackFilter.Addr a;
        try {
            if (host.indexOf(':') < 0) {
                if (prefix > 32) prefix = -2;
                a = new ConntrackFilter.Addr(Tuple.NFPROTO_IPV4, Tuple.parseIp(host), 0, 0, prefix >= 0 ? prefix : 32);
            } else {
                if (prefix > 128) prefix = -2;
                byte[] b = Ipv6Address.parse(host);
                a = new ConntrackFilter.Addr(Tuple.NFPROTO_IPV6, 0, Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0), prefix >= 0 ? prefix : 128);
            }
        } catch (IllegalArgumentException e) {
            throw new BadArgs("Invalid IP address `" + s + "'");
        }
        if (prefix != -1 && !cidr) throw new BadArgs("CIDR notation unavailable for `--" + option + "'");
        if (prefix == -2) throw new BadArgs("Invalid netmask");
        return a;
    }

    private static int byteValue(String s) throws BadArgs {
        try {
            int v = Integer.parseInt(s);
            if (v >= 0 && v <= 255) return v;
        } catch (NumberFormatException ignored) {
        }
        throw new BadArgs("Bad parameter `" + s + "'");
    }

    private static String value(List<String> args, int i, String option) throws BadArgs {
        if (i >= args.size()) throw new BadArgs("option `" + option + "' requires an argument");
        return args.get(i);
    }

    private static int port(String s) throws BadArgs {
        try {
            int p = Integer.parseInt(s);
            if (p >= 0 && p <= 65535) return p;
        } catch (NumberFormatException ignored) {
        }
        throw new BadArgs("Bad parameter `" + s + "'");
    }

    private static int protocol(String s) throws BadArgs {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "tcp": return Tuple.IPPROTO_TCP;
            case "udp": return Tuple.IPPROTO_UDP;
            case "icmp": return Tuple.IPPROTO_ICMP;
            case "icmpv6": return Tuple.IPPROTO_ICMPV6;
            default:
                try {
                    int p = Integer.parseInt(s);
                    if (p >= 0 && p <= 255) return p;
                } catch (NumberFormatException ignored) {
                }
                throw new BadArgs("`" + s + "' unsupported protocol");
        }
    }

    /**
     * {@code conntrack -E [-e MASK] [FILTERS] [-o ...]} parsed once: what event_cb prints for each
     * event the listener hears, or null when the mask or nfct_filter leaves it out. Printed on the
     * engine's thread while the entry is whole; the caller adds the {@code -o timestamp} prefix when
     * the line reaches its reader (conntrack takes gettimeofday as it receives the message).
     */
    public static final class Events {
        private final Cmd c;
        private final Result error;
        private final ConntrackPrinter printer;

        private Events(Cmd c, Result error) {
            this.c = c;
            this.error = error;
            this.printer = c == null ? null : new ConntrackPrinter().extended(c.extended).id(c.withId).ktimestamp(c.ktimestamp);
        }

        /** The command line's error (exit code and conntrack's message), or null for a good -E. */
        public Result error() {
            return error;
        }

        /** The event line for {@code bits} on entry {@code id}, or null when it is not wanted. */
        public String line(int bits, ConnTable t, int id, long now) {
            String kind = ConntrackEvents.kind(bits);
            int k = kind.equals("NEW") ? EVENT_NEW : kind.equals("UPDATE") ? EVENT_UPDATE : EVENT_DESTROY;
            if ((c.eventMask & k) == 0 || !c.f.matches(t, id)) return null;
            String line = printer.event(bits, t, id, now);
            int portid = t.eventPortid();
            // event_cb: a message a netlink request caused carries its portid (progname only when conntrack finds the process)
            return portid == 0 ? line : line + " [USERSPACE] portid=" + Integer.toUnsignedString(portid);
        }

        /** {@code -o timestamp}: event_cb's "[%-.8ld.%-.6ld]\t" before each line. */
        public boolean timestamps() {
            return c.timestamp;
        }

        /** What conntrack prints on stderr before the first event: -b's NOTICE and -o labels' perror. */
        public String preamble() {
            StringBuilder sb = new StringBuilder();
            if (c.labels) sb.append(NO_LABELMAP);
            // 1.4.7 sets SO_RCVBUFFORCE on its query socket, not the event socket, and reports that
            // socket's size: the kernel doubles it (sock_setsockopt); the events' buffer is unchanged
            if (c.bufferSize >= 0) sb.append("NOTICE: Netlink socket buffer size has been set to ")
                    .append(Math.max(2 * c.bufferSize, 2304)).append(" bytes.\n");
            return sb.toString();
        }

        public static String timestampPrefix(long epochMicros) {
            long sec = epochMicros / 1_000_000, usec = epochMicros % 1_000_000;
            return String.format("[%08d.%06d]\t", sec, usec);
        }

        /** event_sighandler's line on SIGINT/SIGTERM. */
        public static String summary(int events) {
            return PREFIX + events + " flow events have been shown.\n";
        }

        /** What conntrack prints when its socket overran (recvmsg's ENOBUFS), and goes on. */
        public static final String ENOBUFS = "WARNING: We have hit ENOBUFS! We are losing events.\n"
                + "This message means that the current netlink socket buffer size is too small.\n"
                + "Please, check --buffer-size in conntrack(8) manpage.\n";
    }

    /** Parses a {@code -E} command line. */
    public static Events events(List<String> args) {
        try {
            Cmd c = parse(args);
            if (c.cmd != Command.EVENT) throw new BadArgs("not an event command");
            return new Events(c, null);
        } catch (BadArgs e) {
            return new Events(null, new Result(2, "", PREFIX + e.getMessage() + "\n" + TRY));
        }
    }

    /** Whether a command line is {@code -E} (its reply is a stream). */
    public static boolean isEvents(List<String> args) {
        return args.contains("-E") || args.contains("--event");
    }
}
