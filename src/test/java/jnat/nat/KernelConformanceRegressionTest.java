package jnat.nat;

import jnat.nat.EngineRig.Sent;
import jnat.wire.EthernetRepr;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Mismatches the conformance harness (jnat.conformance) found between jnat and the kernel, one
 * test each, on a small host: eth0 to the internet, docker0 with containers.
 */
class KernelConformanceRegressionTest {
    static final String HOST = """
            link add eth0 type dummy
            link set dev eth0 address 02:00:00:00:01:01 mtu 1500 up
            addr add 203.0.113.2/24 dev eth0
            route add default via 203.0.113.1 dev eth0
            neigh add 203.0.113.1 lladdr 02:00:00:00:01:fe dev eth0
            link add docker0 type dummy
            link set dev docker0 address 02:42:d5:35:3a:3c mtu 1500 up
            addr add 172.17.0.1/16 dev docker0
            neigh add 172.17.0.2 lladdr 02:42:ac:11:00:02 dev docker0
            neigh add 172.17.0.3 lladdr 02:42:ac:11:00:03 dev docker0
            neigh add 172.17.0.4 lladdr 02:42:ac:11:00:04 dev docker0
            """;
    static final long ROUTER = 0x0200000001feL, ETH0 = 0x020000000101L;

    final EngineRig rig = EngineRig.host(HOST);
    final List<Sent> sent = rig.sent();

    static byte[] syn(String src, int sport, String dst, int dport) {
        return EthernetRepr.of(ROUTER, ETH0).frame(Ipv4Repr.of(src, dst),
                TcpRepr.of(sport, dport).withFlags(TcpSegment.SYN).withSeq(1000));
    }

