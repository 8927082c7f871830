package jnat.nat;

import jnat.rules.Chain;
import jnat.rules.Rule;
import jnat.rules.Table;
import jnat.rules.Target;
import jnat.rules.Tracer;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;

/**
 * The readable walk of each packet (--trace), in the words of the kernel's TRACE target
 * ({@code nat:PREROUTING:rule:1 -> DOCKER}): every stage asks {@link #on()} first, so a run
 * without a tracer builds no strings.
 */
final class Trace {
    private static final String[] CTINFO = {"ESTABLISHED", "RELATED", "NEW", "ESTABLISHED reply", "RELATED reply"};

    private PacketTracer tracer;

    private final Tracer tableTracer = new Tracer() {
        @Override
        public void rule(Table table, Chain chain, int number, Rule rule) {
            StringBuilder b = new StringBuilder("  ").append(table.name).append(':').append(chain.name())
                    .append(":rule:").append(number).append(' ');
            if (rule.jump() != null) b.append(rule.isGoto ? "goto " : "-> ").append(rule.jump().name());
            else b.append(rule.target == null ? "(no target)" : describe(rule.target));
            tracer.line(b.toString());
        }

        @Override
        public void leave(Table table, Chain chain, int number, boolean policy) {
            tracer.line("  " + table.name + ':' + chain.name() + (policy ? ":policy:" + number + ' ' + chain.policy()
                    : ":return:" + number));
        }
    };

    boolean on() {
        return tracer != null;
    }

    void set(PacketTracer tracer) {
        this.tracer = tracer;
    }

    /** What a table reports its walk to: null while tracing is off. */
    Tracer tableTracer() {
        return tracer == null ? null : tableTracer;
    }

    void line(String text) {
        tracer.line(text);
    }

    /** "  conntrack: NEW" after conntrack has seen a packet. */
    void conntrack(PacketState p) {
        line("  conntrack: " + (p.tracked() ? CTINFO[p.ct.ctinfo]
                : p.untracked ? "UNTRACKED (NOTRACK: not NATed)" : "INVALID (untracked: not NATed)"));
    }

    /** The drop line: a packet dropped before the hooks is named by its interface, as its first line. */
    void dropped(PacketState p, DropReason reason) {
        line((reason.beforeHooks() && p.in != null ? p.in.name() + " in: " : "  ") + "dropped: " + reason.text());
    }

    private static String describe(Target t) {
        StringBuilder b = new StringBuilder(t.name());
        StringBuilder detail = new StringBuilder();
        t.print(detail, true);
        if (!detail.isEmpty()) b.append(' ').append(detail.toString().trim());
        return b.toString();
    }

    /** The packet's summary in its family. */
    static String summary(PacketState p) {
        return p.ipv6 ? summary(p.ip6) : summary(p.ip);
    }

    /** "TCP 2001:db8::1 port 5 > 2001:db8::2 port 10 len 60" (ports after the word, an address having colons). */
    static String summary(Ipv6Packet ip) {
        StringBuilder b = new StringBuilder();
        int p = ip.upperProtocol();
        b.append(switch (p) {
            case IpProtocol.TCP -> "TCP";
            case IpProtocol.UDP -> "UDP";
            case IpProtocol.ICMPV6 -> "ICMPv6";
            default -> "proto " + p;
        }).append(' ').append(Ipv6Address.format(ip.srcHi(), ip.srcLo()));
        if (ip.hasPorts()) b.append(" port ").append(ip.srcPort());
        b.append(" > ").append(Ipv6Address.format(ip.dstHi(), ip.dstLo()));
        if (ip.hasPorts()) b.append(" port ").append(ip.dstPort());
        if (p == IpProtocol.ICMPV6 && ip.fragmentOffset() == 0 && ip.upperLength() >= 2) {
            b.append(" type ").append(ip.icmpType()).append(" code ").append(ip.icmpCode());
        }
        if (ip.hasIcmpId()) b.append(" id ").append(ip.icmpId());
        b.append(" len ").append(ip.length());
        return b.toString();
    }

    /** "TCP 1.2.3.4:5 > 6.7.8.9:10 len 60" for the trace. */
    static String summary(Ipv4Packet ip) {
        StringBuilder b = new StringBuilder();
        int p = ip.protocol();
        b.append(switch (p) {
            case IpProtocol.TCP -> "TCP";
            case IpProtocol.UDP -> "UDP";
            case IpProtocol.ICMP -> "ICMP";
            default -> "proto " + p;
        }).append(' ').append(Ipv4Address.format(ip.src()));
        if (ip.hasPorts()) b.append(':').append(ip.srcPort());
        b.append(" > ").append(Ipv4Address.format(ip.dst()));
        if (ip.hasPorts()) b.append(':').append(ip.dstPort());
        if (p == IpProtocol.ICMP && ip.payloadLength() >= 2) b.append(" type ").append(ip.icmpType()).append(" code ").append(ip.icmpCode());
        if (ip.hasIcmpId()) b.append(" id ").append(ip.icmpId());
        b.append(" len ").append(ip.totalLength());
        return b.toString();
    }
}
