package jnat.tcpdump;

/**
 * DNS as tcpdump's print-domain.c prints it: the header summary, the questions, and the answers
 * (all sections with -vv), plain and multicast (port 5353). Not decoded: EDNS0 option bodies and bit
 * labels (rare). One instance per message: its many helpers share the cursor and whether it is mDNS.
 */
final class PrintDomain {
    private static final String[] OPS = {"", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
            " op8", " updateA", " updateD", " updateDA", " updateM", " updateMA", " zoneInit", " zoneRef"};
    private static final String[] RESP = {"", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused",
            " YXDomain", " YXRRSet", " NXRRSet", " NotAuth", " NotZone", " Resp11", " Resp12", " Resp13", " Resp14",
            " NoChange", " BadVers", "Resp17", " Resp18", " Resp19", " Resp20", "Resp21", " Resp22", " BadCookie"};
    private static final int MAXCDNAME = 255;
    /** A null pointer from print-domain.c's helpers: "cannot go on". */
    private static final int NULL = -1;

    private final Netdissect nd;
    private final StringBuilder out;
    /** Port 5353, where the top bit of a class has its own meaning. */
    private final boolean mdns;

    private PrintDomain(Netdissect nd, boolean mdns) {
        this.nd = nd;
        this.out = nd.out;
        this.mdns = mdns;
    }

    /** domain_print(); {@code isMdns} for port 5353. */
    static void print(Netdissect nd, int bp, int length, boolean overTcp, boolean isMdns) {
        new PrintDomain(nd, isMdns).domainPrint(bp, length, overTcp);
    }

    /** fqdn_print() for another dissector (ICMPv6's DNSSL option): the index after the name, or -1. */
    static int fqdn(Netdissect nd, int cp, int bp) {
        return new PrintDomain(nd, false).fqdnPrint(cp, bp);
    }

    private static String typeName(int t) {
        return switch (t) {
            case 1 -> "A";
            case 2 -> "NS";
            case 3 -> "MD";
            case 4 -> "MF";
            case 5 -> "CNAME";
            case 6 -> "SOA";
            case 7 -> "MB";
            case 8 -> "MG";
            case 9 -> "MR";
            case 10 -> "NULL";
            case 11 -> "WKS";
            case 12 -> "PTR";
            case 13 -> "HINFO";
            case 14 -> "MINFO";
            case 15 -> "MX";
            case 16 -> "TXT";
            case 17 -> "RP";
            case 18 -> "AFSDB";
            case 19 -> "X25";
            case 20 -> "ISDN";
            case 21 -> "RT";
            case 22 -> "NSAP";
            case 23 -> "NSAP_PTR";
            case 24 -> "SIG";
            case 25 -> "KEY";
            case 26 -> "PX";
            case 27 -> "GPOS";
            case 28 -> "AAAA";
            case 29 -> "LOC";
            case 30 -> "NXT";
            case 31 -> "EID";
            case 32 -> "NIMLOC";
            case 33 -> "SRV";
            case 34 -> "ATMA";
            case 35 -> "NAPTR";
            case 36 -> "KX";
            case 37 -> "CERT";
            case 38 -> "A6";
            case 39 -> "DNAME";
            case 40 -> "SINK";
            case 41 -> "OPT";
            case 42 -> "APL";
            case 43 -> "DS";
            case 44 -> "SSHFP";
            case 45 -> "IPSECKEY";
            case 46 -> "RRSIG";
            case 47 -> "NSEC";
            case 48 -> "DNSKEY";
            case 99 -> "SPF";
            case 100 -> "UINFO";
            case 101 -> "UID";
            case 102 -> "GID";
            case 103 -> "UNSPEC";
            case 104 -> "UNSPECA";
            case 249 -> "TKEY";
            case 250 -> "TSIG";
            case 251 -> "IXFR";
            case 252 -> "AXFR";
            case 253 -> "MAILB";
            case 254 -> "MAILA";
            case 255 -> "ANY";
            case 256 -> "URI";
            default -> "Type" + t;
        };
    }

    private static String className(int c) {
        return switch (c) {
            case 1 -> "IN";
            case 3 -> "CHAOS";
            case 4 -> "HS";
            case 255 -> "ANY";
            default -> "(Class " + c + ")";
        };
    }

    private static String rcode(int rcode) {
        return rcode < RESP.length ? RESP[rcode] : " Resp" + (rcode & 0xfff);
    }