    /** xt_statistic: the counter starts at every-1-packet, so "--every 3 --packet 0" takes the first packet. */
    @Test
    void nthStatisticMatchesTheFirstPacketWhenPacketIsZero() {
        rig.rules("""
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                :SVC - [0:0]
                -A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC
                -A SVC -p tcp -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 172.17.0.2:8080
                -A SVC -p tcp -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 172.17.0.3:8080
                -A SVC -p tcp -j DNAT --to-destination 172.17.0.4:8080
                COMMIT
                """);
        List<String> backends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rig.receive("eth0", syn("198.51.100.7", 40000 + i, "10.96.0.10", 80));
            backends.add(Ipv4Address.format(sent.removeLast().ip().dst()));
        }
        // As the kernel does it (checked with the conformance harness): round robin from the first rule.
        assertEquals(List.of("172.17.0.2", "172.17.0.3", "172.17.0.4", "172.17.0.2", "172.17.0.3", "172.17.0.4"), backends);
    }

    static byte[] tcp(boolean fromClient, String src, int sport, String dst, int dport, int flags, int seq, int ack) {
        EthernetRepr eth = fromClient ? EthernetRepr.of(ROUTER, ETH0) : EthernetRepr.of(0x0242ac110003L, 0x0242d5353a3cL);
        return eth.frame(Ipv4Repr.of(src, dst), TcpRepr.of(sport, dport).withFlags(flags).withSeq(seq).withAck(ack));
    }

    /**
     * nf_nat_l4proto_unique_tuple: a DNAT port range is searched from its first port (off = 0; only
     * SRC and --random start at a random offset). Seen when a SYN reopens a TIME_WAIT connection
     * (killed, looked up again): the kernel picks the first port again, jnat picked at random.
     */
    @Test
    void dnatToAPortRangeTakesTheFirstFreePortEvenWhenAConnectionIsReopened() {
        NatEngine engine = rig.rules("""
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -d 203.0.113.2/32 -i eth0 -p tcp -m tcp --dport 9000 -j DNAT --to-destination 172.17.0.3:7000-7002
                COMMIT
                """).engine();
        String client = "198.51.100.171", pub = "203.0.113.2", server = "172.17.0.3";
        int c = 1000, s = 5000;
        int syn = TcpSegment.SYN, ack = TcpSegment.ACK, fin = TcpSegment.FIN;
        rig.receive("eth0", tcp(true, client, 46771, pub, 9000, syn, c, 0));
        assertEquals(7000, sent.removeLast().ip().dstPort());
        rig.receive("docker0", tcp(false, server, 7000, client, 46771, syn | ack, s, c + 1));
        rig.receive("eth0", tcp(true, client, 46771, pub, 9000, ack, c + 1, s + 1));
        rig.receive("docker0", tcp(false, server, 7000, client, 46771, fin | ack, s + 1, c + 1));
        rig.receive("eth0", tcp(true, client, 46771, pub, 9000, fin | ack, c + 1, s + 2));
        rig.receive("docker0", tcp(false, server, 7000, client, 46771, ack, s + 2, c + 2));
        sent.clear();

        rig.receive("eth0", tcp(true, client, 46771, pub, 9000, syn, c + 100_000, 0));
        assertEquals(7000, sent.removeLast().ip().dstPort());
        assertEquals(1, engine.connections().count());
    }

    static final String HOST6 = HOST + """
            addr add 2001:db8:0:1::2/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            -6 neigh add fe80::1 lladdr 02:00:00:00:01:fe dev eth0
            addr add fd49:efd7:54aa::1/64 dev docker0
            -6 neigh add fd49:efd7:54aa::3 lladdr 02:42:ac:11:00:03 dev docker0
            -6 neigh add fd49:efd7:54aa::4 lladdr 02:42:ac:11:00:04 dev docker0
            -6 neigh add fd49:efd7:54aa::5 lladdr 02:42:ac:11:00:05 dev docker0
            """;

    /**
     * find_best_ips_proto over IPv6 for DNAT: after writing each word of the new destination the
     * kernel xors the hash with tuple->dst.u3.all[i], which for DST is that new word (var_ipp points
     * into the destination), not the original destination's. The kernel sent this SYN to ::3 (the
     * dual-stack conformance run, seed 1, scenario 6); jnat, xoring the original's words, sent it to ::4.
     */
    @Test
    void anIpv6DnatAddressRangeIsHashedWithTheWordsItChoseAsTheKernelDoes() {
        EngineRig rig6 = EngineRig.host(HOST6).rules6("""
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -i eth0 -p tcp -m tcp --dport 9000 -j DNAT --to-destination [fd49:efd7:54aa::3-fd49:efd7:54aa::5]:7000-7002
                COMMIT
                """).rules("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        rig6.receive("eth0", EthernetRepr.of(ROUTER, ETH0).frame(Ipv6Repr.of("2001:db8:100::c2", "2001:db8:0:1::2"),
                TcpRepr.of(41461, 9000).withFlags(TcpSegment.SYN).withSeq(611805211)));
        Sent s = rig6.only("docker0");
        assertEquals("fd49:efd7:54aa::3", Ipv6Address.format(s.ip6().dstHi(), s.ip6().dstLo()));
        assertEquals(7000, s.ip6().dstPort());
    }

    static byte[] udp(String src, int sport, String dst, int dport) {
        return EthernetRepr.of(ROUTER, ETH0).frame(Ipv4Repr.of(src, dst), jnat.wire.UdpRepr.of(sport, dport).withPayload(new byte[8]));
    }

    static final String FORWARD_FILTER = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -p udp -m udp --dport 53 -m length --length 0:100
            %s
            COMMIT
            """;

    /**
     * nf_ct_netns_get: conntrack's hooks are registered for a family only while some rule takes conntrack
     * (-m state, -m conntrack, connmark, CONNMARK, CT without --notrack, the NAT targets); found by the
     * per-module scenarios, where the kernel's table stayed empty under filter rules alone.
     */
    @Test
    void noConnectionIsTrackedUntilARuleTakesConntrack() {
        rig.rules(FORWARD_FILTER.formatted(""));
        rig.receive("eth0", udp("198.51.100.7", 4000, "172.17.0.2", 53));
        assertEquals(1, sent.size(), "forwarded");
        assertEquals(0, rig.engine().connections().count(), "filter rules alone take no conntrack");

        rig.rules(FORWARD_FILTER.formatted("-A FORWARD -m state --state NEW"));
        rig.receive("eth0", udp("198.51.100.7", 4001, "172.17.0.2", 53));
        assertEquals(1, rig.engine().connections().count(), "-m state takes conntrack");
    }

    /** xt_ct_tg_check takes no conntrack for --notrack; an IPv6 rule's conntrack is IPv6's alone (nf_ct_netns_get per family). */
    @Test
    void notrackAloneAndTheOtherFamilysRulesTakeNoConntrack() {
        rig.rules("""
                *raw
                :PREROUTING ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A PREROUTING -p udp -m udp --dport 7 -j NOTRACK
                COMMIT
                """);
        rig.rules6("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A FORWARD -m conntrack --ctstate NEW
                COMMIT
                """);
        rig.receive("eth0", udp("198.51.100.7", 4000, "172.17.0.2", 53));
        assertEquals(1, sent.size(), "forwarded");
        assertEquals(0, rig.engine().connections().count());
    }

    private long packets(boolean v6, String table, String chain, int rule) {
        jnat.rules.Ruleset rs = v6 ? rig.engine().ruleset6() : rig.engine().ruleset();
        return rs.existing(table).chain(chain).rules().get(rule).packets;
    }

    /**
     * fib_validate_source (rp_filter 0, accept_local 0): a packet from one of the host's own addresses is a
     * martian, dropped by the input route after raw PREROUTING; found by the rpfilter scenarios, where the
     * kernel delivered nothing that jnat delivered.
     */
    @Test
    void aPacketFromTheHostsOwnAddressIsAMartian() {
        rig.rules("""
                *raw
                :PREROUTING ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A PREROUTING -p udp
                COMMIT
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -p udp
                -A FORWARD -p udp
                COMMIT
                """);
        rig.receive("eth0", udp("198.51.100.7", 4000, "203.0.113.2", 53)); // warms the route cache for the destination
        rig.receive("eth0", udp("203.0.113.2", 4001, "203.0.113.2", 53));
        rig.receive("eth0", udp("172.17.0.1", 4002, "198.51.100.8", 53));
        assertEquals(3, packets(false, "raw", "PREROUTING", 0));
        assertEquals(1, packets(false, "filter", "INPUT", 0), "only the internet's datagram is delivered");
        assertEquals(0, packets(false, "filter", "FORWARD", 0), "nor is docker0's address forwarded");
    }

    /**
     * nf_send_unreach and nf_send_reset at OUTPUT answer the host's own packet to the host itself: the
     * answer goes out through LOCAL_OUT and POSTROUTING and comes back in through lo (filter INPUT sees it),
     * nothing on the wire; found by the per-module scenarios' OUTPUT REJECTs (counters of OUTPUT, PREROUTING, INPUT).
     */
    @Test
    void rejectAtOutputAnswersTheHostsOwnPacketThroughLo() {
        rig.rules("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -i lo -p icmp -m icmp --icmp-type 3/3
                -A INPUT -i lo -p tcp -m tcp --tcp-flags RST RST
                -A OUTPUT -p udp -m udp --dport 9 -j REJECT
                -A OUTPUT -p tcp -m tcp --dport 9 -j REJECT --reject-with tcp-reset
                COMMIT
                """);
        rig.send(Ipv4Repr.of("203.0.113.2", "198.51.100.7").packet(jnat.wire.UdpRepr.of(41000, 9).withPayload(new byte[8])));
        rig.send(Ipv4Repr.of("203.0.113.2", "198.51.100.7").packet(TcpRepr.of(41001, 9).withFlags(TcpSegment.SYN).withSeq(5)));
        assertEquals(List.of(), sent, "nothing on the wire");
        assertEquals(1, packets(false, "filter", "INPUT", 0), "the port unreachable came in through lo");
        assertEquals(1, packets(false, "filter", "INPUT", 1), "the RST came in through lo");
    }

    /** The same for IPv6 (nf_send_unreach6, nf_send_reset6): the answers come back in through lo. */
    @Test
    void ip6RejectAtOutputAnswersTheHostsOwnPacketThroughLo() {
        EngineRig r6 = EngineRig.seedDocker6();
        r6.rules6("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -i lo -p ipv6-icmp -m icmp6 --icmpv6-type 1/4
                -A INPUT -i lo -p tcp -m tcp --tcp-flags RST RST
                -A OUTPUT -p udp -m udp --dport 9 -j REJECT
                -A OUTPUT -p tcp -m tcp --dport 9 -j REJECT --reject-with tcp-reset
                COMMIT
                """);
        long[] src = addr6(r6), dst = {0x20010db801000000L, 7};
        r6.send(jnat.wire.Ipv6Repr.of(src[0], src[1], dst[0], dst[1]).packet(jnat.wire.UdpRepr.of(41000, 9).withPayload(new byte[8])));
        r6.send(jnat.wire.Ipv6Repr.of(src[0], src[1], dst[0], dst[1]).packet(TcpRepr.of(41001, 9).withFlags(TcpSegment.SYN).withSeq(5)));
        assertEquals(List.of(), r6.sent(), "nothing on the wire");
        jnat.rules.Chain in = r6.engine().ruleset6().existing("filter").chain("INPUT");
        assertEquals(1, in.rules().get(0).packets, "the port unreachable came in through lo");
        assertEquals(1, in.rules().get(1).packets, "the RST came in through lo");
    }

    /** A global IPv6 address of the rig's host (the first one found). */
    private static long[] addr6(EngineRig r) {
        for (jnat.host.Interface i : r.host().interfaces()) {
            for (jnat.host.InterfaceAddress6 a : i.addresses6()) {
                if ((a.hi() >>> 61) == 1) return new long[] {a.hi(), a.lo()};
            }
        }
        throw new AssertionError("no global IPv6 address");
    }

    /**
     * CONNMARK revision 2 (connmark_tg_shift): --save-mark shifts the packet's masked mark before it is
     * written into the connection's, --restore-mark shifts the connection's before it is written into the
     * packet's; jnat refused the shift options (found by the per-module scenarios' CONNMARK rules).
     */
    @Test
    void connmarkShiftsTheMarkItSavesAndRestores() {
        rig.rules("""
                *mangle
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -i eth0 -j MARK --set-mark 0x1234
                -A PREROUTING -i eth0 -j CONNMARK --save-mark --mask 0xff00 --right-shift-mark 4
                -A PREROUTING -i docker0 -j CONNMARK --restore-mark --mask 0xffff --left-shift-mark 8
                -A FORWARD -i docker0 -m mark --mark 0x12000
                COMMIT
                """);
        rig.receive("eth0", udp("198.51.100.7", 4000, "172.17.0.2", 53));
        String ct = new jnat.conntrack.ConntrackPrinter().list(rig.engine().connections(), 0);
        assertEquals(true, ct.contains(" mark=288 "), ct); // (0x1234 & 0xff00) >> 4 = 0x120
        rig.receive("docker0", EthernetRepr.of(0x0242ac110002L, 0x0242d5353a3cL).frame(Ipv4Repr.of("172.17.0.2", "198.51.100.7"),
                jnat.wire.UdpRepr.of(53, 4000).withPayload(new byte[8])));
        assertEquals(1, rig.engine().ruleset().existing("mangle").chain("FORWARD").rules().getFirst().packets,
                "the reply's mark: 0x120 << 8");
    }

    /** nft_ct's and nft_nat's init take conntrack (nf_ct_netns_get), a filter chain of counters alone none; an ip table's for IPv4 only. */
    @Test
    void anNftRulesetTracksOnlyWhenAnExpressionTakesConntrack() {
        rig.rules("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        rig.engine().setNftRuleset(jnat.nft.Nft.parse("t.nft", """
                table ip t {
                    chain f {
                        type filter hook forward priority 0; policy accept;
                        udp dport 53 counter
                    }
                }
                table ip6 u {
                    chain f {
                        type filter hook forward priority 0; policy accept;
                        ct state new counter
                    }
                }
                """));
        rig.receive("eth0", udp("198.51.100.7", 4000, "172.17.0.2", 53));
        assertEquals(1, sent.size(), "forwarded");
        assertEquals(0, rig.engine().connections().count(), "counters take no conntrack, nor does the ip6 table's ct for IPv4");
        rig.engine().setNftRuleset(jnat.nft.Nft.parse("t.nft", """
                table ip t {
                    chain f {
                        type filter hook forward priority 0; policy accept;
                        ct state new counter
                    }
                }
                """));
        rig.receive("eth0", udp("198.51.100.7", 4001, "172.17.0.2", 53));
        assertEquals(1, rig.engine().connections().count(), "ct state takes conntrack");
    }
}
