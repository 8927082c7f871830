package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;

import java.util.List;

import static jnat.conformance.ModuleScenarioGenerator.*;
import static jnat.conformance.ScenarioGenerator.ACK;
import static jnat.conformance.ScenarioGenerator.ROUTER_MAC;
import static jnat.conformance.ScenarioGenerator.SYN;
import static jnat.conformance.ScenarioGenerator.TCP;
import static jnat.conformance.ScenarioGenerator.UDP;

/**
 * The per-module scenarios' modules that look at or rewrite a packet's own fields ({@link ModuleScenarioGenerator}):
 * length, ttl/TTL and hl/HL, tos/TOS, dscp/DSCP, ecn/ECN, tcpmss/TCPMSS, pkttype, mac, multiport, iprange,
 * addrtype, esp, CHECKSUM.
 */
final class PacketModules {
    private PacketModules() {}
    /** -m length: ranges of the packet's length (IPv6: the payload length and the header). */
    static void length(Build b, int p) {
        for (boolean v6 : b.families()) {
            int cut = b.between(60, 140);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length 0:" + cut);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length " + (cut + 1) + ":200");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length ! --length 0:300 -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m length --length " + (cut + 8));
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp of several lengths");
            for (int len : new int[] {0, cut - 28, cut - 48, cut - 20, cut - 27, 180, 300}) b.data(f, Kind.ORIGINAL, Math.max(0, len));
        }
    }

    /** -m ttl / -m hl and the TTL and HL targets: --ttl-set, --ttl-dec (to 0: time exceeded), --ttl-inc (to 255). */
    static void ttl(Build b, int p) {
        for (boolean v6 : b.families()) {
            String m = v6 ? "hl" : "ttl", t = v6 ? "HL" : "TTL";
            int set = b.between(20, 50);
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m " + m + " --" + m + "-lt 30 -j " + t + " --" + m + "-set " + set);
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m " + m + " --" + m + "-eq " + (v6 ? 60 : 64) + " -j " + t + " --" + m + "-dec 3");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m " + m + " --" + m + "-gt 200 -j " + t + " --" + m + "-inc 5");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 1) + " -j " + t + " --" + m + "-dec 5");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 2) + " -j " + t + " --" + m + "-dec 5");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 5, p + 2, m + " 4, forwarded with 3, dec 5 after: 0").header(0, 4), 1, 20);
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m " + m + " --" + m + "-gt 50");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m " + m + " ! --" + m + "-eq " + (set - 1));
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, m + " below 30: set").header(0, 20), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, m + " the default: dec 3"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, m + " 253: inc 5 to 255").header(0, 253), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, m + " 100: untouched").header(0, 100), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, m + " 4, dec 5: 0, time exceeded").header(0, 4), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 4, p + 1, m + " 7, dec 5: 2").header(0, 7), 1, 20);
        }
    }

    /** -m tos and the TOS target: --set-tos with a mask, --and-tos, --or-tos, --xor-tos (IPv6: the traffic class). */
    static void tos(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m tos --tos 0x10/0x3f -j TOS --set-tos 0x08/0x0f");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 1) + " -j TOS --and-tos 0x0c");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 2) + " -j TOS --or-tos 0x21");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 3) + " -j TOS --xor-tos 0xff");
            b.rule(v6, "mangle", "PREROUTING", udp(p + 4) + " -j TOS --set-tos Minimize-Delay");
            b.rule(v6, "filter", "FORWARD", "-m tos --tos 0x08/0x0f");
            b.rule(v6, "filter", "FORWARD", "-m tos ! --tos 0x00");
            int tos = b.between(0, 255);
            for (int i = 0; i < 5; i++) {
                b.data(b.flow(v6, UDP, Path.LAN_OUT, 2 + i % 3, p + i, "tos 0x10 port " + i).header(0x10 | 0x02, 0), 1, 20);
                b.data(b.flow(v6, UDP, Path.LAN_OUT, 2 + i % 3, p + i, "tos " + tos + " port " + i).header(tos, 0), 1, 20);
            }
        }
    }

    /** -m dscp (--dscp, --dscp-class) and DSCP --set-dscp, --set-dscp-class: the ECN bits kept. */
    static void dscp(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "FORWARD", udp(p) + " -m dscp --dscp 0x0a -j DSCP --set-dscp 0x2e");
            b.rule(v6, "mangle", "FORWARD", udp(p) + " -m dscp --dscp-class AF41 -j DSCP --set-dscp-class CS1");
            b.rule(v6, "mangle", "POSTROUTING", udp(p + 1) + " -j DSCP --set-dscp 0x3f");
            b.rule(v6, "filter", "FORWARD", "-m dscp ! --dscp 0x00");
            b.rule(v6, "filter", "FORWARD", "-m dscp --dscp-class EF");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "dscp 0x0a, ECT(1)").header(0x0a << 2 | 1, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "dscp AF41, CE").header(34 << 2 | 3, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, "dscp 0").header(0, 0), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p + 1, "dscp set to 0x3f, ECT(0)").header(0x02, 0), 1, 20);
        }
    }

    /** -m ecn (--ecn-tcp-cwr, --ecn-tcp-ece, --ecn-ip-ect) and ECN --ecn-tcp-remove (IPv4 only). */
    static void ecn(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "FORWARD", tcp(p) + " -m ecn --ecn-tcp-cwr");
            b.rule(v6, "mangle", "FORWARD", "-p tcp -m ecn --ecn-tcp-ece");
            b.rule(v6, "mangle", "FORWARD", "-p tcp -m ecn ! --ecn-tcp-ece");
            b.rule(v6, "mangle", "FORWARD", "-p tcp -m ecn --ecn-ip-ect 2");
            if (!v6) b.rule(false, "mangle", "POSTROUTING", tcp(p + 1) + " -j ECN --ecn-tcp-remove");
            Flow f = b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp ECN setup (SYN with ECE|CWR), ECT(0)").header(0x02, 0);
            b.handshake(f, SYN | 0xc0, SYN | ACK | 0x40, true);
            Flow g = b.flow(v6, TCP, Path.LAN_OUT, 3, p + 1, "tcp ECN setup, --ecn-tcp-remove").header(0x02, 0);
            b.handshake(g, SYN | 0xc0, SYN | ACK | 0x40, true);
        }
    }

    /** TCPMSS --set-mss (lowering only, inserting one into a SYN without) and --clamp-mss-to-pmtu (both routes); -m tcpmss. */
    static void tcpmss(Build b, int p) {
        for (boolean v6 : b.families()) {
            int mss = b.between(1000, 1400);
            String syn = " -m tcp --tcp-flags SYN,RST SYN";
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + p + syn + " -j TCPMSS --set-mss " + mss);
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + (p + 1) + syn + " -j TCPMSS --clamp-mss-to-pmtu");
            b.rule(v6, "mangle", "FORWARD", "-p tcp --sport " + (p + 1) + syn + " -j TCPMSS --clamp-mss-to-pmtu");
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + (p + 2) + syn + " -j TCPMSS --set-mss 1500");
            b.rule(v6, "mangle", "FORWARD", "-p tcp --dport " + (p + 3) + syn + " -j TCPMSS --set-mss 1300");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m tcpmss --mss 1000:1400");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m tcpmss ! --mss 1460");
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 2, p, "tcp, --set-mss " + mss));
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 3, p + 1, "tcp out, clamped to the LAN's MTU (the reverse route)"));
            b.handshake(b.flow(v6, TCP, Path.IN_LAN, 3, p + 1, "tcp in to the LAN, clamped to its MTU (the forward route)"), SYN, SYN | ACK, false);
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 4, p + 2, "tcp, --set-mss above the SYN's: untouched"), SYN, SYN | ACK, false);
            Flow none = b.flow(v6, TCP, Path.LAN_OUT, 5, p + 3, "tcp SYN without an MSS option: one inserted");
            b.steps.add(new Step(none, Kind.ORIGINAL, SYN, 777, 0, 0, false, 0, 0, 0, 0));
            Flow data = b.flow(v6, TCP, Path.LAN_OUT, 4, p + 3, "tcp SYN with data, without an MSS option: none inserted");
            b.steps.add(new Step(data, Kind.ORIGINAL, SYN, 888, 0, 12, false, 0, 0, 0, 0));
        }
    }

    /** -m pkttype: unicast, broadcast (IPv4), multicast, to the host; -m addrtype --dst-type BROADCAST/MULTICAST beside it. */
    static void pkttype(Build b, int p) {
        for (boolean v6 : b.families()) {
            for (String t : List.of("unicast", "broadcast", "multicast")) {
                b.rule(v6, "filter", "INPUT", udp(p) + " -m pkttype --pkt-type " + t);
            }
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --dst-type " + (v6 ? "MULTICAST" : "BROADCAST"));
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m pkttype ! --pkt-type unicast -j DROP");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m pkttype --pkt-type unicast");
            b.data(b.flow(v6, UDP, Path.LAN_HOST, 2, p, "udp unicast to the host"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp unicast forwarded"), 1, 20);
            if (v6) {
                Flow m = b.flow(true, UDP, Path.LAN_HOST, 3, p, "udp to ff02::1 (multicast)");
                Flow mc = new Flow(m.id, UDP, "eth1", lanMac(3), LAN6_HI, 3, m.clientPort, 0xff02L << 48, 1, p, m.what)
                        .toMac(0x333300000001L);
                b.flows.set(m.id, mc);
                b.data(mc, 2, 20);
            } else {
                Flow bc = b.flow(false, UDP, Path.LAN_HOST, 3, p, "udp to 10.1.0.255 (broadcast)");
                Flow bcast = new Flow(bc.id, UDP, "eth1", lanMac(3), LAN4 + 3, bc.clientPort, LAN4 + 255, p, bc.what)
                        .toMac(0xffffffffffffL);
                b.flows.set(bc.id, bcast);
                b.data(bcast, 2, 20);
                Flow all = b.flow(false, UDP, Path.LAN_HOST, 4, p, "udp to 255.255.255.255");
                Flow lim = new Flow(all.id, UDP, "eth1", lanMac(4), LAN4 + 4, all.clientPort, -1, p, all.what).toMac(0xffffffffffffL);
                b.flows.set(all.id, lim);
                b.data(lim, 1, 20);
                Flow mc = b.flow(false, UDP, Path.LAN_HOST, 5, p, "udp to 224.0.0.1 (multicast)");
                Flow m = new Flow(mc.id, UDP, "eth1", lanMac(5), LAN4 + 5, mc.clientPort, ScenarioGenerator.ip("224.0.0.1"), p, mc.what)
                        .toMac(0x01005e000001L);
                b.flows.set(mc.id, m);
                b.data(m, 1, 20);
            }
        }
    }

    /** -m mac --mac-source, and !. */
    static void mac(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m mac --mac-source 02:00:00:00:02:02 -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m mac ! --mac-source 02:00:00:00:02:03");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -j DROP");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m mac --mac-source 02:00:00:00:01:FE");
            for (int h = 2; h <= 4; h++) b.data(b.flow(v6, UDP, Path.LAN_OUT, h, p, "udp from LAN host " + h), 1, 20);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to the host from the router's MAC"), 1, 20);
        }
    }

    /**
     * -m devgroup: eth1 in group 3, docker0 in 16, eth0 in the default 0 ({@link ModuleScenarioGenerator#HOST});
     * --src-group where there is an in device, --dst-group where there is an out one, masks and !.
     */
    static void devgroup(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m devgroup --src-group 3 --dst-group default");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m devgroup ! --src-group 0x2/0x2");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m devgroup --dst-group 3 -j DROP");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m devgroup --src-group 0");
            b.rule(v6, "mangle", "PREROUTING", udp(p) + " -m devgroup --src-group 0x13/0xf");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m devgroup ! --src-group 3");
            b.rule(v6, "mangle", "POSTROUTING", udp(p) + " -m devgroup --dst-group 1/1");
            b.rule(v6, "filter", "OUTPUT", udp(p) + " -m devgroup --dst-group 3");
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp from the LAN (group 3) to the internet (group 0)"), 2, 20);
            b.data(b.flow(v6, UDP, Path.IN_LAN, 3, p, "udp from the internet to the LAN: dropped"), 1, 20);
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to the host from eth0"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_HOST, 4, p, "udp to the host from eth1"), 1, 20);
            b.data(b.flow(v6, UDP, Path.HOST_LAN, 0, p, "the host's own datagram to the LAN"), 1, 20);
            b.data(b.flow(v6, UDP, Path.HOST_OUT, p + 1, p, "the host's own datagram to the internet"), 1, 20);
        }
    }

    /**
     * -m realm (IPv4): 10.1.0.0/25 has realm 7, 198.51.100.0/27 realms 2/5 ({@link ModuleScenarioGenerator#HOST}),
     * so a forwarded packet's tclassid is its route's realms with the realm of the route back to its
     * source as the source realm where they have none, a delivered one's that source realm alone,
     * the host's own its route's realms.
     */
    static void realm(Build b, int p) {
        b.rule(false, "filter", "FORWARD", udp(p) + " -m realm --realm 0x20005");
        b.rule(false, "filter", "FORWARD", udp(p) + " -m realm --realm 0x70000");
        b.rule(false, "filter", "FORWARD", udp(p) + " -m realm --realm 7/0xffff");
        b.rule(false, "filter", "FORWARD", udp(p) + " -m realm --realm 0x50007");
        b.rule(false, "filter", "FORWARD", udp(p) + " -m realm ! --realm 0/0xffff0000");
        b.rule(false, "filter", "INPUT", udp(p) + " -m realm --realm 0x50000");
        b.rule(false, "filter", "INPUT", udp(p) + " -m realm --realm 0x70000/0xffff0000");
        b.rule(false, "filter", "INPUT", udp(p) + " -m realm --realm cosmos");
        b.rule(false, "filter", "OUTPUT", udp(p) + " -m realm --realm 5/0xffff");
        b.rule(false, "mangle", "POSTROUTING", udp(p) + " -m realm --realm 7");
        b.rule(false, "mangle", "POSTROUTING", udp(p) + " -m realm ! --realm 0");
        for (int i = 0; i < 3; i++) {
            b.data(b.flow(false, UDP, Path.LAN_OUT, 2 + i, p, "udp from the LAN to the internet"), 1, 20);
            b.data(b.flow(false, UDP, Path.IN_LAN, 2 + i, p, "udp from the internet to the LAN"), 1, 20);
        }
        b.data(b.flow(false, UDP, Path.IN_HOST, 7, p, "udp to the host from 198.51.100.7 (realms 2/5)"), 1, 20);
        b.data(b.flow(false, UDP, Path.IN_HOST, 100, p, "udp to the host from 198.51.100.100 (no realm)"), 1, 20);
        b.data(b.flow(false, UDP, Path.LAN_HOST, 4, p, "udp to the host from the LAN (realm 7)"), 1, 20);
        b.data(b.flow(false, UDP, Path.HOST_LAN, 0, p, "the host's own datagram to the LAN"), 1, 20);
        for (int i = 0; i < 2; i++) b.data(b.flow(false, UDP, Path.HOST_OUT, p + 1 + i, p, "the host's own datagram to the internet"), 1, 20);
    }

    /** -m multiport --dports, --sports, --ports with ranges, and !. */
    static void multiport(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", "-p tcp -m multiport --dports " + p + "," + (p + 2) + ":" + (p + 4) + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", "-p udp -m multiport --ports " + (p + 1) + "," + (p + 5));
            b.rule(v6, "filter", "FORWARD", "-p udp -m multiport ! --dports " + (p + 1) + "," + (p + 5) + " -m multiport --sports 33000:34000");
            b.rule(v6, "filter", "FORWARD", "-p tcp -m multiport --dports " + (p + 1) + ":" + (p + 9) + " -j DROP");
            for (int i : new int[] {0, 1, 3, 5, 6}) {
                b.steps.add(Step.tcp(b.flow(v6, TCP, Path.LAN_OUT, 2, p + i, "tcp SYN to port +" + i), Kind.ORIGINAL, SYN, 100 + i, 0, 0));
            }
            for (int i : new int[] {1, 5, 7}) {
                Flow f = b.flow(v6, UDP, Path.LAN_OUT, 3, p + i, "udp to port +" + i);
                b.data(f, Kind.ORIGINAL, 20);
                b.data(f, Kind.REPLY, 20);
            }
        }
    }

    /** -m iprange --src-range, --dst-range, and !. */
    static void iprange(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m iprange --src-range " + lanHost(v6, 2) + "-" + lanHost(v6, 3) + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m iprange ! --dst-range " + lanHost(v6, 2) + "-" + lanHost(v6, 5));
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m iprange --src-range " + lanHost(v6, 4) + "-" + lanHost(v6, 4) + " -j DROP");
            for (int h = 2; h <= 5; h++) {
                Flow f = b.flow(v6, UDP, Path.LAN_OUT, h, p, "udp from LAN host " + h);
                b.data(f, Kind.ORIGINAL, 20);
                b.data(f, Kind.REPLY, 20);
            }
        }
    }

    /** -m addrtype --src-type, --dst-type (LOCAL, UNICAST), --limit-iface-in and --limit-iface-out. */
    static void addrtype(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --dst-type LOCAL");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --dst-type LOCAL --limit-iface-in");
            b.rule(v6, "filter", "INPUT", udp(p) + " -m addrtype --src-type UNICAST ! --dst-type UNICAST");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m addrtype --dst-type UNICAST ! --src-type LOCAL");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m addrtype --dst-type UNICAST --limit-iface-out");
            b.rule(v6, "filter", "FORWARD", udp(p) + " -m addrtype --dst-type LOCAL -j DROP");
            b.data(b.flow(v6, UDP, Path.IN_HOST, 7, p, "udp to eth0's address"), 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_HOST, 2, p, "udp to eth1's address"), 1, 20);
            Flow other = b.flow(v6, UDP, Path.IN_HOST, 8, p, "udp from eth0 to eth1's address (local, not on the in device)");
            Flow o = v6 ? new Flow(other.id, UDP, "eth0", ROUTER_MAC, NET6_HI, 8, other.clientPort, LAN6_HI, 1, p, other.what)
                    : new Flow(other.id, UDP, "eth0", ROUTER_MAC, NET4 + 8, other.clientPort, LAN4 + 1, p, other.what);
            b.flows.set(other.id, o);
            b.data(o, 1, 20);
            b.data(b.flow(v6, UDP, Path.LAN_OUT, 3, p, "udp forwarded"), 1, 20);
        }
    }

    /** CHECKSUM --checksum-fill: only packets with a checksum left to complete (none here): unchanged. */
    static void checksum(Build b, int p) {
        for (boolean v6 : b.families()) {
            b.rule(v6, "mangle", "POSTROUTING", udp(p) + " -j CHECKSUM --checksum-fill");
            b.rule(v6, "mangle", "POSTROUTING", "-p tcp --dport " + p + " -j CHECKSUM --checksum-fill");
            Flow f = b.flow(v6, UDP, Path.LAN_OUT, 2, p, "udp through CHECKSUM");
            b.data(f, Kind.ORIGINAL, 20);
            if (!v6) b.steps.add(Step.data(f, Kind.ORIGINAL, 21).mangled(Step.NO_UDP_CHECKSUM));
            b.data(f, Kind.REPLY, 20);
            b.handshake(b.flow(v6, TCP, Path.LAN_OUT, 3, p, "tcp through CHECKSUM"), SYN, SYN | ACK, false);
        }
    }

    /** ECN --ecn-tcp-ece, --ecn-tcp-cwr, --ecn-ip-ect (IPv4's ipt_ECN): set or cleared on each packet. */
    static void ecnSet(Build b, int p) {
        b.rule(false, "mangle", "POSTROUTING", tcp(p) + " -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 0");
        b.rule(false, "mangle", "POSTROUTING", "-p tcp -m tcp --sport " + p + " -j ECN --ecn-tcp-cwr 1");
        b.rule(false, "mangle", "POSTROUTING", udp(p + 1) + " -j ECN --ecn-ip-ect " + b.between(0, 3));
        b.rule(false, "mangle", "POSTROUTING", tcp(p + 2) + " -j ECN --ecn-ip-ect 1 --ecn-tcp-remove");
        b.handshake(b.flow(false, TCP, Path.LAN_OUT, 2, p, "tcp, ECE set, CWR cleared; CWR set on the replies").header(0x02, 0),
                SYN | 0xc0, SYN | ACK, true);
        for (int tos : new int[] {0, 1, 2, 3, 0x10}) b.data(b.flow(false, UDP, Path.LAN_OUT, 3, p + 1, "udp tos " + tos).header(tos, 0), 1, 20);
        b.handshake(b.flow(false, TCP, Path.LAN_OUT, 4, p + 2, "tcp, ECT(1) and the TCP bits removed").header(0x03, 0), SYN | 0xc0, SYN | ACK, false);
    }

    /** -m esp --espspi (ranges, !): -p esp only; a header shorter than 8 bytes hotdrops the packet. */
    static void esp(Build b, int p) {
        for (boolean v6 : b.families()) {
            int lo = b.between(100, 200), hi = lo + b.between(0, 50);
            b.rule(v6, "filter", "FORWARD", "-p esp -m esp --espspi " + lo + ":" + hi + " -j ACCEPT");
            b.rule(v6, "filter", "FORWARD", "-p esp -m esp ! --espspi 0x1000");
            b.rule(v6, "filter", "FORWARD", "-p esp -m esp --espspi 0x1000 -j DROP");
            b.rule(v6, "filter", "FORWARD", "-p esp");
            for (int spi : new int[] {lo, hi, hi + 1, 0x1000, 7}) {
                Flow f = b.flow(v6, Harness.ESP, Path.LAN_OUT, 2 + spi % 3, 0, "esp spi " + spi);
                b.steps.add(new Step(f, Kind.ORIGINAL, 0, spi, 0, 24, false, 0, 0, 0, 0));
            }
            Flow s = b.flow(v6, Harness.ESP, Path.LAN_OUT, 5, 0, "esp, a 3-byte header");
            b.steps.add(new Step(s, Kind.ORIGINAL, 0, lo, 0, 0, false, 0, 0, 0, Step.SHORT_HEADER));
        }
    }

}
