package jnat.nat;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -j RATEEST and -m rateest: two estimators (1 s intervals, time
 * constants 2 s and 4 s, so ewma_log 1 and 2) count bursts of UDP datagrams to port 30000, and
 * a probe to port 30001 before the first tick, after it and after the second walks the rateest
 * rules (absolute, delta and relative, bytes and packets, each mode and !). The probes sit half
 * an interval from any tick, so the kernel's timer and the engine's clock agree on how many ticks
 * came before each; every rule's count must be the kernel's.
 */
class RateestKernelTest {
    static final String DST = StatefulMatchesKernelTest.DST;
    static final List<String> RULES = List.of(
            "-p udp --dport 30000 -j RATEEST --rateest-name R1 --rateest-interval 1s --rateest-ewmalog 2s",
            "-p udp --dport 30000 -j RATEEST --rateest-name R2 --rateest-interval 1s --rateest-ewmalog 4s",
            "-p udp --dport 30001 -m rateest --rateest R1 --rateest-eq --rateest-pps 0",
            "-p udp --dport 30001 -m rateest --rateest R1 --rateest-eq --rateest-pps 10",
            "-p udp --dport 30001 -m rateest --rateest R1 --rateest-eq --rateest-pps 8",
            "-p udp --dport 30001 -m rateest --rateest R1 --rateest-gt --rateest-bps 900",
            "-p udp --dport 30001 -m rateest --rateest R1 --rateest-lt --rateest-bps 8000bit",
            "-p udp --dport 30001 -m rateest --rateest R1 --rateest-eq --rateest-bps 8kbit",
            "-p udp --dport 30001 -m rateest --rateest-delta --rateest R1 --rateest-pps1 12 --rateest-lt --rateest-pps2 3",
            "-p udp --dport 30001 -m rateest --rateest-delta --rateest R1 --rateest-bps1 1200 --rateest-gt --rateest-bps2 300",
            "-p udp --dport 30001 -m rateest --rateest1 R1 --rateest-gt --rateest-pps --rateest2 R2",
            "-p udp --dport 30001 -m rateest --rateest1 R1 --rateest-lt --rateest-bps --rateest2 R2",
            "-p udp --dport 30001 -m rateest --rateest R1 ! --rateest-eq --rateest-pps 0",
            "-p udp --dport 30001 -m rateest --rateest R2 --rateest-eq --rateest-pps 5",
            "-p udp --dport 30001 -m rateest --rateest R2 --rateest-gt --rateest-pps 4 --rateest-bps 400");

    /** (milliseconds after the rules went in, destination port, datagrams, payload bytes) */
    static final int[][] SCHEDULE = {{100, 30000, 20, 72}, {500, 30001, 1, 10}, {1500, 30001, 1, 10},
        {1600, 30000, 6, 72}, {2500, 30001, 1, 10}};

    static final String SEND = """
            import socket, subprocess, sys, time
            subprocess.run(["iptables-restore"], input=sys.argv[2].encode(), check=True)
            t0 = time.monotonic()
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("198.51.100.1", 40000))
            for item in sys.argv[3].split(","):
                at, port, n, size = (int(x) for x in item.split(":"))
                time.sleep(max(0, t0 + at / 1000 - time.monotonic()))
                for i in range(n):
                    u.sendto(b"x" * size, (sys.argv[1], port))
            """;

    @Test
    void rateestMatchesWhatTheKernelsEstimatorsSay() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        StringBuilder restore = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n");
        for (String r : RULES) restore.append("-A INPUT ").append(r).append('\n');
        restore.append("COMMIT\n");
        StringBuilder items = new StringBuilder();
        List<int[]> seq = new ArrayList<>();
        int last = 0;
        for (int[] s : SCHEDULE) {
            items.append(items.isEmpty() ? "" : ",").append(s[0]).append(':').append(s[1]).append(':').append(s[2]).append(':').append(s[3]);
            for (int i = 0; i < s[2]; i++) {
                seq.add(new int[] {1, s[1], s[3], 0, i == 0 ? s[0] - last : 0});
            }
            last = s[0];
        }
        String kernel;
        try (Netns ns = Netns.create("rateest")) {
            ns.execIn("link add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\nlink set lo up\naddr add " + DST
                    + "/24 dev d0\naddr add 198.51.100.1/32 dev d0\n", "ip", "-batch", "-").checked();
            ns.exec("python3", "-c", SEND, DST, restore.toString(), items.toString()).checked();
            kernel = StatefulMatchesKernelTest.counts(ns.exec("iptables", "-nvxL", "INPUT").checked().stdout());
        }
        System.out.println("kernel's rule counts:\n" + kernel);
        assertEquals(kernel, StatefulMatchesKernelTest.counts(StatefulMatchesKernelTest.jnat(RULES, seq)), "each rule's packets");
    }
}
