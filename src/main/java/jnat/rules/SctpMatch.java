package jnat.rules;

/**
 * -m sctp (libxt_sctp.c, xt_sctp.c): source and destination port ranges and the chunks present
 * (all, any or only those of a set, each with optional flags); only with -p sctp (xt_match.proto).
 */
public final class SctpMatch implements Match {
    static final int SRC_PORTS = 1, DEST_PORTS = 2, CHUNK_TYPES = 4;
    static final int MATCH_ANY = 1, MATCH_ALL = 2, MATCH_ONLY = 4;

    /** sctp_chunk_names: name, chunk type and the valid flags' letters, bit 7 first. */
    static final String[] NAMES = {"DATA", "INIT", "INIT_ACK", "SACK", "HEARTBEAT", "HEARTBEAT_ACK", "ABORT",
        "SHUTDOWN", "SHUTDOWN_ACK", "ERROR", "COOKIE_ECHO", "COOKIE_ACK", "ECN_ECNE", "ECN_CWR", "SHUTDOWN_COMPLETE",
        "I_DATA", "RE_CONFIG", "PAD", "ASCONF", "ASCONF_ACK", "FORWARD_TSN", "I_FORWARD_TSN"};
    static final int[] TYPES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 64, 130, 132, 193, 128, 192, 194};
    static final String[] VALID_FLAGS = {"----IUBE", "--------", "--------", "--------", "--------", "--------",
        "-------T", "--------", "--------", "--------", "--------", "--------", "--------", "--------", "-------T",
        "----IUBE", "--------", "--------", "--------", "--------", "--------", "--------"};

    public final int srcMin, srcMax, dstMin, dstMax;
    /** The chunk types' bitmap (xt_sctp_info.chunkmap), 64 types a word. */
    private final long[] chunkmap;
    public final int chunkMatchType;
    /** flag_info: the chunk type each entry is for (libxt_sctp stores the name's index there), flag and mask. */
    private final int[] flagType, flag, flagMask;
    public final int flags, invflags;

    SctpMatch(int srcMin, int srcMax, int dstMin, int dstMax, long[] chunkmap, int chunkMatchType, int[] flagType,
              int[] flag, int[] flagMask, int flags, int invflags) {
        this.srcMin = srcMin;
        this.srcMax = srcMax;
        this.dstMin = dstMin;
        this.dstMax = dstMax;
        this.chunkmap = chunkmap;
        this.chunkMatchType = chunkMatchType;
        this.flagType = flagType;
        this.flag = flag;
        this.flagMask = flagMask;
        this.flags = flags;
        this.invflags = invflags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "sctp";
    }

    private static boolean isSet(long[] map, int type) {
        return (map[type >>> 6] & 1L << (type & 63)) != 0;
    }

    private boolean check(boolean cond, int option) {
        return (flags & option) == 0 || (((invflags & option) != 0) ^ cond);
    }

    /** sctp_mt: no later fragment; a common header cut short drops the packet. */
    @Override
    public boolean matches(PacketContext ctx) {
        if (ctx.nonFirstFragment()) return false;
        if (ctx.transportByte(11) < 0) {
            ctx.hotdrop();
            return false;
        }
        int sp = ctx.transportU16(0), dp = ctx.transportU16(2);
        if (!check(sp >= srcMin && sp <= srcMax, SRC_PORTS) || !check(dp >= dstMin && dp <= dstMax, DEST_PORTS)) return false;
        if ((flags & CHUNK_TYPES) == 0) return true;
        boolean m = matchPacket(ctx);
        if (ctx.hotdropped()) return false;
        return check(m, CHUNK_TYPES);
    }

    private boolean matchFlags(int type, int chunkFlags) {
        for (int i = 0; i < flagType.length; i++) {
            if (flagType[i] == type) return (chunkFlags & flagMask[i]) == flag[i];
        }
        return true;
    }

    /** match_packet: walks the chunks after the 12-byte common header; a chunk of length 0 or cut short drops. */
    private boolean matchPacket(PacketContext ctx) {
        long c0 = chunkmap[0], c1 = chunkmap[1], c2 = chunkmap[2], c3 = chunkmap[3]; // chunkmapcopy for ALL
        int offset = 12, len = ctx.transportLength();
        do {
            int type = ctx.transportByte(offset), fl = ctx.transportByte(offset + 1);
            int clen = ctx.transportU16(offset + 2);
            if (clen <= 0) {
                ctx.hotdrop();
                return false;
            }
            offset += (clen + 3) & ~3;
            if (isSet(chunkmap, type)) {
                switch (chunkMatchType) {
                    case MATCH_ANY -> {
                        if (matchFlags(type, fl)) return true;
                    }
                    case MATCH_ALL -> {
                        if (matchFlags(type, fl)) {
                            long bit = ~(1L << (type & 63));
                            switch (type >>> 6) {
                                case 0 -> c0 &= bit;
                                case 1 -> c1 &= bit;
                                case 2 -> c2 &= bit;
                                default -> c3 &= bit;
                            }
                        }
                    }
                    default -> {
                        if (!matchFlags(type, fl)) return false;
                    }
                }
            } else if (chunkMatchType == MATCH_ONLY) {
                return false;
            }
        } while (offset < len);
        return switch (chunkMatchType) {
            case MATCH_ALL -> (c0 | c1 | c2 | c3) == 0;
            case MATCH_ANY -> false;
            default -> true;
        };
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" sctp");
        if ((flags & SRC_PORTS) != 0) printPorts(out, "spt", srcMin, srcMax, (invflags & SRC_PORTS) != 0, numeric);
        if ((flags & DEST_PORTS) != 0) printPorts(out, "dpt", dstMin, dstMax, (invflags & DEST_PORTS) != 0, numeric);
        if ((flags & CHUNK_TYPES) != 0) {
            if ((invflags & CHUNK_TYPES) != 0) out.append(" !");
            printChunks(out, numeric);
        }
    }

    private static void printPorts(StringBuilder out, String label, int min, int max, boolean inv, boolean numeric) {
        if (min == 0 && max == 0xFFFF && !inv) return;
        out.append(' ').append(label);
        if (min == max) out.append(':').append(inv ? "!" : "").append(PortMatch.port(min, "sctp", numeric));
        else out.append("s:").append(inv ? "!" : "").append(PortMatch.port(min, "sctp", numeric)).append(':')
                .append(PortMatch.port(max, "sctp", numeric));
    }

    private void printChunks(StringBuilder out, boolean numeric) {
        out.append(switch (chunkMatchType) {
            case MATCH_ANY -> " any";
            case MATCH_ALL -> " all";
            default -> " only";
        });
        if ((chunkmap[0] | chunkmap[1] | chunkmap[2] | chunkmap[3]) == 0) {
            out.append(" NONE");
            return;
        }
        if ((chunkmap[0] & chunkmap[1] & chunkmap[2] & chunkmap[3]) == -1L) {
            out.append(" ALL");
            return;
        }
        boolean first = true;
        for (int t = 0; t < 256; t++) {
            if (!isSet(chunkmap, t)) continue;
            out.append(first ? ' ' : ',');
            first = false;
            if (numeric) out.append(String.format("0x%04X", t));
            else for (int i = 0; i < TYPES.length; i++) if (TYPES[i] == t) out.append(NAMES[i]);
            for (int j = 0; j < flagType.length; j++) {
                if (flagType[j] != t || flagMask[j] == 0) continue;
                out.append(':');
                for (int b = 7; b >= 0; b--) {
                    if ((flagMask[j] & 1 << b) == 0) continue;
                    if (t >= VALID_FLAGS.length) continue;
                    char c = VALID_FLAGS[t].charAt(7 - b); // print_chunk_flags indexes the names by type
                    out.append((flag[j] & 1 << b) != 0 ? c : Character.toLowerCase(c));
                }
            }
        }
    }

    @Override
    public void save(StringBuilder out) {
        if ((flags & SRC_PORTS) != 0) savePorts(out, "--sport", srcMin, srcMax, (invflags & SRC_PORTS) != 0);
        if ((flags & DEST_PORTS) != 0) savePorts(out, "--dport", dstMin, dstMax, (invflags & DEST_PORTS) != 0);
        if ((flags & CHUNK_TYPES) != 0) {
            if ((invflags & CHUNK_TYPES) != 0) out.append(" !");
            out.append(" --chunk-types");
            printChunks(out, false);
        }
    }

    static void savePorts(StringBuilder out, String opt, int min, int max, boolean inv) {
        if (inv) out.append(" !");
        out.append(' ').append(opt).append(' ').append(min);
        if (min != max) out.append(':').append(max);
    }

    static final class Parser extends ModuleParser {
        int srcMin, srcMax = 0xFFFF, dstMin, dstMax = 0xFFFF, matchType, flags, inv, flagCount;
        final long[] chunkmap = new long[4];
        final int[] flagType = {-1, -1, -1, -1}, flag = new int[4], flagMask = new int[4];

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--source-port", "--sport" -> {
                    if ((flags & SRC_PORTS) != 0) throw new RuleError("Only one `--source-port' allowed");
                    int[] r = Inet.parsePortRange(args.value(opt), "sctp");
                    srcMin = r[0];
                    srcMax = r[1];
                    flags |= SRC_PORTS;
                    if (invert) inv |= SRC_PORTS;
                }
                case "--destination-port", "--dport" -> {
                    if ((flags & DEST_PORTS) != 0) throw new RuleError("Only one `--destination-port' allowed");
                    int[] r = Inet.parsePortRange(args.value(opt), "sctp");
                    dstMin = r[0];
                    dstMax = r[1];
                    flags |= DEST_PORTS;
                    if (invert) inv |= DEST_PORTS;
                }
                case "--chunk-types" -> {
                    if ((flags & CHUNK_TYPES) != 0) throw new RuleError("Only one `--chunk-types' allowed");
                    String type = args.value(opt);
                    String p = args.peek();
                    if (p == null || p.startsWith("-") || p.startsWith("!")) throw new RuleError("--chunk-types requires two args");
                    args.next();
                    matchType = switch (type.toUpperCase()) {
                        case "ANY" -> MATCH_ANY;
                        case "ALL" -> MATCH_ALL;
                        case "ONLY" -> MATCH_ONLY;
                        default -> throw new RuleError("Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"");
                    };
                    chunks(p);
                    flags |= CHUNK_TYPES;
                    if (invert) inv |= CHUNK_TYPES;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** parse_sctp_chunk: ALL, NONE, or names with optional ":flags" (upper case set, lower case clear). */
        private void chunks(String s) {
            if (s.equalsIgnoreCase("ALL")) {
                java.util.Arrays.fill(chunkmap, -1L);
                return;
            }
            if (s.equalsIgnoreCase("NONE")) return;
            for (String part : s.split(",")) {
                if (part.isEmpty()) continue; // strtok skips empty tokens
                int colon = part.indexOf(':');
                String name = colon < 0 ? part : part.substring(0, colon);
                int i = 0;
                while (i < NAMES.length && !NAMES[i].equalsIgnoreCase(name)) i++;
                if (i == NAMES.length) throw new RuleError("Unknown sctp chunk `" + name + "'");
                chunkmap[TYPES[i] >>> 6] |= 1L << (TYPES[i] & 63);
                if (colon < 0) continue;
                for (char c : part.substring(colon + 1).toCharArray()) {
                    int at = VALID_FLAGS[i].indexOf(Character.toUpperCase(c));
                    if (at < 0) throw new RuleError("Invalid flags for chunk type " + i);
                    saveFlag(i, 7 - at, Character.isUpperCase(c));
                }
            }
        }

        private void saveFlag(int type, int bit, boolean set) {
            for (int i = 0; i < flagCount; i++) {
                if (flagType[i] == type) {
                    flagMask[i] |= 1 << bit;
                    if (set) flag[i] |= 1 << bit;
                    return;
                }
            }
            if (flagCount == 4) {
                throw new RuleError("Number of chunk types with flags exceeds currently allowed limit. Increasing this limit"
                        + " involves changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel space and user space modules");
            }
            flagType[flagCount] = type;
            flagMask[flagCount] |= 1 << bit;
            if (set) flag[flagCount] |= 1 << bit;
            flagCount++;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (spec.proto != 132 || spec.protoInverted()) throw kernelRefuses(); // xt_match.proto = IPPROTO_SCTP
            return new SctpMatch(srcMin, srcMax, dstMin, dstMax, chunkmap.clone(), matchType,
                    java.util.Arrays.copyOf(flagType, flagCount), java.util.Arrays.copyOf(flag, flagCount),
                    java.util.Arrays.copyOf(flagMask, flagCount), flags, inv);
        }
    }
}
