package jnat.rules;

/**
 * nf_log_syslog.c: the line -j LOG writes to the kernel log ("PREFIX IN=eth0 OUT= MAC=... SRC=...
 * DST=... LEN=... TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=UDP SPT=.. DPT=.. LEN=.. "), for both
 * families, over the packet's bytes from its network header. The kernel's "%c" log level byte
 * (KERN_SOH) is not part of the text; the line keeps the kernel's trailing space.
 */
final class NfLogSyslog {
    private NfLogSyslog() {}

    /** xt_LOG.h's flags (NF_LOG_*). */
    static final int TCPSEQ = 0x01, TCPOPT = 0x02, IPOPT = 0x04, UID = 0x08, MACDECODE = 0x20;

    static final int ARPHRD_ETHER = 1, ARPHRD_NONE = 0xFFFE;

    /**
     * nf_log_ip_packet / nf_log_ip6_packet: the common part, the link header for a packet that came
     * in by a device (dump_mac_header), then the network packet.
     */
    static void packet(StringBuilder m, String prefix, int logflags, PacketContext ctx, byte[] pkt, int len,
            byte[] mac, int macLen) {
        String in = ctx.inInterface(), out = ctx.outInterface();
        m.append(prefix).append("IN=").append(in).append(" OUT=").append(out).append(' ');
        if (!in.isEmpty()) dumpMacHeader(m, logflags, ctx.inDeviceType(), mac, macLen);
        boolean uid = (logflags & UID) != 0 && ctx.fromLocalSocket();
        if (ctx.ipv6()) dumpIpv6(m, logflags, pkt, 0, len, true, uid, ctx.mark());
        else dumpIpv4(m, logflags, pkt, 0, len, uid, ctx.mark());
    }

    /** dump_mac_header: MACSRC/MACDST/MACPROTO with --log-macdecode on Ethernet, else the header's bytes. */
    private static void dumpMacHeader(StringBuilder m, int logflags, int devType, byte[] mac, int macLen) {
        if ((logflags & MACDECODE) != 0 && devType == ARPHRD_ETHER) {
            if (macLen < 14) return;
            m.append("MACSRC=");
            macAddr(m, mac, 6);
            m.append(" MACDST=");
            macAddr(m, mac, 0);
            m.append(" MACPROTO=").append(String.format("%04x", u16(mac, 12))).append(' ');
            return;
        }
        m.append("MAC=");
        if (devType != ARPHRD_NONE && macLen > 0) {
            for (int i = 0; i < macLen; i++) {
                if (i > 0) m.append(':');
                hex2(m, mac[i] & 0xFF, false);
            }
        }
        m.append(' ');
    }

    private static void macAddr(StringBuilder m, byte[] b, int off) {
        for (int i = 0; i < 6; i++) {
            if (i > 0) m.append(':');
            hex2(m, b[off + i] & 0xFF, false);
        }
    }

    private static void hex2(StringBuilder m, int v, boolean upper) {
        String d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        m.append(d.charAt(v >> 4)).append(d.charAt(v & 15));
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | b[i + 1] & 0xFF;
    }

    private static long u32(byte[] b, int i) {
        return ((long) u16(b, i) << 16) | u16(b, i + 2);
    }

    private static void ipv4Addr(StringBuilder m, byte[] b, int i) {
        m.append(u8(b, i)).append('.').append(u8(b, i + 1)).append('.').append(u8(b, i + 2)).append('.').append(u8(b, i + 3));
    }

