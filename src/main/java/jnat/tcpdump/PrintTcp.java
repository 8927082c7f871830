package jnat.tcpdump;

import java.util.Map;

import static jnat.tcpdump.Netdissect.cksumShouldBe;
import static jnat.tcpdump.Netdissect.hex;
import static jnat.tcpdump.Netdissect.hex2;

/**
 * print-tcp.c: ports, flags, relative sequence numbers, options, RST data, and the payloads handed to DNS
 * and HTTP.
 */
final class PrintTcp {
    private PrintTcp() {}

    /** The key of tcp_seq_hash: addresses and ports in a canonical order so both directions share it. */
    record SeqKey(long src0, long src1, long dst0, long dst1, int port) {
    }

    private static long addrWord(Netdissect nd, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | (nd.buf[off + i] & 0xff);
        return v;
    }

    private static SeqKey seqKey(Netdissect nd, int src, int dst, int alen, int port) {
        if (alen == 4) return new SeqKey(addrWord(nd, src, 4), 0, addrWord(nd, dst, 4), 0, port);
        return new SeqKey(addrWord(nd, src, 8), addrWord(nd, src + 8, 8), addrWord(nd, dst, 8),
                addrWord(nd, dst + 8, 8), port);
    }

    private static String tcpFlags(int flags) {
        if (flags == 0) return "none";
        StringBuilder s = new StringBuilder(8);
        if ((flags & 0x01) != 0) s.append('F');
        if ((flags & 0x02) != 0) s.append('S');
        if ((flags & 0x04) != 0) s.append('R');
        if ((flags & 0x08) != 0) s.append('P');
        if ((flags & 0x10) != 0) s.append('.');
        if ((flags & 0x20) != 0) s.append('U');
        if ((flags & 0x40) != 0) s.append('E');
        if ((flags & 0x80) != 0) s.append('W');
        return s.toString();
    }

    private static String tcpOptionName(int opt) {
        return switch (opt) {
            case 0 -> "eol";
            case 1 -> "nop";
            case 2 -> "mss";
            case 3 -> "wscale";
            case 4 -> "sackOK";
            case 5 -> "sack";
            case 6 -> "echo";
            case 7 -> "echoreply";
            case 8 -> "TS";
            case 11 -> "cc";
            case 12 -> "ccnew";
            case 13 -> "";
            case 19 -> "md5";
            case 20 -> "scps";
            case 28 -> "uto";
            case 29 -> "tcp-ao";
            case 30 -> "mptcp";
            case 34 -> "tfo";
            case 254 -> "exp";
            default -> "unknown-" + opt;
        };
    }

    /** Thrown by LENCHECK in the option loop to reach tcp_print's "bad:" label. */
    private static final class BadOption extends RuntimeException {
        BadOption() {
            super(null, null, false, false);
        }
    }

    private static final BadOption BAD_OPTION = new BadOption();

