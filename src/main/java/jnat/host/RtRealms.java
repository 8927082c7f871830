package jnat.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * iproute2's route realms (lib/rt_names.c over /etc/iproute2/rt_realms, RTA_FLOW): a route's
 * realms are one 32-bit tclassid, the source realm in the high half and the destination realm
 * in the low half, written "realm D" or "realms S/D" with names from the file (0 is "cosmos").
 */
public final class RtRealms {
    private RtRealms() {}

    private static final List<String[]> NAMES = load(Path.of("/etc/iproute2/rt_realms"));

    /** rtnl_tab_initialize: "id name" lines, ids 0-255 (decimal or hex), '#' comments; without the file, 0 is cosmos. */
    private static List<String[]> load(Path file) {
        List<String[]> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] w = line.strip().split("\\s+");
                if (w.length < 2 || w[0].startsWith("#")) continue;
                int id = number(w[0]);
                if (id >= 0 && id < 256) names.add(new String[] {Integer.toString(id), w[1]});
            }
        } catch (IOException e) {
            names.add(new String[] {"0", "cosmos"});
        }
        return names;
    }

    private static int number(String s) {
        try {
            long v = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16)
                    : s.length() > 1 && s.startsWith("0") ? Long.parseLong(s.substring(1), 8) : Long.parseLong(s);
            return v < 0 || v > 0xFFFFFFFFL || s.startsWith("+") || s.startsWith("-") ? -1 : (int) v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** rtnl_rtrealm_a2n: a name of the file, or a number up to 255; -1 for neither. */
    static int realm(String s) {
        for (String[] n : NAMES) if (n[1].equals(s)) return Integer.parseInt(n[0]);
        int v = number(s);
        return v >= 0 && v < 256 ? v : -1;
    }

    /** rtnl_rtrealm_n2a: the realm's name, or its number. */
    static String name(int realm) {
        for (String[] n : NAMES) if (Integer.parseInt(n[0]) == realm) return n[1];
        return Integer.toString(realm);
    }

    /**
     * get_rt_realms_or_raw: "S/D" or "D" (names or numbers up to 255, an empty side 0), else a raw
     * 32-bit number; -1 when invalid (ip's "realm" value is invalid).
     */
    static long parse(String s) {
        int slash = s.indexOf('/');
        long realms = 0;
        boolean ok = true;
        String d = s;
        if (slash >= 0) {
            int from = realm(s.substring(0, slash));
            if (from < 0) ok = false;
            realms = (long) from << 16;
            d = s.substring(slash + 1);
        }
        if (ok && !d.isEmpty()) {
            int to = realm(d);
            if (to < 0) ok = false;
            else realms |= to;
        }
        if (ok) return realms;
        int raw = number(s);
        return raw == -1 && !s.equals("4294967295") ? -1 : Integer.toUnsignedLong(raw);
    }

    /** print_rta_flow: "realms S/D " with a source realm, else "realm D "; nothing for 0 (no RTA_FLOW). */
    static void print(StringBuilder sb, int tclassid) {
        if (tclassid == 0) return;
        int from = tclassid >>> 16, to = tclassid & 0xFFFF;
        sb.append(from != 0 ? "realms " + name(from) + "/" : "realm ").append(name(to)).append(' ');
    }
}
