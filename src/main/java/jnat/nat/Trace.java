package jnat.nat;

import jnat.host.Interface;
import jnat.rules.Chain;
import jnat.rules.Hook;
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
 * The stages' side of the trace: each stage asks {@link #on()} first, so a run without a listener
 * builds no strings; the calls here build the summaries and hand {@link TraceEvents} its events
 * ({@link TraceLines} turns them into --trace's lines, in the words of the kernel's TRACE target).
 */
final class Trace {
    private static final String[] CTINFO = {"ESTABLISHED", "RELATED", "NEW", "ESTABLISHED reply", "RELATED reply"};

    private TraceEvents events;

    private final Tracer tableTracer = new Tracer() {
        @Override
        public void rule(Table table, Chain chain, int number, Rule rule) {
            events.rule(table, chain, number, rule);
        }

        @Override
        public void leave(Table table, Chain chain, int number, boolean policy) {
            events.leave(table, chain, number, policy);
        }
    };

    boolean on() {
        return events != null;
    }

    void set(TraceEvents events) {
        this.events = events;
    }

    /** What a table reports its walk to: null while tracing is off. */
    Tracer tableTracer() {
        return events == null ? null : tableTracer;
    }

    void received(PacketState p) {
        events.received(p.in, summary(p));
    }

    void fragmentQueued(PacketState p) {
        events.fragmentQueued(p.in, summary(p));
    }

    void reassembled(int fragments) {
        events.reassembled(fragments);
    }

    void localOut(PacketState p) {
        events.localOut(summary(p));
    }

    void hostSends(PacketState p) {
        events.hostSends(summary(p));
    }

    void hostSent() {
        events.hostSent();
    }

    void hook(Hook hook) {
        events.hook(hook);
    }

    /** After conntrack has seen a packet at {@code hook}: its connection and state. */
    void conntrack(PacketState p, Hook hook) {
        events.conntrack(hook, p.tracked() ? p.ct.id : -1, p.tracked() ? CTINFO[p.ct.ctinfo]
                : p.untracked ? "UNTRACKED (NOTRACK: not NATed)" : "INVALID (untracked: not NATed)");
    }

    void verdict(Hook hook, Table table, Target verdict) {
        events.verdict(hook, table, verdict);
    }

    void nat(PacketState p, boolean source) {
        events.nat(source, summary(p));
    }

    void route(Interface out, String nexthop) {
        events.route(out, nexthop);
    }

    void transmit(PacketState p) {
        events.transmit(p.out(), summary(p), -1, false);
    }

    void transmitFragment(Interface out, Ipv4Packet fragment) {
        events.transmit(out, summary(fragment), fragment.fragmentOffset() * 8, fragment.moreFragments());
    }

    void transmitFragment(Interface out, Ipv6Packet fragment) {
        events.transmit(out, summary(fragment), fragment.fragmentOffset() * 8, fragment.moreFragments());
    }

    void delivered(PacketState p) {
        events.delivered(summary(p));
    }

    void dropped(PacketState p, DropReason reason) {
        events.dropped(p.in, reason);
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
