package jnat.linux;

import jnat.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/lab.sh, driven end to end with the stand-in forwarder in place of the engine. */
class LabTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private String prefix;

    @BeforeEach
    void prefix() {
        Tools.requireRoot();
        Tools.require("ip");
        prefix = "jlab" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet() + "-";
    }

    @AfterEach
    void down() {
        if (prefix != null) lab("down");
    }

    private Tools.Result lab(String... args) {
        List<String> cmd = Tools.cmd("bash", "scripts/lab.sh", "--prefix", prefix);
        cmd.addAll(List.of(args));
        return Tools.run(cmd, null);
    }

    private Tools.Result in(String ns, String... cmd) {
        List<String> full = Tools.cmd("ip", "netns", "exec", prefix + ns);
        full.addAll(List.of(cmd));
        return Tools.run(full, null);
    }

    private List<String> labNamespaces() {
        return Tools.run("ip", "netns", "list").checked().stdout().lines()
                .map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix)).toList();
    }

    /** Opens the two TUN devices in ${P}gw, as jnat gateway does. */
    private List<TunDevice> gatewayDevices() throws ErrnoException {
        TunDevice docker0 = NetNamespace.openTun(prefix + "gw", "jnat-docker0", 1);
        TunDevice eth0 = NetNamespace.openTun(prefix + "gw", "jnat-eth0", 1);
        return List.of(docker0, eth0);
    }

    @Test
    void upCreatesThreeNamespacesAndDownRemovesThem() {
        lab("up").checked();
        assertEquals(List.of(prefix + "ctr", prefix + "gw", prefix + "wan"),
                labNamespaces().stream().sorted().toList());
        lab("down").checked();
        assertEquals(List.of(), labNamespaces());
    }

    @Test
    void attachHandsTheTunDevicesToTheirPeers() throws Exception {
        lab("up").checked();
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(gatewayDevices(), new StandInForwarder())) {
            lab("attach").checked();
            assertEquals("", in("gw", "ip", "-o", "link", "show", "type", "tun").checked().stdout());
            String ctr = in("ctr", "ip", "-o", "-4", "addr", "show", "dev", "jnat-docker0").checked().stdout();
            assertTrue(ctr.contains("inet 172.17.0.2/16"), ctr);
            assertEquals("default via 172.17.0.1 dev jnat-docker0",
                    in("ctr", "ip", "route", "show", "default").checked().stdout().trim());
            String wan = in("wan", "ip", "-o", "-4", "addr", "show", "dev", "jnat-eth0").checked().stdout();
            assertTrue(wan.contains("inet 203.0.113.1/24"), wan);
        }
    }

    @Test
    void noNamespaceHasARouteOut() throws Exception {
        lab("up").checked();
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(gatewayDevices(), new StandInForwarder())) {
            lab("attach").checked();
            for (String ns : List.of("ctr", "wan", "gw")) {
                String links = in(ns, "ip", "-o", "link", "show").checked().stdout();
                assertFalse(links.contains("veth") || links.contains("link/ether"), ns + ": " + links);
            }
            assertEquals("", in("wan", "ip", "route", "show", "default").checked().stdout());
            assertEquals("", in("gw", "ip", "route", "show").checked().stdout());
        }
    }

    @Test
    void pingFromContainerReachesServerThroughStandInForwarder() throws Exception {
        Tools.require("ping");
        lab("up").checked();
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(gatewayDevices(), new StandInForwarder())) {
            loop.start();
            lab("attach").checked();
            // without NAT the wan side needs a route back to the containers' network
            in("wan", "ip", "route", "add", "172.17.0.0/16", "dev", "jnat-eth0").checked();
            var ping = in("ctr", "ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", "198.51.100.8");
            assertEquals(0, ping.exitCode(), ping.stdout() + ping.stderr());
            assertTrue(ping.stdout().contains("3 packets transmitted, 3 received"), ping.stdout());
            InterfaceCounters docker0 = loop.counters(StandInForwarder.DOCKER0);
            InterfaceCounters eth0 = loop.counters(StandInForwarder.ETH0);
            assertEquals(3, docker0.rxPackets());
            assertEquals(3, eth0.txPackets());
            assertEquals(3, eth0.rxPackets());
            assertEquals(3, docker0.txPackets());
        }
    }

    @Test
    void downStopsTheForwardingLoopWithTheDevicesGone() throws Exception {
        lab("up").checked();
        try (ForwardingLoop loop = ForwardingLoop.singleThreaded(gatewayDevices(), new StandInForwarder())) {
            loop.start();
            lab("attach").checked();
            lab("down").checked();
            loop.awaitTermination();
            ErrnoException e = assertInstanceOf(ErrnoException.class, loop.failure());
            assertEquals(Errno.EBADFD, e.errno(), e.getMessage());
        }
        assertNotNull(prefix);
        assertEquals("", Tools.run("ip", "-o", "link", "show", "type", "tun").stdout().lines()
                .filter(l -> l.contains("jnat-docker0") || l.contains("jnat-eth0")).reduce("", String::concat),
                "no device came back to the root namespace");
    }
}
