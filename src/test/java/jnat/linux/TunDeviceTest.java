package jnat.linux;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TUN devices opened in a namespace of the test's own, judged by iproute2 and ping. */
class TunDeviceTest {
    private Netns ns;

    @BeforeEach
    void namespace() {
        Tools.requireRoot();
        Tools.require("ip");
        ns = Netns.create("tun");
    }

    @AfterEach
    void removeNamespace() {
        if (ns != null) ns.close();
    }

    private String link(String dev) {
        return ns.exec("ip", "-d", "link", "show", dev).stdout();
    }

    @Test
    void openCreatesALayer3TunDeviceWithoutPacketInfo() throws Exception {
        try (TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1)) {
            assertEquals("jt0", dev.name());
            String link = link("jt0");
            assertTrue(link.contains("link/none"), link);
            assertTrue(link.contains("tun type tun pi off"), link);
        }
    }

    @Test
    void closeRemovesTheDevice() throws Exception {
        TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1);
        assertTrue(ns.exec("ip", "link", "show", "jt0").exitCode() == 0);
        dev.close();
        assertEquals(1, ns.exec("ip", "link", "show", "jt0").exitCode());
    }

    @Test
    void kernelPicksTheNumberOfAPercentDName() throws Exception {
        try (TunDevice dev = NetNamespace.openTun(ns.name(), "jtun%d", 1)) {
            assertEquals("jtun0", dev.name());
        }
    }

    @Test
    void nameTakenByAVethDeviceSaysSo() {
        ns.exec("ip", "link", "add", "jveth0", "type", "veth", "peer", "name", "jveth1").checked();
        var e = assertThrows(ErrnoException.class, () -> NetNamespace.openTun(ns.name(), "jveth0", 1));
        assertEquals("TUNSETIFF jveth0: Invalid argument (EINVAL); a device named jveth0 exists and is not a "
                + "single-queue TUN device", e.getMessage());
    }

    @Test
    void multiQueueOpenOfASingleQueueTunSaysWhichKind() throws Exception {
        try (TunDevice first = NetNamespace.openTun(ns.name(), "jt0", 1)) {
            var e = assertThrows(ErrnoException.class, () -> NetNamespace.openTun(ns.name(), "jt0", 2));
            assertEquals("TUNSETIFF jt0: Invalid argument (EINVAL); a device named jt0 exists and is not a "
                    + "multi-queue TUN device", e.getMessage());
        }
    }

    @Test
    void tunInUseByAnotherDescriptorIsBusy() throws Exception {
        try (TunDevice first = NetNamespace.openTun(ns.name(), "jt0", 1)) {
            var e = assertThrows(ErrnoException.class, () -> NetNamespace.openTun(ns.name(), "jt0", 1));
            assertEquals(Errno.EBUSY, e.errno());
            assertEquals("TUNSETIFF jt0: Device or resource busy (EBUSY); TUN device jt0 is in use by another process",
                    e.getMessage());
        }
    }

    @Test
    void nameLongerThanIfnamsizIsRefusedBeforeTheKernel() {
        var e = assertThrows(IllegalArgumentException.class, () -> TunDevice.open("jnat-0123456789ab"));
        assertTrue(e.getMessage().contains("longer than 15"), e.getMessage());
    }

    @Test
    void multiQueueDeviceHasOneKernelQueuePerDescriptor() throws Exception {
        try (TunDevice dev = NetNamespace.openTun(ns.name(), "jmq0", 4)) {
            assertEquals(4, dev.queueCount());
            assertTrue(link("jmq0").contains("multi_queue"), link("jmq0"));
            String queues = ns.exec("ls", "/sys/class/net/jmq0/queues").stdout();
            assertEquals(List.of("rx-0", "rx-1", "rx-2", "rx-3", "tx-0", "tx-1", "tx-2", "tx-3"),
                    List.of(queues.trim().split("\\s+")));
        }
    }

    @Test
    void mtuAndLinkUpSetThroughIoctls() throws Exception {
        TunDevice dev = NetNamespace.call(ns.name(), () -> {
            TunDevice d = TunDevice.open("jt0");
            d.setMtu(1400);
            d.setUp();
            assertEquals(1400, d.mtu());
            return d;
        });
        try (dev) {
            String link = link("jt0");
            assertTrue(link.contains("mtu 1400"), link);
            assertTrue(link.contains(",UP"), link);
        }
    }

    @Test
    void pingThroughTheTunIsAnsweredByTheLoopsHandler() throws Exception {
        Tools.require("ping");
        TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1);
        ns.exec("ip", "addr", "add", "198.51.100.1/24", "dev", "jt0").checked();
        ns.exec("ip", "link", "set", "jt0", "up").checked();
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(List.of(dev), new EchoResponder())) {
            loop.start();
            var ping = ns.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", "198.51.100.2");
            assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
            assertTrue(ping.stdout().contains("3 packets transmitted, 3 received"), ping.stdout());
            InterfaceCounters c = loop.counters(0);
            assertEquals(3, c.txPackets());
            assertEquals(3 * 84, c.txBytes()); // 20 IPv4 + 8 ICMP + 56 data
            assertTrue(c.rxPackets() >= 3, c.toString()); // plus whatever the kernel sends on link up
            assertEquals(0, c.txErrors());
        }
        assertFalse(ns.exec("ip", "link", "show", "jt0").exitCode() == 0, "closing the loop removes the device");
    }

    @Test
    void aThreadPerQueueAnswersPingsOnAMultiQueueDevice() throws Exception {
        Tools.require("ping");
        TunDevice dev = NetNamespace.openTun(ns.name(), "jmq0", 2);
        ns.exec("ip", "addr", "add", "198.51.100.1/24", "dev", "jmq0").checked();
        ns.exec("ip", "link", "set", "jmq0", "up").checked();
        try (ForwardingLoop loop = ForwardingLoop.perQueue(List.of(dev), new EchoResponder())) {
            loop.start();
            var ping = ns.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", "198.51.100.2");
            assertTrue(ping.stdout().contains("3 packets transmitted, 3 received"), ping.stdout() + ping.stderr());
            assertEquals(3, loop.counters(0).txPackets());
        }
    }

    @Test
    void handlerTicksRunOnTheLoopThreadWhileNoPacketArrives() throws Exception {
        TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1);
        var ticks = new java.util.concurrent.CountDownLatch(3);
        var threads = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        PacketHandler handler = new PacketHandler() {
            @Override
            public void receive(int ifIndex, byte[] buf, int off, int len, long nowNanos, Transmit out) {
            }

            @Override
            public int tickMillis() {
                return 5;
            }

            @Override
            public void tick(long nowNanos, Transmit out) {
                threads.add(Thread.currentThread().getName());
                ticks.countDown();
            }
        };
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(List.of(dev), handler)) {
            loop.start();
            assertTrue(ticks.await(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(java.util.Set.of("jnat-jt0-q0"), threads);
    }

    @Test
    void vnetHdrDeviceTakesChecksumAndSegmentationOffloads() throws Exception {
        try (TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1, true)) {
            assertTrue(dev.vnetHdr());
            assertTrue(link("jt0").contains("vnet_hdr on"), link("jt0"));
            int wanted = TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6;
            assertEquals(wanted, dev.offloads() & wanted);
        }
        try (TunDevice dev = NetNamespace.openTun(ns.name(), "jt1", 1)) {
            assertTrue(link("jt1").contains("vnet_hdr off"), link("jt1"));
            assertEquals(0, dev.offloads());
        }
    }

    @Test
    void pingThroughAVnetHdrTunIsAnsweredWithTheHeaderOnBothWays() throws Exception {
        Tools.require("ping");
        TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1, true);
        ns.exec("ip", "addr", "add", "198.51.100.1/24", "dev", "jt0").checked();
        ns.exec("ip", "link", "set", "jt0", "up").checked();
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(List.of(dev), new EchoResponder())) {
            loop.start();
            var ping = ns.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", "198.51.100.2");
            assertTrue(ping.stdout().contains("3 packets transmitted, 3 received"), ping.stdout() + ping.stderr());
            assertEquals(3 * 84, loop.counters(0).txBytes(), "bytes counted without the 10-byte header");
        }
    }

    @Test
    void kernelHandsAVnetHdrTunTcpWithItsChecksumLeftPartial() throws Exception {
        TunDevice dev = NetNamespace.openTun(ns.name(), "jt0", 1, true);
        ns.exec("ip", "addr", "add", "198.51.100.1/24", "dev", "jt0").checked();
        ns.exec("ip", "link", "set", "jt0", "up").checked();
        var seen = new java.util.concurrent.CompletableFuture<String>();
        PacketHandler handler = new PacketHandler() {
            @Override
            public void receive(int ifIndex, byte[] buf, int off, int len, long nowNanos, Transmit out) {
                throw new AssertionError("a vnet device's packets come with their header");
            }

            @Override
            public void receive(int ifIndex, byte[] buf, int off, int len, VirtioNetHdr vnet, long nowNanos, Transmit out) {
                if (buf[off + 9] == 6) seen.complete(vnet.flags + " " + vnet.csumStart + " " + vnet.csumOffset);
            }
        };
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(List.of(dev), handler)) {
            loop.start();
            ns.exec("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/198.51.100.2/9");
            // VIRTIO_NET_HDR_F_NEEDS_CSUM, the TCP header after a 20-byte IPv4 header, its checksum 16 bytes in
            assertEquals(VirtioNetHdr.F_NEEDS_CSUM + " 20 16", seen.get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void completeChecksumFillsWhatNeedsCsumLeftOpen() {
        // a UDP datagram 10.0.0.1:1 -> 10.0.0.2:2 with "hi", its checksum field holding the pseudo-header sum
        byte[] p = {0x45, 0, 0, 30, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                0, 1, 0, 2, 0, 10, 0, 0, 'h', 'i'};
        int pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 10;
        p[26] = (byte) (pseudo >>> 8);
        p[27] = (byte) pseudo;
        VirtioNetHdr h = new VirtioNetHdr();
        h.flags = VirtioNetHdr.F_NEEDS_CSUM;
        h.csumStart = 20;
        h.csumOffset = 6;
        h.completeChecksum(p, 0, p.length);
        int sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 10 + 0x0001 + 0x0002 + 10 + ('h' << 8 | 'i');
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        assertEquals(~sum & 0xffff, (p[26] & 0xff) << 8 | (p[27] & 0xff));
        assertEquals(0, h.flags);
    }

    @Test
    void headerIsLittleEndianAndTenBytes() {
        VirtioNetHdr h = new VirtioNetHdr();
        h.flags = VirtioNetHdr.F_NEEDS_CSUM;
        h.gsoType = VirtioNetHdr.GSO_TCPV4;
        h.hdrLen = 66;
        h.gsoSize = 1448;
        h.csumStart = 20;
        h.csumOffset = 16;
        byte[] b = new byte[12];
        h.write(b, 1);
        assertEquals("00" + "01" + "01" + "4200" + "a805" + "1400" + "1000" + "00", java.util.HexFormat.of().formatHex(b));
        VirtioNetHdr r = new VirtioNetHdr();
        r.read(b, 1);
        assertEquals(h.toString(), r.toString());
    }
}