    private void domainPrint(int bp, int length, boolean overTcp) {
        nd.protocol = "domain";
        if (overTcp) {
            if (length < 2) {
                out.append(" [DNS over TCP: length ").append(length).append(" < 2] (invalid)");
                return;
            }
            length -= 2;
            if (nd.u16(bp) != length) {
                out.append(" [prefix length(").append(nd.u16(bp)).append(") != length(").append(length)
                        .append(")] (invalid)");
                return;
            }
            bp += 2;
            out.append(' ');
        }
        if (length < 12) {
            out.append("domain [length ").append(length).append(" < 12] (invalid)");
            return;
        }
        if (!nd.ttest(bp, 12)) throw Netdissect.TRUNCATED;
        int flags = nd.u16(bp + 2);
        int qdcount = nd.u16(bp + 4);
        int ancount = nd.u16(bp + 6);
        int nscount = nd.u16(bp + 8);
        int arcount = nd.u16(bp + 10);
        int snapend = nd.snapend;
        int rcode = flags & 0xf;
        // The first pass only looks for an OPT record's extended rcode.
        scan:
        {
            int cp = bp + 12;
            for (int i = 0; i < qdcount; i++) {
                if ((cp = nskip(cp)) == NULL) break scan;
                cp += 4;
                if (cp >= snapend) break scan;
            }
            for (int i = 0; i < ancount + nscount; i++) {
                if ((cp = nskip(cp)) == NULL) break scan;
                cp += 8;
                if (cp + 2 > snapend) break scan;
                int rdlen = nd.u16(cp);
                cp += 2 + rdlen;
                if (cp >= snapend) break scan;
            }
            for (int i = 0; i < arcount; i++) {
                if ((cp = nskip(cp)) == NULL) break scan;
                if (cp + 2 > snapend) break scan;
                int type = nd.u16(cp);
                cp += 4;
                if (cp + 1 > snapend) break scan;
                if (type == 41) {
                    rcode |= nd.u8(cp) << 4;
                    break scan;
                }
                cp += 4;
                if (cp + 2 > snapend) break scan;
                int rdlen = nd.u16(cp);
                cp += 2 + rdlen;
                if (cp >= snapend) break scan;
            }
        }
        int vflag = nd.vflag;
        int cp = bp + 12;
        if ((flags & 0x8000) != 0) {
            out.append(nd.u16(bp)).append(OPS[(flags >> 11) & 0xf]).append(rcode(rcode))
                    .append((flags & 0x0400) != 0 ? "*" : "").append((flags & 0x0080) != 0 ? "" : "-")
                    .append((flags & 0x0200) != 0 ? "|" : "").append((flags & 0x0020) != 0 ? "$" : "");
            if (qdcount != 1) out.append(" [").append(qdcount).append("q]");
            for (int i = 0; i < qdcount; i++) {
                if (i != 0) out.append(',');
                if (vflag > 1) {
                    out.append(" q:");
                    if ((cp = qprint(cp, bp)) == NULL) {
                        nd.ndPrintTrunc();
                        return;
                    }
                } else {
                    if ((cp = nskip(cp)) == NULL) {
                        nd.ndPrintTrunc();
                        return;
                    }
                    cp += 4;
                }
            }
            out.append(' ').append(ancount).append('/').append(nscount).append('/').append(arcount);
            if (!section(ancount, cp, bp, "", true)) return;
            cp = lastCp;
            if (vflag > 1) {
                if (!section(nscount, cp, bp, " ns:", false)) return;
                cp = lastCp;
                if (!section(arcount, cp, bp, " ar:", false)) return;
            }
        } else {
            out.append(nd.u16(bp)).append(OPS[(flags >> 11) & 0xf]).append((flags & 0x0100) != 0 ? "+" : "")
                    .append((flags & 0x0010) != 0 ? "%" : "");
            int b2 = nd.u16(bp + 2);
            if ((b2 & 0x6cf) != 0) out.append(" [b2&3=0x").append(Integer.toHexString(b2)).append(']');
            if (((flags >> 11) & 0xf) == 1) {
                if (qdcount != 0) out.append(" [").append(qdcount).append("q]");
                if (ancount != 1) out.append(" [").append(ancount).append("a]");
            } else {
                if (ancount != 0) out.append(" [").append(ancount).append("a]");
                if (qdcount != 1) out.append(" [").append(qdcount).append("q]");
            }
            if (nscount != 0) out.append(" [").append(nscount).append("n]");
            if (arcount != 0) out.append(" [").append(arcount).append("au]");
            if (qdcount != 0) {
                cp = qprint(cp, bp);
                if (cp == NULL) {
                    nd.ndPrintTrunc();
                    return;
                }
                qdcount--;
                while (cp < nd.snapend && qdcount != 0) {
                    cp = qprint(cp, bp);
                    if (cp == NULL) {
                        nd.ndPrintTrunc();
                        return;
                    }
                    qdcount--;
                }
            }
            if (qdcount != 0) {
                nd.ndPrintTrunc();
                return;
            }
            if (vflag > 1) {
                if (!section(ancount, cp, bp, "", true)) return;
                cp = lastCp;
                if (!section(nscount, cp, bp, " ns:", false)) return;
                cp = lastCp;
                if (!section(arcount, cp, bp, " ar:", false)) return;
            }
        }
        out.append(" (").append(length).append(')');
    }

