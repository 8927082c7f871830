package jnat.nat;

import jnat.conntrack.ConntrackTool;
import jnat.rules.Iptables;
import jnat.wire.Ipv4Repr;
import jnat.wire.Ipv6Repr;
import jnat.wire.EthernetRepr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TPROXY, -m socket and -m owner on real packets: a connection to a remote address diverted onto
 * the host's transparent listener by mangle PREROUTING and delivered locally by policy routing
 * (fwmark 0x1 lookup 100, local default dev lo table 100), as Istio's sidecar and ambient modes
 * set it up; the flow's later packets found by -m socket --transparent; the host's own packets
 * matched by the uid and gid of the socket they come from.
 */
class TproxyTest {
    static final String HOST = """
            link set dev eth0 address 56:00:04:7c:7c:23 up
            addr add 10.0.0.1/24 dev eth0
            route add default via 10.0.0.254 dev eth0
            neigh add 10.0.0.254 lladdr 06:7c:16:88:fe:87 dev eth0
            neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0
            addr add 2001:db8:1::1/64 dev eth0 nodad
            neigh add 2001:db8:1::2 lladdr 02:00:00:00:00:02 dev eth0
            -6 route add default via 2001:db8:1::fe dev eth0
            neigh add 2001:db8:1::fe lladdr 06:7c:16:88:fe:87 dev eth0
            route add local 0.0.0.0/0 dev lo table 100
            rule add fwmark 0x1 lookup 100
            -6 route add local ::/0 dev lo table 100
            -6 rule add fwmark 0x1 lookup 100
            """;

    /** The -m conntrack rule (it only counts) makes the hooks track connections, as nf_ct_netns_get does in the kernel. */
    static final String RULES = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :DIVERT - [0:0]
            -A PREROUTING -m conntrack --ctstate INVALID
            -A PREROUTING -p tcp -m socket --transparent -j DIVERT
            -A PREROUTING -p tcp --dport 80 -j TPROXY --on-port 15006 --tproxy-mark 0x1/0x1
            -A PREROUTING -p udp --dport 53 -j TPROXY --on-ip 127.0.0.1 --on-port 15053 --tproxy-mark 0x1/0x1
            -A DIVERT -j MARK --set-xmark 0x1/0xffffffff
            -A DIVERT -j ACCEPT
            -A OUTPUT -m owner --uid-owner 1337 -j MARK --set-xmark 0x5/0xffffffff
            -A OUTPUT -m owner --gid-owner 1338 -j MARK --set-xmark 0x6/0xffffffff
            -A OUTPUT -m owner ! --socket-exists -j MARK --set-xmark 0x7/0xffffffff
            COMMIT
            """;

    static final String RULES6 = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m socket --transparent -j MARK --set-xmark 0x1/0xffffffff
            -A PREROUTING -p tcp -m mark --mark 0x1 -j ACCEPT
            -A PREROUTING -p tcp -j TPROXY --on-port 15006 --tproxy-mark 0x1/0x1
            COMMIT
            """;

