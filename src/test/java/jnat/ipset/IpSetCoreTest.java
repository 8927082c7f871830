package jnat.ipset;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpSetCoreTest {
    private final IpSetCore core = new IpSetCore();

    private static IpSetExt ext() {
        return new IpSetExt();
    }

    @Test
    void hashNetLooksAHostUpTheLongestPrefixFirstAndNomatchExcludesIt() {
        IpSet b = core.create("b", "hash:net", Map.of(), false);
        IpSetExt nomatch = ext();
        nomatch.nomatch = true;
        b.add("10.0.0.0/8", nomatch, false);
        b.add("10.1.0.0/16", ext(), false);
        b.add("10.1.2.0/24", nomatch, false);
        assertFalse(b.test("10.0.0.1"));
        assertTrue(b.test("10.1.0.1"));
        assertFalse(b.test("10.1.2.3"));
        assertTrue(b.test("10.1.0.0/16"));
    }

    @Test
    void anElementAddedTwiceIsRefusedUnlessExist() {
        IpSet a = core.create("a", "hash:ip", Map.of(), false);
        a.add("10.0.0.1", ext(), false);
        IpSetError e = assertThrows(IpSetError.class, () -> a.add("10.0.0.1", ext(), false));
        assertEquals("Element cannot be added to the set: it's already added", e.getMessage());
        a.add("10.0.0.1", ext(), true);
        assertEquals(1, a.entries());
    }

    @Test
    void maxelemRefusesTheAddThatWouldPassIt() {
        IpSet m = core.create("m", "hash:ip", Map.of("maxelem", "2"), false);
        m.add("1.1.1.1", ext(), false);
        m.add("1.1.1.2", ext(), false);
        assertEquals("Hash is full, cannot add more elements",
                assertThrows(IpSetError.class, () -> m.add("1.1.1.3", ext(), false)).getMessage());
    }

    @Test
    void anElementTimesOutOnTheNamespaceClock() {
        long[] now = {0};
        core.clock = () -> now[0];
        IpSet t = core.create("t", "hash:ip", Map.of("timeout", "10"), false);
        t.add("1.2.3.4", ext(), false);
        IpSetExt five = ext();
        five.timeout = 5;
        t.add("1.2.3.5", five, false);
        now[0] = 6_000_000_000L;
        assertTrue(t.test("1.2.3.4"));
        assertFalse(t.test("1.2.3.5"));
        assertEquals(List.of("1.2.3.4 timeout 4"), t.members());
        now[0] = 11_000_000_000L;
        assertEquals(0, t.entries());
    }

    @Test
    void timeoutOnASetWithoutTimeoutSupportIsRefused() {
        IpSet a = core.create("a", "hash:ip", Map.of(), false);
        IpSetExt e = ext();
        e.timeout = 5;
        assertEquals("Timeout cannot be used: set was created without timeout support",
                assertThrows(IpSetError.class, () -> a.add("1.1.1.1", e, false)).getMessage());
    }

    @Test
    void createExistAcceptsTheSameSetAndRefusesAnother() {
        core.create("x", "hash:ip", Map.of(), false);
        core.create("x", "hash:ip", Map.of(), true);
        assertEquals("Set cannot be created: set with the same name already exists",
                assertThrows(IpSetError.class, () -> core.create("x", "hash:net", Map.of(), true)).getMessage());
    }

    @Test
    void aSetInUseCannotBeDestroyed() {
        core.create("a", "hash:ip", Map.of(), false);
        core.hold(core.find("a"));
        assertEquals("Set cannot be destroyed: it is in use by a kernel component",
                assertThrows(IpSetError.class, () -> core.destroy("a")).getMessage());
        core.release(core.find("a"));
        core.destroy("a");
        assertEquals(-1, core.find("a"));
    }

    @Test
    void swapKeepsTheIndexSoARuleSeesTheOtherElements() {
        IpSet a = core.create("a", "hash:ip", Map.of(), false);
        IpSet d = core.create("d", "hash:ip", Map.of(), false);
        d.add("9.9.9.9", ext(), false);
        int id = core.find("a");
        core.swap("a", "d");
        assertEquals("a", core.get(id).name());
        assertTrue(core.get(id).test("9.9.9.9"));
        core.create("b", "hash:net", Map.of(), false);
        assertEquals("The sets cannot be swapped: their type does not match",
                assertThrows(IpSetError.class, () -> core.swap("a", "b")).getMessage());
        assertEquals("Set cannot be renamed: a set with the new name already exists",
                assertThrows(IpSetError.class, () -> core.rename("a", "b")).getMessage());
    }

    @Test
    void anIpv4RangeOfAHashNetIsTheLargestPrefixesCoveringIt() {
        IpSet n = core.create("n", "hash:net", Map.of(), false);
        n.add("5.0.0.1-5.0.0.6", ext(), false);
        assertEquals(List.of("5.0.0.1", "5.0.0.2/31", "5.0.0.4/31", "5.0.0.6"), n.members(true));
    }

    @Test
    void hashIpPortElementsCarryTheirProtocol() {
        IpSet s = core.create("s", "hash:ip,port", Map.of(), false);
        s.add("1.1.1.1,80", ext(), false);
        s.add("1.1.1.1,udp:53", ext(), false);
        assertTrue(s.test("1.1.1.1,tcp:80"));
        assertFalse(s.test("1.1.1.1,udp:80"));
        assertEquals(List.of("1.1.1.1,tcp:80", "1.1.1.1,udp:53"), s.members(true));
    }

    /** hash:net's lookup against a naive model: the longest prefix holding the host decides, nomatch excludes. */
    @Property(tries = 200)
    void hashNetLookupIsTheLongestContainingPrefix(@ForAll @Size(max = 12) List<@IntRange(min = 0, max = 4095) Integer> nets,
            @ForAll @IntRange(min = 0, max = 65535) int host) {
        IpSetCore c = new IpSetCore();
        HashNet s = (HashNet) c.create("p", "hash:net", Map.of(), false);
        java.util.Map<String, boolean[]> model = new java.util.HashMap<>();
        for (int v : nets) {
            int cidr = 16 + (v & 15); // /16../31 inside 10.0.0.0/16's neighbourhood
            long ip = 0x0A000000L | (long) (v >> 4 & 0xFF) << 8;
            long masked = ip & 0xFFFFFFFFL << (32 - cidr) & 0xFFFFFFFFL;
            String key = masked + "/" + cidr;
            if (model.containsKey(key)) continue;
            IpSetExt e = new IpSetExt();
            e.nomatch = (v & 1) == 1;
            s.add(jnat.wire.Ipv4Address.format((int) masked) + "/" + cidr, e, false);
            model.put(key, new boolean[] {e.nomatch});
        }
        long h = 0x0A000000L | host;
        int expected = HashGen.NONE;
        for (int cidr = 32; cidr >= 0; cidr--) {
            long m = cidr == 0 ? 0 : h & 0xFFFFFFFFL << (32 - cidr) & 0xFFFFFFFFL;
            boolean[] nm = model.get(m + "/" + cidr);
            if (nm != null) {
                expected = nm[0] ? HashGen.NOMATCH : HashGen.MATCH;
                break;
            }
        }
        assertEquals(expected, s.lookup(0, h));
    }

    /** The element parser: what the set prints parses back to the same element. */
    @Property(tries = 200)
    void aHashNetPortMemberParsesBackToItself(@ForAll int ip, @ForAll @IntRange(min = 1, max = 32) int cidr,
            @ForAll @IntRange(min = 0, max = 65535) int port, @ForAll boolean udp) {
        IpSetCore c = new IpSetCore();
        IpSet s = c.create("p", "hash:net,port", Map.of(), false);
        s.add(jnat.wire.Ipv4Address.format(ip) + "/" + cidr + "," + (udp ? "udp:" : "") + port, new IpSetExt(), false);
        String member = s.members().get(0);
        IpSet t = c.create("q", "hash:net,port", Map.of(), false);
        t.add(member, new IpSetExt(), false);
        assertEquals(List.of(member), t.members());
        assertTrue(s.test(member));
    }
}
