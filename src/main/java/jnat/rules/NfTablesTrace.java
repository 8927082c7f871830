package jnat.rules;

import jnat.wire.Ipv4Address;
import jnat.wire.Ipv6Address;

/**
 * The nf_tables trace (nf_tables_trace.c), as {@code xtables-monitor --trace} of iptables 1.8.9 prints
 * it: for a packet whose nf_trace a -j TRACE rule set ({@link TraceTarget}), each base chain walk
 * that reports anything begins with the packet (nft_trace_notify's first message of a walk carries
 * the headers: {@code PACKET: 2 id OUT=lo SRC=... DPORT=9 MARK=0x2a}), then each rule it hits
 * (NFT_TRACETYPE_RULE, with the rule's verdict and the rule as iptables-save writes it) and the policy
 * it ends at (NFT_TRACETYPE_POLICY). A rule that does not match is not reported, nor the end of a user
 * chain (the walk goes back to the rule after the jump without a message); a RETURN rule is a rule
 * with the verdict NFT_RETURN, which xtables-monitor has no name for (0xfffffffb).
 *
 * <p>Rule handles: the kernel numbers a table's chains and rules from one counter in the order they
 * are created; for a table iptables-restore loads fresh that is its chains in the order the file
 * lists them, then its rules in file order. jnat numbers them as the kernel numbers its own
 * iptables-save text restored into a fresh namespace: the built-in chains in hook order, the user
 * chains by name, then the rules chain by chain ({@link #handle}). A ruleset changed by commands
 * after loading is numbered as if saved and restored again.
 *
 * <p>The trace id (nft_trace_init's siphash of the sk_buff's address, hash and skb_iif) is jnat's own
 * count of traced sk_buffs, printed as the kernel prints its id: the same through one packet's hooks,
 * another when it comes back in through lo. The in device's link-layer header is printed as 1.8.9
 * does: LOOPBACK for lo, MACSRC=/MACDST=/MACPROTO= for Ethernet.
 */
public final class NfTablesTrace {
    public static final int NF_DROP = 0, NF_ACCEPT = 1, NF_STOLEN = 2, NF_QUEUE = 3;
    /** nft's verdicts below the netfilter ones. */
    static final int NFT_CONTINUE = -1, NFT_BREAK = -2, NFT_JUMP = -3, NFT_GOTO = -4, NFT_RETURN = -5;

    /** Where the trace's lines go (a listener on NFNLGRP_NFTRACE). */
    public interface Sink {
        /** One line as xtables-monitor prints it, without its newline; {@code text} is valid during the call. */
        void line(CharSequence text);
    }

    private Sink sink;
    private int ids;
    private final byte[] packet = new byte[0x10000 + 64];
    private final byte[] mac = new byte[64];
    private final StringBuilder line = new StringBuilder(256);

    public void listen(Sink s) {
        this.sink = s;
    }

    /**
     * A traced packet hit {@code rule} ({@code position}, 0-based, of {@code chain}) with {@code verdict}
     * (a netfilter or nft verdict; {@code to} the chain of a jump or goto). {@code dumped}: this walk has
     * already sent the packet. Returns whether it has now.
     */
    boolean rule(Table table, Chain chain, int position, Rule rule, int verdict, Chain to, PacketContext ctx, boolean dumped) {
        Sink s = sink;
        if (s == null) return dumped;
        if (!dumped) packet(ctx);
        StringBuilder b = head(table, chain, ctx);
        b.append(":rule:0x").append(Integer.toHexString(handle(table, chain, position))).append(':');
        verdict(b, verdict, to);
        b.append(' ').append(table.ipv6 ? "-6" : "-4").append(" -t ").append(table.name).append(" -A ").append(chain.name());
        rule.save(b, false);
        s.line(b);
        return true;
    }