    static final byte[] SYN = EthernetRepr.of("02:00:00:00:00:02", "56:00:04:7c:7c:23")
            .frame(Ipv4Repr.of("10.0.0.2", "198.51.100.7"), TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN));
    static final byte[] ACK = EthernetRepr.of("02:00:00:00:00:02", "56:00:04:7c:7c:23")
            .frame(Ipv4Repr.of("10.0.0.2", "198.51.100.7"), TcpRepr.of(40000, 80).withFlags(TcpSegment.ACK));

    private static EngineRig rig(String... listen) {
        EngineRig rig = EngineRig.host(HOST).rules6(RULES6).rules(RULES);
        for (String l : listen) rig.engine().sockets().listen(l);
        return rig;
    }

    private static String mangle(EngineRig rig, String chain) {
        return Iptables.run(rig.engine().ruleset(), List.of("-t", "mangle", "-nvxL", chain)).output();
    }

    private static String conntrack(EngineRig rig) {
        return ConntrackTool.run(rig.engine().connections(), List.of("-L"), rig.now).stdout();
    }

    @Test
    void aSynToARemoteAddressIsDivertedOntoTheTransparentListenerAndDeliveredLocally() {
        EngineRig rig = rig("tcp:0.0.0.0:15006,transparent");
        rig.receive("eth0", SYN);
        assertEquals(List.of(), rig.sent(), "not forwarded, and no RST: the listener took it");
        assertEquals(1, rig.delivered().size(), rig.dropSummary());
        String ct = conntrack(rig);
        assertTrue(ct.contains("src=10.0.0.2 dst=198.51.100.7 sport=40000 dport=80 [UNREPLIED] src=198.51.100.7 dst=10.0.0.2 sport=80 dport=40000"),
                "TPROXY translates nothing: " + ct);
        assertTrue(mangle(rig, "PREROUTING").contains("       1       40 TPROXY "), mangle(rig, "PREROUTING"));
    }

    @Test
    void withoutATransparentListenerTheTproxyTargetDropsThePacket() {
        for (String listen : new String[] {null, "tcp:0.0.0.0:15006"}) {
            EngineRig rig = listen == null ? rig() : rig(listen);
            rig.receive("eth0", SYN);
            assertEquals(List.of(), rig.sent());
            assertEquals(0, rig.delivered().size());
            assertEquals(1, rig.drops(DropReason.MANGLE_DROP), String.valueOf(listen));
        }
    }

    @Test
    void withoutPolicyRoutingTheDivertedPacketIsNeitherDeliveredNorForwarded() {
        EngineRig rig = EngineRig.host(HOST.replaceAll("(?m)^rule add fwmark 0x1 lookup 100\n", "")).rules(RULES);
        rig.engine().sockets().listen("tcp:0.0.0.0:15006,transparent");
        rig.receive("eth0", SYN);
        assertEquals(0, rig.delivered().size());
        assertEquals(List.of(), rig.sent(), "ip_forward drops a packet that carries a socket");
        assertEquals(1, rig.drops(DropReason.FORWARD_WITH_SOCKET), rig.dropSummary());
    }

    @Test
    void theFlowsLaterSegmentsFindTheAcceptedSocketWithSocketTransparent() {
        EngineRig rig = rig("tcp:0.0.0.0:15006,transparent");
        rig.receive("eth0", SYN);
        rig.receive("eth0", ACK);
        assertEquals(2, rig.delivered().size(), rig.dropSummary());
        String pre = mangle(rig, "PREROUTING");
        assertTrue(pre.contains("       1       40 DIVERT "), "the ACK, not the SYN (a listener bound to 0.0.0.0 is a wildcard): " + pre);
        assertTrue(pre.contains("       1       40 TPROXY "), pre);
    }

    @Test
    void aListenerBoundToTheDevicesAddressTakesTheDivertedSegmentWhenOnIpIsLeftOut() {
        EngineRig rig = rig("tcp:10.0.0.1:15006,transparent");
        rig.receive("eth0", SYN);
        assertEquals(1, rig.delivered().size(), "nf_tproxy_laddr4: eth0's 10.0.0.1 " + rig.dropSummary());
        rig = rig("tcp:10.9.9.9:15006,transparent");
        rig.receive("eth0", SYN);
        assertEquals(1, rig.drops(DropReason.MANGLE_DROP));
    }

    @Test
    void udpIsDivertedToTheListenerOnOnIp() {
        EngineRig rig = rig("udp:127.0.0.1:15053,transparent");
        byte[] query = EthernetRepr.of("02:00:00:00:00:02", "56:00:04:7c:7c:23")
                .frame(Ipv4Repr.of("10.0.0.2", "203.0.113.53"), UdpRepr.of(5353, 53).withPayload(new byte[12]));
        rig.receive("eth0", query);
        assertEquals(List.of(), rig.sent(), "no port unreachable: the socket took it");
        assertEquals(1, rig.delivered().size(), rig.dropSummary());
    }

    @Test
    void ipv6SynIsDivertedAndItsAckFoundBySocketTransparent() {
        EngineRig rig = rig("tcp:[::]:15006,transparent");
        EthernetRepr eth = EthernetRepr.of("02:00:00:00:00:02", "56:00:04:7c:7c:23");
        rig.receive("eth0", eth.frame(Ipv6Repr.of("2001:db8:1::2", "2001:db8:99::7"), TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN)));
        rig.receive("eth0", eth.frame(Ipv6Repr.of("2001:db8:1::2", "2001:db8:99::7"), TcpRepr.of(40000, 80).withFlags(TcpSegment.ACK)));
        assertEquals(List.of(), rig.sent().stream().map(EngineRig.Sent::summary6).toList(), rig.dropSummary());
        assertEquals(2, rig.delivered().size(), rig.dropSummary());
        String pre = Iptables.run(rig.engine().ruleset6(), List.of("-t", "mangle", "-nvxL", "PREROUTING")).output();
        assertTrue(pre.contains("       1       60 MARK "), pre);
        assertTrue(pre.contains("       1       60 TPROXY "), pre);
    }

    @Test
    void theReplyOfASourceNatedConnectionFindsItsSocketByTheOriginalSource() {
        EngineRig rig = EngineRig.host(HOST + "link set dev eth1 address 02:00:00:00:01:01 up\naddr add 192.168.5.1/24 dev eth1\n")
                .rules("""
                        *nat
                        :PREROUTING ACCEPT [0:0]
                        :INPUT ACCEPT [0:0]
                        :OUTPUT ACCEPT [0:0]
                        :POSTROUTING ACCEPT [0:0]
                        -A POSTROUTING -s 192.168.5.1/32 -o eth0 -j SNAT --to-source 10.0.0.1
                        COMMIT
                        *mangle
                        :PREROUTING ACCEPT [0:0]
                        :INPUT ACCEPT [0:0]
                        :FORWARD ACCEPT [0:0]
                        :OUTPUT ACCEPT [0:0]
                        :POSTROUTING ACCEPT [0:0]
                        -A PREROUTING -m socket -j MARK --set-xmark 0x7/0xffffffff
                        COMMIT
                        """);
        rig.sendFromSocket(Ipv4Repr.of("192.168.5.1", "198.51.100.7").packet(TcpRepr.of(41000, 443).withFlags(TcpSegment.SYN)), 1000, 1000);
        assertEquals("10.0.0.1", jnat.wire.Ipv4Address.format(rig.only("eth0").ip().src()), "SNATed");
        rig.receive("eth0", EthernetRepr.of("06:7c:16:88:fe:87", "56:00:04:7c:7c:23").frame(Ipv4Repr.of("198.51.100.7", "10.0.0.1"),
                TcpRepr.of(443, 41000).withSeq(5000).withAck(1).withFlags(TcpSegment.SYN | TcpSegment.ACK)));
        assertEquals(1, rig.delivered().size(), rig.dropSummary());
        String pre = mangle(rig, "PREROUTING");
        assertTrue(pre.matches("(?s).*\\n +1 +40 MARK .*socket .*"), "nf_sk_lookup_slow_v4 looks the reply up by 192.168.5.1:41000: " + pre);
    }

    static final String SOCKET_MARKS = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -m socket -j MARK --set-xmark 0x7/0xffffffff
            COMMIT
            """;

    @Test
    void anIcmpErrorFindsTheSocketOfThePacketItQuotes() {
        EngineRig rig = EngineRig.host(HOST).rules6(SOCKET_MARKS).rules(SOCKET_MARKS);
        byte[] query = Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(UdpRepr.of(5353, 53).withPayload(new byte[12]));
        rig.sendFromSocket(query, 1000, 1000);
        byte[] query6 = Ipv6Repr.of("2001:db8:1::1", "2001:db8:99::7").packet(UdpRepr.of(5353, 53).withPayload(new byte[12]));
        rig.sendFromSocket(query6, 1000, 1000);
        EthernetRepr eth = EthernetRepr.of("06:7c:16:88:fe:87", "56:00:04:7c:7c:23");
        rig.receive("eth0", eth.frame(Ipv4Repr.of("198.51.100.7", "10.0.0.1"), jnat.wire.IcmpRepr.destUnreachable(3, query)));
        rig.receive("eth0", eth.frame(Ipv4Repr.of("198.51.100.7", "10.0.0.1"), jnat.wire.IcmpRepr.destUnreachable(3,
                Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(UdpRepr.of(5354, 53).withPayload(new byte[12])))));
        rig.receive("eth0", eth.frame(Ipv6Repr.of("2001:db8:99::7", "2001:db8:1::1"), jnat.wire.Icmpv6Repr.destUnreachable(4, query6)));
        assertTrue(mangle(rig, "PREROUTING").matches("(?s).*\\n +1 +\\d+ MARK .*"), "only the error about 5353: " + mangle(rig, "PREROUTING"));
        String pre6 = Iptables.run(rig.engine().ruleset6(), List.of("-t", "mangle", "-nvxL", "PREROUTING")).output();
        assertTrue(pre6.matches("(?s).*\\n +1 +\\d+ MARK .*"), pre6);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * The diverted path allocates nothing once warm (the established-path promise of ARCHITECTURE.md):
     * datagrams of one flow walk -m socket --transparent (no socket: a miss), TPROXY onto the
     * listener on --on-ip, the policy routing rules' input route (cached by destination, source,
     * mark and device) and local delivery, 20 000 times to warm up, then 2 000 measured; up to 5 runs
     * for a run of 0 bytes, as EstablishedRounds measures.
     */
    @Test
    void divertedDatagramsAllocateNothing() {
        EngineRig rig = rig("udp:127.0.0.1:15053,transparent");
        NatEngine engine = rig.engine();
        byte[] frame = EthernetRepr.of("02:00:00:00:00:02", "56:00:04:7c:7c:23")
                .frame(Ipv4Repr.of("10.0.0.2", "203.0.113.53"), UdpRepr.of(5353, 53).withPayload(new byte[40]));
        byte[] work = new byte[16 + frame.length];
        long[] delivered = {0};
        Transmit tx = new Transmit() {
            @Override
            public void transmit(jnat.host.Interface out, byte[] buf, int off, int len) {}

            @Override
            public void deliver(byte[] buf, int off, int len) {
                delivered[0]++;
            }
        };
        jnat.host.Interface eth0 = rig.device("eth0");
        long[] now = {rig.now};
        Runnable round = () -> {
            System.arraycopy(frame, 0, work, 16, frame.length);
            engine.receive(eth0, work, 16, frame.length, now[0] += 1000, tx);
        };
        List<Long> runs = new java.util.ArrayList<>();
        do {
            for (int i = 0; i < 20_000; i++) round.run();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long overhead = THREADS.getCurrentThreadAllocatedBytes() - before;
            before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++) round.run();
            runs.add(THREADS.getCurrentThreadAllocatedBytes() - before - overhead);
        } while (runs.getLast() != 0 && runs.size() < 5);
        assertEquals(runs.size() * 22_000L, delivered[0], rig.dropSummary());
        assertEquals(0L, runs.getLast(), "bytes allocated by each run of 2 000 diverted datagrams: " + runs);
    }

    @Test
    void aMarkSetInMangleOutputReroutesTheHostsPacketThroughItsRule() {
        EngineRig rig = EngineRig.host(HOST + """
                link set dev eth1 address 02:00:00:00:01:01 up
                addr add 172.16.0.1/24 dev eth1
                neigh add 172.16.0.254 lladdr 02:00:00:00:01:fe dev eth1
                route add default via 172.16.0.254 dev eth1 table 200
                rule add fwmark 0x5 lookup 200
                """).rules("""
                *mangle
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A OUTPUT -m owner --uid-owner 1337 -j MARK --set-xmark 0x5/0xffffffff
                COMMIT
                """);
        rig.sendFromSocket(Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(TcpRepr.of(41000, 443).withFlags(TcpSegment.SYN)), 1337, 1337);
        assertEquals("eth1", rig.only().dev(), "ip_route_me_harder: the mark's rule, table 200");
        rig.sendFromSocket(Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(TcpRepr.of(41001, 443).withFlags(TcpSegment.SYN)), 1000, 1000);
        assertEquals("eth0", rig.only().dev(), "no mark: the main table");
    }

    @Test
    void aMarkSetInMangleOutputReroutesBesideAnNftOutputChain() {
        // with an nft filter chain at OUTPUT the hook's entries run by priority; iptable_mangle's still reroutes
        EngineRig rig = EngineRig.host(HOST + """
                link set dev eth1 address 02:00:00:00:01:01 up
                addr add 172.16.0.1/24 dev eth1
                neigh add 172.16.0.254 lladdr 02:00:00:00:01:fe dev eth1
                route add default via 172.16.0.254 dev eth1 table 200
                rule add fwmark 0x5 lookup 200
                """).rules("""
                *mangle
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A OUTPUT -m owner --uid-owner 1337 -j MARK --set-xmark 0x5/0xffffffff
                COMMIT
                """);
        rig.engine().setNftRuleset(jnat.nft.Nft.load("""
                table ip f {
                	chain out {
                		type filter hook output priority filter; policy accept;
                		counter
                	}
                }
                """));
        rig.sendFromSocket(Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(TcpRepr.of(41000, 443).withFlags(TcpSegment.SYN)), 1337, 1337);
        assertEquals("eth1", rig.only().dev(), "ip_route_me_harder after the mangle table, as without nft");
        assertEquals(1, rig.engine().nftCounter("ip", "f", "out", 0)[0]);
    }

    @Test
    void ownerMatchesTheUidAndGidOfTheHostsSocket() {
        EngineRig rig = rig();
        byte[] out = Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(TcpRepr.of(41000, 443).withFlags(TcpSegment.SYN));
        rig.sendFromSocket(out, 1337, 1338);
        rig.sendFromSocket(Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(TcpRepr.of(41001, 443).withFlags(TcpSegment.SYN)), 1000, 1338);
        rig.sendFromSocket(Ipv4Repr.of("10.0.0.1", "198.51.100.7").packet(TcpRepr.of(41002, 443).withFlags(TcpSegment.SYN)), 1000, 1000);
        String listing = mangle(rig, "OUTPUT");
        assertTrue(listing.matches("(?s).*\\n +1 +40 MARK .*owner UID match 1337 .*"), listing);
        assertTrue(listing.matches("(?s).*\\n +2 +80 MARK .*owner GID match 1338 .*"), listing);
        assertTrue(listing.matches("(?s).*\\n +0 +0 MARK .*! owner socket exists .*"), listing);
    }
}