    /** dump_ipv4_packet; {@code off} is 0 for the packet, the quoted header's offset inside an ICMP error. */
    static void dumpIpv4(StringBuilder m, int logflags, byte[] p, int off, int len, boolean uid, int mark) {
        if (len - off < 20) {
            m.append("TRUNCATED");
            return;
        }
        m.append("SRC=");
        ipv4Addr(m, p, off + 12);
        m.append(" DST=");
        ipv4Addr(m, p, off + 16);
        int tos = u8(p, off + 1), frag = u16(p, off + 6), ihl = (u8(p, off) & 15) * 4, proto = u8(p, off + 9);
        m.append(" LEN=").append(u16(p, off + 2)).append(" TOS=0x");
        hex2(m, tos & 0x1E, true);
        m.append(" PREC=0x");
        hex2(m, tos & 0xE0, true);
        m.append(" TTL=").append(u8(p, off + 8)).append(" ID=").append(u16(p, off + 4)).append(' ');
        if ((frag & 0x8000) != 0) m.append("CE ");
        if ((frag & 0x4000) != 0) m.append("DF ");
        if ((frag & 0x2000) != 0) m.append("MF ");
        int fragOff = frag & 0x1FFF;
        if (fragOff != 0) m.append("FRAG:").append(fragOff).append(' ');
        if ((logflags & IPOPT) != 0 && ihl > 20) {
            if (off + ihl > len) {
                m.append("TRUNCATED");
                return;
            }
            m.append("OPT (");
            for (int i = 20; i < ihl; i++) hex2(m, u8(p, off + i), true);
            m.append(") ");
        }
        int t = off + ihl;
        switch (proto) {
            case 6 -> {
                if (tcp(m, p, fragOff != 0, t, len, logflags)) return;
            }
            case 17, 136 -> {
                if (udp(m, p, proto, fragOff != 0, t, len)) return;
            }
            case 1 -> icmp(m, logflags, p, off, t, len, fragOff != 0);
            case 51 -> {
                if (fragOff == 0) {
                    m.append("PROTO=AH ");
                    if (len - t < 12) m.append("INCOMPLETE [").append(len - t).append(" bytes] ");
                    else m.append("SPI=0x").append(Long.toHexString(u32(p, t + 4))).append(' ');
                }
            }
            case 50 -> {
                m.append("PROTO=ESP ");
                if (fragOff == 0) {
                    if (len - t < 8) m.append("INCOMPLETE [").append(len - t).append(" bytes] ");
                    else m.append("SPI=0x").append(Long.toHexString(u32(p, t))).append(' ');
                }
            }
            default -> m.append("PROTO=").append(proto).append(' ');
        }
        // nf_log_dump_sk_uid_gid: the socket's file's fsuid and fsgid; the host's sockets are root's
        if (off == 0 && uid) m.append("UID=0 GID=0 ");
        if (off == 0 && mark != 0) m.append("MARK=0x").append(Integer.toHexString(mark)).append(' ');
    }

    /** The ICMP header length each type needs (required_len). */
    private static int icmpRequired(int type) {
        return switch (type) {
            case 0, 8 -> 4;
            case 3, 4, 5, 11, 12 -> 8 + 20;
            case 13, 14 -> 20;
            case 17, 18 -> 12;
            default -> 0;
        };
    }

    private static void icmp(StringBuilder m, int logflags, byte[] p, int off, int t, int len, boolean fragment) {
        m.append("PROTO=ICMP ");
        if (fragment) return;
        if (len - t < 8) {
            m.append("INCOMPLETE [").append(len - t).append(" bytes] ");
            return;
        }
        int type = u8(p, t), code = u8(p, t + 1);
        m.append("TYPE=").append(type).append(" CODE=").append(code).append(' ');
        int req = type <= 18 ? icmpRequired(type) : 0;
        if (req != 0 && len - t < req) {
            m.append("INCOMPLETE [").append(len - t).append(" bytes] ");
            return;
        }
        switch (type) {
            case 0, 8 -> m.append("ID=").append(u16(p, t + 4)).append(" SEQ=").append(u16(p, t + 6)).append(' ');
            case 12 -> m.append("PARAMETER=").append(u8(p, t + 4)).append(' ');
            case 5, 3, 4, 11 -> {
                if (type == 5) {
                    m.append("GATEWAY=");
                    ipv4Addr(m, p, t + 4);
                    m.append(' ');
                }
                if (off == 0) { // only recurse once
                    m.append('[');
                    dumpIpv4(m, logflags, p, t + 8, len, false, 0);
                    m.append("] ");
                }
                if (type == 3 && code == 4) m.append("MTU=").append(u16(p, t + 6)).append(' ');
            }
            default -> { }
        }
    }