    /** tcp_print(). */
    static void print(Netdissect nd, int tp, int length, int iph, boolean fragmented) {
        nd.protocol = "tcp";
        boolean v6 = (nd.u8(iph) >> 4) == 6;
        if (!nd.ttest(tp + 2, 2)) {
            if (v6) nd.out.append(nd.ip6addr(iph + 8)).append(" > ").append(nd.ip6addr(iph + 24)).append(':');
            else nd.out.append(nd.ipaddr(iph + 12)).append(" > ").append(nd.ipaddr(iph + 16)).append(':');
            nd.ndPrintTrunc();
            return;
        }
        int sport = nd.u16(tp);
        int dport = nd.u16(tp + 2);
        int nxt = v6 ? nd.u8(iph + 6) : nd.u8(iph + 9);
        if (nxt == 6) {
            if (v6) {
                nd.out.append(nd.ip6addr(iph + 8)).append('.').append(sport).append(" > ").append(nd.ip6addr(iph + 24));
            } else {
                nd.out.append(nd.ipaddr(iph + 12)).append('.').append(sport).append(" > ").append(nd.ipaddr(iph + 16));
            }
            nd.out.append('.').append(dport).append(": ");
        } else {
            nd.out.append(sport).append(" > ").append(dport).append(": ");
        }
        if (!nd.ttest(tp, 20)) {
            nd.ndPrintTrunc();
            return;
        }
        int hlen = (nd.u8(tp + 12) >> 4) * 4;
        if (hlen < 20) {
            nd.out.append(" tcp ").append(Integer.toUnsignedString(length - hlen)).append(" [bad hdr length ")
                    .append(hlen)
                    .append(" - too short, < 20]");
            return;
        }
        long seq = nd.u32(tp + 4);
        long ack = nd.u32(tp + 8);
        int win = nd.u16(tp + 14);
        int urp = nd.u16(tp + 18);
        int flags = nd.u8(tp + 13);
        nd.out.append("Flags [").append(tcpFlags(flags)).append(']');

        boolean rev = false;
        long thseq = 0, thack = 0;
        if ((flags & 0x10) != 0) {
            int alen = v6 ? 16 : 4;
            int src = v6 ? iph + 8 : iph + 12;
            int dst = v6 ? iph + 24 : iph + 16;
            if (sport > dport) {
                rev = true;
            } else if (sport == dport) {
                rev = java.util.Arrays.compareUnsigned(nd.buf, src, src + alen, nd.buf, dst, dst + alen) > 0;
            }
            SeqKey key = rev ? seqKey(nd, dst, src, alen, (dport << 16) | sport)
                    : seqKey(nd, src, dst, alen, (sport << 16) | dport);
            Map<SeqKey, long[]> table = v6 ? nd.tcpSeq6 : nd.tcpSeq4;
            long[] th = table.get(key);
            if (th == null || (flags & 0x02) != 0) {
                if (th == null) {
                    th = new long[2];
                    table.put(key, th);
                }
                if (rev) {
                    th[1] = seq;
                    th[0] = (ack - 1) & 0xffffffffL;
                } else {
                    th[0] = seq;
                    th[1] = (ack - 1) & 0xffffffffL;
                }
            } else {
                if (rev) {
                    seq = (seq - th[1]) & 0xffffffffL;
                    ack = (ack - th[0]) & 0xffffffffL;
                } else {
                    seq = (seq - th[0]) & 0xffffffffL;
                    ack = (ack - th[1]) & 0xffffffffL;
                }
            }
            thseq = th[0];
            thack = th[1];
        }
        if (Integer.compareUnsigned(hlen, length) > 0) { // u_int lengths: a jumbogram's can pass 2^31
            nd.out.append(" [bad hdr length ").append(hlen).append(" - too long, > ").append(length).append(']');
            return;
        }
        if (nd.vflag > 0 && !fragmented && nd.ttest(tp, length)) {
            long pseudo = v6 ? PrintIp6.pseudo6(nd, iph, length, 6) : PrintIp.pseudo4(nd, iph, length, 6);
            int sum = nd.inCksum(pseudo, tp, length);
            int tcpSum = nd.u16(tp + 16);
            nd.out.append(", cksum 0x").append(hex(tcpSum, 4));
            if (sum != 0) nd.out.append(" (incorrect -> 0x").append(hex(cksumShouldBe(tcpSum, sum), 4)).append(')');
            else nd.out.append(" (correct)");
        }
        length -= hlen;
        if (nd.vflag > 1 || length != 0 || (flags & 0x07) != 0) {
            nd.out.append(", seq ").append(seq);
            if (length != 0) nd.out.append(':').append((seq + length) & 0xffffffffL);
        }
        if ((flags & 0x10) != 0) nd.out.append(", ack ").append(ack);
        nd.out.append(", win ").append(win);
        if ((flags & 0x20) != 0) nd.out.append(", urg ").append(urp);

        if (hlen > 20) {
            char ch = '\0';
            int cp = tp + 20;
            int left = hlen - 20;
            nd.out.append(", options [");
            try {
                while (left > 0) {
                    if (ch != '\0') nd.out.append(ch);
                    int opt = nd.u8(cp);
                    cp++;
                    int len;
                    boolean zeroLen = opt == 0 || opt == 1;
                    if (zeroLen) {
                        len = 1;
                    } else {
                        len = nd.u8(cp);
                        cp++;
                        if (len < 2 || len > left) throw BAD_OPTION;
                        --left;
                    }
                    --left;
                    int datalen = 0;
                    nd.out.append(tcpOptionName(opt));
                    switch (opt) {
                        case 2, 3, 6, 7, 11, 12, 13 -> {
                            // One number: mss 2 bytes, wscale 1, echo, echoreply and the cc options 4.
                            datalen = opt == 2 ? 2 : opt == 3 ? 1 : 4;
                            lencheck(nd, cp, datalen, left);
                            long value = datalen == 1 ? nd.u8(cp) : datalen == 2 ? nd.u16(cp) : nd.u32(cp);
                            nd.out.append(' ').append(value);
                        }
                        case 5 -> {
                            datalen = len - 2;
                            if (datalen % 8 != 0) {
                                nd.out.append(" invalid sack");
                            } else {
                                nd.out.append(' ').append(datalen / 8).append(' ');
                                for (int i = 0; i < datalen; i += 8) {
                                    lencheck(nd, cp, i + 4, left);
                                    long s = nd.u32(cp + i);
                                    lencheck(nd, cp, i + 8, left);
                                    long e = nd.u32(cp + i + 4);
                                    long base = rev ? thseq : thack;
                                    nd.out.append('{').append((s - base) & 0xffffffffL).append(':')
                                            .append((e - base) & 0xffffffffL).append('}');
                                }
                            }
                        }
                        case 8 -> {
                            datalen = 8;
                            lencheck(nd, cp, datalen, left);
                            nd.out.append(" val ").append(nd.u32(cp)).append(" ecr ").append(nd.u32(cp + 4));
                        }
                        case 19 -> {
                            // With OpenSSL but no -M secret tcpdump cannot verify the signature.
                            datalen = 16;
                            lencheck(nd, cp, datalen, left);
                            // tcp_verify_signature() cannot check without all of the data, nor without -M.
                            nd.out.append(tp + hlen + length > nd.snapend ? " snaplen too short, "
                                    : " shared secret not supplied with -M, ").append("can't check - ");
                            for (int i = 0; i < 16; i++) hex2(nd.out, nd.u8(cp + i));
                        }
                        case 20 -> {
                            datalen = 2;
                            lencheck(nd, cp, datalen, left);
                            nd.out.append(" cap ").append(hex(nd.u8(cp), 2)).append(" id ").append(nd.u8(cp + 1));
                        }
                        case 29 -> {
                            datalen = len - 2;
                            if (datalen < 2) {
                                nd.ndPrintInvalid();
                            } else {
                                lencheck(nd, cp, 1, left);
                                nd.out.append(" keyid ").append(nd.u8(cp));
                                lencheck(nd, cp, 2, left);
                                nd.out.append(" rnextkeyid ").append(nd.u8(cp + 1));
                                if (datalen > 2) {
                                    nd.out.append(" mac 0x");
                                    for (int i = 2; i < datalen; i++) {
                                        lencheck(nd, cp, i + 1, left);
                                        hex2(nd.out, nd.u8(cp + i));
                                    }
                                }
                            }
                        }
                        case 0, 1, 4 -> { }
                        case 28 -> {
                            datalen = 2;
                            lencheck(nd, cp, datalen, left);
                            int uto = nd.u16(cp);
                            nd.out.append(" 0x").append(Integer.toHexString(uto));
                            uto = (uto & 1) != 0 ? (uto >> 1) * 60 : uto >> 1;
                            nd.out.append(' ').append(uto);
                        }
                        default -> {
                            // Unknown options, and mptcp/tfo/exp which jnat prints as raw bytes.
                            datalen = len - 2;
                            if (datalen != 0) nd.out.append(" 0x");
                            for (int i = 0; i < datalen; i++) {
                                lencheck(nd, cp, i + 1, left);
                                hex2(nd.out, nd.u8(cp + i));
                            }
                        }
                    }
                    cp += datalen;
                    left -= datalen;
                    datalen++;
                    if (!zeroLen) datalen++;
                    if (datalen != len) nd.out.append("[len ").append(len).append(']');
                    ch = ',';
                    if (opt == 0) break;
                }
                nd.out.append(']');
            } catch (BadOption e) {
                nd.out.append("[bad opt]");
                if (ch != '\0') nd.out.append(']');
                return;
            } catch (OptionTruncated e) {
                nd.ndPrintTrunc();
                if (ch != '\0') nd.out.append('>');
                return;
            }
        }
        nd.out.append(", length ").append(Integer.toUnsignedString(length));
        if (length == 0) return;
        int headerLen = (nd.u8(tp + 12) >> 4) * 4;
        if (!nd.ttest(tp, headerLen)) {
            nd.out.append(" [remaining caplen(").append(Math.max(0, nd.snapend - tp)).append(") < header length(")
                    .append(headerLen).append(")]");
            throw Netdissect.TRUNCATED;
        }
        int data = tp + headerLen;
        if ((flags & 0x04) != 0 && nd.vflag > 0) {
            tcpRstData(nd, data, length);
            return;
        }
        if (sport == 53 || dport == 53) {
            PrintDomain.print(nd, data, length, true, false);
        } else if (sport == 80 || dport == 80 || sport == 8080 || dport == 8080) {
            nd.out.append(": ");
            PrintHttp.print(nd, data, length);
        }
    }

