package jnat.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * xtables_lmap (libxtables/xtoptions.c): the id-name pairs of an iproute2 table such as
 * /etc/iproute2/group (devgroup) or /etc/iproute2/rt_realms (realm), read once as iptables reads
 * them at start, and the value[/mask] options that take a name from them
 * (xtables_parse_val_mask, xtables_print_val_mask). No file: no names, numbers only.
 */
final class Lmap {
    record Entry(int id, String name) {}

    private final List<Entry> entries;

    private Lmap(List<Entry> entries) {
        this.entries = entries;
    }

    static final Lmap DEVGROUPS = load(Path.of("/etc/iproute2/group"));
    static final Lmap REALMS = load(Path.of("/etc/iproute2/rt_realms"));

    /** xtables_lmap_init: "id name" lines (id decimal, or hex after 0x, 0-255), '#' comments; null without the file. */
    static Lmap load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return null;
        }
        return parse(lines);
    }

    static Lmap parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            boolean hex = t.startsWith("0x");
            int i = hex ? 2 : 0;
            int start = i;
            while (i < t.length() && Character.digit(t.charAt(i), hex ? 16 : 10) >= 0) i++;
            if (i == start || i - start > 9 || i == t.length() || !Character.isWhitespace(t.charAt(i))) continue;
            int id = Integer.parseInt(t.substring(start, i), hex ? 16 : 10);
            if (id > 255) continue;
            String rest = t.substring(i).strip();
            if (rest.isEmpty() || rest.startsWith("#")) continue;
            int end = 0;
            while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) end++;
            entries.add(new Entry(id, rest.substring(0, end)));
        }
        return new Lmap(List.copyOf(entries));
    }

    /** xtables_lmap_name2id: the first entry so named, -1 for none. */
    int id(String name) {
        for (Entry e : entries) if (e.name.equals(name)) return e.id;
        return -1;
    }

    /** xtables_lmap_id2name: the first entry with the id, null for none. */
    String name(int id) {
        for (Entry e : entries) if (e.id == id) return e.name;
        return null;
    }

    /**
     * xtables_parse_val_mask: "value[/mask]" as numbers (base 0, 32 bits; mask ~0 without one),
     * or a name of {@code lmap} (which may be null) for the value alone. Returns {value, mask}.
     */
    static long[] parseValMask(String module, String opt, String arg, Lmap lmap) {
        int[] end = new int[1];
        long val = ModuleParser.strtoumaxPrefix(arg, end);
        if (val < 0 || val > 0xFFFFFFFFL) {
            if (lmap == null) throw badValue(module, opt);
            return byName(module, opt, arg, lmap);
        }
        if (end[0] == arg.length()) return new long[] {val, 0xFFFFFFFFL};
        if (arg.charAt(end[0]) != '/') {
            if (lmap == null) {
                throw new RuleError(module + ": trailing garbage after value for option \"" + opt + "\".\n");
            }
            return byName(module, opt, arg, lmap);
        }
        String m = arg.substring(end[0] + 1);
        int[] mend = new int[1];
        long mask = ModuleParser.strtoumaxPrefix(m, mend);
        if (mask < 0 || mask > 0xFFFFFFFFL) throw badValue(module, opt);
        if (mend[0] != m.length()) {
            throw new RuleError(module + ": trailing garbage after value for option \"" + opt + "\".\n");
        }
        return new long[] {val, mask};
    }

    private static RuleError badValue(String module, String opt) {
        return new RuleError(module + ": bad integer value for option \"" + opt + "\", or out of range.\n");
    }

    private static long[] byName(String module, String opt, String arg, Lmap lmap) {
        int id = lmap.id(arg);
        if (id < 0) {
            throw new RuleError(module + ": could not map name " + arg + " to an integer value for option \"" + opt + "\".\n");
        }
        return new long[] {id, 0xFFFFFFFFL};
    }

    /** xtables_print_val_mask: " 0xV/0xM" with a mask, else the value's name in {@code lmap} (null: none) or " 0xV". */
    static void printValMask(StringBuilder out, long val, long mask, Lmap lmap) {
        if (mask != 0xFFFFFFFFL) {
            out.append(" 0x").append(Long.toHexString(val)).append("/0x").append(Long.toHexString(mask));
            return;
        }
        String name = lmap == null ? null : lmap.name((int) val);
        out.append(' ').append(name != null ? name : "0x" + Long.toHexString(val));
    }
}
