package jnat.ipset;

import java.util.List;
import java.util.Set;

/**
 * ipset list -o xml (and save -o xml, which prints the same): libipset's XML output, the header's
 * options and each member's as elements, a flag as an empty one ({@code <counters/>}, {@code
 * <nomatch/>}); values as the plain listing prints them, unescaped (a comment keeps its quotes).
 * forceadd is not printed, as ipset 7.17 does not.
 */
final class IpSetXml {
    /** The header's and members' options without a value. */
    private static final Set<String> FLAGS = Set.of("counters", "comment", "skbinfo", "forceadd", "nomatch");

    private IpSetXml() {}

    static void list(StringBuilder out, List<IpSet> sets, boolean names, boolean terse, boolean sorted) {
        out.append("<ipsets>\n");
        for (IpSet set : sets) {
            if (names) {
                out.append("<ipset name=\"").append(set.name()).append("\"/>\n");
                continue;
            }
            out.append("<ipset name=\"").append(set.name()).append("\">\n");
            out.append("<type>").append(set.type).append("</type>\n");
            out.append("<revision>").append(set.revision).append("</revision>\n");
            out.append("<header>");
            options(out, set.header());
            out.append('\n');
            out.append("<memsize>").append(set.memsize()).append("</memsize>\n");
            out.append("<references>").append(set.references()).append("</references>\n");
            out.append("<numentries>").append(set.entries()).append("</numentries>\n");
            out.append("</header>\n");
            if (!terse) {
                out.append("<members>\n");
                for (String m : set.members(sorted)) {
                    int sp = m.indexOf(' ');
                    out.append("<member><elem>").append(sp < 0 ? m : m.substring(0, sp)).append("</elem>");
                    if (sp >= 0) options(out, m.substring(sp + 1));
                    out.append("</member>\n");
                }
                out.append("</members>\n");
            }
            out.append("</ipset>\n");
        }
        out.append("</ipsets>\n");
    }

    /** "key value flag key "quoted value"" as {@code <key>value</key><flag/>...}. */
    private static void options(StringBuilder out, String text) {
        int i = 0, n = text.length();
        while (i < n) {
            int end = text.indexOf(' ', i);
            if (end < 0) end = n;
            String key = text.substring(i, end);
            i = end + 1;
            if (key.isEmpty()) continue;
            boolean valued = !FLAGS.contains(key) || key.equals("comment") && i < n && text.charAt(i) == '"';
            if (!valued) {
                if (!key.equals("forceadd")) out.append('<').append(key).append("/>");
                continue;
            }
            int vend;
            if (i < n && text.charAt(i) == '"') {
                vend = text.indexOf('"', i + 1);
                vend = vend < 0 ? n : vend + 1;
            } else {
                vend = text.indexOf(' ', i);
                if (vend < 0) vend = n;
            }
            String value = text.substring(Math.min(i, n), vend);
            out.append('<').append(key).append('>').append(value).append("</").append(key).append('>');
            i = vend + 1;
        }
    }
}