    /** A traced packet ended the walk of {@code base} at its policy. */
    boolean policy(Table table, Chain base, boolean accept, PacketContext ctx, boolean dumped) {
        Sink s = sink;
        if (s == null) return dumped;
        if (!dumped) packet(ctx);
        StringBuilder b = head(table, base, ctx).append(":policy:");
        verdict(b, accept ? NF_ACCEPT : NF_DROP, null);
        s.line(b);
        return true;
    }

    /** " TRACE: 2 0000002a filter:INPUT". */
    private StringBuilder head(Table table, Chain chain, PacketContext ctx) {
        StringBuilder b = line;
        b.setLength(0);
        b.append(" TRACE: ").append(table.ipv6 ? 10 : 2).append(' ');
        hex8(b, id(ctx));
        return b.append(' ').append(table.name).append(':').append(chain.name());
    }

    private int id(PacketContext ctx) {
        int id = ctx.nfTraceId();
        if (id == 0) {
            id = ++ids;
            if (id == 0) id = ++ids;
            ctx.setNfTraceId(id);
        }
        return id;
    }

    private static void hex8(StringBuilder b, int v) {
        String h = Integer.toHexString(v);
        for (int i = h.length(); i < 8; i++) b.append('0');
        b.append(h);
    }

    /** print_verdict, with its trailing space. */
    static void verdict(StringBuilder b, int verdict, Chain to) {
        switch (verdict) {
            case NF_ACCEPT -> b.append("ACCEPT");
            case NF_DROP -> b.append("DROP");
            case NF_QUEUE -> b.append("QUEUE");
            case NF_STOLEN -> b.append("STOLEN");
            case NFT_BREAK -> b.append("BREAK");
            case NFT_CONTINUE -> b.append("CONTINUE");
            case NFT_GOTO -> b.append("GOTO:").append(to.name());
            case NFT_JUMP -> b.append("JUMP:").append(to.name());
            default -> b.append("0x").append(Integer.toHexString(verdict));
        }
        b.append(' ');
    }

    /**
     * The handle the kernel gives the rule at {@code position} of {@code chain} when the table's
     * iptables-save text is restored into a fresh namespace: the chains take 1..n, the rules follow.
     */
    static int handle(Table table, Chain chain, int position) {
        java.util.List<Chain> chains = table.chainList();
        int h = chains.size();
        for (Chain c : chains) {
            if (c == chain) return h + position + 1;
            h += c.rules.size();
        }
        throw new IllegalArgumentException("chain " + chain.name() + " is not in table " + table.name);
    }