    /** Reached from LENCHECK's ND_TCHECK_LEN: tcp_print's "trunc:" label. */
    private static final class OptionTruncated extends RuntimeException {
        OptionTruncated() {
            super(null, null, false, false);
        }
    }

    private static final OptionTruncated OPTION_TRUNCATED = new OptionTruncated();

    /** print-tcp.c's LENCHECK(l): bad option if {@code l} exceeds what is left of the header, trunc if not captured. */
    private static void lencheck(Netdissect nd, int cp, int l, int left) {
        if (l > left) throw BAD_OPTION;
        if (!nd.ttest(cp, l)) throw OPTION_TRUNCATED;
    }

    /** print_tcp_rst_data(). */
    private static void tcpRstData(Netdissect nd, int sp, int length) {
        nd.out.append(nd.ttest(sp, length) ? " [RST" : " [!RST");
        if (Integer.compareUnsigned(length, 30) > 0) {
            length = 30;
            nd.out.append('+'); // tcpdump's mark that it cut the data short
        }
        nd.out.append(' ');
        while (length-- > 0 && sp < nd.snapend) {
            int c = nd.buf[sp++] & 0xff;
            if (c >= 0x20 && c < 0x7f) nd.out.append((char) c);
            else {
                // fn_print_char(): M- for high bit, ^ for control characters.
                if ((c & 0x80) != 0) {
                    nd.out.append("M-");
                    c &= 0x7f;
                }
                if (c < 0x20 || c == 0x7f) nd.out.append('^').append((char) (c ^ 0x40));
                else nd.out.append((char) c);
            }
        }
        nd.out.append(']');
    }
}
