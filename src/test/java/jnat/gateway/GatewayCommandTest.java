package jnat.gateway;

import jnat.cli.CliRun;
import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jnat gateway's command line: its help, and the one-line errors a user meets before anything forwards. */
// A gateway that starts where a test expects a refusal would run forever: each test gets a minute.
@Timeout(60)
class GatewayCommandTest {
    @TempDir
    Path dir;

    static CliRun gateway(String... args) {
        List<String> a = new ArrayList<>(List.of("gateway"));
        a.addAll(List.of(args));
        return CliRun.jnat(a.toArray(String[]::new));
    }

    @Test
    void helpDocumentsEveryOption() {
        var r = gateway("--help");
        assertEquals(0, r.exit());
        for (String o : List.of("--host", "--rules", "--rules6", "--attach", "--control", "--metrics", "--conntrack-max", "--seed",
                "SIGTERM", "143")) {
            assertTrue(r.out().contains(o), o + " missing from:\n" + r.out());
        }
    }

    @Test
    void unknownInterfaceListsTheHostsInterfaces() {
        var r = gateway("--host", "scripts/lab-host.ip", "--attach", "wlan0=tun:jnat-wlan0");
        assertEquals(2, r.exit());
        assertEquals("gateway: no interface wlan0 on the host (it has: docker0, eth0)\n", r.err());
    }

    @Test
    void ethernetInterfaceIsRefused() throws Exception {
        Path host = dir.resolve("host.ip");
        Files.writeString(host, "link add eth0 type dummy\nlink set dev eth0 address 56:00:04:7c:7c:23 up\n"
                + "addr add 203.0.113.10/24 dev eth0\n");
        var r = gateway("--host", host.toString(), "--attach", "eth0=tun:jnat-eth0");
        assertEquals(2, r.exit());
        assertEquals("gateway: --attach eth0=tun:jnat-eth0: eth0 has a MAC address (56:00:04:7c:7c:23) in the host "
                + "file, but a TUN device carries bare IP packets: describe eth0 as a layer-3 interface "
                + "(no `address`, no neighbours)\n", r.err());
    }

    @Test
    void rules6InIptablesSyntaxGetsIp6tablesMessage() throws Exception {
        Path rules6 = dir.resolve("v4.rules");
        Files.writeString(rules6, "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 -j MASQUERADE\nCOMMIT\n");
        var r = gateway("--host", "scripts/lab-host.ip", "--rules6", rules6.toString(), "--attach", "eth0=tun:jnat-eth0");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("host/network `172.17.0.0' not found"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void conntrackMaxBelowOneIsRefused() {
        var r = gateway("--host", "scripts/lab-host.ip", "--attach", "eth0=tun:jnat-eth0", "--conntrack-max", "0");
        assertEquals(2, r.exit());
        assertEquals("gateway: --conntrack-max must be at least 1, not 0\n", r.err());
    }

    @Test
    void aSysctlFileIsReadBeforeTheDevicesOpen() throws Exception {
        Path conf = dir.resolve("sysctl.conf");
        Files.writeString(conf, "# jnat host capture's\nnet.ipv4.icmp_ratelimit = soon\n");
        var r = gateway("--host", "scripts/lab-host.ip", "--attach", "eth0=tun:jnat-eth0", "--sysctl-file", conf.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("icmp_ratelimit") && r.err().contains("soon"), r.err());
        var missing = gateway("--host", "scripts/lab-host.ip", "--attach", "eth0=tun:jnat-eth0", "--sysctl-file", dir.resolve("none").toString());
        assertEquals("gateway: " + dir.resolve("none") + ": No such file or directory\n", missing.err());
    }

    @Test
    void attachNeedsTheTunPrefix() {
        var r = gateway("--host", "scripts/lab-host.ip", "--attach", "eth0=jnat-eth0");
        assertEquals(2, r.exit());
        assertEquals("gateway: --attach eth0=jnat-eth0: expected IFACE=tun:DEVNAME\n", r.err());
    }

    @Test
    void tooLongDeviceNameIsRefused() {
        var r = gateway("--host", "scripts/lab-host.ip", "--attach", "eth0=tun:a-very-long-device-name");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("TUN device name must be 1 to 15 characters"), r.err());
    }

    @Test
    void badMetricsAddressIsRefused() {
        var r = gateway("--host", "scripts/lab-host.ip", "--attach", "eth0=tun:jnat-eth0", "--metrics", "9100");
        assertEquals(2, r.exit());
        assertEquals("gateway: --metrics 9100: expected HOST:PORT\n", r.err());
    }

    /** Runs jnat gateway in {@code ns} behind {@code wrapper} (a child JVM: TUN devices live per process namespace). */
    private static Tools.Result childGateway(Netns ns, String... wrapper) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        cmd.addAll(List.of(wrapper));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "jnat.cli.Main", "gateway", "--host", "scripts/lab-host.ip", "--attach", "eth0=tun:jgw-eth0"));
        return Tools.run(cmd, null);
    }

    @Test
    void deviceNameTakenByAnotherKindOfDeviceIsOneClearLine() {
        try (Netns ns = Netns.create("gwtaken")) {
            ns.exec("ip", "tuntap", "add", "dev", "jgw-eth0", "mode", "tap").checked();
            var r = childGateway(ns);
            assertEquals(1, r.exitCode(), r.stdout());
            assertEquals("gateway: TUNSETIFF jgw-eth0: Invalid argument (EINVAL); a device named jgw-eth0 exists and "
                    + "is not a single-queue TUN device\n", r.stderr());
        }
    }

    @Test
    void withoutCapNetAdminIsToldRootIsNeeded() {
        // root without CAP_NET_ADMIN: another user could not read the test classpath under root's home
        Tools.require("setpriv");
        try (Netns ns = Netns.create("gwuser")) {
            var r = childGateway(ns, "setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", "--");
            assertEquals(1, r.exitCode(), r.stdout());
            assertEquals("gateway: TUNSETIFF jgw-eth0: Operation not permitted (EPERM); creating a TUN device needs "
                    + "root (CAP_NET_ADMIN)\n", r.stderr());
        }
    }

    @Test
    void missingTunDriverIsOneClearLine() {
        Tools.require("unshare");
        try (Netns ns = Netns.create("gwnotun")) {
            var r = childGateway(ns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs none /dev/net && exec \"$0\" \"$@\"");
            assertEquals(1, r.exitCode(), r.stdout());
            assertEquals("gateway: open /dev/net/tun: No such file or directory (ENOENT); the TUN driver is missing "
                    + "(modprobe tun; in a container, pass --device /dev/net/tun)\n", r.stderr());
        }
    }
}
