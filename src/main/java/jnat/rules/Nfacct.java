package jnat.rules;

import java.util.List;

/**
 * nfacct(8) 1.0.2 (nfacct.c over libnetfilter_acct) on a namespace's {@link NfnlAcct}: list [reset]
 * [xml], add NAME [byte|packet QUOTA], delete NAME, get NAME [reset] [xml], flush, restore (from
 * standard input), version and help, with its messages and exit codes. Each command is one
 * nfnetlink_acct request, so it is atomic. {@link #saveFile}/{@link #load} keep the objects in
 * `nfacct list` text (what restore reads), quota objects too.
 */
public final class Nfacct {
    private Nfacct() {}

    static final String VERSION = "1.0.2";

    /** What the command printed, its exit code, and whether the objects changed (the file is rewritten). */
    public record Result(int exitCode, String out, String err, boolean changed) {}

    private static final String VERSION_MSG = "nfacct v" + VERSION + ": utility for the Netfilter extended accounting "
            + "infrastructure\nCopyright (C) 2011 Pablo Neira Ayuso <pablo@netfilter.org>\n"
            + "Copyright (C) 2011 Intra2net AG <http://www.intra2net.com>\n"
            + "This program comes with ABSOLUTELY NO WARRANTY.\n"
            + "This is free software, and you are welcome to redistribute it under certain \n"
            + "conditions; see LICENSE file distributed in this package for details.\n";

    private static final String HELP_MSG = "nfacct v" + VERSION + ": utility for the Netfilter extended accounting "
            + "infrastructure\nUsage: nfacct command [parameters]...\n\nCommands:\n"
            + "  list [reset]\t\tList the accounting object table (and reset)\n"
            + "  add object-name\tAdd new accounting object to table\n"
            + "  delete object-name\tDelete existing accounting object\n"
            + "  get object-name\tGet existing accounting object\n"
            + "  flush\t\t\tFlush accounting object table\n"
            + "  restore\t\tRestore accounting object table reading 'list' output from stdin\n"
            + "  monitor\t\tListens for quota attainment notifications\n"
            + "  version\t\tDisplay version and disclaimer\n"
            + "  help\t\t\tDisplay this help message\n";

    private static final String USAGE = "Usage: nfacct command [parameters]...\n";

    /** Runs one nfacct command line (the words after "nfacct"); {@code stdin} is restore's input. */
    public static Result run(NfnlAcct acct, List<String> args, String stdin) {
        Run r = new Run(acct);
        r.exit = r.main(args, stdin == null ? "" : stdin);
        return new Result(r.exit, r.out.toString(), r.err.toString(), r.changed);
    }

    private static final class Run {
        final NfnlAcct acct;
        final StringBuilder out = new StringBuilder(), err = new StringBuilder();
        boolean changed, xmlHeader;
        int exit;

        Run(NfnlAcct acct) {
            this.acct = acct;
        }

        /** strncmp(arg, word, strlen(arg)) == 0: any prefix of the word, the empty one too. */
        static boolean abbrev(String arg, String word) {
            return word.startsWith(arg);
        }

        /** nfacct_perror: with errno 0 the bare message, else strerror's after it. */
        int perror(String msg) {
            err.append("nfacct v").append(VERSION).append(": ").append(msg).append('\n');
            return 1;
        }

        int error(int negErrno) {
            String s = switch (-negErrno) {
                case NfnlAcct.ENOENT -> "No such file or directory";
                case NfnlAcct.EBUSY -> "Device or resource busy";
                case NfnlAcct.EEXIST -> "File exists";
                default -> "Invalid argument";
            };
            return perror("error: " + s);
        }

        int main(List<String> a, String stdin) {
            if (a.isEmpty()) {
                err.append(USAGE);
                return 1;
            }
            String c = a.get(0);
            int argc = a.size() + 1; // argv[0] is "nfacct"
            if (abbrev(c, "list")) return list(a, argc);
            if (abbrev(c, "add")) return add(a, argc);
            if (abbrev(c, "delete")) return delete(a, argc);
            if (abbrev(c, "get")) return get(a, argc);
            if (abbrev(c, "flush")) return flush(argc);
            if (abbrev(c, "version")) {
                out.append(VERSION_MSG);
                return 0;
            }
            if (abbrev(c, "help")) {
                out.append(HELP_MSG);
                return 0;
            }
            if (abbrev(c, "restore")) return restore(stdin);
            if (abbrev(c, "monitor")) {
                err.append("jnat nfacct: monitor is not supported: jnat sends no NFNLGRP_ACCT_QUOTA notifications to listen to\n");
                return 1;
            }
            err.append("nfacct v").append(VERSION).append(": Unknown command: ").append(c).append('\n').append(USAGE);
            return 1;
        }

