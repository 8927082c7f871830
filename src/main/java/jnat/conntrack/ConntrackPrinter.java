package jnat.conntrack;

import jnat.wire.Ipv6Address;

/**
 * Prints entries as {@code conntrack -L} (conntrack-tools 1.4.x through libnetfilter_conntrack's
 * __snprintf_conntrack_default) prints them: protocol, timeout left, TCP state, the original
 * tuple, [UNREPLIED], the reply tuple, [ASSURED], mark, use. With {@code -o extended} the line
 * starts with the layer 3 protocol ("ipv4     2 ", "ipv6     10 "). IPv6 addresses are printed
 * as inet_ntop writes them; ICMPv6 as ICMP (type, code, id). With {@code -o id} the entry's id ends the line.
 * Counters appear after each tuple when
 * accounting is on (net.netfilter.nf_conntrack_acct=1; off by default, as here).
 */
public final class ConntrackPrinter {
    /** The conntrack-tools version whose summary line we print. */
    public static final String VERSION = "1.4.7";

    private boolean extended;
    private boolean counters;
    private boolean id;
    private int use = 1;
    private boolean ktimestamp;

    /** {@code -o ktimestamp}: NFCT_OF_TIMESTAMP (the entry's start and stop, when it has timestamps). */
    public ConntrackPrinter ktimestamp(boolean on) {
        this.ktimestamp = on;
        return this;
    }

    /** {@code -o id}: the entry's id at the end of the line (jnat's row number; the kernel's is a siphash). */
    public ConntrackPrinter id(boolean on) {
        this.id = on;
        return this;
    }

    /** The reference count printed: 1 in a dump, 2 for {@code -G}, which holds a reference while it answers. */
    public ConntrackPrinter use(int n) {
        this.use = n;
        return this;
    }

    public ConntrackPrinter extended(boolean on) {
        this.extended = on;
        return this;
    }

    public ConntrackPrinter counters(boolean on) {
        this.counters = on;
        return this;
    }

    /** libnetfilter_conntrack's proto2str; "unknown" for the rest. */
    public static String protoName(int protocol) {
        return switch (protocol) {
            case 1 -> "icmp";
            case 2 -> "igmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 33 -> "dccp";
            case 47 -> "gre";
            case 58 -> "icmpv6";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> "unknown";
        };
    }

    /** One entry, without a newline. */
    public String line(ConnTable t, int id, long now) {
        StringBuilder sb = entry(new StringBuilder(200), t, id, now, true);
        sb.append("mark=").append(Integer.toUnsignedString(t.mark(id))).append(' ');
        zone(sb, t.zone(id));
        sb.append("use=").append(use);
        if (this.id) sb.append(" id=").append(id);
        return sb.toString();
    }

