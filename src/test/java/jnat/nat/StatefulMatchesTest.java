package jnat.nat;

import jnat.rules.Rule;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static jnat.nat.EngineRig.MS;
import static jnat.nat.EngineRig.SEC;
import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.syn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matches that keep state beside the packet, on real frames through the engine on the seed's
 * Docker host: -m recent's lists (xt_recent.c) on the engine's clock, and -m conntrack's
 * --ctstatus, --ctproto, --ctexpire and --ctdir over the connection's row (xt_conntrack.c).
 */
class StatefulMatchesTest {
    private static String filter(String... forward) {
        StringBuilder sb = new StringBuilder(EngineRig.SEED_RULES).append("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + ":OUTPUT ACCEPT [0:0]\n");
        for (String r : forward) sb.append(r.startsWith("-A ") ? r : "-A FORWARD " + r).append('\n');
        return sb.append("COMMIT\n").toString();
    }

    private static byte[] udpFrom(String src, int sport) {
        return fromContainer(Ipv4Repr.of(src, "198.51.100.7"), UdpRepr.of(sport, 53));
    }

    /** fail2ban's and ufw's limit: --update --hitcount drops the fourth packet within the window, --set counts each. */
    @Test
    void updateWithHitcountDropsOnceTheAddressWasSeenThatOftenWithinTheSeconds() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m recent --update --seconds 60 --hitcount 3 --name flood -j DROP",
                "-m recent --set --name flood -j ACCEPT"));
        for (int i = 0; i < 6; i++) rig.receive("docker0", udpFrom("172.17.0.2", 5000 + i));
        assertEquals(3, rig.sent().size(), "three packets set the list; the fourth and later hit three times");
        rig.sent().clear();
        rig.clock(61 * SEC, MS); // every time in the list is now older than 60 s
        rig.receive("docker0", udpFrom("172.17.0.2", 6000));
        assertEquals(1, rig.sent().size(), "no hit within the window: --set lets it through");
    }

    @Test
    void updateRefreshesTheTimesSoAFloodThatGoesOnStaysDropped() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, 10 * SEC).rules(filter(
                "-m recent --update --seconds 30 --hitcount 2 --name f -j DROP",
                "-m recent --set --name f -j ACCEPT"));
        // t=10 set, t=20 one hit -> set, t=30 two hits -> dropped and updated, t=40 (20, 30), t=50 (30, 40), ...
        for (int i = 0; i < 6; i++) rig.receive("docker0", udpFrom("172.17.0.2", 5000 + i));
        assertEquals(2, rig.sent().size(), "each dropped packet's --update keeps two times within 30 s");
    }

    @Test
    void rcheckWithoutUpdateLetsTheWindowClose() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, 10 * SEC).rules(filter(
                "-m recent --rcheck --seconds 30 --hitcount 2 --name f -j DROP",
                "-m recent --set --name f -j ACCEPT"));
        // t=10, 20 pass (set), t=30 and 40 see 10 and 20 and are dropped without a time of their own,
        // t=50 sees only 20: passes and is set, t=60 sees 50 alone: passes
        for (int i = 0; i < 6; i++) rig.receive("docker0", udpFrom("172.17.0.2", 5000 + i));
        assertEquals(4, rig.sent().size());
    }

    @Test
    void removeTakesTheAddressOffTheList() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-p udp --sport 7000 -m recent --remove --name l -j ACCEPT",
                "-m recent --rcheck --name l -j DROP",
                "-m recent --set --name l -j ACCEPT"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("docker0", udpFrom("172.17.0.2", 5001));
        assertEquals(1, rig.sent().size(), "listed by the first, dropped by --rcheck");
        rig.receive("docker0", udpFrom("172.17.0.2", 7000));
        rig.receive("docker0", udpFrom("172.17.0.2", 5002));
        assertEquals(3, rig.sent().size(), "removed, so --rcheck misses and --set lists it again");
        assertEquals(1, rig.engine().xtNet().recent.show("l").lines().count());
    }

    @Test
    void maskMakesAddressesOfOneNetworkOneEntryAndRdestKeysOnTheDestination() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m recent --set --name d --rdest",
                "-m recent --rcheck --name n --mask 255.255.255.0 -j DROP",
                "-m recent --set --name n --mask 255.255.255.0 -j ACCEPT"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("docker0", udpFrom("172.17.0.3", 5001));
        assertEquals(1, rig.sent().size(), "172.17.0.3 is 172.17.0.0 under the mask, already listed");
        String n = rig.engine().xtNet().recent.show("n");
        assertTrue(n.startsWith("src=172.17.0.0 ttl: 64 last_seen: "), n);
        assertTrue(rig.engine().xtNet().recent.show("d").startsWith("src=198.51.100.7 "), "the destination");
    }

    @Test
    void rttlMissesAnAddressSeenWithAnotherTtl() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m recent --rcheck --rttl --name t -j DROP",
                "-m recent --set --name t -j ACCEPT"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(64), UdpRepr.of(5000, 53)));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(32), UdpRepr.of(5001, 53)));
        assertEquals(2, rig.sent().size(), "TTL 32 is not the listed 64 (the TTL before forwarding, as the kernel counts it)");
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7").withTtl(32), UdpRepr.of(5002, 53)));
        assertEquals(2, rig.sent().size(), "the second --set stored TTL 32");
    }

    @Test
    void aFullListForgetsTheLeastRecentlyUpdatedAddress() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter("-m recent --set --name big"));
        // 172.17.1.0 first, then 100 more: the list holds ip_list_tot (100)
        for (int i = 0; i <= 100; i++) rig.receive("docker0", udpFrom("172.17.1." + i, 5000));
        String list = rig.engine().xtNet().recent.show("big");
        assertEquals(100, list.lines().count());
        assertFalse(list.contains("src=172.17.1.0 "), "the oldest went");
        assertTrue(list.contains("src=172.17.1.1 ") && list.contains("src=172.17.1.100 "));
    }

    @Test
    void reapForgetsTheOldestEntryOnceItsNewestTimeLeftTheWindow() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-p udp --sport 5000 -m recent --set --name r",
                "-p udp --sport 6000 -m recent --rcheck --seconds 10 --reap --name r"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("docker0", udpFrom("172.17.0.3", 5000));
        rig.clock(20 * SEC, MS);
        rig.receive("docker0", udpFrom("172.17.0.4", 6000)); // not listed: nothing reaped (the address has no entry)
        assertEquals(2, rig.engine().xtNet().recent.show("r").lines().count());
        rig.receive("docker0", udpFrom("172.17.0.3", 6000)); // listed: the check reaps the oldest, 172.17.0.2
        String r = rig.engine().xtNet().recent.show("r");
        assertEquals(1, r.lines().count(), r);
        assertTrue(r.startsWith("src=172.17.0.3 "), r);
    }

    @Test
    void listsOutliveARulesetThatKeepsTheirNameAndGoWithTheLastRule() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter("-m recent --set --name keep"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        NatEngine e = rig.engine();
        e.setRuleset(jnat.rules.Ruleset.parse(filter("-m recent --rcheck --name keep -j DROP")));
        rig.receive("docker0", udpFrom("172.17.0.2", 5001));
        assertEquals(1, rig.sent().size(), "the new ruleset's --rcheck sees the old one's entry");
        e.setRuleset(jnat.rules.Ruleset.parse(filter()));
        assertEquals(null, e.xtNet().recent.show("keep"), "no rule names it: recent_mt_destroy freed it");
    }

    // ---- hashlimit ----

    @Test
    void hashlimitGivesEachSourceItsBurstThenOnePacketPerPeriod() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m hashlimit --hashlimit-upto 2/sec --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name h -j ACCEPT",
                "-j DROP"));
        for (int i = 0; i < 5; i++) {
            rig.receive("docker0", udpFrom("172.17.0.2", 5000 + i));
            rig.receive("docker0", udpFrom("172.17.0.3", 5000 + i));
        }
        assertEquals(6, rig.sent().size(), "three each");
        rig.sent().clear();
        rig.clock(600 * MS, MS); // 500 ms buys one packet at 2/sec
        for (int i = 0; i < 3; i++) rig.receive("docker0", udpFrom("172.17.0.2", 6000 + i));
        assertEquals(1, rig.sent().size());
    }

    @Test
    void hashlimitAboveMatchesOnlyPastTheRate() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m hashlimit --hashlimit-above 1/min --hashlimit-burst 2 --hashlimit-mode srcip,dstport --hashlimit-name a -j DROP"));
        for (int i = 0; i < 4; i++) rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5000 + i, 53)));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), UdpRepr.of(5100, 54)));
        assertEquals(3, rig.sent().size(), "two to port 53, then drops; port 54 is its own bucket");
    }

    @Test
    void hashlimitFreesIdleEntriesAtTheGcAfterTheirExpiry() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m hashlimit --hashlimit-upto 1/sec --hashlimit-mode srcip --hashlimit-name g --hashlimit-htable-expire 2000"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("docker0", udpFrom("172.17.0.3", 5000));
        long now = 2 * MS;
        String listing = rig.engine().xtNet().hashlimit.show("g", false, now);
        assertEquals(2, listing.lines().count(), listing);
        // 2 s expiry in jiffies, the bucket's credit of 5 packets less one, cap, and the cost of one
        long cost = 1_000_000L * 137438953L;
        assertTrue(listing.contains("172.17.0.2:0->0.0.0.0:0 " + (5 * cost - cost) + " " + 5 * cost + " " + cost), listing);
        assertTrue(listing.startsWith("1 ") || listing.startsWith("2 "), listing);
        rig.clock(3 * SEC, MS);
        rig.receive("docker0", udpFrom("172.17.0.4", 5000)); // the gc runs first: the two idle entries go
        assertEquals(1, rig.engine().xtNet().hashlimit.show("g", false, 3 * SEC).lines().count());
    }

    @Test
    void hashlimitTablesAreSharedByNameAndConfiguredByTheFirstRule() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-p udp --sport 5000 -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 1 --hashlimit-name t -j ACCEPT",
                "-p udp --sport 6000 -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 9 --hashlimit-name t -j ACCEPT",
                "-j DROP"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("docker0", udpFrom("172.17.0.2", 6000));
        assertEquals(1, rig.sent().size(), "one bucket (no mode), the first rule's burst of 1");
    }

    // ---- conntrack --ctstatus, --ctproto, --ctexpire, --ctdir ----

    private static long count(EngineRig rig, int rule) {
        List<Rule> rules = rig.engine().ruleset().existing("filter").chain("FORWARD").rules();
        return rules.get(rule).packets;
    }

    @Test
    void ctstatusSeenReplyMatchesTheReplyAndLaterPacketsNotTheFirst() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m conntrack --ctstatus SEEN_REPLY", "-m conntrack ! --ctstatus SEEN_REPLY", "-m conntrack --ctstatus NONE"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("eth0", fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(53, 5000)));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        assertEquals(2, count(rig, 0), "the reply set IPS_SEEN_REPLY before FORWARD, and it stays");
        assertEquals(1, count(rig, 1));
        assertEquals(0, count(rig, 2), "a mask of NONE never matches");
    }

    @Test
    void ctstatusAssuredAndConfirmedFollowTheTcpHandshake() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m conntrack --ctstatus CONFIRMED", "-m conntrack --ctstatus ASSURED"));
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"), syn(40000, 80)));
        assertEquals(0, count(rig, 0), "the SYN's connection is confirmed only in POSTROUTING");
        rig.receive("eth0", fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"),
                jnat.wire.TcpRepr.of(80, 40000).withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK).withWindow(64240)));
        assertEquals(1, count(rig, 0));
        assertEquals(0, count(rig, 1), "SYN/ACK: not assured yet");
        rig.receive("docker0", fromContainer(Ipv4Repr.of("172.17.0.2", "198.51.100.7"),
                jnat.wire.TcpRepr.of(40000, 80).withSeq(1001).withAck(5001).withFlags(TcpSegment.ACK).withWindow(64240)));
        assertEquals(1, count(rig, 1), "the handshake's ACK assures it");
    }

    @Test
    void ctprotoAndCtdirMatchTheConnectionsProtocolAndThePacketsDirection() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, MS).rules(filter(
                "-m conntrack --ctproto udp --ctdir REPLY", "-m conntrack --ctproto 6", "-m conntrack ! --ctproto tcp --ctdir ORIGINAL"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000));
        rig.receive("eth0", fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(53, 5000)));
        assertEquals(1, count(rig, 0));
        assertEquals(0, count(rig, 1));
        assertEquals(1, count(rig, 2));
    }

    @Test
    void ctexpireIsZeroBeforeConfirmationAndTheSecondsLeftAfter() {
        EngineRig rig = EngineRig.seedDockerHost().clock(0, SEC).rules(filter(
                "-m conntrack --ctexpire 0", "-m conntrack --ctexpire 29:30", "-m conntrack --ctexpire 118:120"));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000)); // unconfirmed in FORWARD: 0
        rig.receive("docker0", udpFrom("172.17.0.2", 5000)); // 1 s later: 30 s timeout less 1 s = 29
        rig.receive("eth0", fromInternet(Ipv4Repr.of("198.51.100.7", "45.77.200.180"), UdpRepr.of(53, 5000)));
        rig.receive("docker0", udpFrom("172.17.0.2", 5000)); // replied: the stream's 120 s, a second gone
        assertEquals(1, count(rig, 0));
        assertEquals(2, count(rig, 1), "29 s left, and the reply's 30 s before its own refresh");
        assertEquals(1, count(rig, 2));
    }
}
