package jnat.nat;

import jnat.host.Interface;
import jnat.rules.Chain;
import jnat.rules.Hook;
import jnat.rules.Rule;
import jnat.rules.Table;
import jnat.rules.Target;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Repr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.payload;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The structured walk (TraceEvents): each step of a packet, in the engine's order, on the seed Docker host. */
class TraceEventsTest {
    final EngineRig rig = EngineRig.seedDocker();
    final List<String> events = new ArrayList<>();

    TraceEventsTest() {
        rig.engine().setTraceEvents(new TraceEvents() {
            @Override public void received(Interface in, String packet) { events.add("received " + in.name() + " " + packet); }
            @Override public void hostSends(String packet) { events.add("hostSends " + packet); }
            @Override public void hostSent() { events.add("hostSent"); }
            @Override public void hook(Hook hook) { events.add("hook " + hook); }
            @Override public void conntrack(Hook hook, int id, String state) { events.add("conntrack " + hook + " " + state); }
            @Override public void rule(Table t, Chain c, int n, Rule r) { events.add("rule " + t.name + ":" + c.name() + ":" + n); }
            @Override public void leave(Table t, Chain c, int n, boolean policy) { events.add("leave " + t.name + ":" + c.name() + ":" + n + (policy ? " policy" : "")); }
            @Override public void verdict(Hook hook, Table t, Target v) { events.add("verdict " + hook + " " + t.name + " " + v.name()); }
            @Override public void nat(boolean source, String packet) { events.add((source ? "SNAT " : "DNAT ") + packet); }
            @Override public void route(Interface out, String nexthop) { events.add("route " + out.name() + " via " + nexthop); }
            @Override public void transmit(Interface out, String packet, int off, boolean more) { events.add("transmit " + out.name() + " " + packet); }
            @Override public void delivered(String packet) { events.add("delivered " + packet); }
            @Override public void dropped(Interface in, DropReason reason) { events.add("dropped " + reason.label()); }
        });
    }

    @Test
    void aPublishedPortsSynIsDnatedAtPreroutingThenForwardedThroughPostrouting() {
        rig.receive("eth0", fromInternet("114.246.99.100", "45.77.200.180", syn(60677, 10000)));
        assertEquals(List.of(
                "received eth0 TCP 114.246.99.100:60677 > 45.77.200.180:10000 len 40",
                "hook PREROUTING",
                "conntrack PREROUTING NEW",
                "rule nat:PREROUTING:1",
                "rule nat:DOCKER:2",
                "verdict PREROUTING nat DNAT",
                "DNAT TCP 114.246.99.100:60677 > 172.17.0.2:8000 len 40",
                "route docker0 via 172.17.0.2",
                "hook FORWARD",
                "hook POSTROUTING",
                "leave nat:POSTROUTING:3 policy",
                "verdict POSTROUTING nat ACCEPT",
                "transmit docker0 TCP 114.246.99.100:60677 > 172.17.0.2:8000 len 40"), events);
    }

    @Test
    void anEstablishedPacketEntersEveryHookOnItsWayButWalksNoNatChain() {
        rig.receive("docker0", fromContainer("172.17.0.2", "8.8.8.8", IcmpRepr.echoRequest(28, 1, payload(56))));
        events.clear();
        rig.receive("eth0", fromInternet("8.8.8.8", "45.77.200.180", IcmpRepr.echoReply(28, 1, payload(56))));
        assertEquals(List.of(
                "received eth0 ICMP 8.8.8.8 > 45.77.200.180 type 0 code 0 id 28 len 84",
                "hook PREROUTING",
                "conntrack PREROUTING ESTABLISHED reply",
                "DNAT ICMP 8.8.8.8 > 172.17.0.2 type 0 code 0 id 28 len 84",
                "route docker0 via 172.17.0.2",
                "hook FORWARD",
                "hook POSTROUTING",
                "transmit docker0 ICMP 8.8.8.8 > 172.17.0.2 type 0 code 0 id 28 len 84"), events);
    }

    @Test
    void theHostsTimeExceededIsWalkedBetweenHostSendsAndHostSentBeforeItsCauseIsDropped() {
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "8.8.8.8").withTtl(1), IcmpRepr.echoRequest(5, 1, payload(56))));
        int sends = events.indexOf("hostSends ICMP 172.17.0.1 > 172.17.0.2 type 11 code 0 len 112");
        int sent = events.indexOf("hostSent");
        assertEquals(List.of("hook OUTPUT", "conntrack OUTPUT RELATED reply", "hook POSTROUTING",
                "transmit docker0 ICMP 172.17.0.1 > 172.17.0.2 type 11 code 0 len 112"), events.subList(sends + 1, sent));
        assertEquals(List.of("dropped ttl-exceeded"), events.subList(sent + 1, events.size()));
    }
}
