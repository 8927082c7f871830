package jnat.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * -m owner [!] --socket-exists [!] --uid-owner U[-U] [!] --gid-owner G[-G] [--suppl-groups]
 * (xt_owner.c owner_mt, libxt_owner.c revision 1): the host's own packet comes from a socket
 * (skb->sk with a file) whose owner's fsuid/fsgid fall in the ranges. A packet without such a
 * socket matches only a rule that asks for none of these (each inverted). OUTPUT and POSTROUTING
 * only. jnat's sockets have no supplementary groups, so --suppl-groups adds nothing to the match.
 * Names are read from this machine's /etc/passwd and /etc/group, as getpwnam/getgrgid read them.
 */
public final class OwnerMatch implements Match {
    /** XT_OWNER_UID, XT_OWNER_GID, XT_OWNER_SOCKET, XT_OWNER_SUPPL_GROUPS. */
    public static final int UID = 1, GID = 2, SOCKET = 4, SUPPL_GROUPS = 8;

    public final int match, invert;
    public final long uidMin, uidMax, gidMin, gidMax;

    OwnerMatch(int match, int invert, long uidMin, long uidMax, long gidMin, long gidMax) {
        this.match = match;
        this.invert = invert;
        this.uidMin = uidMin;
        this.uidMax = uidMax;
        this.gidMin = gidMin;
        this.gidMax = gidMax;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "owner";
    }

    @Override
    public int hooks() {
        return Hook.OUTPUT.bit() | Hook.POSTROUTING.bit();
    }

    /** owner_mt. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (!ctx.hasSocketFile()) return (match ^ invert) == 0;
        if ((match & invert & SOCKET) != 0) return false;
        if ((match & UID) != 0) {
            long uid = Integer.toUnsignedLong(ctx.socketUid());
            if ((uid >= uidMin && uid <= uidMax) == ((invert & UID) != 0)) return false;
        }
        if ((match & GID) != 0) {
            long gid = Integer.toUnsignedLong(ctx.socketGid());
            if ((gid >= gidMin && gid <= gidMax) == ((invert & GID) != 0)) return false;
        }
        return true;
    }

    /** owner_mt_print_item. */
    private void item(StringBuilder out, String label, int flag, boolean numeric) {
        if ((match & flag) == 0) return;
        if ((invert & flag) != 0) out.append(" !");
        out.append(' ').append(label);
        if (flag == UID) id(out, uidMin, uidMax, numeric ? null : Names.USERS);
        else if (flag == GID) id(out, gidMin, gidMax, numeric ? null : Names.GROUPS);
    }

    /** A range as min-max, one id by its name unless numeric (getpwuid, getgrgid). */
    private static void id(StringBuilder out, long min, long max, Names names) {
        if (min != max) {
            out.append(' ').append(min).append('-').append(max);
            return;
        }
        String name = names == null ? null : names.byId.get(min);
        out.append(' ').append(name != null ? name : Long.toString(min));
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        item(out, "owner socket exists", SOCKET, numeric);
        item(out, "owner UID match", UID, numeric);
        item(out, "owner GID match", GID, numeric);
        item(out, "incl. suppl. groups", SUPPL_GROUPS, numeric);
    }

    @Override
    public void save(StringBuilder out) {
        item(out, "--socket-exists", SOCKET, true);
        item(out, "--uid-owner", UID, true);
        item(out, "--gid-owner", GID, true);
        item(out, "--suppl-groups", SUPPL_GROUPS, true);
    }

    /** /etc/passwd or /etc/group: name to id and the first name of each id (getpwnam, getpwuid). */
    private static final class Names {
        static final Names USERS = new Names("/etc/passwd"), GROUPS = new Names("/etc/group");
        final Map<String, Long> byName = new HashMap<>();
        final Map<Long, String> byId = new HashMap<>();

        Names(String file) {
            try {
                for (String line : Files.readAllLines(Path.of(file))) {
                    String[] f = line.split(":", -1);
                    if (f.length < 3) continue;
                    try {
                        long id = Long.parseLong(f[2]);
                        byName.putIfAbsent(f[0], id);
                        byId.putIfAbsent(id, f[0]);
                    } catch (NumberFormatException ignored) {
                        // not an entry
                    }
                }
            } catch (IOException ignored) {
                // no such file: numbers only
            }
        }
    }

    static final class Parser extends ModuleParser {
        int match, invert;
        long uidMin, uidMax, gidMin, gidMax;

        @Override
        boolean option(String opt, boolean inv, Args args, RuleSpec spec) {
            int flag = switch (opt) {
                case "--uid-owner" -> UID;
                case "--gid-owner" -> GID;
                case "--socket-exists" -> SOCKET;
                case "--suppl-groups" -> SUPPL_GROUPS;
                default -> 0;
            };
            if (flag == 0) return false;
            if ((match & flag) != 0) throw new RuleError("owner: option \"" + opt + "\" can only be used once.");
            switch (flag) {
                case UID, GID -> {
                    String v = args.value(opt);
                    long[] r = range(v, flag == UID ? Names.USERS : Names.GROUPS);
                    if (r == null) throw new RuleError("owner: Bad value for \"" + opt + "\" option: \"" + v + "\"");
                    if (flag == UID) {
                        uidMin = r[0];
                        uidMax = r[1];
                    } else {
                        gidMin = r[0];
                        gidMax = r[1];
                    }
                }
                case SUPPL_GROUPS -> {
                    noInvert("owner", opt, inv);
                    if ((match & GID) == 0) {
                        throw new RuleError("owner: Bad value for \"--suppl-groups\" option: \"you need to use --gid-owner first\"");
                    }
                }
                default -> { }
            }
            match |= flag;
            if (inv) invert |= flag;
            return true;
        }

        /** owner_parse_range: a name, an id or "min-max" (ids up to UINT32_MAX - 1). */
        private static long[] range(String v, Names names) {
            Long id = names.byName.get(v);
            if (id != null) return new long[] {id, id};
            int dash = v.indexOf('-', 1);
            long min = strtoul(dash < 0 ? v : v.substring(0, dash), 0xfffffffeL);
            long max = dash < 0 ? min : strtoul(v.substring(dash + 1), 0xfffffffeL);
            if (min < 0 || max < 0) return null;
            return new long[] {min, max};
        }

        @Override
        Object finish(RuleSpec spec) {
            if ((match & (UID | GID | SOCKET)) == 0) {
                throw new RuleError("owner: At least one of --uid-owner, --gid-owner or --socket-exists is required");
            }
            if (uidMax < uidMin || gidMax < gidMin) throw kernelRefuses(); // owner_check: an empty range
            return new OwnerMatch(match, invert, uidMin, uidMax, gidMin, gidMax);
        }
    }
}
