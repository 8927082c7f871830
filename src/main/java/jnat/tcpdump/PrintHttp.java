package jnat.tcpdump;

/** print-http.c: the first line of HTTP (all lines with -v). */
final class PrintHttp {
    private PrintHttp() {}

    /** print-http.c's httpcmds. */
    private static final String[] HTTP_CMDS = {"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST",
            "BCOPY", "BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE",
            "NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE",
            "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE",
            "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL"};
    private static final int MAX_TOKEN = 128;

    /** http_print(). */
    static void print(Netdissect nd, int pptr, int len) {
        txtprotoPrint(nd, pptr, len, "http", HTTP_CMDS);
    }

    /**
     * txtproto_print() with RESP_CODE_SECOND_TOKEN: the protocol's name, and when the payload starts with
     * a known command or has a 3-digit second token (a response), its first line (all lines with -v).
     */
    private static void txtprotoPrint(Netdissect nd, int pptr, int len, String proto, String[] cmds) {
        nd.protocol = proto;
        boolean printThis = false;
        StringBuilder token = new StringBuilder();
        int idx = fetchToken(nd, pptr, 0, len, token);
        if (idx != 0) {
            for (String cmd : cmds) {
                if (cmd.equalsIgnoreCase(token.toString())) {
                    printThis = true;
                    break;
                }
            }
            idx = fetchToken(nd, pptr, idx, len, token);
            if (idx != 0 && token.length() == 3 && Character.isDigit(token.charAt(0))
                    && Character.isDigit(token.charAt(1)) && Character.isDigit(token.charAt(2))) {
                printThis = true;
            }
        }
        nd.out.append(proto.toUpperCase(java.util.Locale.ROOT));
        if (printThis) {
            if (nd.vflag > 0) {
                nd.out.append(", length: ").append(len);
                int eol;
                for (idx = 0; idx < len && (eol = printTxtLine(nd, "\n\t", pptr, idx, len)) != 0; idx = eol) {
                    // one line per round
                }
            } else {
                printTxtLine(nd, ": ", pptr, 0, len);
            }
        }
    }

    /** fetch_token(): the token at idx into {@code token}; returns the index after the blanks that follow, or 0. */
    private static int fetchToken(Netdissect nd, int pptr, int idx, int len, StringBuilder token) {
        token.setLength(0);
        for (; idx < len; idx++) {
            if (!nd.ttest(pptr + idx, 1)) return 0;
            int c = nd.u8(pptr + idx);
            if (c >= 0x80) return 0;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
            if (!(c >= 0x20 && c < 0x7f)) return 0;
            if (token.length() + 2 > MAX_TOKEN + 1) return 0;
            token.append((char) c);
        }
        if (token.isEmpty()) return 0;
        for (; idx < len; idx++) {
            if (!nd.ttest(pptr + idx, 1)) break;
            int c = nd.u8(pptr + idx);
            if (c == '\r' || c == '\n') break;
            if (!(c >= 0x20 && c < 0x7f)) break;
            if (c != ' ' && c != '\t') break;
        }
        return idx;
    }

    /** print_txt_line(): one line after {@code prefix}; returns where the next starts, 0 at the end. */
    private static int printTxtLine(Netdissect nd, String prefix, int pptr, int idx, int len) {
        int start = idx;
        while (idx < len) {
            int c = nd.u8(pptr + idx);
            if (c == '\n') {
                emitLine(nd, prefix, pptr + start, idx - start);
                return idx + 1;
            } else if (c == '\r') {
                if (idx + 1 >= len) return 0;
                if (nd.u8(pptr + idx + 1) == '\n') {
                    emitLine(nd, prefix, pptr + start, idx - start);
                    return idx + 2;
                }
                return 0;
            } else if (!(c >= 0x20 && c < 0x7f) && c != '\t') {
                return 0;
            }
            idx++;
        }
        emitLine(nd, prefix, pptr + start, idx - start);
        nd.ndPrintTrunc();
        return 0;
    }

    private static void emitLine(Netdissect nd, String prefix, int off, int n) {
        nd.out.append(prefix).append(new String(nd.buf, off, n, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
