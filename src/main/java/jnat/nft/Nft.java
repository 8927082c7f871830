package jnat.nft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * nft 1.0's command line (src/main.c, libnftables.c) over a ruleset: options -f FILE, -a, -s, -n, -c; the
 * remaining words joined into one command. Everything a call asks for is one transaction, as nft's batch
 * is: any error reports nft's messages and changes nothing.
 */
public final class Nft {
    private Nft() {}

    /** What a call printed and whether it changed the ruleset. */
    public record Result(int exitCode, String out, String err, boolean changed) {}

    public static Result run(NftRuleset rs, List<String> args) {
        return run(rs, args, null);
    }

    /**
     * As {@link #run(NftRuleset, List)}, with {@code fileText} (when not null) the contents of -f's file, which
     * another process read (a running gateway's control socket is sent the file, not its name's meaning).
     */
    public static Result run(NftRuleset rs, List<String> args, String fileText) {
        boolean handles = false, stateless = false, numeric = false, check = false;
        String file = null;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!words.isEmpty()) {
                words.add(a);
                continue;
            }
            switch (a) {
                case "-a", "--handle" -> handles = true;
                case "-s", "--stateless" -> stateless = true;
                case "-n", "--numeric" -> numeric = true;
                case "-c", "--check" -> check = true;
                case "-f", "--file" -> {
                    if (i + 1 >= args.size()) return usage("option requires an argument -- 'f'");
                    file = args.get(++i);
                }
                case "-j", "--json" -> {
                    return new Result(1, "", "Error: jnat nft: JSON output (-j) is not supported yet\n", false);
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1 && !a.matches("-[0-9].*")) return usage("unrecognized option '" + a + "'");
                    words.add(a);
                }
            }
        }
        Printer.Options opts = new Printer.Options(handles, stateless, numeric);
        String name;
        String text;
        if (file != null) {
            name = file.equals("-") ? "/dev/stdin" : file;
            if (fileText != null) {
                text = fileText;
            } else {
                try {
                    text = Files.readString(Path.of(file.equals("-") ? "/dev/stdin" : file), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return new Result(1, "", "Error: Could not process rule: No such file or directory\n", false);
                }
            }
        } else {
            if (words.isEmpty()) return new Result(0, "", "", false);
            name = null;
            text = String.join(" ", words) + "\n"; // nft's buffer ends in a newline
        }
        return transaction(rs, name, text, opts, check, false);
    }

    private static Result usage(String msg) {
        return new Result(1, "", "nft: " + msg + "\nTry `nft -h' for more information.\n", false);
    }

    /** Parses and applies {@code text} as one batch; {@code file} null for the command line. */
    static Result transaction(NftRuleset rs, String file, String text, Printer.Options opts, boolean check, boolean restore) {
        NftRuleset work = rs.copy();
        Scanner sc = new Scanner(file, text);
        sc.restore = restore;
        List<Scanner.Token> tokens = sc.scan();
        Commands k = new Commands(work, opts);
        k.tokens = tokens;
        k.restore = restore;
        Parser p = new Parser(tokens, k);
        k.errors = p.errors;
        try {
            p.file();
        } catch (NftError e) {
            if (!p.errors.contains(e)) p.errors.add(e);
        }
        List<NftError> errors = reported(p.errors);
        if (!errors.isEmpty()) return new Result(1, "", NftError.formatAll(file, sc.lines, errors), false);
        if (!check) rs.replaceWith(work);
        return new Result(0, k.output.toString(), "", !check && k.modified);
    }

    /** nft stops after the parser's errors, then after evaluation's; the kernel's come last. */
    static List<NftError> reported(List<NftError> all) {
        List<NftError> syntax = all.stream().filter(e -> e.getMessage().startsWith("syntax error")).toList();
        List<NftError> eval = all.stream().filter(e -> !e.kernel && !syntax.contains(e)).toList();
        if (!syntax.isEmpty() || !eval.isEmpty()) {
            List<NftError> r = new ArrayList<>(syntax);
            r.addAll(eval);
            return r;
        }
        return all;
    }

    /** The file {@code -f} names in {@code args}, or null: what a control client reads and sends. */
    public static String fileArgument(List<String> args) {
        for (int i = 0; i + 1 < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-f") || a.equals("--file")) return args.get(i + 1);
            if (!a.startsWith("-")) return null; // the command's words began
        }
        return null;
    }

    /** The rules file jnat keeps: nft -a list ruleset's text with the handle counters, read back by {@link #load}. */
    public static String save(NftRuleset rs) {
        StringBuilder sb = new StringBuilder("# table_handle ").append(rs.tableHandle).append('\n');
        Printer pr = new Printer(new Printer.Options(true, false, true));
        for (NftTable t : rs.tables) {
            String s = pr.table(t);
            int nl = s.indexOf('\n');
            sb.append(s, 0, nl + 1).append("\t# hgenerator ").append(t.hgenerator).append('\n').append(s.substring(nl + 1));
        }
        return sb.toString();
    }

    /** A ruleset from nft -f's text ({@code file} names it in messages); nft's messages when it does not load. */
    public static NftRuleset parse(String file, String text) {
        NftRuleset rs = new NftRuleset();
        Result r = transaction(rs, file, text, new Printer.Options(false, false, false), false, false);
        if (r.exitCode() != 0) throw new IllegalArgumentException(r.err());
        return rs;
    }

    /** Reads a file {@link #save} wrote; a message for what it cannot read. */
    public static NftRuleset load(String text) {
        NftRuleset rs = new NftRuleset();
        Result r = transaction(rs, "rules", text, new Printer.Options(true, false, true), false, true);
        if (r.exitCode() != 0) throw new IllegalArgumentException(r.err());
        return rs;
    }
}