    /** nf_log_dump_tcp_header: true when the header is incomplete (the line ends there). */
    private static boolean tcp(StringBuilder m, byte[] p, boolean fragment, int t, int len, int logflags) {
        m.append("PROTO=TCP ");
        if (fragment) return false;
        if (len - t < 20) {
            m.append("INCOMPLETE [").append(len - t).append(" bytes] ");
            return true;
        }
        m.append("SPT=").append(u16(p, t)).append(" DPT=").append(u16(p, t + 2)).append(' ');
        if ((logflags & TCPSEQ) != 0) m.append("SEQ=").append(u32(p, t + 4)).append(" ACK=").append(u32(p, t + 8)).append(' ');
        m.append("WINDOW=").append(u16(p, t + 14)).append(' ');
        int b12 = u8(p, t + 12), flags = u8(p, t + 13);
        m.append("RES=0x");
        hex2(m, (b12 & 0x0E) << 2, false); // (flag word & TCP_RESERVED_BITS) >> 22, AE having its own name since 6.x
        m.append(' ');
        if ((b12 & 0x01) != 0) m.append("AE ");
        String[] names = {"CWR ", "ECE ", "URG ", "ACK ", "PSH ", "RST ", "SYN ", "FIN "};
        for (int i = 0; i < 8; i++) if ((flags & (0x80 >> i)) != 0) m.append(names[i]);
        m.append("URGP=").append(u16(p, t + 18)).append(' ');
        int doff = (b12 >> 4) * 4;
        if ((logflags & TCPOPT) != 0 && doff > 20) {
            if (t + doff > len) {
                m.append("OPT (TRUNCATED)");
                return true;
            }
            m.append("OPT (");
            for (int i = 20; i < doff; i++) hex2(m, u8(p, t + i), true);
            m.append(") ");
        }
        return false;
    }

    /** nf_log_dump_udp_header. */
    private static boolean udp(StringBuilder m, byte[] p, int proto, boolean fragment, int t, int len) {
        m.append(proto == 17 ? "PROTO=UDP " : "PROTO=UDPLITE ");
        if (fragment) return false;
        if (len - t < 8) {
            m.append("INCOMPLETE [").append(len - t).append(" bytes] ");
            return true;
        }
        m.append("SPT=").append(u16(p, t)).append(" DPT=").append(u16(p, t + 2)).append(" LEN=").append(u16(p, t + 4)).append(' ');
        return false;
    }

    /** %pI6: eight groups of four hex digits, uncompressed (%pI6c would compress). */
    private static void ipv6Addr(StringBuilder m, byte[] b, int i) {
        for (int k = 0; k < 16; k += 2) {
            if (k > 0) m.append(':');
            hex2(m, u8(b, i + k), false);
            hex2(m, u8(b, i + k + 1), false);
        }
    }

