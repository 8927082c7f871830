package jnat.gateway;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GatewayLabTest}'s lab and tests with {@code jnat gateway --workers 2} (two-queue TUN
 * devices, a worker per queue), and four parallel iperf3 streams, which the kernel spreads over
 * the queues by their flow hash: every stream carries data and conntrack -S has a line per worker.
 */
class GatewayWorkersLabTest extends GatewayLabTest {
    @Override
    String labName() {
        return "jgwq";
    }

    @Override
    String[] gatewayArgs() {
        return new String[] {"--workers", "2"};
    }

    @Test
    void fourParallelIperf3StreamsCrossTheTwoWorkers() throws Exception {
        startIn("wan", "Server listening", "iperf3", "--forceflush", "-s", "-1", "-B", SERVER, "-p", "5202");
        var r = in("ctr", Tools.cmd("iperf3", "-c", SERVER, "-p", "5202", "-t", "2", "-P", "4", "-J").toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(received(r.stdout()) > 1e6, r.stdout());
        var ct = control("conntrack", "-L", "-p", "tcp", "--dport", "5202");
        assertTrue(ct.out().lines().count() >= 5, ct.out()); // the control connection and the four streams
        var stats = control("conntrack", "-S");
        assertEquals(List.of("cpu=0", "cpu=1"), stats.out().lines().map(l -> l.split("\\s")[0]).toList(), stats.out());
        for (String w : List.of("0", "1")) { // the kernel's flow hash put some of the lab's flows on each queue
            assertTrue(lab.metric("jnat_worker_packets_total{direction=\"rx\",worker=\"" + w + "\"}") > 0, "worker " + w);
        }
        // the streams' 64 KB segments ran on both lanes at once
        assertTrue(lab.metric("jnat_lane_concurrent_packets_total") > 1000, "lanes ran concurrently");
    }
}
