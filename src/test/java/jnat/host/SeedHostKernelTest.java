package jnat.host;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The built-in seed host file, run line by line through the real ip(8), gives the kernel the same tables. */
class SeedHostKernelTest {
    static final String[] DESTINATIONS = {
        "8.8.8.8", "114.246.99.100", "45.77.200.1", "45.77.200.180", "45.77.201.255", "172.17.0.1", "172.17.0.2",
        "172.17.255.255", "255.255.255.255",
    };

    @Test
    void theSeedHostFileBuildsTheSameTablesInTheKernel() throws IOException {
        Tools.require("ip");
        String file;
        try (InputStream in = Host.class.getResourceAsStream("/hosts/seed-docker-host.ip")) {
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Netns ns = Netns.create("seed"); Netns peers = Netns.create("seedpeer")) {
            ns.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "p0", "netns", peers.name()).checked();
            peers.exec("ip", "link", "set", "p0", "up").checked();
            for (String line : file.split("\n")) {
                String l = line.replaceFirst("#.*", "").trim();
                if (l.isEmpty()) continue;
                List<String> cmd = new ArrayList<>(List.of("ip"));
                cmd.addAll(List.of(l.split("\\s+")));
                ns.exec(cmd.toArray(String[]::new)).checked();
            }
            // a bridge has carrier once a port is up: give docker0 the container's veth, as Docker does
            ns.exec("ip", "link", "add", "vethc", "type", "veth", "peer", "name", "c0", "netns", peers.name()).checked();
            ns.exec("ip", "link", "set", "vethc", "master", "docker0", "up").checked();
            peers.exec("ip", "link", "set", "c0", "up").checked();
            waitForCarrier(ns, "docker0");

            Host seed = Host.fromResource("/hosts/seed-docker-host.ip");
            assertEquals(ns.exec("ip", "-4", "route", "show", "table", "all").checked().stdout(), IpFormat.routes(seed, 0));
            StringBuilder kernel = new StringBuilder(), ours = new StringBuilder();
            for (String d : DESTINATIONS) {
                Tools.Result r = ns.exec("ip", "route", "get", d);
                kernel.append(r.stdout()).append(r.stderr());
                ours.append(IpFormat.routeGet(Inet4.parse(d), seed.routeOutput(Inet4.parse(d))));
            }
            assertEquals(kernel.toString(), ours.toString());
        }
    }

    /** Carrier comes with the bridge's first forwarding port; poll ip link (a readiness wait, not a timing test). */
    private static void waitForCarrier(Netns ns, String dev) {
        for (int i = 0; i < 100; i++) {
            if (!ns.exec("ip", "link", "show", dev).stdout().contains("NO-CARRIER")) return;
            try { Thread.sleep(50); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
    }
}
