package jnat.rules;

/** iptables -L: print_header and print_firewall of iptables 1.8 (xshared.c, nft-ipv4.c). */
final class Listing {
    private Listing() {}

    static final int NUMERIC = 1, VERBOSE = 2, EXACT = 4, LINE_NUMBERS = 8;

    /** Lists one chain or (name null) all chains, blank lines between them. */
    static void list(StringBuilder out, Table table, String chainName, int fmt) {
        boolean first = true;
        for (Chain c : table.chains()) {
            if (chainName != null && !c.name.equals(chainName)) continue;
            if (!first) out.append('\n');
            first = false;
            header(out, table, c, fmt);
            for (int i = 0; i < c.rules.size(); i++) rule(out, c.rules.get(i), i + 1, fmt);
        }
    }

    private static void header(StringBuilder out, Table table, Chain c, int fmt) {
        boolean verbose = (fmt & VERBOSE) != 0;
        out.append("Chain ").append(c.name);
        if (c.builtin()) {
            out.append(" (policy ").append(c.policy);
            if (verbose) {
                out.append(' ');
                num(out, c.policyPackets, fmt, true);
                out.append("packets, ");
                num(out, c.policyBytes, fmt, true);
                out.append("bytes");
            }
            out.append(")\n");
        } else {
            out.append(" (").append(table.references(c)).append(" references)\n");
        }
        if ((fmt & LINE_NUMBERS) != 0) pad(out, "num", 4).append(' ');
        if (verbose) {
            if ((fmt & EXACT) == 0) {
                right(out, "pkts", 5).append(' ');
                right(out, "bytes", 5).append(' ');
            } else {
                right(out, "pkts", 8).append(' ');
                right(out, "bytes", 10).append(' ');
            }
        }
        pad(out, "target", 9).append(' ');
        out.append(" prot ");
        out.append("opt");
        if (verbose) {
            out.append(' ');
            pad(out, "in", 6).append(' ');
            pad(out, "out", 6).append(' ');
        }
        out.append(' ');
        pad(out, "source", 19).append(' ');
        out.append(' ');
        pad(out, "destination", 19).append(' ');
        out.append('\n');
    }

    private static void rule(StringBuilder out, Rule r, int lineNumber, int fmt) {
        boolean numeric = (fmt & NUMERIC) != 0;
        boolean verbose = (fmt & VERBOSE) != 0;
        if ((fmt & LINE_NUMBERS) != 0) pad(out, Integer.toString(lineNumber), 4).append(' ');
        if (verbose) {
            num(out, r.packets, fmt, false);
            num(out, r.bytes, fmt, false);
        }
        pad(out, r.targetName(), 9).append(' ');
        out.append((r.invflags & Rule.INV_PROTO) != 0 ? '!' : ' ');
        String pname = Protocols.listName(r.proto, numeric);
        // "%-4s ": a name longer than four (udplite, ipcomp) keeps its space, in both families
        pad(out, pname != null ? pname : Integer.toString(r.proto), 4).append(' ');
        out.append((r.invflags & Rule.INV_FRAG) != 0 ? '!' : '-');
        out.append(r.fragment ? 'f' : '-');
        out.append(' ');
        if (verbose) {
            out.append(' ');
            pad(out, iface(r.inIface, (r.invflags & Rule.INV_VIA_IN) != 0, numeric), 6).append(' ');
            pad(out, iface(r.outIface, (r.invflags & Rule.INV_VIA_OUT) != 0, numeric), 6).append(' ');
        }
        if (r.ipv6) {
            address6(out, r.src6Hi, r.src6Lo, r.srcMask6Hi, r.srcMask6Lo, (r.invflags & Rule.INV_SRCIP) != 0, numeric);
            address6(out, r.dst6Hi, r.dst6Lo, r.dstMask6Hi, r.dstMask6Lo, (r.invflags & Rule.INV_DSTIP) != 0, numeric);
        } else {
            address(out, r.src, r.srcMask, (r.invflags & Rule.INV_SRCIP) != 0, numeric);
            address(out, r.dst, r.dstMask, (r.invflags & Rule.INV_DSTIP) != 0, numeric);
        }
        if (r.isGoto) out.append("[goto] ");
        for (Match m : r.matches) m.print(out, numeric);
        if (r.target != null) r.target.print(out, numeric);
        out.append('\n');
    }

    private static String iface(String name, boolean inv, boolean numeric) {
        String s = inv ? "!" : "";
        if (!name.isEmpty()) return s + name;
        return s + (numeric ? "*" : "any");
    }

    private static void address(StringBuilder out, int addr, int mask, boolean inv, boolean numeric) {
        out.append(inv ? '!' : ' ');
        String s = mask == 0 && !numeric ? "anywhere"
                : (numeric ? Inet.format(addr) : Services.anyName(addr)) + Inet.maskSuffix(mask);
        pad(out, s, 19).append(' ');
    }

    /** print_ipv6_addr (nft-ipv6.c): the same column as IPv4's, wider addresses simply overflow it. */
    private static void address6(StringBuilder out, long hi, long lo, long mHi, long mLo, boolean inv, boolean numeric) {
        out.append(inv ? '!' : ' ');
        String s = mHi == 0 && mLo == 0 && !numeric ? "anywhere"
                : (numeric ? Inet6.format(hi, lo) : Services.anyName6(hi, lo)) + Inet6.maskSuffix(mHi, mLo);
        pad(out, s, 19).append(' ');
    }

    /** xtables_print_num: counters, abbreviated to K/M/G/T unless -x. */
    static void num(StringBuilder out, long n, int fmt, boolean notable) {
        if ((fmt & EXACT) != 0) {
            String s = Long.toUnsignedString(n);
            if (notable) out.append(s).append(' ');
            else right(out, s, 8).append(' ');
            return;
        }
        if (Long.compareUnsigned(n, 99999) <= 0) {
            String s = Long.toString(n);
            if (notable) out.append(s).append(' ');
            else right(out, s, 5).append(' ');
            return;
        }
        String[] units = {"K", "M", "G", "T"};
        for (int u = 0; u < units.length; u++) {
            n = Long.divideUnsigned(n + 500, 1000);
            if (Long.compareUnsigned(n, 9999) <= 0 || u == units.length - 1) {
                String s = Long.toUnsignedString(n);
                if (notable) out.append(s).append(units[u]).append(' ');
                else right(out, s, 4).append(units[u]).append(' ');
                return;
            }
        }
    }

    static StringBuilder pad(StringBuilder out, String s, int width) {
        out.append(s);
        for (int i = s.length(); i < width; i++) out.append(' ');
        return out;
    }

    static StringBuilder right(StringBuilder out, String s, int width) {
        for (int i = s.length(); i < width; i++) out.append(' ');
        return out.append(s);
    }
}