    private int lastCp;

    /**
     * The records of one section, comma-separated; the answers are printed unconditionally once counted,
     * the other sections only while bytes remain. False (after the truncation marker) when cut short.
     */
    private boolean section(int count, int cp, int bp, String label, boolean answers) {
        lastCp = cp;
        if (count != 0 && (answers || cp < nd.snapend)) {
            String sep = answers ? "" : label;
            do {
                out.append(sep);
                sep = ",";
                if ((cp = rprint(cp, bp)) == NULL) {
                    nd.ndPrintTrunc();
                    return false;
                }
                count--;
            } while (cp < nd.snapend && count != 0);
        }
        if (count != 0) {
            nd.ndPrintTrunc();
            return false;
        }
        lastCp = cp;
        return true;
    }

    /** ns_nskip(): the index after a (possibly compressed) name, or NULL. */
    private int nskip(int cp) {
        if (!nd.ttest(cp, 1)) return NULL;
        int i = nd.u8(cp);
        cp++;
        while (i != 0) {
            switch (i & 0xc0) {
                case 0xc0 -> {
                    return cp + 1;
                }
                case 0x40 -> {
                    if ((i & 0x3f) != 1) return NULL;
                    if (!nd.ttest(cp, 1)) return NULL;
                    int bitlen = nd.u8(cp);
                    if (bitlen == 0) bitlen = 256;
                    cp++;
                    cp += (bitlen + 7) / 8;
                }
                case 0x80 -> {
                    return NULL;
                }
                default -> cp += i;
            }
            if (!nd.ttest(cp, 1)) return NULL;
            i = nd.u8(cp);
            cp++;
        }
        return cp;
    }

    /** labellen(). */
    private int labellen(int cp) {
        if (!nd.ttest(cp, 1)) return NULL;
        int i = nd.u8(cp);
        switch (i & 0xc0) {
            case 0x40 -> {
                int elt = i & 0x3f;
                if (elt != 1) {
                    out.append("<ELT ").append(elt).append('>');
                    return NULL;
                }
                if (!nd.ttest(cp + 1, 1)) return NULL;
                int bitlen = nd.u8(cp + 1);
                if (bitlen == 0) bitlen = 256;
                return (bitlen + 7) / 8 + 1;
            }
            case 0xc0, 0x00 -> {
                return i;
            }
            default -> {
                out.append("<BAD LABEL TYPE>");
                return NULL;
            }
        }
    }

    /** fqdn_print(): prints a name, following compression pointers; returns the index after it in place. */
    private int fqdnPrint(int cp, int bp) {
        int l = labellen(cp);
        if (l == NULL) return NULL;
        if (!nd.ttest(cp, 1)) return NULL;
        int maxOffset = cp - bp;
        int i = nd.u8(cp);
        cp++;
        int rp = NULL;
        boolean compress = false;
        if ((i & 0xc0) != 0xc0) rp = cp + l;
        int nameChars = 0;
        if (i != 0) {
            while (i != 0 && cp < nd.snapend) {
                switch (i & 0xc0) {
                    case 0xc0 -> {
                        if (!compress) {
                            rp = cp + 1;
                            compress = true;
                        }
                        if (!nd.ttest(cp, 1)) return NULL;
                        int offset = ((i << 8) | nd.u8(cp)) & 0x3fff;
                        if (offset >= maxOffset) {
                            out.append("<BAD PTR>");
                            return NULL;
                        }
                        maxOffset = offset;
                        cp = bp + offset;
                        if (!nd.ttest(cp, 1)) return NULL;
                        i = nd.u8(cp);
                        if ((l = labellen(cp)) == NULL) return NULL;
                        cp++;
                        continue;
                    }
                    case 0x40 -> {
                        out.append("<ELT ").append(i & 0x3f).append('>');
                        return NULL;
                    }
                    case 0x80 -> {
                        out.append("<BAD LABEL TYPE>");
                        return NULL;
                    }
                    default -> {
                        if (nameChars + l <= MAXCDNAME) {
                            if (printn(cp, l)) return NULL;
                        } else if (nameChars < MAXCDNAME) {
                            if (printn(cp, MAXCDNAME - nameChars)) return NULL;
                        }
                        nameChars += l;
                    }
                }
                cp += l;
                if (nameChars <= MAXCDNAME) out.append('.');
                nameChars++;
                if (!nd.ttest(cp, 1)) return NULL;
                i = nd.u8(cp);
                if ((l = labellen(cp)) == NULL) return NULL;
                cp++;
                if (!compress) rp += l + 1;
            }
            if (nameChars > MAXCDNAME) out.append("<DOMAIN NAME TOO LONG>");
        } else {
            out.append('.');
        }
        return rp;
    }

