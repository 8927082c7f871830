package jnat.rules;

import jnat.ipset.Ipset;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -m set and -j SET on packets: what xt_set.c decides, the counters it keeps, and no allocation on a lookup. */
class SetMatchTest extends SetRulesRig {

    /** A TCP or UDP packet whose transport header holds its ports. */
    static final class Packet extends FakePacket {
        @Override
        public int transportByte(int offset) {
            return switch (offset) {
                case 0 -> srcPort >> 8;
                case 1 -> srcPort & 0xFF;
                case 2 -> dstPort >> 8;
                case 3 -> dstPort & 0xFF;
                default -> -1;
            };
        }
    }

    private static Packet packet(String src, int sport, String dst, int dport) {
        Packet p = new Packet();
        p.from(src, sport).to(dst, dport);
        return p;
    }

    @Test
    void aNomatchNetIsNoMatchUnlessReturnNomatchTurnsItAround() {
        ipset("create n hash:net,port");
        ipset("add n 198.51.100.0/24,tcp:80");
        ipset("add n 198.51.100.128/25,tcp:80 nomatch");
        Rule plain = rule("-m set --match-set n src,dst"), ret = rule("-m set --match-set n src,dst --return-nomatch");
        Packet in = packet("198.51.100.9", 40000, "203.0.113.2", 80), hole = packet("198.51.100.200", 40000, "203.0.113.2", 80);
        assertTrue(matches(plain, in));
        assertFalse(matches(plain, hole));
        assertFalse(matches(ret, in));
        assertTrue(matches(ret, hole));
        assertFalse(matches(plain, packet("198.51.100.9", 40000, "203.0.113.2", 81)));
    }

    @Test
    void aLaterFragmentHasNoPortsSoAPortSetNeverMatchesIt() {
        ipset("create p hash:ip,port");
        ipset("add p 203.0.113.2,tcp:80");
        Rule r = rule("-m set --match-set p dst,dst");
        Packet p = packet("198.51.100.9", 40000, "203.0.113.2", 80);
        assertTrue(matches(r, p));
        p.fragment = true;
        assertFalse(matches(r, p));
    }

    @Test
    void fewerDirectionsThanTheSetHasDimensionsNeverMatch() {
        ipset("create p hash:ip,port");
        ipset("add p 198.51.100.9,tcp:40000");
        assertFalse(matches(rule("-m set --match-set p src"), packet("198.51.100.9", 40000, "203.0.113.2", 80)));
        assertTrue(matches(rule("-m set --match-set p src,src"), packet("198.51.100.9", 40000, "203.0.113.2", 80)));
    }

    @Test
    void countersCountMatchesUnlessToldNotAndCompareAfterCounting() {
        ipset("create c hash:ip counters initval 1");
        ipset("add c 198.51.100.9");
        Rule count = rule("-m set --match-set c src"), quiet = rule("-m set --match-set c src ! --update-counters"),
                over2 = rule("-m set --match-set c src --packets-gt 2");
        Packet p = packet("198.51.100.9", 1, "203.0.113.2", 2);
        p.length = 100;
        assertTrue(matches(count, p));
        assertTrue(matches(quiet, p));
        assertFalse(matches(over2, p)); // counted: 2, not more than 2
        assertTrue(matches(over2, p)); // 3
        assertEquals("198.51.100.9 packets 3 bytes 300", core.require("c").members().get(0));
    }

    @Test
    void theSetTargetAddsWithTheRulesTimeoutAndDeletes() {
        ipset("create seen hash:ip timeout 100 initval 2");
        ipset("create gone hash:ip initval 3");
        ipset("add gone 198.51.100.9");
        Rule r = rule("-j SET --add-set seen src --timeout 5 --del-set gone src");
        Packet p = packet("198.51.100.9", 1, "203.0.113.2", 2);
        assertTrue(r.target.apply(p)); // XT_CONTINUE
        assertEquals(List.of("198.51.100.9 timeout 5"), core.require("seen").members());
        assertEquals(List.of(), core.require("gone").members());
    }

    @Test
    void anIcmpElementMatchesTheIcmpTypeAndCodeAsTheKernelKeysThem() {
        ipset("create pings hash:ip,port");
        ipset("add pings 198.51.100.9,icmp:echo-request");
        Rule r = rule("-m set --match-set pings src,src");
        Packet echo = packet("198.51.100.9", 8 << 8, "203.0.113.2", 0), reply = packet("198.51.100.9", 0, "203.0.113.2", 0);
        echo.proto = reply.proto = 1;
        assertTrue(matches(r, echo));
        assertFalse(matches(r, reply));
        assertFalse(matches(r, packet("198.51.100.9", 8 << 8, "203.0.113.2", 0))); // tcp port 2048 is not icmp 8/0
    }