    /** dump_ipv6_packet; {@code recurse} is false inside an ICMPv6 error's quoted packet. */
    static void dumpIpv6(StringBuilder m, int logflags, byte[] p, int off, int len, boolean recurse, boolean uid, int mark) {
        if (len - off < 40) {
            m.append("TRUNCATED");
            return;
        }
        m.append("SRC=");
        ipv6Addr(m, p, off + 8);
        m.append(" DST=");
        ipv6Addr(m, p, off + 24);
        long w0 = u32(p, off);
        m.append(" LEN=").append(u16(p, off + 4) + 40).append(" TC=").append((w0 & 0x0ff00000L) >> 20).append(" HOPLIMIT=")
                .append(u8(p, off + 7)).append(" FLOWLBL=").append(w0 & 0xfffff).append(' ');
        boolean fragment = false;
        int ptr = off + 40, hdr = u8(p, off + 6);
        boolean ipopt = (logflags & IPOPT) != 0;
        while (hdr != 59 && (hdr == 0 || hdr == 43 || hdr == 44 || hdr == 50 || hdr == 51 || hdr == 60)) {
            if (len - ptr < 2) {
                m.append("TRUNCATED");
                return;
            }
            if (ipopt) m.append("OPT ( ");
            int hdrlen;
            switch (hdr) {
                case 44 -> {
                    m.append("FRAG:");
                    if (len - ptr < 8) {
                        m.append("TRUNCATED ");
                        return;
                    }
                    int fo = u16(p, ptr + 2);
                    m.append(fo & 0xFFF8).append(' ');
                    if ((fo & 1) != 0) m.append("INCOMPLETE ");
                    m.append("ID:").append(String.format("%08x", u32(p, ptr + 4))).append(' ');
                    if ((fo & 0xFFF8) != 0) fragment = true;
                    hdrlen = 8;
                }
                case 0, 43, 60 -> {
                    if (fragment) {
                        if (ipopt) m.append(')');
                        return;
                    }
                    hdrlen = (u8(p, ptr + 1) + 1) * 8;
                }
                case 51 -> {
                    if (ipopt) {
                        m.append("AH ");
                        if (fragment) {
                            m.append(')');
                            return;
                        }
                        if (len - ptr < 12) {
                            m.append("INCOMPLETE [").append(len - ptr).append(" bytes] )");
                            return;
                        }
                        m.append("SPI=0x").append(Long.toHexString(u32(p, ptr + 4))).append(' ');
                    }
                    hdrlen = (u8(p, ptr + 1) + 2) * 4;
                }
                default -> { // ESP
                    if (ipopt) {
                        m.append("ESP ");
                        if (fragment) {
                            m.append(')');
                            return;
                        }
                        if (len - ptr < 8) {
                            m.append("INCOMPLETE [").append(len - ptr).append(" bytes] )");
                            return;
                        }
                        m.append("SPI=0x").append(Long.toHexString(u32(p, ptr))).append(" )");
                    }
                    return;
                }
            }
            if (ipopt) m.append(") ");
            hdr = u8(p, ptr);
            ptr += hdrlen;
        }
        switch (hdr) {
            case 6 -> {
                if (tcp(m, p, fragment, ptr, len, logflags)) return;
            }
            case 17, 136 -> {
                if (udp(m, p, hdr, fragment, ptr, len)) return;
            }
            case 58 -> {
                m.append("PROTO=ICMPv6 ");
                if (!fragment) {
                    if (len - ptr < 8) {
                        m.append("INCOMPLETE [").append(len - ptr).append(" bytes] ");
                        return;
                    }
                    int type = u8(p, ptr);
                    m.append("TYPE=").append(type).append(" CODE=").append(u8(p, ptr + 1)).append(' ');
                    switch (type) {
                        case 128, 129 -> m.append("ID=").append(u16(p, ptr + 4)).append(" SEQ=").append(u16(p, ptr + 6)).append(' ');
                        case 130, 131, 132 -> { }
                        case 4, 1, 2, 3 -> {
                            if (type == 4) m.append("POINTER=").append(String.format("%08x", u32(p, ptr + 4))).append(' ');
                            if (recurse) {
                                m.append('[');
                                dumpIpv6(m, logflags, p, ptr + 8, len, false, false, 0);
                                m.append("] ");
                            }
                            if (type == 2) m.append("MTU=").append(u32(p, ptr + 4)).append(' ');
                        }
                        default -> { }
                    }
                }
            }
            default -> m.append("PROTO=").append(hdr).append(' ');
        }
        if (recurse && uid) m.append("UID=0 GID=0 ");
        if (recurse && mark != 0) m.append("MARK=0x").append(Integer.toHexString(mark)).append(' ');
    }
}
