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

    private enum Command { LIST, DELETE, FLUSH, COUNT, GET, STATS }

    /** conntrack-tools' optflags, in its order: the first illegal one given is the one its error names. */
    private static final String[] OPTFLAGS = {"src", "dst", "reply-src", "reply-dst", "protonum", "timeout", "status",
        "zero", "event-mask", "tuple-src", "tuple-dst", "mask-src", "mask-dst", "nat-range", "mark", "id", "family",
        "src-nat", "dst-nat", "output"};
    private static final int OPT_SRC = 0, OPT_DST = 1, OPT_REPLY_SRC = 2, OPT_REPLY_DST = 3, OPT_PROTONUM = 4,
            OPT_MARK = 14, OPT_FAMILY = 16, OPT_SRC_NAT = 17, OPT_DST_NAT = 18, OPT_OUTPUT = 19;
    /** The options each command refuses (commands_v_options' illegal entries, for the options jnat has). */
    private static int illegal(Command c) {
        return switch (c) {
            case STATS -> -1;
            case GET -> 1 << OPT_SRC_NAT | 1 << OPT_DST_NAT;
            default -> 0;
        };
    }

    /** An address option's value: its family and address (an IPv4 int, or IPv6 hi/lo). */
    private record Addr(int family, int v4, long hi, long lo) {
        boolean isSrc(ConnTable t, int id, int dir) {
            if (t.family(id) != family) return false;
            return family == Tuple.NFPROTO_IPV4 ? t.srcAddr(id, dir) == v4 : t.srcHi(id, dir) == hi && t.srcLo(id, dir) == lo;
        }

        boolean isDst(ConnTable t, int id, int dir) {
            if (t.family(id) != family) return false;
            return family == Tuple.NFPROTO_IPV4 ? t.dstAddr(id, dir) == v4 : t.dstHi(id, dir) == hi && t.dstLo(id, dir) == lo;
        }
    }

    /** The filter of a -L or -D: -1 (or null) means any. */
    private static final class Filter {
        int protocol = -1;
        /** -f, or the family of the first address given; 0 for both. */
        int family;
        Addr origSrc, origDst, replySrc, replyDst;
        int origSport = -1, origDport = -1, replySport = -1, replyDport = -1;
        int icmpType = -1, icmpCode = -1, icmpId = -1;
        boolean srcNat, dstNat;
        /** -m/--mark VALUE[/MASK]: (mark & mask) == value; mask -1 when none was given. */
        long mark = -1;
        int markMask = -1;

        /** conntrack's family check: -f and every address option must agree. */
        Addr family(Addr a) throws BadArgs {
            setFamily(a.family());
            return a;
        }

        void setFamily(int f) throws BadArgs {
            if (family != 0 && family != f) throw new BadArgs("mismatched address family");
            family = f;
        }

        boolean matches(ConnTable t, int id) {
            if (protocol >= 0 && t.protocol(id) != protocol) return false;
            if (family != 0 && t.family(id) != family) return false;
            int o = ConnTable.ORIGINAL, r = ConnTable.REPLY;
            if (origSrc != null && !origSrc.isSrc(t, id, o)) return false;
            if (origDst != null && !origDst.isDst(t, id, o)) return false;
            if (replySrc != null && !replySrc.isSrc(t, id, r)) return false;
            if (replyDst != null && !replyDst.isDst(t, id, r)) return false;
            if (origSport >= 0 && t.srcPort(id, o) != origSport) return false;
            if (origDport >= 0 && t.dstPort(id, o) != origDport) return false;
            if (replySport >= 0 && t.srcPort(id, r) != replySport) return false;
            if (replyDport >= 0 && t.dstPort(id, r) != replyDport) return false;
            if (icmpType >= 0 && t.dstPort(id, o) >>> 8 != icmpType) return false;
            if (icmpCode >= 0 && (t.dstPort(id, o) & 0xff) != icmpCode) return false;
            if (icmpId >= 0 && t.srcPort(id, o) != icmpId) return false;
            if (mark >= 0 && (t.mark(id) & markMask) != (int) mark) return false;
            if (srcNat && (t.status(id) & Status.SRC_NAT) == 0) return false;
            if (dstNat && (t.status(id) & Status.DST_NAT) == 0) return false;
            return true;
        }
    }

    private static final class BadArgs extends Exception {
        BadArgs(String message) {
            super(message);
        }
    }

    /** Runs {@code conntrack ARGS} at time {@code now} (the table's clock). */
    public static Result run(ConnTable table, List<String> args, long now) {
        Command cmd = null;
        Filter f = new Filter();
        boolean extended = false, withId = false;
        int given = 0; // the optflags bits given
        String statsTable = "conntrack";
        List<String> portOptions = new ArrayList<>();
        List<String> icmpOptions = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                Command c = switch (a) {
                    case "-L", "--dump" -> Command.LIST;
                    case "-D", "--delete" -> Command.DELETE;
                    case "-F", "--flush" -> Command.FLUSH;
                    case "-C", "--count" -> Command.COUNT;
                    case "-G", "--get" -> Command.GET;
                    case "-S", "--stats" -> Command.STATS;
                    default -> null;
                };
                if (c != null) {
                    if (cmd != null) throw new BadArgs("Invalid commands combination");
                    cmd = c;
                    if (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) { // the [table]
                        String type = args.get(++i);
                        boolean known = type.equals("conntrack") || c == Command.STATS && type.equals("expect");
                        if (!known) throw new BadArgs("unknown type `" + type + "'");
                        statsTable = type;
                    }
                    continue;
                }
                given |= switch (a) {
                    case "-s", "--src", "--orig-src" -> 1 << OPT_SRC;
                    case "-d", "--dst", "--orig-dst" -> 1 << OPT_DST;
                    case "-r", "--reply-src" -> 1 << OPT_REPLY_SRC;
                    case "-q", "--reply-dst" -> 1 << OPT_REPLY_DST;
                    case "-p", "--protonum", "--proto" -> 1 << OPT_PROTONUM;
                    case "-m", "--mark" -> 1 << OPT_MARK;
                    case "-f", "--family" -> 1 << OPT_FAMILY;
                    case "-n", "--src-nat" -> 1 << OPT_SRC_NAT;
                    case "-g", "--dst-nat" -> 1 << OPT_DST_NAT;
                    case "-o", "--output" -> 1 << OPT_OUTPUT;
                    default -> 0;
                };
                switch (a) {
                    case "-s", "--src", "--orig-src" -> f.origSrc = f.family(address(value(args, ++i, a)));
                    case "-d", "--dst", "--orig-dst" -> f.origDst = f.family(address(value(args, ++i, a)));
                    case "-r", "--reply-src" -> f.replySrc = f.family(address(value(args, ++i, a)));
                    case "-q", "--reply-dst" -> f.replyDst = f.family(address(value(args, ++i, a)));
                    case "-p", "--protonum", "--proto" -> f.protocol = protocol(value(args, ++i, a));
                    case "--sport", "--orig-port-src" -> { f.origSport = port(value(args, ++i, a)); portOptions.add(a); }
                    case "--dport", "--orig-port-dst" -> { f.origDport = port(value(args, ++i, a)); portOptions.add(a); }
                    case "--reply-port-src" -> { f.replySport = port(value(args, ++i, a)); portOptions.add(a); }
                    case "--reply-port-dst" -> { f.replyDport = port(value(args, ++i, a)); portOptions.add(a); }
                    case "--icmp-type" -> { f.icmpType = byteValue(value(args, ++i, a)); icmpOptions.add(a); }
                    case "--icmp-code" -> { f.icmpCode = byteValue(value(args, ++i, a)); icmpOptions.add(a); }
                    case "--icmp-id" -> { f.icmpId = port(value(args, ++i, a)); icmpOptions.add(a); }
                    case "-m", "--mark" -> mark(f, value(args, ++i, a));
                    case "-n", "--src-nat" -> f.srcNat = true;
                    case "-g", "--dst-nat" -> f.dstNat = true;
                    case "-f", "--family" -> {
                        String fam = value(args, ++i, a);
                        switch (fam) {
                            case "ipv4" -> f.setFamily(Tuple.NFPROTO_IPV4);
                            case "ipv6" -> f.setFamily(Tuple.NFPROTO_IPV6);
                            default -> throw new BadArgs("`" + fam + "' unsupported protocol");
                        }
                    }
                    case "-o", "--output" -> {
                        for (String o : value(args, ++i, a).split(",")) {
                            switch (o) {
                                case "extended" -> extended = true;
                                case "id" -> withId = true;
                                case "ktimestamp", "timestamp", "labels", "userspace", "xml", "save" ->
                                        throw new BadArgs("output format `" + o + "' is not supported by jnat");
                                default -> throw new BadArgs("`" + o + "' unknown output format");
                            }
                        }
                    }
                    default -> throw new BadArgs("unknown option `" + a + "'");
                }
            }
            if (cmd == null) throw new BadArgs("no command specified");
            int bad = given & illegal(cmd);
            if (bad != 0) throw new BadArgs("Illegal option `--" + OPTFLAGS[Integer.numberOfTrailingZeros(bad)] + "' with this command");
            // conntrack knows the port options only once -p named a protocol with ports
            if (!portOptions.isEmpty() && f.protocol != Tuple.IPPROTO_TCP && f.protocol != Tuple.IPPROTO_UDP) {
                throw new BadArgs("unknown option `" + portOptions.getFirst() + "'");
            }
            boolean icmp = f.protocol == Tuple.IPPROTO_ICMP || f.protocol == Tuple.IPPROTO_ICMPV6;
            if (!icmpOptions.isEmpty() && !icmp) throw new BadArgs("unknown option `" + icmpOptions.getFirst() + "'");
            if (cmd == Command.GET) getArgs(f, given);
        } catch (BadArgs e) {
            return new Result(2, "", PREFIX + e.getMessage() + "\n" + TRY);
        }
        ConntrackPrinter printer = new ConntrackPrinter().extended(extended).id(withId);
        return switch (cmd) {
            case STATS -> new Result(0, stats(table, statsTable), "");
            case GET -> {
                // ctnetlink_get_conntrack looks up the original tuple; given only the reply one it refuses
                if (f.origSrc == null) yield new Result(1, "", PREFIX + "Operation failed: invalid parameters\n");
                for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
                    if (table.expired(id, now) || !f.matches(table, id)) continue;
                    yield new Result(0, printer.use(2).line(table, id, now) + "\n", PREFIX + "1 flow entries have been shown.\n");
                }
                yield new Result(1, "", PREFIX + "Operation failed: such conntrack doesn't exist\n");
            }
            case LIST -> {
                StringBuilder out = new StringBuilder();
                int n = 0;
                for (int id = table.nextConfirmed(0); id >= 0; id = table.nextConfirmed(id + 1)) {
                    if (table.expired(id, now) || !f.matches(table, id)) continue;
                    out.append(printer.line(table, id, now)).append('\n');
                    n++;
                }
                yield new Result(0, out.toString(), PREFIX + n + " flow entries have been shown.\n");
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
                yield new Result(n == 0 ? 1 : 0, out.toString(), PREFIX + n + " flow entries have been deleted.\n");
            }
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
    }

    /** -G names one connection: the protocol, both addresses and the protocol's tuple fields. */
    private static void getArgs(Filter f, int given) throws BadArgs {
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

    private static void mark(Filter f, String s) throws BadArgs {
        int slash = s.indexOf('/');
        try {
            f.mark = Long.decode(slash < 0 ? s : s.substring(0, slash)) & 0xffffffffL;
            f.markMask = slash < 0 ? -1 : (int) (Long.decode(s.substring(slash + 1)) & 0xffffffffL);
        } catch (NumberFormatException e) {
            throw new BadArgs("Bad parameter `" + s + "'");
        }
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

    private static Addr address(String s) throws BadArgs {
        try {
            if (s.indexOf(':') < 0) return new Addr(Tuple.NFPROTO_IPV4, Tuple.parseIp(s), 0, 0);
            byte[] b = Ipv6Address.parse(s);
            return new Addr(Tuple.NFPROTO_IPV6, 0, Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0));
        } catch (IllegalArgumentException e) {
            throw new BadArgs("Bad parameter `" + s + "'");
        }
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
}
