package jnat.nat;

import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import static jnat.nat.EngineRig.MS;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The modules that ask the host rather than the packet, on frames through the engine on the
 * seed's Docker host: -m rpfilter's reverse FIB lookup (ipt_rpfilter.c), -m policy without IPsec
 * (xt_policy.c), and -j NFQUEUE with nobody listening on the queue (nf_queue).
 */
class PathMatchesTest {
    private static String tables(String mangle, String filter) {
        return EngineRig.SEED_RULES + "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n" + mangle + "COMMIT\n"
                + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + filter + "COMMIT\n";
    }

    private static byte[] fromEth0(String src) {
        return fromInternet(Ipv4Repr.of(src, "172.17.0.2"), UdpRepr.of(53, 5000));
    }

    @Test
    void rpfilterDropsASourceWhoseRouteBackLeavesByAnotherInterface() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(tables("-A PREROUTING -m rpfilter --invert -j DROP\n", ""));
        rig.receive("eth0", fromEth0("198.51.100.7")); // the default route goes back out of eth0
        assertEquals(1, rig.sent().size());
        rig.receive("eth0", fromEth0("172.17.0.9")); // 172.17.0.0/16 is docker0's: spoofed
        assertEquals(1, rig.sent().size());
        assertEquals(1, rig.drops(DropReason.MANGLE_DROP));
    }

    @Test
    void rpfilterLooseAcceptsAnyRouteBackAndAcceptLocalAnOwnSource() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(tables(
                "-A PREROUTING -m rpfilter --loose -j ACCEPT\n-A PREROUTING -j DROP\n", ""));
        rig.receive("eth0", fromEth0("172.17.0.9"));
        assertEquals(1, rig.sent().size(), "--loose: a route back exists, by docker0");
        rig.receive("eth0", fromEth0("45.77.200.180"));
        assertEquals(1, rig.sent().size(), "our own address: a local route, refused without --accept-local");
        rig.rules(tables("-A PREROUTING -m rpfilter --accept-local -j ACCEPT\n-A PREROUTING -j DROP\n", ""));
        rig.receive("eth0", fromEth0("45.77.200.180"));
        assertEquals(1, rig.engine().ruleset().existing("mangle").chain("PREROUTING").rules().getFirst().packets,
                "--accept-local: the own source accepted");
        // then the input route's fib_validate_source (accept_local 0) drops it as a martian, as the kernel does
        assertEquals(1, rig.sent().size());
        assertEquals(1, rig.drops(DropReason.ROUTE_MARTIAN));
    }

    /**
     * rpfilter_lookup_reverse: a local route passes --accept-local only when its nexthop is the in device
     * (or with --loose): docker0's address arriving on eth0 does not (found by the per-module scenarios).
     */
    @Test
    void rpfilterAcceptLocalWantsTheAddressOfTheInDevice() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(tables(
                "-A PREROUTING -m rpfilter --accept-local\n-A PREROUTING -m rpfilter --accept-local --loose\n", ""));
        rig.receive("eth0", fromEth0("172.17.0.1"));
        rig.receive("eth0", fromEth0("45.77.200.180"));
        var pre = rig.engine().ruleset().existing("mangle").chain("PREROUTING").rules();
        assertEquals(1, pre.get(0).packets, "eth0's own address only");
        assertEquals(2, pre.get(1).packets, "--loose: both");
    }

    @Test
    void policyNoneMatchesEveryPacketAndIpsecNoneWithoutIpsec() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(tables("",
                "-A FORWARD -m policy --dir in --pol ipsec -j DROP\n-A FORWARD -m policy --dir out --pol none -j ACCEPT\n"
                        + "-A FORWARD -j DROP\n"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5000, 53)));
        assertEquals(1, rig.sent().size());
    }

    @Test
    void nfqueueWithoutAListenerDropsThePacket() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(tables("", "-A FORWARD -j NFQUEUE --queue-num 3\n"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5000, 53)));
        assertEquals(0, rig.sent().size());
        assertEquals(1, rig.drops(DropReason.FILTER_DROP));
    }

    @Test
    void nfqueueBypassAcceptsAndSkipsTheRestOfTheTable() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(tables("",
                "-A FORWARD -j NFQUEUE --queue-bypass\n-A FORWARD -j DROP\n"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5000, 53)));
        assertEquals(1, rig.sent().size(), "as if accepted: the next rule's DROP is not reached");
        assertEquals(0, rig.engine().ruleset().existing("filter").chain("FORWARD").rules().get(1).packets);
    }

    @Test
    void ctWithEventsOrZoneZeroTracksAsWithoutItAndNotrackIgnoresTheZone() {
        String raw = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + "-A PREROUTING -p udp --sport 5000 -j CT --ctevents new,destroy --zone 0\n"
                + "-A PREROUTING -p udp --sport 6000 -j CT --notrack --zone 7\nCOMMIT\n";
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(raw + tables("", ""));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5000, 53)));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(6000, 53)));
        assertEquals(1, rig.engine().connections().count(), "the first tracked (and MASQUERADEd), the second untracked");
        assertEquals(2, rig.sent().size());
    }
}