    /** trace_print_packet: the PACKET line. */
    private void packet(PacketContext ctx) {
        StringBuilder b = line;
        b.setLength(0);
        b.append("PACKET: ").append(ctx.ipv6() ? 10 : 2).append(' ');
        hex8(b, id(ctx));
        b.append(' ');
        if (!ctx.inInterface().isEmpty()) b.append("IN=").append(ctx.inInterface()).append(' ');
        if (!ctx.outInterface().isEmpty()) b.append("OUT=").append(ctx.outInterface()).append(' ');
        int macLen = ctx.inInterface().isEmpty() ? -1 : ctx.macHeader(mac);
        if (macLen >= 0) {
            int type = ctx.inDeviceType();
            if (type == 772) {
                b.append("LOOPBACK ");
            } else if (type == 1 && macLen >= 14) {
                b.append("MACSRC=");
                etherNtoa(b, 6);
                b.append(" MACDST=");
                etherNtoa(b, 0);
                b.append(" MACPROTO=");
                String p = Integer.toHexString((mac[12] & 0xff) << 8 | mac[13] & 0xff);
                for (int i = p.length(); i < 4; i++) b.append('0');
                b.append(p).append(' ');
            } else {
                b.append("LL=0x").append(Integer.toHexString(type)).append(' ');
                for (int i = 0; i < macLen; i++) hex2(b, mac[i]);
                b.append(' ');
            }
        }
        int len = ctx.packetBytes(packet);
        byte[] p = packet;
        int l4 = -1, thoff = -1;
        if (!ctx.ipv6() && len >= 20) {
            b.append("SRC=").append(Ipv4Address.format(u32(p, 12))).append(" DST=").append(Ipv4Address.format(u32(p, 16)));
            int frag = u16(p, 6);
            b.append(" LEN=").append(u16(p, 2)).append(" TOS=0x").append(Integer.toHexString(p[1] & 0xff))
                    .append(" TTL=").append(p[8] & 0xff).append(" ID=").append(u16(p, 4)).append(' ');
            if ((frag & 0x8000) != 0) b.append("CE ");
            if ((frag & 0x4000) != 0) b.append("DF ");
            if ((frag & 0x2000) != 0) b.append("MF ");
            if ((frag & 0x1fff) != 0) b.append("FRAG:").append(frag & 0x1fff).append(' ');
            l4 = p[9] & 0xff;
            int ihl = (p[0] & 0xf) * 4;
            if (ihl > 20) {
                b.append("OPT (");
                for (int i = 20; i < ihl && i < len; i++) {
                    String h = Integer.toHexString(p[i] & 0xff).toUpperCase(java.util.Locale.ROOT);
                    if (h.length() < 2) b.append('0');
                    b.append(h);
                }
                b.append(")");
            }
            // the transport header is sent for the first fragment only (NFT_PKTINFO_L4PROTO)
            if ((frag & 0x1fff) == 0) thoff = ihl;
        } else if (ctx.ipv6() && len >= 40) {
            int first = u32(p, 0);
            b.append("SRC=").append(Ipv6Address.format(p, 8)).append(" DST=")
                    .append(Ipv6Address.format(p, 24));
            b.append(" LEN=").append(u16(p, 4) + 20).append(" TC=").append((first & 0x0ff00000) >>> 20)
                    .append(" HOPLIMIT=").append(p[7] & 0xff).append(" FLOWLBL=").append(first & 0xfffff).append(' ');
            l4 = p[6] & 0xff; // xtables-monitor reads ip6_nxt, not the upper-layer header past extensions
            thoff = ctx.transportByte(0) < 0 ? -1 : 40;
        }
        if (thoff >= 0 && len >= thoff + 4) {
            switch (l4) {
                case 6 -> {
                    if (len >= thoff + 20) {
                        b.append("SPORT=").append(u16(p, thoff)).append(" DPORT=").append(u16(p, thoff + 2)).append(' ');
                        int f = p[thoff + 13] & 0xff;
                        if ((f & 0x02) != 0) b.append("SYN ");
                        if ((f & 0x10) != 0) b.append("ACK ");
                        if ((f & 0x01) != 0) b.append("FIN ");
                        if ((f & 0x04) != 0) b.append("RST ");
                        if ((f & 0x08) != 0) b.append("PSH ");
                        if ((f & 0x20) != 0) b.append("URG ");
                    }
                }
                case 17, 33, 132, 136 -> b.append("SPORT=").append(u16(p, thoff)).append(" DPORT=").append(u16(p, thoff + 2)).append(' ');
                default -> { }
            }
        }
        int mark = ctx.mark();
        if (mark != 0) b.append("MARK=0x").append(Integer.toHexString(mark)).append(' ');
        sink.line(b);
    }

    /** ether_ntoa: hex bytes without leading zeros, colon-separated. */
    private void etherNtoa(StringBuilder b, int at) {
        for (int i = 0; i < 6; i++) {
            if (i > 0) b.append(':');
            b.append(Integer.toHexString(mac[at + i] & 0xff));
        }
    }

    private static void hex2(StringBuilder b, byte v) {
        b.append(Character.forDigit((v >> 4) & 0xf, 16)).append(Character.forDigit(v & 0xf, 16));
    }

    private static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | p[at + 1] & 0xff;
    }

    private static int u32(byte[] p, int at) {
        return u16(p, at) << 16 | u16(p, at + 2);
    }
}