        /** The options after the command (reset, xml): duplicates refused only where {@code strict}; -1 when refused. */
        int options(List<String> a, int from, boolean strict, boolean[] reset, boolean[] xml) {
            for (int i = from; i < a.size(); i++) {
                String w = a.get(i);
                if (abbrev(w, "reset")) {
                    if (strict && reset[0]) return duparg(w);
                    reset[0] = true;
                } else if (abbrev(w, "xml")) {
                    if (strict && xml[0]) return duparg(w);
                    xml[0] = true;
                } else {
                    perror("unknown argument");
                    return -1;
                }
            }
            return 0;
        }

        int duparg(String key) {
            err.append("Error: duplicate \"").append(key).append("\" or collision with another option \n");
            return -1;
        }

        int list(List<String> a, int argc) {
            boolean[] reset = {false}, xml = {false};
            if (options(a, 1, true, reset, xml) < 0) return 1;
            for (NfnlAcct.Obj o : acct.objects()) print(o, xml[0], reset[0]);
            if (xmlHeader) out.append("</nfacct>\n");
            return 0;
        }

        int get(List<String> a, int argc) {
            if (argc < 3) return perror("missing object name");
            boolean[] reset = {false}, xml = {false};
            if (options(a, 2, false, reset, xml) < 0) return 1;
            NfnlAcct.Obj o = acct.find(a.get(1));
            if (o == null) return error(-NfnlAcct.ENOENT);
            print(o, xml[0], reset[0]);
            if (xmlHeader) out.append("</nfacct>\n");
            return 0;
        }

        /** nfacct_cb: the object as nfacct_snprintf prints it (what the kernel reported, before a reset). */
        void print(NfnlAcct.Obj o, boolean xml, boolean reset) {
            if (xml && !xmlHeader) {
                out.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<nfacct>\n");
                xmlHeader = true;
            }
            out.append(xml ? xmlLine(o) : plainLine(o)).append('\n');
            if (reset) {
                NfnlAcct.reset(o);
                changed = true;
            }
        }

        int add(List<String> a, int argc) {
            if (argc < 3) return perror("missing object name");
            if (argc == 3) return add(a.get(1), 0, 0, 0, 0);
            if (argc == 4) return perror("missing quota value");
            if (argc == 5 && !a.get(2).equals("byte") && !a.get(2).equals("packet")) {
                return perror("argument must \"byte\" or \"packet\"");
            }
            if (argc > 5) return perror("too many arguments");
            int mode = a.get(2).equals("byte") ? NfnlAcct.F_QUOTA_BYTES : NfnlAcct.F_QUOTA_PKTS;
            Long quota = scanU64(a.get(3), new int[] {0});
            if (quota == null) return perror("error reading quota");
            return add(a.get(1), 0, 0, mode, quota);
        }

        int add(String name, long pkts, long bytes, int flags, long quota) {
            int r = acct.add(name, pkts, bytes, flags, quota);
            if (r < 0) return error(r);
            changed = true;
            return 0;
        }

        int delete(List<String> a, int argc) {
            if (argc < 3) return perror("missing object name");
            if (argc > 3) return perror("too many arguments");
            int r = acct.del(a.get(1));
            if (r < 0) return error(r);
            changed = true;
            return 0;
        }

        int flush(int argc) {
            if (argc > 2) return perror("too many arguments");
            int before = acct.objects().size();
            acct.flush();
            changed = acct.objects().size() != before;
            return 0;
        }

        /** nfacct_cmd_restore: each line up to its ';' scanned as the plain list format, then added. */
        int restore(String stdin) {
            for (String line : lines(stdin)) {
                int semi = line.indexOf(';');
                if (semi < 0) return perror("invalid line");
                String buf = line.substring(0, semi);
                Object[] v;
                int flags = 0;
                long quota = 0;
                if (!buf.contains("quota")) {
                    v = scanf(buf, "{ pkts = %u, bytes = %u } = %s");
                    if (v.length != 3) return perror("error reading input");
                } else {
                    v = scanf(buf, "{ pkts = %u, bytes = %u, quota = %u, mode = %s } = %s");
                    if (v.length != 5) return perror("error reading input");
                    quota = (Long) v[2];
                    flags = v[3].equals("byte") ? NfnlAcct.F_QUOTA_BYTES : NfnlAcct.F_QUOTA_PKTS;
                    v = new Object[] {v[0], v[1], v[4]};
                }
                if (add((String) v[2], (Long) v[0], (Long) v[1], flags, quota) != 0) return 1;
            }
            return 0;
        }
    }

    /** fgets' lines (each with its newline, the last one maybe without), at most 511 bytes each. */
    private static List<String> lines(String text) {
        List<String> out = new java.util.ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int nl = text.indexOf('\n', i);
            int end = nl < 0 ? text.length() : nl + 1;
            if (end - i > 511) end = i + 511;
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }

    /**
     * sscanf with %u (PRIu64: strtoull's optional sign and decimal digits) and %s, whitespace in the
     * format matching any run of it: the conversions made before the first mismatch.
     */
    static Object[] scanf(String in, String fmt) {
        List<Object> got = new java.util.ArrayList<>();
        int[] pos = {0};
        for (int f = 0; f < fmt.length(); f++) {
            char fc = fmt.charAt(f);
            if (fc == ' ') {
                while (pos[0] < in.length() && Character.isWhitespace(in.charAt(pos[0]))) pos[0]++;
            } else if (fc == '%') {
                char conv = fmt.charAt(++f);
                while (pos[0] < in.length() && Character.isWhitespace(in.charAt(pos[0]))) pos[0]++;
                if (conv == 'u') {
                    Long n = scanU64(in.substring(pos[0]), pos);
                    if (n == null) break;
                    got.add(n);
                } else {
                    int s = pos[0];
                    while (pos[0] < in.length() && !Character.isWhitespace(in.charAt(pos[0]))) pos[0]++;
                    if (s == pos[0]) break;
                    got.add(in.substring(s, pos[0]));
                }
            } else {
                if (pos[0] >= in.length() || in.charAt(pos[0]) != fc) break;
                pos[0]++;
            }
        }
        return got.toArray();
    }

    /** %PRIu64 at the start of {@code s} (after blanks): its value, ULLONG_MAX past it, negatives wrapped; {@code adv[0]} moves past it. */
    static Long scanU64(String s, int[] adv) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        int d = i;
        java.math.BigInteger v = java.math.BigInteger.ZERO;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = v.multiply(java.math.BigInteger.TEN).add(java.math.BigInteger.valueOf(s.charAt(i) - '0'));
            i++;
        }
        if (i == d) return null;
        adv[0] += i;
        if (v.bitLength() > 64) return -1L;
        long n = v.longValue();
        return neg ? -n : n;
    }

    /** nfacct_snprintf_plain with NFACCT_SNPRINTF_F_FULL. */
    public static String plainLine(NfnlAcct.Obj o) {
        StringBuilder b = new StringBuilder("{ pkts = ").append(u20(o.pkts)).append(", bytes = ").append(u20(o.bytes));
        if ((o.flags & NfnlAcct.F_QUOTA) != 0) {
            b.append(", quota = ").append(u20(o.quota))
                    .append(", mode = ").append((o.flags & NfnlAcct.F_QUOTA_PKTS) != 0 ? "packet" : "byte")
                    .append(", overquota = ").append((o.flags & NfnlAcct.F_OVERQUOTA) != 0 ? "yes" : "no");
        }
        return b.append(" } = ").append(o.name).append(';').toString();
    }

    /** nfacct_snprintf_xml: the name and both counters. */
    static String xmlLine(NfnlAcct.Obj o) {
        return "<obj><name>" + o.name + "</name><pkts>" + u20(o.pkts) + "</pkts><bytes>" + u20(o.bytes) + "</bytes></obj>";
    }

    /** %.20lu: unsigned, zero-padded to 20 digits. */
    static String u20(long v) {
        String s = Long.toUnsignedString(v);
        return "0".repeat(20 - s.length()) + s;
    }

    /** The objects as a file: `nfacct list` text, one line each (what {@link #load} reads back). */
    public static String saveFile(NfnlAcct acct) {
        StringBuilder b = new StringBuilder();
        for (NfnlAcct.Obj o : acct.objects()) b.append(plainLine(o)).append('\n');
        return b.toString();
    }

    /**
     * Reads `nfacct list` text into {@code acct}: counters, quotas and the overquota flag as listed
     * (where nfacct restore 1.0.2 cannot read a quota line back). Throws on a line it cannot read.
     */
    public static void load(NfnlAcct acct, String text) {
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (line.isBlank()) continue;
            int semi = line.lastIndexOf(';');
            int eq = line.indexOf(" } = ");
            if (!line.startsWith("{ ") || semi < 0 || eq < 0) throw new IllegalArgumentException("line " + n + ": not an nfacct list line");
            String name = line.substring(eq + 5, semi);
            long pkts = 0, bytes = 0, quota = 0;
            int flags = 0;
            for (String field : line.substring(2, eq).split(", ")) {
                int e = field.indexOf(" = ");
                if (e < 0) throw new IllegalArgumentException("line " + n + ": bad field " + field);
                String k = field.substring(0, e), v = field.substring(e + 3);
                try {
                    switch (k) {
                        case "pkts" -> pkts = Long.parseUnsignedLong(v);
                        case "bytes" -> bytes = Long.parseUnsignedLong(v);
                        case "quota" -> quota = Long.parseUnsignedLong(v);
                        case "mode" -> flags |= v.equals("packet") ? NfnlAcct.F_QUOTA_PKTS : NfnlAcct.F_QUOTA_BYTES;
                        case "overquota" -> flags |= v.equals("yes") ? NfnlAcct.F_OVERQUOTA : 0;
                        default -> throw new IllegalArgumentException("line " + n + ": unknown field " + k);
                    }
                } catch (NumberFormatException x) {
                    throw new IllegalArgumentException("line " + n + ": bad number " + v);
                }
            }
            acct.put(name, pkts, bytes, flags, quota);
        }
    }
}
