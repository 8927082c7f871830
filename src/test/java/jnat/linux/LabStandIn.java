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
    public static void main(String[] args) throws Exception {
        boolean perQueue = args.length > 0 && args[0].equals("per-queue");
        int queues = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        List<TunDevice> devices = List.of(TunDevice.open("jnat-docker0", queues), TunDevice.open("jnat-eth0", queues));
        ForwardingLoop loop = perQueue
                ? ForwardingLoop.perQueue(devices, new StandInForwarder())
                : ForwardingLoop.singleThreaded(devices, new StandInForwarder());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            for (int i = 0; i < devices.size(); i++) System.err.println(loop.counters(i));
        }));
        loop.start();
        System.err.println("forwarding " + devices + (perQueue ? " (a thread per queue)" : " (one thread)"));
        loop.awaitTermination();
        if (loop.failure() != null) System.err.println("stopped: " + loop.failure().getMessage());
    }
}
