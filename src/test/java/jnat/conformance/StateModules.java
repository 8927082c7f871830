package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;

import java.util.List;

import static jnat.conformance.ModuleScenarioGenerator.*;
import static jnat.conformance.ScenarioGenerator.ACK;
import static jnat.conformance.ScenarioGenerator.FIN;
import static jnat.conformance.ScenarioGenerator.ICMP;
import static jnat.conformance.ScenarioGenerator.ICMPV6;
import static jnat.conformance.ScenarioGenerator.PSH;
import static jnat.conformance.ScenarioGenerator.ROUTER_MAC;
import static jnat.conformance.ScenarioGenerator.SYN;
import static jnat.conformance.ScenarioGenerator.TCP;
import static jnat.conformance.ScenarioGenerator.UDP;

/**
 * The per-module scenarios' modules with state or verdicts of their own ({@link ModuleScenarioGenerator}):
 * recent, limit, hashlimit, state, conntrack, connmark/CONNMARK, mark/MARK, quota, statistic, LOG/NFLOG,
 * NFQUEUE, REJECT, policy, rpfilter, the host's own packets, conntrack's NAT facts.
 */
final class StateModules {
    private StateModules() {}
    /** -m recent: --set, --update/--rcheck with --seconds and --hitcount, --rsource/--rdest, --mask, --remove. */
    static void recent(Build b, int p) {
        for (boolean v6 : b.families()) {
            String a = b.name(v6 ? "r6a" : "r4a"), d = b.name(v6 ? "r6d" : "r4d"), m = b.name(v6 ? "r6m" : "r4m");
            int hits = b.between(2, 4);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m recent --update --seconds 60 --hitcount " + hits + " --name " + a
                    + " --mask " + (v6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255") + " --rsource -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m recent --set --name " + a + " --rsource");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m recent --rcheck --hitcount 2 --name " + d + " --rdest -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m recent --set --name " + d + " --rdest");
            String mask = v6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc" : "255.255.255.252";
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m recent --set --name " + m + " --mask " + mask);
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m recent --rcheck --seconds 60 --hitcount 3 --name " + m + " --mask " + mask
                    + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 3) + " -m recent --remove --name " + a);
            String t = b.name(v6 ? "r6t" : "r4t");
            b.rule(v6, "filter", "FORWARD", udp(p + 4) + " -m recent --set --name " + t);
            b.rule(v6, "filter", "FORWARD", udp(p + 5) + " -m recent --update --rttl --name " + t + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 5) + " -m recent --rcheck --seconds 60 --reap --name " + t);
            b.rule(v6, "filter", "FORWARD", udp(p + 5) + " -m recent ! --rcheck --name " + t);
            Flow x = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "recent --update --hitcount " + hits);
            Flow y = b.flow(v6, UDP, Path.LAN_OUT, 3, p, "recent --update, a second source");
            Flow rm = b.flow(v6, UDP, Path.LAN_OUT, 2, p + 3, "recent --remove");
            for (int i = 0; i < hits + 2; i++) {
                b.data(x, Kind.ORIGINAL, 20 + i);
                if (i % 2 == 1) b.data(y, Kind.ORIGINAL, 30);
                if (i == hits) b.data(rm, Kind.ORIGINAL, 10);
            }
            Flow r1 = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, "recent --rdest");
            Flow r2 = b.flow(v6, UDP, Path.LAN_OUT, 5, p + 1, "recent --rdest, another source");
            r2 = sameServer(b, r2, r1);
            b.data(r1, 2, 40);
            b.data(r2, 2, 40);
            for (int h : new int[] {2, 3, 4, 5, 3}) b.data(b.flow(v6, UDP, Path.LAN_OUT, h, p + 2, "recent --mask, host " + h), 1, 25);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 4, "recent --set, TTL 64").header(0, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 5, "recent --rttl, the same TTL").header(0, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 5, "recent --rttl, another TTL").header(0, 33), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 5, p + 5, "recent, a source not in the list"), 1, 20);
        }
    }

    /** -m limit: per hour and per minute, the burst deciding. */
    static void limit(Build b, int p) {
        for (boolean v6 : b.families()) {
            int burst = b.between(1, 4);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m limit --limit 1/hour --limit-burst " + burst + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m limit --limit 2/min -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -j DROP");
            b.rule(v6, "filter", "INPUT", icmp(v6) + " -m limit --limit 3/hour --limit-burst 2 -j ACCEPT");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "limit 1/hour burst " + burst);
            Flow g = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "limit 2/min (burst 5)");
            for (int i = 0; i < burst + 2; i++) b.data(f, Kind.ORIGINAL, 20);
            b.data(f, Kind.REPLY, 30);
            b.data(g, 7, 20);
            Flow ping = b.flow(v6, v6 ? ICMPV6 : ICMP, Path.IN_HOST, 7, 0, "ping the host, INPUT limit");
            for (int i = 1; i <= 3; i++) b.echo(ping, Kind.ORIGINAL, i);
        }
    }

    /** -m hashlimit: --hashlimit-upto and -above, modes srcip and srcip,dstport, --hashlimit-srcmask. */
    static void hashlimit(Build b, int p) {
        for (boolean v6 : b.families()) {
            int burst = b.between(1, 3);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m hashlimit --hashlimit-upto 1/min --hashlimit-burst " + burst
                    + " --hashlimit-mode srcip --hashlimit-name " + b.name(v6 ? "h6u" : "h4u") + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 2"
                    + " --hashlimit-mode srcip,dstport --hashlimit-srcmask " + (v6 ? 64 : 24) + " --hashlimit-name "
                    + b.name(v6 ? "h6a" : "h4a") + " -j DROP");
            Flow x = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "hashlimit-upto burst " + burst + ", source 2");
            Flow y = b.flow(v6, UDP, Path.LAN_OUT, 3, p, "hashlimit-upto, source 3");
            for (int i = 0; i < burst + 2; i++) {
                b.data(x, Kind.ORIGINAL, 20);
                b.data(y, Kind.ORIGINAL, 20);
            }
            Flow z = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, "hashlimit-above, srcmask: source 4");
            Flow w = b.flow(v6, UDP, Path.LAN_OUT, 5, p + 1, "hashlimit-above, srcmask: source 5, the same bucket");
            b.data(z, 2, 20);
            b.data(w, 2, 20);
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 2"
                    + " --hashlimit-mode dstip --hashlimit-dstmask " + (v6 ? 120 : 28) + " --hashlimit-name " + b.name(v6 ? "h6d" : "h4d") + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 3) + " -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 5"
                    + " --hashlimit-mode srcip --hashlimit-htable-max 2 --hashlimit-name " + b.name(v6 ? "h6m" : "h4m"));
            for (int h = 2; h <= 5; h++) b.data(b.flow(v6, UDP, Path.LAN_OUT, h, p + 3, "hashlimit htable-max 2, source " + h), 1, 20);
            Flow d1 = b.flow(v6, UDP, Path.LAN_OUT, 2, p + 2, "hashlimit mode dstip: one server");
            for (int h = 3; h <= 5; h++) b.data(sameServer(b, b.flow(v6, UDP, Path.LAN_OUT, h, p + 2, "hashlimit mode dstip, host " + h), d1), 1, 20);
            b.data(d1, 1, 20);
        }
    }

    /** -m state: NEW, ESTABLISHED, RELATED (an ICMP error), INVALID (SYN+FIN), UNTRACKED (NOTRACK). */
    static void state(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", tcp(p) + " -m state --state NEW");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m tcp --sport " + p + " -m state --state ESTABLISHED");
            b.rule(v6, "filter", "FORWARD", tcp(p) + " -m state --state ESTABLISHED,RELATED");
            b.rule(v6, "filter", "FORWARD", tcp(p + 1) + " -m state --state INVALID -j DROP");
            b.rule(v6, "raw", "PREROUTING", udp(p + 2) + " -j NOTRACK");
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -m state --state UNTRACKED");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -m state --state RELATED");
            Flow t = b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp, state NEW then ESTABLISHED");
            b.handshake(t);
            Flow bad = b.flow(v6, TCP, Path.LAN_OUT, 3, p + 1, "tcp SYN+FIN: INVALID");
            b.steps.add(Step.tcp(bad, Kind.ORIGINAL, SYN | FIN, 4242, 0, 0));
            Flow un = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 2, "udp NOTRACK: UNTRACKED");
            b.data(un, 2, 20);
            Flow rel = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 3, "udp answered with a port unreachable: RELATED");
            b.data(rel, Kind.ORIGINAL, 20);
            b.steps.add(Step.error(rel, Kind.ERROR_ABOUT_ORIGINAL, v6 ? 1 : 3, v6 ? 4 : 3, 0));
        }
    }

    /** -m conntrack: --ctstate (with DNAT), --ctstatus, --ctproto, --ctorig/--ctrepl addresses and ports, --ctdir, --ctexpire. */
    static void conntrack(Build b, int p) {
        for (boolean v6 : b.families()) {
            String lan = v6 ? "fd00:1::/64" : "10.1.0.0/24";
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate NEW --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstatus SEEN_REPLY --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstatus ASSURED --ctproto 6 --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctdir REPLY --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctorigsrc " + lan + " --ctrepldst " + lanHost(v6, 2) + " --ctproto tcp "
                    + "--ctorigdstport " + p + " --ctreplsrcport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctexpire 100:120 --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctexpire 431000:432000 --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack ! --ctstate NEW,ESTABLISHED --ctproto tcp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate NEW --ctproto udp ! --ctorigsrc " + lan);
            String to = v6 ? "[fd00:1::4]" : "10.1.0.4";
            b.rule(v6, "nat", "PREROUTING", "-i eth0 " + udp(p + 1) + " -j DNAT --to-destination " + to + ":" + (p + 2));
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate DNAT --ctorigdst " + (v6 ? "2001:db8:0:1::2" : "203.0.113.2")
                    + " --ctreplsrc " + lanHost(v6, 4) + " --ctproto udp --ctorigdstport " + (p + 1) + " --ctrepldstport " + "33000:40000");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate SNAT");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate DNAT --ctdir ORIGINAL");
            b.rule(v6, "raw", "PREROUTING", "-i eth1 " + udp(p + 4) + " -j CT --notrack");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -m conntrack --ctstate INVALID");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -m conntrack --ctstate RELATED --ctstatus CONFIRMED");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstatus CONFIRMED --ctproto udp --ctorigdstport " + (p + 5));
            b.rule(v6, "filter", "FORWARD", "-m conntrack ! --ctstatus CONFIRMED --ctproto udp --ctorigdstport " + (p + 5));
            Flow orphan = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 4, "udp NOTRACKed, its port unreachable INVALID (no connection)");
            b.data(orphan, Kind.ORIGINAL, 20);
            b.steps.add(Step.error(orphan, Kind.ERROR_ABOUT_ORIGINAL, v6 ? 1 : 3, v6 ? 4 : 3, 0));
            Flow rel = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 5, "udp answered with a port unreachable (RELATED, CONFIRMED)");
            b.data(rel, Kind.ORIGINAL, 20);
            b.data(rel, Kind.ORIGINAL, 20);
            b.steps.add(Step.error(rel, Kind.ERROR_ABOUT_ORIGINAL, v6 ? 1 : 3, v6 ? 4 : 3, 0));
            Flow t = b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp through the conntrack rules");
            b.handshake(t);
            if (b.rnd.nextBoolean()) {
                int c = 1000 + t.id * 7919 + 101, s = 50000 + t.id * 104729 + 201;
                b.steps.add(Step.tcp(t, Kind.ORIGINAL, FIN | ACK, c, s, 0));
                b.steps.add(Step.tcp(t, Kind.REPLY, FIN | ACK, s, c + 1, 0));
            }
            Flow d = b.flow(v6, UDP, Path.IN_HOST, 9, p + 1, "udp DNATed to the LAN");
            b.data(d, Kind.ORIGINAL, 30);
            b.data(d, Kind.REPLY, 40);
            b.data(d, Kind.ORIGINAL, 30);
        }
    }

    /** CONNMARK --set-xmark, --save-mark and --restore-mark with --nfmask/--ctmask and the shifts; -m connmark. */
    static void connmark(Build b, int p) {
        for (boolean v6 : b.families()) {
            int v = b.between(1, 0xff) << 4;
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j CONNMARK --restore-mark --nfmask 0xffff --ctmask 0xff0");
            b.rule(v6, "mangle", "PREROUTING", "-p udp -m udp --sport " + p + " -j CONNMARK --restore-mark --nfmask 0xffff --ctmask 0xff0");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m mark --mark 0x0/0xff0 -j MARK --set-xmark 0x" + Integer.toHexString(v | 0x10007)
                    + "/0xfffff");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j CONNMARK --save-mark --nfmask 0xfff0 --ctmask 0xff0f0");
            b.rule(v6, "mangle", "FORWARD", udp(p + 1) + " -j CONNMARK --set-xmark 0x500/0xf00");
            b.rule(v6, "mangle", "FORWARD", udp(p + 1) + " -j CONNMARK --or-mark 0x3");
            b.rule(v6, "mangle", "FORWARD", "-p udp -m udp --sport " + (p + 1) + " -m connmark --mark 0x500/0xf00 -j MARK --set-mark 0x7");
            b.rule(v6, "filter", "FORWARD", "-m connmark --mark 0x" + Integer.toHexString(v & 0xf0) + "/0xf0");
            b.rule(v6, "filter", "FORWARD", "-m connmark ! --mark 0x0");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x7");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x" + Integer.toHexString(v | 7) + "/0xfff");
            int sh = b.between(1, 12);
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -j MARK --set-mark 0x" + Integer.toHexString(b.between(1, 0xffff)));
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -j CONNMARK --save-mark --mask 0xff00 --right-shift-mark " + sh);
            b.rule(v6, "mangle", "PREROUTING", "-p udp -m udp --sport " + (p + 2) + " -j CONNMARK --restore-mark --mask 0xffff"
                    + " --left-shift-mark " + sh);
            b.rule(v6, "mangle", "PREROUTING", udp(p + 3) + " -j CONNMARK --set-xmark 0x3/0xf --left-shift-mark " + sh);
            b.rule(v6, "filter", "FORWARD", "-p udp -m udp --sport " + (p + 2) + " -m mark ! --mark 0x0");
            Flow sf = b.flow(v6, UDP, Path.LAN_OUT, 4, p + 2, "udp, CONNMARK with shifts both ways");
            b.data(sf, Kind.ORIGINAL, 20);
            b.data(sf, Kind.REPLY, 30);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 5, p + 3, "udp, CONNMARK --set-xmark shifted"), 1, 20);
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp, connmark saved and restored");
            b.data(f, Kind.ORIGINAL, 20);
            b.data(f, Kind.REPLY, 30);
            b.data(f, Kind.ORIGINAL, 20);
            Flow g = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp, CONNMARK --set-xmark then -m connmark on the reply");
            b.data(g, Kind.ORIGINAL, 20);
            b.data(g, Kind.REPLY, 30);
        }
    }

    /** MARK --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark; -m mark with masks and !. */
    static void mark(Build b, int p) {
        for (boolean v6 : b.families()) {
            int x = b.between(1, 0xffff);
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --set-xmark 0x" + Integer.toHexString(x) + "/0xffffffff");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --or-mark 0x30000");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --and-mark 0x3fff0");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -j MARK --xor-mark 0x100");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 1) + " -j MARK --set-mark 0x2/0x3");
            b.rule(v6, "mangle", "FORWARD", "-m mark --mark 0x30000/0x30000 -j CONNMARK --save-mark");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x" + Integer.toHexString(((x | 0x30000) & 0x3fff0) ^ 0x100));
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m mark ! --mark 0x0/0x30000");
            b.rule(v6, "filter", "FORWARD", "-m mark --mark 0x2/0x3 -j DROP");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp, marks combined"), 2, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp, --set-mark 0x2/0x3 then dropped by -m mark"), 1, 20);
        }
    }

    /** -m quota: each rule's bytes counted down, the packet that no longer fits and every one after it refused. */
    static void quota(Build b, int p) {
        for (boolean v6 : b.families()) {
            int q = b.between(150, 400);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m quota --quota " + q + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m quota ! --quota 100 -j DROP");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp against a quota of " + q);
            for (int i = 0; i < 6; i++) b.data(f, Kind.ORIGINAL, b.between(10, 90));
            b.data(f, Kind.ORIGINAL, 0);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp against ! --quota 100"), 3, 30);
        }
    }

    /** -m statistic --mode nth --every --packet, and !. */
    static void statistic(Build b, int p) {
        for (boolean v6 : b.families()) {
            int every = b.between(2, 4), packet = b.rnd.nextInt(every);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m statistic --mode nth --every " + every + " --packet " + packet + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m statistic --mode nth ! --every 2 --packet 1");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m statistic --mode random --probability 1.0");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m statistic --mode random --probability 0.0 -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -m statistic --mode random ! --probability 0.0");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "udp, random with probability 1 and 0"), 3, 20);
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp, nth " + every + "/" + packet);
            for (int i = 0; i < 7; i++) b.data(f, Kind.ORIGINAL, 20 + i);
        }
    }

    /** LOG and NFLOG: the packet goes on (no logger in a namespace, no NFLOG listener). */
    static void log(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j LOG --log-prefix \"mod " + p + ": \" --log-level 6 --log-ip-options");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j NFLOG --nflog-group 5 --nflog-prefix m" + p + " --nflog-threshold 1");
            b.rule(v6, "filter", "FORWARD", "-p tcp --dport " + p + " -j LOG --log-tcp-sequence --log-tcp-options --log-uid");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length 0:60 -j DROP");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp logged");
            b.data(f, Kind.ORIGINAL, 10);
            b.data(f, Kind.ORIGINAL, 40);
            b.data(f, Kind.REPLY, 20);
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 3, p, "tcp logged"), SYN, SYN | ACK, false);
        }
    }

    /** NFQUEUE with no listener: the packet dropped; with --queue-bypass, accepted (the table's walk ends). */
    static void nfqueue(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j NFQUEUE --queue-num " + b.between(1, 100));
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -j NFQUEUE --queue-num 7 --queue-bypass");
            b.rule(v6, "filter", "FORWARD", udp(p + 1) + " -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p + 2) + " -j NFQUEUE --queue-balance 3:5 --queue-bypass");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 1));
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 2));
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp queued, no listener: dropped"), 2, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p + 1, "udp queued with --queue-bypass: accepted"), 2, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 2, "udp --queue-balance --queue-bypass: accepted"), 1, 20);
        }
    }

    static final List<String> REJECT4 = List.of("icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable",
            "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited", "icmp-admin-prohibited");
    static final List<String> REJECT6 = List.of("icmp6-no-route", "icmp6-adm-prohibited", "icmp6-addr-unreachable",
            "icmp6-port-unreachable");

    /** REJECT's answers: every ICMP and ICMPv6 kind, tcp-reset (for a SYN and for a segment with ACK), at FORWARD and INPUT. */
    static void reject(Build b, int p) {
        for (boolean v6 : b.families()) {
            List<String> kinds = v6 ? REJECT6 : REJECT4;
            for (int i = 0; i < kinds.size(); i++) {
                b.rule(v6, "filter", "FORWARD", udp(p + 10 + i) + " -j REJECT --reject-with " + kinds.get(i));
            }
            b.rule(v6, "filter", "FORWARD", tcp(p) + " -j REJECT --reject-with tcp-reset");
            b.rule(v6, "filter", "FORWARD", icmp(v6) + " -j REJECT");
            b.rule(v6, "filter", "INPUT", udp(p + 1) + " -j REJECT");
            b.rule(v6, "filter", "INPUT", tcp(p + 1) + " -j REJECT --reject-with tcp-reset");
            int pick = b.rnd.nextInt(kinds.size());
            for (int i = 0; i < kinds.size(); i++) {
                if (i != pick && b.rnd.nextBoolean()) continue;
                b.data(b.flow(v6, UDP, Path.LAN_OUT, 2 + i % 4, p + 10 + i, "udp, REJECT " + kinds.get(i)), 1, 20 + i);
            }
            Flow t = b.flow(v6, TCP, Path.LAN_OUT, 3, p, "tcp, REJECT tcp-reset");
            b.steps.add(Step.tcp(t, Kind.ORIGINAL, SYN, 3000, 0, 0));
            b.steps.add(Step.tcp(t, Kind.ORIGINAL, PSH | ACK, 3001, 9000, 50));
            b.echo(b.flow(v6, v6 ? ICMPV6 : ICMP, Path.LAN_OUT, 4, 0, "ping, REJECT"), Kind.ORIGINAL, 1);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p + 1, "udp to the host, REJECT"), 1, 20);
            b.steps.add(Step.tcp(b.flow(v6, TCP, Path.IN_HOST, 7, p + 1, "tcp to the host, REJECT tcp-reset"), Kind.ORIGINAL, SYN, 5, 0, 0));
        }
    }

    /** -m policy: no IPsec here, so --pol none matches in both directions and --pol ipsec never. */
    static void policy(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir in --pol none");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir out --pol none");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir in --pol ipsec -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m policy --dir out --pol ipsec --strict --proto esp --mode tunnel"
                    + " --tunnel-src " + (v6 ? "2001:db8:100::1" : "198.51.100.1") + " --tunnel-dst " + (v6 ? "2001:db8:100::2" : "198.51.100.2")
                    + " -j DROP");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m policy --dir in --pol none");
            b.rule(v6, "mangle", "POSTROUTING", udp(p) + " -m policy --dir out --pol none");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp forwarded"), 2, 20);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to the host"), 1, 20);
        }
    }

    /** -m rpfilter in raw and mangle PREROUTING: strict, --loose, --invert; sources the reverse route refuses. */
    static void rpfilter(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "raw", "PREROUTING", udp(p) + " -m rpfilter --invert -j DROP");
            b.rule(v6, "raw", "PREROUTING", udp(p + 1) + " -m rpfilter --loose --invert -j DROP");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -m rpfilter");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -m rpfilter --loose");
            b.rule(v6, "raw", "PREROUTING", udp(p + 3) + " -m rpfilter --accept-local");
            b.rule(v6, "raw", "PREROUTING", udp(p + 3) + " -m rpfilter --validmark --loose");
            b.rule(v6, "raw", "PREROUTING", udp(p + 3) + " -m rpfilter");
            long[][] srcs = v6 ? new long[][] {{NET6_HI, 0x33}, {LAN6_HI, 9}, {ScenarioGenerator6.addr("2001:db8:9::1")[0], 1}}
                    : new long[][] {{0, NET4 + 33}, {0, LAN4 + 9}, {0, ScenarioGenerator.ip("10.9.0.1")}};
            String[] what = {"a source routed back through eth0", "a LAN source on eth0", "a source with an unreachable route"};
            for (int port = p; port <= p + 2; port++) {
                for (int s = 0; s < 3; s++) b.data(b.spoofed(v6, srcs[s][0], srcs[s][1], port, "udp to port +" + (port - p) + ", " + what[s]), 1, 20);
            }
            b.data(b.spoofed(v6, v6 ? PUBLIC6[0] : 0, v6 ? PUBLIC6[1] : ScenarioGenerator.PUBLIC, p + 3,
                    "udp from the host's own address on eth0 (an IPv4 martian)"), 1, 20);
            Flow own = b.flow(v6, UDP, Path.IN_LAN, 2, p + 3, "udp forwarded to the LAN from eth1's own address, on eth0");
            Flow o = v6 ? new Flow(own.id, UDP, "eth0", ROUTER_MAC, LAN6_HI, 1, own.clientPort, LAN6_HI, 2, p + 3, own.what)
                    : new Flow(own.id, UDP, "eth0", ROUTER_MAC, LAN4 + 1, own.clientPort, LAN4 + 2, p + 3, own.what);
            b.flows.set(own.id, o);
            b.data(o, 1, 20);
            b.data(b.spoofed(v6, srcs[0][0], srcs[0][1], p + 3, "udp to port +3, " + what[0]), 1, 20);
        }
    }

    /** The host's own packets through OUTPUT and POSTROUTING: MARK, TOS, TTL/HL, addrtype --src-type LOCAL, TCPMSS, REJECT. */
    static void local(Build b, int p) {
        for (boolean v6 : b.families()) {
            String m = v6 ? "hl" : "ttl", t = v6 ? "HL" : "TTL";
            b.rule(v6, "mangle", "OUTPUT", udp(p + 10) + " -j MARK --set-mark 0x" + Integer.toHexString(b.between(1, 0xfff)));
            b.rule(v6, "mangle", "OUTPUT", udp(p + 10) + " -j TOS --set-tos 0x10/0x3f");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 10) + " -m mark ! --mark 0x0 -j " + t + " --" + m + "-set " + b.between(10, 40));
            b.rule(v6, "filter", "OUTPUT", "-m addrtype --src-type LOCAL " + udp(p + 10));
            b.rule(v6, "filter", "OUTPUT", "-m addrtype --src-type LOCAL --limit-iface-out " + udp(p + 10));
            b.rule(v6, "filter", "OUTPUT", udp(p + 11) + " -j REJECT");
            b.rule(v6, "filter", "OUTPUT", tcp(p + 13) + " -j REJECT --reject-with tcp-reset");
            b.rule(v6, "filter", "INPUT", "-i lo");
            b.rule(v6, "mangle", "POSTROUTING", "-p tcp --dport " + (p + 12) + " -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu");
            b.rule(v6, "filter", "OUTPUT", "-m tos --tos 0x10/0x3f");
            Flow out = b.flow(v6, UDP, Path.HOST_OUT, p, p + 10, "the host's own datagram to the internet: marked, TOS, TTL");
            b.data(out, Kind.ORIGINAL, 20);
            b.data(out, Kind.REPLY, 30);
            b.data(b.flow(v6, UDP, Path.HOST_LAN, 0, p + 10, "the host's own datagram to the LAN"), 1, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 1, p + 11, "the host's own datagram, REJECT at OUTPUT"), 1, 20);
            Flow syn = b.flow(v6, TCP, Path.HOST_LAN, 0, p + 12, "the host's own SYN to the LAN: clamped to eth1's MTU");
            b.steps.add(Step.tcp(syn, Kind.ORIGINAL, SYN, 31337, 0, 0));
            Flow rst = b.flow(v6, TCP, Path.HOST_OUT, p + 2, p + 13, "the host's own SYN, REJECT tcp-reset at OUTPUT");
            b.steps.add(Step.tcp(rst, Kind.ORIGINAL, SYN, 4711, 0, 0));
        }
    }

    /**
     * conntrack's NAT facts (--ctstate SNAT, --ctrepldst the masqueraded address) under MASQUERADE, and the
     * host's own packets: -m state at OUTPUT, NFQUEUE at OUTPUT (dropped, or accepted with --queue-bypass),
     * REJECT at INPUT of its own datagram to itself (answered through lo again).
     */
    static void natState(Build b, int p) {
        for (boolean v6 : b.families()) {
            String lan = v6 ? "fd00:1::/64" : "10.1.0.0/24", pub = v6 ? "2001:db8:0:1::2" : "203.0.113.2";
            b.rule(v6, "nat", "POSTROUTING", "-s " + lan + " -o eth0 " + udp(p) + " -j MASQUERADE");
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctstate SNAT --ctproto udp --ctorigdstport " + p);
            b.rule(v6, "filter", "FORWARD", "-m conntrack --ctrepldst " + pub + " --ctorigsrc " + lan + " --ctstatus SEEN_REPLY");
            b.rule(v6, "filter", "FORWARD", "-m conntrack ! --ctstate SNAT,DNAT --ctproto udp --ctorigdstport " + (p + 5));
            b.rule(v6, "filter", "OUTPUT", udp(p + 6) + " -m state --state NEW");
            b.rule(v6, "filter", "OUTPUT", "-p udp -m udp --sport " + (p + 3) + " -m state --state ESTABLISHED");
            b.rule(v6, "filter", "OUTPUT", udp(p + 7) + " -j NFQUEUE --queue-num 4");
            b.rule(v6, "filter", "OUTPUT", udp(p + 8) + " -j NFQUEUE --queue-num 4 --queue-bypass");
            b.rule(v6, "filter", "INPUT", "-i lo " + udp(p + 9) + " -j REJECT");
            b.rule(v6, "filter", "INPUT", "-i lo " + icmp(v6));
            Flow m = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp masqueraded out of eth0");
            b.data(m, Kind.ORIGINAL, 20);
            b.data(m, Kind.REPLY, 30);
            b.data(m, Kind.ORIGINAL, 20);
            Flow n = b.flow(v6, UDP, Path.LAN_OUT, 3, p + 5, "udp not NATed");
            b.data(n, Kind.ORIGINAL, 20);
            b.data(n, Kind.REPLY, 30);
            Flow own = b.flow(v6, UDP, Path.HOST_OUT, p + 3, p + 6, "the host's own datagram and its answer");
            b.data(own, Kind.ORIGINAL, 20);
            b.data(own, Kind.REPLY, 30);
            b.data(own, Kind.ORIGINAL, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 4, p + 7, "the host's own datagram, NFQUEUE at OUTPUT"), 1, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 4, p + 8, "the host's own datagram, NFQUEUE --queue-bypass"), 1, 20);
            Flow self = b.flow(v6, UDP, Path.HOST_OUT, p + 4, p + 9, "the host's datagram to itself, REJECT at INPUT");
            Flow s2 = v6 ? new Flow(self.id, UDP, Scenario.LOCAL, 0, PUBLIC6[0], PUBLIC6[1], p + 4, PUBLIC6[0], PUBLIC6[1], p + 9, self.what)
                    : new Flow(self.id, UDP, Scenario.LOCAL, 0, ScenarioGenerator.PUBLIC, p + 4, ScenarioGenerator.PUBLIC, p + 9, self.what);
            b.flows.set(self.id, s2);
            b.data(s2, 1, 20);
        }
    }

}