    @Test
    void aBitmapPortSetHoldsTcpAndUdpPortsForBothFamilies() {
        ipset("create ports bitmap:port range 1-1024");
        ipset("add ports 22-25");
        Rule r = rule("-m set --match-set ports dst");
        assertTrue(matches(r, packet("198.51.100.9", 40000, "203.0.113.2", 24)));
        assertFalse(matches(r, packet("198.51.100.9", 40000, "203.0.113.2", 26)));
        Packet icmp = packet("198.51.100.9", 0, "203.0.113.2", 24);
        icmp.proto = 1;
        assertFalse(matches(r, icmp));
        Ruleset v6 = new Ruleset(true);
        v6.sets = core;
        Iptables.run(v6, List.of("-A", "INPUT", "-m", "set", "--match-set", "ports", "src"));
        assertEquals("-A INPUT -m set --match-set ports src", v6.save("filter", false, false).lines().filter(l -> l.startsWith("-A")).findFirst().orElseThrow());
    }

    @Test
    void aListSetAsksItsMembersInOrderAndTheTargetAddsToTheFirstThatTakesIt() {
        ipset("create v4 hash:ip");
        ipset("create v6 hash:ip family inet6");
        ipset("create web hash:ip,port");
        ipset("create all list:set");
        ipset("add all v6");
        ipset("add all web");
        ipset("add all v4");
        ipset("add web 198.51.100.9,tcp:80");
        Rule one = rule("-m set --match-set all src"), two = rule("-m set --match-set all src,dst");
        Packet p = packet("198.51.100.9", 40000, "203.0.113.2", 80);
        assertFalse(matches(one, p)); // web needs two dimensions, v4 is empty
        assertTrue(matches(two, p));
        rule("-j SET --add-set all src").target.apply(p); // v6: another family; web: too few dimensions; v4 takes it
        assertEquals(List.of("198.51.100.9"), core.require("v4").members());
        assertTrue(matches(one, p));
        assertEquals("Set cannot be destroyed: it is in use by a kernel component",
                Ipset.run(core, List.of("destroy", "v4"), null).err().replace("ipset v7.17: ", "").strip());
    }

    @Test
    void aHashIpPortIpSetTakesItsThreeDimensionsFromTheRule() {
        ipset("create t hash:ip,port,ip");
        ipset("add t 198.51.100.9,tcp:80,203.0.113.2");
        Packet p = packet("198.51.100.9", 40000, "203.0.113.2", 80);
        assertTrue(matches(rule("-m set --match-set t src,dst,dst"), p));
        assertFalse(matches(rule("-m set --match-set t src,dst,src"), p));
        assertFalse(matches(rule("-m set --match-set t src,dst"), p)); // two of its three dimensions
    }

    @Test
    void aHashNetIfaceSetReadsTheInDeviceForSrcAndTheOutDeviceForDst() {
        ipset("create i hash:net,iface");
        ipset("add i 198.51.100.0/24,eth0");
        ipset("add i 198.51.100.128/25,eth1");
        Packet p = packet("198.51.100.9", 1, "203.0.113.2", 2);
        p.in = "eth0";
        p.out = "docker0";
        assertTrue(matches(rule("-m set --match-set i src,src"), p));
        assertFalse(matches(rule("-m set --match-set i src,dst"), p));
        Packet q = packet("198.51.100.200", 1, "203.0.113.2", 2);
        q.in = "eth0";
        assertFalse(matches(rule("-m set --match-set i src,src"), q)); // its /25 is eth1's, and the /24 is not tried
    }

    @Test
    void aLookupAllocatesNothing() {
        ipset("create n hash:net counters");
        for (int i = 0; i < 64; i++) ipset("add n 10." + i + ".0.0/16");
        ipset("add n 198.51.100.0/24");
        ipset("add n 198.51.100.128/26 nomatch");
        ipset("create p hash:ip,port");
        ipset("add p 203.0.113.2,tcp:80");
        ipset("create i hash:net,iface");
        ipset("add i 198.51.100.0/24,eth0");
        Rule net = rule("-m set --match-set n src --return-nomatch"), port = rule("-m set ! --match-set p dst,dst"),
                iface = rule("-m set --match-set i src,src");
        Packet a = packet("198.51.100.9", 40000, "203.0.113.2", 80), b = packet("198.51.100.150", 40000, "203.0.113.2", 81);
        a.in = b.in = "eth0";
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = 0, after = 0;
        for (int round = 0; round < 5; round++) { // warmed up first: what the interpreter allocates is not the path's
            before = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                matches(net, a);
                matches(net, b);
                matches(port, a);
                matches(port, b);
                matches(iface, a);
            }
            after = bean.getCurrentThreadAllocatedBytes();
            if (after == before) break;
        }
        assertEquals(0, after - before, "bytes allocated by 100,000 set lookups");
    }
}