    /** nd_printn(): true when the capture ended first. */
    private boolean printn(int s, int n) {
        while (n > 0 && s < nd.snapend) {
            n--;
            printChar(nd.u8(s++));
        }
        return n != 0;
    }

    /** fn_print_char(). */
    private void printChar(int c) {
        if ((c & 0x80) != 0) {
            c &= 0x7f;
            out.append("M-");
        }
        if (!(c >= 0x20 && c < 0x7f)) {
            c ^= 0x40;
            out.append('^');
        }
        out.append((char) c);
    }

    /** ns_qprint(). */
    private int qprint(int cp, int bp) {
        int np = cp;
        cp = nskip(cp);
        if (cp == NULL || !nd.ttest(cp, 4)) return NULL;
        int type = nd.u16(cp);
        out.append(' ').append(typeName(type));
        int i = nd.u16(cp + 2);
        int cls = mdns ? i & ~0x8000 : i;
        if (cls != 1) out.append(' ').append(className(cls));
        if (mdns) out.append((i & 0x8000) != 0 ? " (QU)" : " (QM)");
        out.append("? ");
        cp = fqdnPrint(np, bp);
        return cp == NULL ? NULL : cp + 4;
    }

    /** ns_rprint(). */
    private int rprint(int cp, int bp) {
        int vflag = nd.vflag;
        if (vflag > 0) {
            out.append(' ');
            if ((cp = fqdnPrint(cp, bp)) == NULL) return NULL;
        } else {
            cp = nskip(cp);
        }
        if (cp == NULL || !nd.ttest(cp, 10)) return nd.snapend;
        int typ = nd.u16(cp);
        cp += 2;
        int i = nd.u16(cp);
        cp += 2;
        int cls = mdns ? i & ~0x8000 : i;
        if (cls != 1 && typ != 41) out.append(' ').append(className(cls));
        if (mdns && (i & 0x8000) != 0) out.append(" (Cache flush)");
        int optFlags = 0;
        if (typ == 41) {
            cp += 2;
            optFlags = nd.u16(cp);
            cp += 2;
        } else {
            cp += 4;
        }
        int len = nd.u16(cp);
        cp += 2;
        int rp = cp + len;
        out.append(' ').append(typeName(typ));
        if (rp > nd.snapend) return NULL;
        switch (typ) {
            case 1 -> {
                if (!nd.ttest(cp, 4)) return NULL;
                out.append(' ').append(nd.ipaddr(cp));
            }
            case 2, 5, 12, 39 -> {
                out.append(' ');
                if (fqdnPrint(cp, bp) == NULL) return NULL;
            }
            case 6 -> {
                if (vflag == 0) break;
                out.append(' ');
                if ((cp = fqdnPrint(cp, bp)) == NULL) return NULL;
                out.append(' ');
                if ((cp = fqdnPrint(cp, bp)) == NULL) return NULL;
                if (!nd.ttest(cp, 20)) return NULL;
                for (int k = 0; k < 5; k++) out.append(' ').append(nd.u32(cp + 4 * k));
            }
            case 15 -> {
                out.append(' ');
                if (!nd.ttest(cp, 2)) return NULL;
                if (fqdnPrint(cp + 2, bp) == NULL) return NULL;
                out.append(' ').append(nd.u16(cp));
            }
            case 16 -> {
                while (cp < rp) {
                    out.append(" \"");
                    if (!nd.ttest(cp, 1)) return NULL;
                    int n = nd.u8(cp);
                    cp++;
                    if (printn(cp, n)) return NULL;
                    cp += n;
                    out.append('"');
                }
            }
            case 33 -> {
                out.append(' ');
                if (!nd.ttest(cp, 6)) return NULL;
                if (fqdnPrint(cp + 6, bp) == NULL) return NULL;
                out.append(':').append(nd.u16(cp + 4)).append(' ').append(nd.u16(cp)).append(' ')
                        .append(nd.u16(cp + 2));
            }
            case 28 -> {
                if (!nd.ttest(cp, 16)) return NULL;
                out.append(' ').append(nd.ip6addr(cp));
            }
            case 41 -> {
                out.append(" UDPsize=").append(cls);
                if ((optFlags & 0x8000) != 0) out.append(" DO");
                if (cp < rp) out.append(" [options not decoded by jnat]");
            }
            default -> { }
        }
        return rp;
    }
}
