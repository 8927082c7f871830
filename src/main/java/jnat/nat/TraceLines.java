package jnat.nat;

import jnat.host.Interface;
import jnat.rules.Chain;
import jnat.rules.Hook;
import jnat.rules.Rule;
import jnat.rules.Table;
import jnat.rules.Target;

/**
 * {@code --trace}'s lines, written from the walk's events (so the text and the report cannot
 * disagree), in the words of the kernel's TRACE target: {@code nat:PREROUTING:rule:1 -> DOCKER}.
 */
public final class TraceLines implements TraceEvents {
    private final PacketTracer out;

    public TraceLines(PacketTracer out) {
        this.out = out;
    }

    @Override
    public void received(Interface in, String packet) {
        out.line(in.name() + " in: " + packet);
    }

    @Override
    public void fragmentQueued(Interface in, String packet) {
        out.line((in == null ? "local out" : in.name() + " in") + ": fragment " + packet + " queued for reassembly");
    }

    @Override
    public void reassembled(int fragments) {
        out.line("  reassembled from " + fragments + " fragments");
    }

    @Override
    public void localOut(String packet) {
        out.line("local out: " + packet);
    }

    @Override
    public void hostSends(String packet) {
        out.line("  host sends: " + packet);
    }

    @Override
    public void conntrack(Hook hook, int id, String state) {
        if (hook == Hook.PREROUTING) out.line("  conntrack: " + state);
    }

    @Override
    public void rule(Table table, Chain chain, int number, Rule rule) {
        out.line("  " + ruleLine(table, chain, number, rule));
    }

    @Override
    public void leave(Table table, Chain chain, int number, boolean policy) {
        out.line("  " + leaveLine(table, chain, number, policy));
    }

    @Override
    public void nat(boolean source, String packet) {
        out.line("  " + (source ? "SNAT" : "DNAT") + ": " + packet);
    }

    @Override
    public void route(Interface dev, String nexthop) {
        out.line("  route: forward out " + dev.name() + " via " + nexthop);
    }

    @Override
    public void transmit(Interface dev, String packet, int fragmentOffset, boolean moreFragments) {
        if (fragmentOffset < 0) out.line(dev.name() + " out: " + packet);
        else out.line(dev.name() + " out: fragment " + packet + " offset " + fragmentOffset + (moreFragments ? " MF" : ""));
    }

    @Override
    public void delivered(String packet) {
        out.line("  delivered to the host: " + packet);
    }

    @Override
    public void dropped(Interface in, DropReason reason) {
        // a packet dropped before the hooks is named by its interface, as its first line
        out.line((reason.beforeHooks() && in != null ? in.name() + " in: " : "  ") + "dropped: " + reason.text());
    }

    /** "nat:DOCKER:rule:2 DNAT to:172.17.0.2:8000", "nat:PREROUTING:rule:1 -> DOCKER", as TRACE prints them. */
    public static String ruleLine(Table table, Chain chain, int number, Rule rule) {
        StringBuilder b = new StringBuilder(table.name).append(':').append(chain.name()).append(":rule:").append(number).append(' ');
        if (rule.jump() != null) b.append(rule.isGoto ? "goto " : "-> ").append(rule.jump().name());
        else b.append(rule.target == null ? "(no target)" : describe(rule.target));
        return b.toString();
    }

    /** "nat:POSTROUTING:policy:3 ACCEPT", "nat:DOCKER:return:3". */
    public static String leaveLine(Table table, Chain chain, int number, boolean policy) {
        return table.name + ':' + chain.name() + (policy ? ":policy:" + number + ' ' + chain.policy() : ":return:" + number);
    }

    private static String describe(Target t) {
        StringBuilder b = new StringBuilder(t.name());
        StringBuilder detail = new StringBuilder();
        t.print(detail, true);
        if (!detail.isEmpty()) b.append(' ').append(detail.toString().trim());
        return b.toString();
    }
}
