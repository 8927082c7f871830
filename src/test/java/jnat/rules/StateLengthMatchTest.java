package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -m state (ufw's and most hand-written firewalls') and -m length: listed and saved as iptables 1.8.9, decided as the kernel. */
class StateLengthMatchTest {
    static final List<List<String>> RULES = List.of(
            List.of("-A", "INPUT", "-m", "state", "--state", "ESTABLISHED,NEW", "-j", "ACCEPT"),
            List.of("-A", "INPUT", "-m", "state", "!", "--state", "untracked,INVALID,RELATED", "-j", "ACCEPT"),
            List.of("-A", "INPUT", "-p", "tcp", "-m", "state", "--state", "RELATED", "-m", "length", "--length", "40", "-j", "DROP"),
            List.of("-A", "INPUT", "-m", "length", "--length", "100:200", "-j", "ACCEPT"),
            List.of("-A", "INPUT", "-m", "length", "!", "--length", "40", "-j", "DROP"),
            List.of("-A", "INPUT", "-m", "length", "--length", "1000:", "-j", "DROP"),
            List.of("-A", "INPUT", "-m", "length", "--length", ":99", "-j", "ACCEPT"),
            List.of("-A", "INPUT", "-m", "length", "--length", "300:200", "-j", "ACCEPT"),
            List.of("-A", "INPUT", "-m", "length", "!", "--length", "0x10:0x20", "-j", "ACCEPT"));

    static final List<List<String>> LISTINGS = List.of(List.of("-S"), List.of("-nvL"), List.of("-L"),
            List.of("-nvxL", "--line-numbers"));

    @Test
    void listsAndSavesAsRealIptables() {
        Tools.require("iptables");
        Ruleset ours = new Ruleset();
        for (List<String> r : RULES) Iptables.run(ours, r);
        try (Netns ns = Netns.create("statelen")) {
            for (List<String> r : RULES) ns.exec(cmd("iptables", r)).checked();
            for (List<String> l : LISTINGS) {
                assertEquals(Dumps.normaliseProt(ns.exec(cmd("iptables", l)).checked().stdout()),
                        Dumps.normaliseProt(Dumps.run(ours, l.toArray(String[]::new))), l.toString());
            }
            assertEquals(Dumps.withoutComments(ns.exec("iptables-save", "-t", "filter").checked().stdout()),
                    Dumps.withoutComments(ours.save("filter", false, true)));
        }
    }

    private static String[] cmd(String tool, List<String> args) {
        List<String> c = new ArrayList<>(List.of(tool));
        c.addAll(args);
        return c.toArray(String[]::new);
    }

    private static Match match(String... argv) {
        Ruleset rs = new Ruleset();
        List<String> a = new ArrayList<>(List.of("-A", "INPUT"));
        a.addAll(List.of(argv));
        Iptables.run(rs, a);
        return rs.existing("filter").chain("INPUT").rules().getFirst().matches[0];
    }

    /** xt_quota's quota_mt: packets match while their lengths fit in what is left, then none (inverted: the opposite). */
    @Test
    void quotaMatchesUntilThePacketsLengthsUseItUp() {
        Match m = match("-m", "quota", "--quota", "150");
        Match inv = match("-m", "quota", "!", "--quota", "150");
        FakePacket p = new FakePacket();
        p.length = 60;
        List<Boolean> got = new ArrayList<>(), gotInv = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(m.matches(p));
            gotInv.add(inv.matches(p));
        }
        assertEquals(List.of(true, true, false, false), got);
        assertEquals(List.of(false, false, true, true), gotInv);
    }

    @Test
    void stateMatchesTheConnectionsState() {
        Match m = match("-m", "state", "--state", "ESTABLISHED,RELATED");
        FakePacket p = new FakePacket();
        p.ctState = PacketContext.CT_ESTABLISHED | PacketContext.CT_SNAT;
        assertTrue(m.matches(p));
        p.ctState = PacketContext.CT_NEW;
        assertFalse(m.matches(p));
        p.ctState = PacketContext.CT_INVALID;
        assertFalse(m.matches(p));
    }

    @Test
    void invertedStateMatchesUntrackedWhenItIsNotListed() {
        Match m = match("-m", "state", "!", "--state", "NEW,ESTABLISHED");
        FakePacket p = new FakePacket();
        p.ctState = PacketContext.CT_UNTRACKED;
        assertTrue(m.matches(p));
        p.ctState = PacketContext.CT_ESTABLISHED | PacketContext.CT_DNAT;
        assertFalse(m.matches(p));
    }

    @Test
    void lengthMatchesTheIpTotalLengthInTheRange() {
        Match m = match("-m", "length", "--length", "100:200");
        FakePacket p = new FakePacket();
        p.length = 100;
        assertTrue(m.matches(p));
        p.length = 200;
        assertTrue(m.matches(p));
        p.length = 201;
        assertFalse(m.matches(p));
        Match inv = match("-m", "length", "!", "--length", "40");
        p.length = 40;
        assertFalse(inv.matches(p));
        p.length = 41;
        assertTrue(inv.matches(p));
    }

    @Test
    void aReversedLengthRangeMatchesNothing() {
        Match m = match("-m", "length", "--length", "300:200");
        FakePacket p = new FakePacket();
        for (int len : new int[] {199, 200, 250, 300, 301}) {
            p.length = len;
            assertFalse(m.matches(p), "length " + len);
        }
    }
}