    /**
     * One event line as {@code conntrack -E} prints it: the kind right-aligned in nine columns
     * ("    [NEW]", " [UPDATE]", "[DESTROY]"), the entry without use, its mark only when set or
     * changed (ctnetlink sends CTA_MARK then).
     */
    public String event(int events, ConnTable t, int id, long now) {
        StringBuilder sb = new StringBuilder(200);
        String kind = "[" + ConntrackEvents.kind(events) + "]";
        for (int i = kind.length(); i < 9; i++) sb.append(' ');
        // an UPDATE carries the TCP state only when it changed (ctnetlink dumps CTA_PROTOINFO for IPCT_PROTOINFO)
        boolean state = (events & (1 << ConntrackEvents.IPCT_NEW | 1 << ConntrackEvents.IPCT_RELATED
                | 1 << ConntrackEvents.IPCT_DESTROY | 1 << ConntrackEvents.IPCT_PROTOINFO)) != 0;
        entry(sb.append(kind).append(' '), t, id, now, state);
        if (t.mark(id) != 0 || (events & 1 << ConntrackEvents.IPCT_MARK) != 0) {
            sb.append("mark=").append(Integer.toUnsignedString(t.mark(id))).append(' ');
        }
        zone(sb, t.zone(id));
        if (this.id) sb.append("id=").append(id).append(' ');
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** The entry up to its flags, each field followed by a space; a TCP entry's state when {@code state}. */
    private StringBuilder entry(StringBuilder sb, ConnTable t, int id, long now, boolean state) {
        if (extended) {
            if (t.ipv6(id)) pad(sb, "ipv6").append(Tuple.NFPROTO_IPV6).append(' ');
            else pad(sb, "ipv4").append(Tuple.NFPROTO_IPV4).append(' ');
        }
        int proto = t.protocol(id);
        pad(sb, protoName(proto)).append(proto).append(' ');
        sb.append(t.expiresIn(id, now) / 1_000_000_000L).append(' ');
        if (proto == Tuple.IPPROTO_TCP && state) sb.append(TcpTracker.name(t.tcpState(id))).append(' ');
        tuple(sb, t, id, ConnTable.ORIGINAL);
        int st = t.status(id);
        if ((st & Status.SEEN_REPLY) == 0) sb.append("[UNREPLIED] ");
        tuple(sb, t, id, ConnTable.REPLY);
        if ((st & Status.HW_OFFLOAD) != 0) sb.append("[HW_OFFLOAD] ");
        else if ((st & Status.OFFLOAD) != 0) sb.append("[OFFLOAD] ");
        else if ((st & Status.ASSURED) != 0) sb.append("[ASSURED] ");
        return sb;
    }

    /** CTA_ZONE: a zone of both directions (ctnetlink_dump_zone_id with NF_CT_DEFAULT_ZONE_DIR). */
    private static void zone(StringBuilder sb, int zone) {
        if (zone != 0 && zone >>> 16 == 3) sb.append("zone=").append(zone & 0xFFFF).append(' ');
    }

    private void tuple(StringBuilder sb, ConnTable t, int id, int dir) {
        if (t.ipv6(id)) {
            sb.append("src=").append(Ipv6Address.format(t.srcHi(id, dir), t.srcLo(id, dir))).append(' ');
            sb.append("dst=").append(Ipv6Address.format(t.dstHi(id, dir), t.dstLo(id, dir))).append(' ');
        } else {
            sb.append("src=").append(Tuple.ip(t.srcAddr(id, dir))).append(' ');
            sb.append("dst=").append(Tuple.ip(t.dstAddr(id, dir))).append(' ');
        }
        int proto = t.protocol(id);
        int sp = t.srcPort(id, dir), dp = t.dstPort(id, dir);
        switch (proto) {
            case 6, 17, 33, 132, 136 -> sb.append("sport=").append(sp).append(" dport=").append(dp).append(' ');
            case 47 -> sb.append("srckey=0x").append(Integer.toHexString(sp)).append(" dstkey=0x")
                    .append(Integer.toHexString(dp)).append(' ');
            case 1, 58 -> sb.append("type=").append(dp >>> 8).append(" code=").append(dp & 0xff)
                    .append(" id=").append(sp).append(' ');
            default -> { }
        }
        int zone = t.zone(id);
        if (zone != 0 && zone >>> 16 == 1 << dir) { // CTA_TUPLE_ZONE: a zone of this direction only
            sb.append(dir == ConnTable.ORIGINAL ? "zone-orig=" : "zone-reply=").append(zone & 0xFFFF).append(' ');
        }
        if (counters) {
            sb.append("packets=").append(t.packets(id, dir)).append(" bytes=").append(t.bytes(id, dir)).append(' ');
        }
    }

    private static StringBuilder pad(StringBuilder sb, String s) {
        sb.append(s);
        for (int i = s.length(); i < 8; i++) sb.append(' ');
        return sb.append(' ');
    }

    /** All confirmed live entries, one line each with a newline, in id order. */
    public String list(ConnTable t, long now) {
        StringBuilder sb = new StringBuilder();
        for (int id = t.nextConfirmed(0); id >= 0; id = t.nextConfirmed(id + 1)) {
            if (t.expired(id, now)) continue;
            sb.append(line(t, id, now)).append('\n');
        }
        return sb.toString();
    }

    /** The summary conntrack prints on stderr after a listing. */
    public static String summary(int entries) {
        return "conntrack v" + VERSION + " (conntrack-tools): " + entries + " flow entries have been shown.";
    }
}
