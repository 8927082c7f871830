package jnat.wire;

import jnat.testing.Tools;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv6AddressTest {
    private static final byte[] DOC_1 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @Test
    void parsesACompressedAddress() {
        assertArrayEquals(DOC_1, Ipv6Address.parse("2001:db8::1"));
    }

    @Test
    void parsesTheFullFormAndUpperCase() {
        assertArrayEquals(DOC_1, Ipv6Address.parse("2001:0DB8:0000:0000:0000:0000:0000:0001"));
    }

    @Test
    void parsesADottedIpv4Tail() {
        byte[] b = Ipv6Address.parse("::ffff:192.0.2.1");
        assertEquals(0xffff, Bytes.u16(b, 10));
        assertEquals(0xc0000201, Bytes.i32(b, 12));
    }

    @Test
    void refusesWhatInetPtonRefuses() {
        for (String s : new String[] {"", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
                "g::", "1:2:3:4:5:6:7:8::", ":1::", "1::2:", "::1.2.3", "1.2.3.4", "::1.2.3.4:5"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(s), s);
        }
    }

    @Test
    void formatsAsInetNtop() {
        assertEquals("2001:db8::1", Ipv6Address.format(DOC_1, 0));
        assertEquals("::", Ipv6Address.format(0, 0));
        assertEquals("::1", Ipv6Address.format(0, 1));
        assertEquals("fe80::", Ipv6Address.format(0xfe80L << 48, 0));
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6Address.format(0x20010db800000001L, 0x0001000100010001L)); // one zero group stays
        assertEquals("2001:0:0:1::1", Ipv6Address.format(0x2001000000000001L, 1)); // the longer run compressed
        assertEquals("1::1:0:1", Ipv6Address.format(0x0001000000000000L, 0x0000000100000001L));
        assertEquals("::ffff:192.0.2.1", Ipv6Address.format(0, 0x0000ffffc0000201L));
        assertEquals("::192.0.2.1", Ipv6Address.format(0, 0xc0000201L));
    }

    @Property
    void formatsAsTheJdkParsesAndRoundTrips(@ForAll long hi, @ForAll long lo) throws Exception {
        String text = Ipv6Address.format(hi, lo);
        byte[] b = new byte[16];
        Ipv6Address.write(b, 0, hi, lo);
        assertArrayEquals(b, Ipv6Address.parse(text));
        InetAddress jdk = InetAddress.getByName(text);
        byte[] jb = jdk instanceof Inet6Address ? jdk.getAddress() : mapped(jdk.getAddress());
        assertArrayEquals(b, jb, text);
    }

    private static byte[] mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }

    /** glibc's inet_ntop (through python3's socket module) on addresses full of zero runs. */
    @Test
    void formatsAsGlibcInetNtop() {
        Tools.require("python3");
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        StringBuilder in = new StringBuilder();
        java.util.List<String> ours = new java.util.ArrayList<>();
        for (int k = 0; k < 3000; k++) {
            byte[] b = new byte[16];
            for (int w = 0; w < 8; w++) {
                int v = switch (r.nextInt(4)) {
                    case 0, 1 -> 0;
                    case 2 -> r.nextInt(1 << 16);
                    default -> r.nextInt(16);
                };
                if (k % 7 == 0 && w == 5) v = 0xffff; // IPv4-mapped shapes
                Bytes.put16(b, 2 * w, v);
            }
            in.append(java.util.HexFormat.of().formatHex(b)).append('\n');
            ours.add(Ipv6Address.format(b, 0));
        }
        String py = "import socket,sys\nfor l in sys.stdin:\n print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(l.strip())))\n";
        Tools.Result res = Tools.run(java.util.List.of("python3", "-c", py), in.toString()).checked();
        assertEquals(String.join("\n", ours) + "\n", res.stdout());
    }

    @Test
    void readsAndWritesNetworkOrder() {
        assertEquals(0x20010db800000000L, Ipv6Address.readHi(DOC_1, 0));
        assertEquals(1L, Ipv6Address.readLo(DOC_1, 0));
    }

    @Test
    void prefixesSplitAcrossTheHalves() {
        assertEquals(0xffffffff00000000L, Ipv6Address.maskHi(32));
        assertEquals(0L, Ipv6Address.maskLo(32));
        assertEquals(-1L, Ipv6Address.maskHi(96));
        assertEquals(0xffffffff00000000L, Ipv6Address.maskLo(96));
        assertTrue(Ipv6Address.inPrefix(0x20010db800000000L, 5, 0x20010db800000000L, 0, 64));
        assertFalse(Ipv6Address.inPrefix(0x20010db900000000L, 5, 0x20010db800000000L, 0, 32));
        assertTrue(Ipv6Address.inPrefix(123, 456, 0, 0, 0));
    }
}
