package jnat.ipset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ipset command (ipset 7.17: ipset.c and libipset's session, parse and print): one command
 * line, or a restore's lines, against a namespace's sets. Output and messages are ipset's:
 * "ipset v7.17: " before an error, exit code 1 for what the kernel or an element parser refuses,
 * 2 with "Try `ipset help'..." for a malformed command line.
 */
public final class Ipset {
    private Ipset() {}

    static final String PREFIX = "ipset v7.17: ";
    private static final String TRY = "Try `ipset help' for more information.\n";

    /** The outcome: standard output and error, the exit code and whether the sets changed. */
    public record Result(String out, String err, int exitCode, boolean changed) {}

    /** A malformed command line (ipset_err with IPSET_PARAMETER_PROBLEM): exit code 2. */
    private static final class Usage extends RuntimeException {
        Usage(String message) {
            super(message);
        }
    }

    /** The session's environment options (ipset_envopts) and what a command writes. */
    private static final class Session {
        boolean exist, quiet, sorted, names, terse;
        String mode;
        String file;
        final StringBuilder out = new StringBuilder(), err = new StringBuilder();
        boolean changed;
        /** A sets file's exact expiries, by the index of their add line. */
        Map<Integer, Long> expires;
        /** The set a restore created last (a sets file's layout line follows its members). */
        IpSet last;
        /** The expiry for the add being restored, 0 for none. */
        long expiry;
    }

    private enum Cmd {
        CREATE("create", "n", "-N"), ADD("add", "a", "-A"), DEL("del", "d", "-D"), TEST("test", "t", "-T"),
        DESTROY("destroy", "x", "-X"), LIST("list", "l", "-L"), SAVE("save", "s", "-S"), RESTORE("restore", "r", "-R"),
        FLUSH("flush", "f", "-F"), RENAME("rename", "e", "-E"), SWAP("swap", "w", "-W"), HELP("help", "h", "-H"),
        VERSION("version", "v", "-V");

        final String name, letter, old;

        Cmd(String name, String letter, String old) {
            this.name = name;
            this.letter = letter;
            this.old = old;
        }

        /** ipset_match_cmd: the name, a prefix of it longer than one letter, its letter or the old option. */
        static Cmd of(String arg) {
            if (arg.equals("-v") || arg.equals("--version")) return VERSION;
            if (arg.equals("-h") || arg.equals("--help")) return HELP;
            for (Cmd c : values()) {
                if (arg.equals(c.letter) || arg.equals(c.old)) return c;
                if (arg.length() > 1 && arg.length() <= c.name.length() && c.name.startsWith(arg)) return c;
            }
            return null;
        }
    }

    /** Runs one ipset command line ({@code stdin} is restore's input when no -file is given). */
    public static Result run(IpSetCore core, List<String> argv, String stdin) {
        Session s = new Session();
        int code = 0;
        try {
            code = command(core, s, new ArrayList<>(argv), stdin);
        } catch (Usage e) {
            if (!s.quiet) s.err.append(PREFIX).append(e.getMessage()).append('\n').append(TRY);
            code = 2;
        } catch (IpSetError e) {
            if (!s.quiet) s.err.append(PREFIX).append(e.getMessage()).append('\n');
            code = 1;
        }
        return new Result(s.out.toString(), s.err.toString(), code, s.changed);
    }

    /** Whether an argument is the environment option (ipset_match_envopt: one or two dashes). */
    private static boolean opt(String arg, String... names) {
        String a = arg.startsWith("--") ? arg.substring(1) : arg;
        for (String n : names) if (a.equals(n)) return true;
        return false;
    }

    /** Takes the environment options out of the arguments, wherever they are (ipset_parse_argv). */
    private static void envOptions(Session s, List<String> args) {
        for (int i = 0; i < args.size(); ) {
            String a = args.get(i);
            if (opt(a, "-exist", "-!")) s.exist = true;
            else if (opt(a, "-quiet", "-q")) s.quiet = true;
            else if (opt(a, "-sorted", "-s")) s.sorted = true;
            else if (opt(a, "-name", "-n")) s.names = true;
            else if (opt(a, "-terse", "-t")) s.terse = true;
            else if (opt(a, "-resolve", "-r")) {
                // no name resolution in jnat's namespace: the numeric forms are what it would print
            } else if (opt(a, "-output", "-o") || opt(a, "-file", "-f")) {
                if (i + 1 >= args.size()) throw new Usage("Missing mandatory argument to option " + a);
                String v = args.remove(i + 1);
                if (opt(a, "-file", "-f")) s.file = v;
                else if (v.equals("plain") || v.equals("save") || v.equals("xml")) s.mode = v;
                else throw new IpSetError("Syntax error: unknown output mode '" + v + "'");
            } else {
                i++;
                continue;
            }
            args.remove(i);
        }
    }

    private static int command(IpSetCore core, Session s, List<String> args, String stdin) {
        envOptions(s, args);
        if (args.isEmpty()) throw new Usage("No command specified.");
        Cmd cmd = Cmd.of(args.get(0));
        if (cmd == null) throw new Usage("No command specified: unknown argument " + args.get(0));
        args.remove(0);
        return execute(core, s, cmd, args, stdin);
    }

    private static String arg(List<String> args, int i, Cmd cmd) {
        if (args.size() <= i) {
            throw new Usage("Missing " + (i == 0 ? "" : "second ") + "mandatory argument to command " + cmd.name);
        }
        return args.get(i);
    }

    private static void noMore(List<String> args, int n) {
        if (args.size() > n) throw new Usage("Unknown argument " + args.get(n));
    }

    private static int execute(IpSetCore core, Session s, Cmd cmd, List<String> args, String stdin) {
        switch (cmd) {
            case CREATE -> {
                String name = arg(args, 0, cmd), type = arg(args, 1, cmd);
                s.last = core.create(name, type(type), createOptions(type, args.subList(2, args.size())), s.exist);
                s.changed = true;
            }
            case ADD, DEL, TEST -> {
                String name = arg(args, 0, cmd), elem = arg(args, 1, cmd);
                IpSet set = core.require(name);
                String shown = elem;
                if (set instanceof ListSet && args.size() >= 4 && (args.get(2).equals("before") || args.get(2).equals("after"))) {
                    elem = elem + " " + args.get(2) + " " + args.get(3);
                    shown = args.get(1) + " after " + args.get(3); // libipset prints "after" for both
                    args = new ArrayList<>(args);
                    args.remove(2);
                    args.remove(2);
                }
                IpSetExt ext = elementOptions(set, cmd, args.subList(2, args.size()));
                ext.expires = s.expiry;
                if (cmd == Cmd.ADD) {
                    s.changed = true; // a range's elements before a failing one stay added, as the kernel's uadt loop leaves them
                    set.add(elem, ext, s.exist);
                } else if (cmd == Cmd.DEL) {
                    s.changed = true;
                    set.del(elem, s.exist);
                } else {
                    boolean in = set.test(elem);
                    String e = set instanceof BitmapIpMac m ? m.shown(elem) : set instanceof BitmapPort ? elem.substring(elem.indexOf(':') + 1)
                            : set.dimension() >= 2 && !(set instanceof HashNetIface) ? withProtocol(elem) : shown;
                    if (!s.quiet) s.err.append(in ? "Warning: " + e + " is in set " + name + ".\n" : e + " is NOT in set " + name + ".\n");
                    return in ? 0 : 1;
                }
            }
            case DESTROY, FLUSH -> {
                String name = args.isEmpty() ? null : args.get(0);
                noMore(args, 1);
                if (cmd == Cmd.DESTROY) core.destroy(name);
                else core.flush(name);
                s.changed = true;
            }
            case LIST, SAVE -> {
                String name = args.isEmpty() ? null : args.get(0);
                noMore(args, 1);
                String mode = s.mode != null ? s.mode : cmd == Cmd.SAVE ? "save" : "plain";
                List<IpSet> sets = name == null ? dumpOrder(core.sets()) : List.of(core.require(name));
                StringBuilder out = new StringBuilder();
                if (mode.equals("xml")) IpSetXml.list(out, sets, s.names, s.terse, s.sorted);
                else list(out, sets, mode.equals("save"), s);
                if (s.file != null) write(s.file, out.toString());
                else s.out.append(out);
            }
            case RENAME, SWAP -> {
                String a = arg(args, 0, cmd), b = arg(args, 1, cmd);
                noMore(args, 2);
                if (cmd == Cmd.RENAME) core.rename(a, b);
                else core.swap(a, b);
                s.changed = true;
            }
            case RESTORE -> {
                noMore(args, 0);
                String text = s.file != null ? read(s.file) : stdin == null ? "" : stdin;
                return restore(core, s, text);
            }
            case VERSION -> s.out.append("ipset v7.17, protocol version: 7\n");
            case HELP -> throw new IpSetError("jnat: ipset help is not printed by jnat; see ipset(8)");
        }
        return 0;
    }

    /** The element as libipset prints the parsed data back: a port without a protocol is tcp's. */
    private static String withProtocol(String elem) {
        int comma = elem.indexOf(','), next = elem.indexOf(',', comma + 1);
        if (comma < 0 || elem.substring(comma + 1, next < 0 ? elem.length() : next).indexOf(':') >= 0) return elem;
        return elem.substring(0, comma + 1) + "tcp:" + elem.substring(comma + 1);
    }

    /** libipset's type lookup: a name ipset knows but jnat lacks is refused by name. */
    private static String type(String t) {
        if (IpSetCore.TYPES.contains(t)) return t;
        if (List.of("hash:mac", "hash:ip,mac", "hash:net,net",
                "hash:ip,port,net", "hash:net,port,net", "hash:ip,mark").contains(t)) {
            throw new IpSetError("jnat: set type " + t + " is not supported yet (" + String.join(", ", IpSetCore.TYPES) + " are)");
        }
        throw new IpSetError("Syntax error: typename '" + t + "' is unknown");
    }

    /** The create options of the hash types: keyword and value pairs and flags. */
    private static Map<String, String> createOptions(String type, List<String> args) {
        Map<String, String> o = new LinkedHashMap<>();
        boolean bitmap = type.startsWith("bitmap:"), list = type.equals("list:set");
        List<String> valued = new ArrayList<>(bitmap ? List.of("range", "timeout") : list ? List.of("size", "timeout")
                : List.of("family", "hashsize", "maxelem", "bucketsize", "initval", "timeout"));
        if (type.equals("hash:ip") || type.equals("bitmap:ip")) valued.add("netmask");
        List<String> flags = List.of("counters", "comment", "skbinfo", "forceadd");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-4") || a.equals("-6")) && !bitmap && !list) {
                o.put("family", a.equals("-4") ? "inet" : "inet6");
            } else if (valued.contains(a)) {
                if (i + 1 >= args.size()) throw new Usage("Missing mandatory argument of option `" + a + "'");
                String v = args.get(++i);
                if (a.equals("range") && type.equals("bitmap:port") && v.indexOf('-') < 0) throw new Usage("Mandatory option `to' is missing");
                checkRange(a, v);
                o.put(a, v);
            } else if (flags.contains(a)) {
                o.put(a, "");
            } else {
                throw new Usage("Unknown argument: `" + a + "'");
            }
        }
        if (bitmap && !o.containsKey("range")) throw new Usage("Mandatory option `range' is missing");
        return o;
    }

    /** ipset_parse_uint32's range messages for the options with a range. */
    private static void checkRange(String opt, String v) {
        long max = switch (opt) {
            case "timeout" -> 2147483L;
            case "netmask" -> -1;
            default -> 0;
        };
        if (max == 0) return;
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IpSetError("Syntax error: '" + v + "' is invalid as number");
        }
        if (opt.equals("netmask")) return; // the family decides the range: IpSetCore.create checks it
        if (n < 0 || n > max) throw new IpSetError("Syntax error: '" + v + "' is out of range 0-" + max);
    }

    /** The options after an element: timeout, packets, bytes, comment, nomatch (net types), skbinfo's. */
    private static IpSetExt elementOptions(IpSet set, Cmd cmd, List<String> args) {
        IpSetExt e = new IpSetExt();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean add = cmd == Cmd.ADD;
            if (a.equals("nomatch") && set.supportsNomatch() && cmd != Cmd.TEST) {
                e.nomatch = true;
                continue;
            }
            if (!add || !List.of("timeout", "packets", "bytes", "comment", "skbmark", "skbprio", "skbqueue").contains(a)) {
                throw new Usage("Unknown argument: `" + a + "'");
            }
            if (i + 1 >= args.size()) throw new Usage("Missing mandatory argument of option `" + a + "'");
            String v = args.get(++i);
            switch (a) {
                case "timeout" -> e.timeout = uint(v, 2147483L);
                case "packets" -> e.packets = uint(v, Long.MAX_VALUE);
                case "bytes" -> e.bytes = uint(v, Long.MAX_VALUE);
                case "comment" -> {
                    if (v.indexOf('"') >= 0) throw new IpSetError("Syntax error: \" character is not permitted in comments");
                    e.comment = v;
                }
                case "skbmark" -> {
                    int slash = v.indexOf('/');
                    e.skbmark = uint(slash < 0 ? v : v.substring(0, slash), 0xFFFFFFFFL);
                    if (slash >= 0) e.skbmarkmask = uint(v.substring(slash + 1), 0xFFFFFFFFL);
                }
                case "skbprio" -> {
                    int colon = v.indexOf(':');
                    if (colon < 0) throw new IpSetError("Syntax error: cannot parse " + v + " as skbprio");
                    e.skbprio = uint(v.substring(0, colon), 0xFFFF) << 16 | uint(v.substring(colon + 1), 0xFFFF);
                }
                default -> e.skbqueue = uint(v, 0xFFFF);
            }
        }
        return e;
    }

    private static long uint(String v, long max) {
        long n;
        try {
            n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IpSetError("Syntax error: '" + v + "' is invalid as number");
        }
        if (n < 0 || n > max) throw new IpSetError("Syntax error: '" + v + "' is out of range 0-" + max);
        return n;
    }

    /** ipset list (plain: the headers and members, a blank line between sets; -t without members; -n the names) or save. */
    private static void list(StringBuilder out, List<IpSet> sets, boolean save, Session s) {
        boolean first = true;
        for (IpSet set : sets) {
            if (s.names) {
                out.append(set.name()).append('\n');
                continue;
            }
            if (save) {
                out.append("create ").append(set.name()).append(' ').append(set.type).append(' ').append(set.header()).append('\n');
                if (!s.terse) for (String m : set.members(s.sorted)) out.append("add ").append(set.name()).append(' ').append(m).append('\n');
                continue;
            }
            if (!first) out.append('\n');
            first = false;
            out.append("Name: ").append(set.name()).append('\n');
            out.append("Type: ").append(set.type).append('\n');
            out.append("Revision: ").append(set.revision).append('\n');
            out.append("Header: ").append(set.header()).append('\n');
            out.append("Size in memory: ").append(set.memsize()).append('\n');
            out.append("References: ").append(set.references()).append('\n');
            out.append("Number of entries: ").append(set.entries()).append('\n');
            if (s.terse) continue;
            out.append("Members:\n");
            for (String m : set.members(s.sorted)) out.append(m).append('\n');
        }
    }

    /**
     * The sets in the order the kernel dumps them all (ip_set_dump_do's two passes): the sets by
     * index, then the list:set ones (IPSET_DUMP_LAST), so a restore of the save finds each member.
     */
    static List<IpSet> dumpOrder(List<IpSet> sets) {
        List<IpSet> out = new ArrayList<>();
        for (IpSet set : sets) if (!(set instanceof ListSet)) out.add(set);
        for (IpSet set : sets) if (set instanceof ListSet) out.add(set);
        return out;
    }

    /** The text {@code ipset save} prints for every set. */
    public static String save(IpSetCore core) {
        StringBuilder out = new StringBuilder();
        list(out, dumpOrder(core.sets()), true, new Session());
        return out.toString();
    }

    /** A sets file's marker after an element with a timeout: its expiry in jiffies, so that reloading loses no time. */
    private static final String EXPIRES = "# jnat: expires ", LAYOUT = "# jnat: layout ";

    /**
     * The sets file: {@code ipset save}'s text (ipset restore reads it), each element with a
     * timeout followed by a comment line holding its exact expiry, which {@link #load} restores.
     */
    public static String saveFile(IpSetCore core) {
        StringBuilder out = new StringBuilder();
        for (IpSet set : dumpOrder(core.sets())) { // a list:set after its members, which a load adds by name
            out.append("create ").append(set.name()).append(' ').append(set.type).append(' ').append(set.header()).append('\n');
            List<Long> expires = new ArrayList<>();
            List<String> members = set.members(false, expires);
            for (int i = 0; i < members.size(); i++) {
                out.append("add ").append(set.name()).append(' ').append(members.get(i)).append('\n');
                if (expires.get(i) != 0) out.append(EXPIRES).append(expires.get(i)).append('\n');
            }
            if (set instanceof HashGen h) out.append(LAYOUT).append(h.layout()).append('\n');
            if (set instanceof BitmapGen b) out.append(LAYOUT).append(b.layout()).append('\n');
        }
        return out.toString();
    }

    /** Loads {@code ipset save} text into the (empty) core; an error names its line. */
    public static void load(IpSetCore core, String text) {
        load(core, text, true);
    }

    /**
     * As {@link #load(IpSetCore, String)}; {@code exact} false ignores a sets file's exact expiries
     * (they are of jnat ipset's wall clock), each element's timeout then counting from now.
     */
    public static void load(IpSetCore core, String text, boolean exact) {
        Session s = new Session();
        s.expires = new java.util.HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 1; i < lines.length && exact; i++) {
            if (lines[i].startsWith(EXPIRES)) s.expires.put(i - 1, Long.parseLong(lines[i].substring(EXPIRES.length()).strip()));
        }
        try {
            restore(core, s, text);
        } catch (Usage e) {
            throw new IpSetError(e.getMessage());
        }
    }

    /**
     * ipset restore: each line a command without "ipset" (create, add, del, flush, destroy, rename,
     * swap, ...), blank lines and # comments skipped, COMMIT accepted; the first failing line stops
     * it with "Error in line N: ", what it did before staying done.
     */
    private static int restore(IpSetCore core, Session s, String text) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (s.expires != null && l.startsWith(LAYOUT.strip())) {
                String layout = l.substring(LAYOUT.strip().length());
                if (s.last instanceof HashGen h) h.applyLayout(layout);
                else if (s.last instanceof BitmapGen b) b.applyLayout(layout);
                continue;
            }
            if (l.isEmpty() || l.startsWith("#") || l.equals("COMMIT")) continue;
            List<String> argv = split(l);
            Cmd cmd = Cmd.of(argv.get(0));
            if (cmd == null) throw new Usage("No command specified: unknown argument " + argv.get(0));
            if (cmd == Cmd.RESTORE) throw new Usage("Restore command is not supported in restore mode");
            argv.remove(0);
            s.expiry = s.expires == null ? 0 : s.expires.getOrDefault(i, 0L);
            try {
                execute(core, s, cmd, argv, null);
            } catch (IpSetError e) {
                throw new IpSetError("Error in line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return 0;
    }

    /** build_argv: words split at blanks, a double-quoted word kept whole (without its quotes). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false, any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (!quoted && (c == ' ' || c == '\t')) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
            } else {
                w.append(c);
                any = true;
            }
        }
        if (any) out.add(w.toString());
        return out;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IpSetError("Cannot open file " + file + ": " + e.getMessage());
        }
    }

    private static void write(String file, String text) {
        try {
            Files.writeString(Path.of(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IpSetError("Cannot open file " + file + ": " + e.getMessage());
        }
    }
}
