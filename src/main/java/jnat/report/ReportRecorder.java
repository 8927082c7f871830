package jnat.report;

import jnat.conntrack.ConnTable;
import jnat.conntrack.ConntrackPrinter;
import jnat.host.Interface;
import jnat.nat.DropReason;
import jnat.nat.NatEngine;
import jnat.nat.TraceEvents;
import jnat.nat.TraceLines;
import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;
import jnat.replay.Replay;
import jnat.rules.Chain;
import jnat.rules.Hook;
import jnat.rules.Rule;
import jnat.rules.Table;
import jnat.rules.Target;
import jnat.tcpdump.TcpdumpPrinter;

import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a replay for the report: every frame fed in (its tcpdump line), its walk as the engine's
 * {@link TraceEvents} tell it, what it became on each interface (tcpdump lines, the fields NAT
 * rewrote marked) and its connection (conntrack's line after the packet). Walks are kept once per
 * distinct sequence of steps (the summaries left out: the tcpdump lines carry them), so a replay of
 * many alike packets stays small. Set it on the engine with {@link #attach()}, feed it the replay's
 * inputs and outputs through {@link #listener} and {@link #sink}, then {@link #finish}.
 */
public final class ReportRecorder implements TraceEvents {
    /** One interface crossing of a packet: where it left ({@link #LOCAL}: delivered), its line, the rewritten fields. */
    record Out(int dev, String line, int[] marks) {}

    /** A packet's record; {@code in} is an interface, {@link #LOCAL} (the host sends it) or {@link #OWN} (caused by {@code cause}). */
    static final class Packet {
        int index;
        long ts;
        int in;
        String line = "";
        int cause = -1;
        int conn = -1;
        int ctId = -1;
        int walk;
        /** The walk being recorded; dropped once interned into {@link #walk}. */
        StringBuilder steps = new StringBuilder();
        final List<Out> outs = new ArrayList<>(1);
        List<Integer> own;
    }

    /** A connection as conntrack shows it after its last packet. */
    static final class Conn {
        String line;
        String origKey;
        int packets;
    }

    static final int LOCAL = -1, OWN = -2;

    private final NatEngine engine;
    private final TraceEvents also;
    private final TcpdumpPrinter printer;
    private final ConntrackPrinter conntrack = new ConntrackPrinter();
    final List<Interface> interfaces = new ArrayList<>();
    private final Map<Interface, Integer> ifIndex = new IdentityHashMap<>();
    final List<Packet> packets = new ArrayList<>();
    final List<Conn> conns = new ArrayList<>();
    private final Map<Integer, Integer> connOfId = new HashMap<>();
    final List<String> walks = new ArrayList<>();
    private final Map<String, Integer> walkIds = new HashMap<>();
    final List<String> rules = new ArrayList<>();
    private final Map<Rule, Integer> ruleIds = new IdentityHashMap<>();
    private final ArrayDeque<Packet> walking = new ArrayDeque<>();
    /** The packets of the frame being walked (the frame's and the host's own it caused). */
    private final List<Packet> group = new ArrayList<>();
    final ZoneId zone;
    private Hook hook;

    /**
     * Records {@code engine}'s replay; every event goes on to {@code also} too (null: none), so
     * {@code --trace} and the report see one walk.
     */
    public ReportRecorder(NatEngine engine, TraceEvents also, ZoneId zone) {
        this.engine = engine;
        this.also = also;
        this.zone = zone;
        this.printer = new TcpdumpPrinter(new TcpdumpPrinter.Options(true, 0, 1, zone));
        for (Interface dev : engine.host().interfaces()) {
            if (dev.isLoopback()) continue;
            ifIndex.put(dev, interfaces.size());
            interfaces.add(dev);
        }
    }

    /** Sets this recorder as the engine's trace listener. */
    public ReportRecorder attach() {
        engine.setTraceEvents(this);
        return this;
    }

    NatEngine engine() {
        return engine;
    }

    /** The replay's input listener: each frame fed in begins a packet; {@code next} (null: none) is told too. */
    public Replay.InputListener listener(Replay.InputListener next) {
        return (in, r) -> {
            received(in, r);
            if (next != null) next.received(in, r);
        };
    }

    /** The replay's sink: records what left each interface and what was delivered, then tells {@code next} (null: none). */
    public Replay.Sink sink(Replay.Sink next) {
        return new Replay.Sink() {
            @Override
            public void transmitted(Interface out, long ts, int linkType, byte[] buf, int off, int len) throws IOException {
                output(ifIndex.getOrDefault(out, LOCAL), ts, linkType, buf, off, len);
                if (next != null) next.transmitted(out, ts, linkType, buf, off, len);
            }

            @Override
            public void delivered(long ts, byte[] buf, int off, int len) throws IOException {
                output(LOCAL, ts, LinkType.RAW, buf, off, len);
                if (next != null) next.delivered(ts, buf, off, len);
            }
        };
    }

    /** A frame fed in on {@code in} (null: the host sends it). */
    public void received(Interface in, PcapRecord r) {
        endGroup();
        Packet p = begin(r.timestampNanos(), in == null ? LOCAL : ifIndex.getOrDefault(in, LOCAL), -1);
        p.line = printer.format(r);
        walking.push(p);
    }

    /** The end of the replay (or of one of several through the same engine): the last frame's records are completed. */
    public void finish() {
        endGroup();
    }

    private Packet begin(long ts, int in, int cause) {
        Packet p = new Packet();
        p.ts = ts;
        p.in = in;
        p.cause = cause;
        p.index = packets.size();
        packets.add(p);
        group.add(p);
        return p;
    }

    private void output(int dev, long ts, int linkType, byte[] buf, int off, int len) {
        Packet p = walking.peek();
        if (p == null) return;
        String line = printer.format(ts, linkType, Arrays.copyOfRange(buf, off, off + len), len, len);
        p.outs.add(new Out(dev, line, p.in == OWN ? NatMarks.NONE : NatMarks.marks(p.line, line)));
    }

    /** The frame's packets are walked: their walks interned, their connections as conntrack shows them now. */
    private void endGroup() {
        long now = group.isEmpty() ? 0 : group.getFirst().ts;
        ConnTable t = engine.connections();
        for (Packet p : group) {
            String steps = p.steps.toString();
            Integer w = walkIds.get(steps);
            if (w == null) {
                w = walks.size();
                walks.add("[" + steps + "]");
                walkIds.put(steps, w);
            }
            p.walk = w;
            p.steps = null;
            int id = p.ctId;
            if (id >= 0 && t.inUse(id) && t.confirmed(id)) {
                String line = conntrack.line(t, id, now);
                String key = origKey(line);
                Integer c = connOfId.get(id);
                if (c == null || !conns.get(c).origKey.equals(key)) {
                    Conn conn = new Conn();
                    conn.origKey = key;
                    c = conns.size();
                    conns.add(conn);
                    connOfId.put(id, c);
                }
                conns.get(c).line = line;
                conns.get(c).packets++;
                p.conn = c;
            }
        }
        group.clear();
        walking.clear();
        hook = null;
    }

    /** The original tuple's part of a conntrack line (from its first src= to the second, without [UNREPLIED]). */
    private static String origKey(String line) {
        int a = line.indexOf("src=");
        int b = line.indexOf("src=", a + 4);
        String key = b < 0 ? line : line.substring(a, b);
        return key.replace("[UNREPLIED] ", "");
    }

    private void step(String json) {
        Packet p = walking.peek();
        if (p == null || p.steps == null) return;
        StringBuilder s = p.steps;
        if (!s.isEmpty()) s.append(',');
        s.append(json);
    }

    private int ruleId(Table table, Chain chain, int number, Rule rule) {
        Integer id = ruleIds.get(rule);
        if (id == null) {
            id = rules.size();
            rules.add("[" + Json.str(table.ipv6 ? "ip6tables" : "iptables") + "," + Json.str(table.name) + ","
                    + Json.str(chain.name()) + "," + number + "," + Json.str(TraceLines.ruleLine(table, chain, number, rule))
                    + "," + Json.str("-A " + chain.name() + " " + rule) + "]");
            ruleIds.put(rule, id);
        }
        return id;
    }

    private String dev(Interface d) {
        return d == null ? "null" : Json.str(d.name());
    }

    // ---- the engine's events ------------------------------------------------------------------

    @Override
    public void received(Interface in, String packet) {
        step("[\"in\"," + dev(in) + "]");
        if (also != null) also.received(in, packet);
    }

    @Override
    public void fragmentQueued(Interface in, String packet) {
        step("[\"Q\"]");
        if (also != null) also.fragmentQueued(in, packet);
    }

    @Override
    public void reassembled(int fragments) {
        step("[\"F\"," + fragments + "]");
        if (also != null) also.reassembled(fragments);
    }

    @Override
    public void localOut(String packet) {
        step("[\"lo\"]");
        if (also != null) also.localOut(packet);
    }

    @Override
    public void hostSends(String packet) {
        Packet cause = walking.peek();
        int causeIndex = cause == null ? -1 : cause.index;
        step("[\"S\"]");
        Packet own = begin(cause == null ? 0 : cause.ts, OWN, causeIndex);
        if (cause != null) {
            if (cause.own == null) cause.own = new ArrayList<>(1);
            cause.own.add(packets.size() - 1);
        }
        walking.push(own);
        step("[\"own\"]");
        if (also != null) also.hostSends(packet);
    }

    @Override
    public void hostSent() {
        if (walking.size() > 1) walking.pop();
        if (also != null) also.hostSent();
    }

    @Override
    public void hook(Hook h) {
        hook = h;
        step("[\"H\"," + Json.str(h.name()) + "]");
        if (also != null) also.hook(h);
    }

    @Override
    public void conntrack(Hook h, int id, String state) {
        Packet p = walking.peek();
        if (p != null && p.ctId < 0) p.ctId = id;
        step("[\"C\"," + Json.str(h.name()) + "," + Json.str(state) + "]");
        if (also != null) also.conntrack(h, id, state);
    }

    @Override
    public void rule(Table table, Chain chain, int number, Rule rule) {
        step("[\"R\"," + Json.str(hook == null ? "" : hook.name()) + "," + ruleId(table, chain, number, rule) + "]");
        if (also != null) also.rule(table, chain, number, rule);
    }

    @Override
    public void leave(Table table, Chain chain, int number, boolean policy) {
        step("[\"L\"," + Json.str(hook == null ? "" : hook.name()) + "," + Json.str(table.name) + ","
                + Json.str(TraceLines.leaveLine(table, chain, number, policy)) + "]");
        if (also != null) also.leave(table, chain, number, policy);
    }

    @Override
    public void verdict(Hook h, Table table, Target verdict) {
        step("[\"V\"," + Json.str(h.name()) + "," + Json.str(table.name) + "," + Json.str(verdict.name()) + "]");
        if (also != null) also.verdict(h, table, verdict);
    }

    @Override
    public void nat(boolean source, String packet) {
        step("[\"N\"," + Json.str(hook == null ? "" : hook.name()) + "," + Json.str(source ? "SNAT" : "DNAT") + "]");
        if (also != null) also.nat(source, packet);
    }

    @Override
    public void route(Interface out, String nexthop) {
        step("[\"r\"," + dev(out) + "," + Json.str(nexthop) + "]");
        if (also != null) also.route(out, nexthop);
    }

    @Override
    public void transmit(Interface out, String packet, int fragmentOffset, boolean moreFragments) {
        step("[\"T\"," + dev(out) + "," + fragmentOffset + "]");
        if (also != null) also.transmit(out, packet, fragmentOffset, moreFragments);
    }

    @Override
    public void delivered(String packet) {
        step("[\"D\"]");
        if (also != null) also.delivered(packet);
    }

    @Override
    public void dropped(Interface in, DropReason reason) {
        step("[\"X\"," + Json.str(reason.label()) + "," + Json.str(reason.text()) + "]");
        if (also != null) also.dropped(in, reason);
    }
}
