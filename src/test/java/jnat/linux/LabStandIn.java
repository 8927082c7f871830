package jnat.linux;

import java.util.List;

/**
 * The stand-in forwarder as a program, for measuring the loop by hand in the lab (see
 * {@link StandInForwarder}). Run in the gateway namespace; SIGINT/SIGTERM print the counters:
 * <pre>
 * ip netns exec jnat-gw java --enable-native-access=ALL-UNNAMED \
 *     -cp target/classes:target/test-classes jnat.linux.LabStandIn [single|per-queue] [QUEUES]
 * </pre>
 */
public final class LabStandIn {
    private static long workerCpuNanos() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("jnat-") && !t.getName().equals("jnat-shutdown")) sum += mx.getThreadCpuTime(t.threadId());
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        boolean perQueue = args.length > 0 && args[0].equals("per-queue");
        int queues = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        List<TunDevice> devices = List.of(TunDevice.open("jnat-docker0", queues), TunDevice.open("jnat-eth0", queues));
        ForwardingLoop loop = perQueue
                ? ForwardingLoop.perQueue(devices, new StandInForwarder())
                : ForwardingLoop.singleThreaded(devices, new StandInForwarder());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long cpuNanos = workerCpuNanos();
            loop.close();
            long packets = 0;
            for (int i = 0; i < devices.size(); i++) {
                System.err.println(loop.counters(i));
                packets += loop.counters(i).rxPackets();
            }
            // CPU time per packet is a steadier figure than throughput on a shared machine
            System.err.printf("%d polls: %.1f packets read per poll%n", loop.polls(), packets / (double) Math.max(1, loop.polls()));
            System.err.printf("worker cpu %.1f ms for %d packets read: %.2f us/packet%n",
                    cpuNanos / 1e6, packets, packets == 0 ? 0.0 : cpuNanos / 1e3 / packets);
        }));
        loop.start();
        System.err.println("forwarding " + devices + (perQueue ? " (a thread per queue)" : " (one thread)"));
        loop.awaitTermination();
        if (loop.failure() != null) System.err.println("stopped: " + loop.failure().getMessage());
    }
}
