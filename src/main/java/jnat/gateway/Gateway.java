package jnat.gateway;

import jnat.host.Interface;
import jnat.linux.ErrnoException;
import jnat.linux.ForwardingLoop;
import jnat.linux.InterfaceCounters;
import jnat.linux.NetNamespace;
import jnat.linux.PacketHandler;
import jnat.linux.TunDevice;
import jnat.linux.VirtioNetHdr;
import jnat.nat.NatEngine;
import jnat.wire.Offload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The live gateway: a {@link NatEngine} attached to TUN devices through a {@link ForwardingLoop}
 * of one or more workers. With N workers each device has N queues (IFF_MULTI_QUEUE) and worker k
 * reads queue k of every device ({@link ForwardingLoop#perQueueIndex}). There is one engine, as
 * the kernel has one conntrack table and one ruleset for all its CPUs: a worker takes the engine's
 * lock per packet, runs it, releases the lock and only then writes what the engine sent
 * ({@link GatewayWorker}), so the workers' reads and writes (most of a packet's cost through TUN)
 * run in parallel and only the engine's own work is serialised. The control socket and the
 * metrics reach the engine through {@link #withEngine}, which takes the same lock, so a command
 * runs between two packets of all workers (never during one) and an iptables change swapped in
 * there is seen whole by every worker's next packet. A waiting command goes first: workers then
 * queue behind it on the fair lock instead of barging.
 *
 * <p>The engine's clock is {@link System#nanoTime()}; conntrack garbage collection (the kernel's
 * gc_worker) runs on the loop's tick.
 *
 * <p>With offloads (the default of {@link #open}), the TUN devices carry a virtio_net_hdr before
 * each packet and take checksum and segmentation offloads, as a veth does: the kernel hands over
 * TCP segments of up to 64 KB whose checksum is left partial, the engine translates them whole
 * ({@link Offload}), and they go back to the kernel with the same header, to be split (or not,
 * when delivered locally) on the other side. One read and one write move up to 64 KB.
 */
public final class Gateway implements PacketHandler, AutoCloseable {
    /** Host interface {@code iface} is the TUN device {@code device} (in jnat's network namespace). */
    public record Attachment(Interface iface, String device) {
        @Override
        public String toString() {
            return iface.name() + "=tun:" + device;
        }
    }

    /** How often conntrack gc runs, and how many entries it looks at each time. */
    static final int TICK_MILLIS = 100;
    static final int GC_BUDGET = 8192;

    private final NatEngine engine;
    private final List<Attachment> attachments;
    private final Interface[] ifaceOf;   // loop index -> host interface
    private final int[] loopIndexOf;     // Interface.index() -> loop index, or -1
    // fair: under saturating traffic the loop threads would otherwise re-take the lock before a waiting command wakes
    private final ReentrantLock lock = new ReentrantLock(true);
    private final java.util.concurrent.atomic.AtomicInteger commandsWaiting = new java.util.concurrent.atomic.AtomicInteger();
    private final GatewayWorker[] workers;
    private PacketHandler.Transmit direct;  // the loop worker holding the lock (set under it)
    /** Several workers: each runs its lane of the engine, established packets concurrently (NatEngine.receiveConcurrent). */
    private final boolean lanes;
    private long unattached;                // engine output to an interface with no device
    private ForwardingLoop loop;

    /** A gateway without devices: the control commands and metrics work, no packets flow (tests). */
    public Gateway(NatEngine engine, List<Attachment> attachments) {
        this(engine, attachments, 1);
    }

    /** As {@link #Gateway(NatEngine, List)} for {@code workers} workers (conntrack -S then has a line per worker). */
    public Gateway(NatEngine engine, List<Attachment> attachments, int workers) {
        if (workers < 1) throw new IllegalArgumentException("at least one worker, not " + workers);
        this.workers = new GatewayWorker[workers];
        for (int w = 0; w < workers; w++) this.workers[w] = new GatewayWorker(this, w);
        engine.connections().setCpus(workers);
        this.lanes = workers > 1;
        if (lanes) {
            engine.setLanes(workers);
            engine.startConcurrent();
        }
        // the engine's clock is System.nanoTime(): -m time reads CLOCK_REALTIME through the host's offset
        engine.host().setRealtimeOffset(System.currentTimeMillis() * 1_000_000L - System.nanoTime());
        this.engine = engine;
        this.attachments = List.copyOf(attachments);
        this.ifaceOf = new Interface[attachments.size()];
        int maxIndex = 0;
        for (Interface i : engine.host().interfaces()) maxIndex = Math.max(maxIndex, i.index());
        this.loopIndexOf = new int[maxIndex + 1];
        java.util.Arrays.fill(loopIndexOf, -1);
        for (int k = 0; k < attachments.size(); k++) {
            Attachment a = attachments.get(k);
            if (a.iface().hasMac()) {
                throw new IllegalArgumentException(a.iface().name() + " has a MAC address; a TUN device carries IP packets only");
            }
            ifaceOf[k] = a.iface();
            loopIndexOf[a.iface().index()] = k;
        }
    }

    /**
     * Creates (or opens) each attachment's TUN device in this process's network namespace and
     * the loop over them; nothing flows until {@link #start}. On failure the devices opened so
     * far are closed.
     */
    public static Gateway open(NatEngine engine, List<Attachment> attachments) throws ErrnoException {
        return open(engine, attachments, false);
    }

    /**
     * As {@link #open(NatEngine, List)}; with {@code persistent} the devices are made persistent
     * (TUNSETPERSIST), so they outlive this gateway and the next one reopens them. A device
     * written {@code DEV@NETNS} is opened in network namespace NETNS, where the lab moved it.
     */
    public static Gateway open(NatEngine engine, List<Attachment> attachments, boolean persistent) throws ErrnoException {
        return open(engine, attachments, persistent, true);
    }

    /**
     * As {@link #open(NatEngine, List, boolean)}; {@code offload} false opens the devices without
     * IFF_VNET_HDR: one packet of at most the MTU per read and write, checksums done by the kernel.
     */
    public static Gateway open(NatEngine engine, List<Attachment> attachments, boolean persistent, boolean offload)
            throws ErrnoException {
        return open(engine, attachments, persistent, offload, 1);
    }

    /**
     * As {@link #open(NatEngine, List, boolean, boolean)} with {@code workers} forwarding threads:
     * more than one opens every device with that many queues (IFF_MULTI_QUEUE), one per worker.
     */
    public static Gateway open(NatEngine engine, List<Attachment> attachments, boolean persistent, boolean offload,
                               int workers) throws ErrnoException {
        Gateway g = new Gateway(engine, attachments, workers);
        List<TunDevice> devices = new ArrayList<>();
        boolean ok = false;
        try {
            for (Attachment a : attachments) {
                int at = a.device().indexOf('@');
                TunDevice d = at < 0 ? TunDevice.open(a.device(), workers, offload)
                        : NetNamespace.openTun(a.device().substring(at + 1), a.device().substring(0, at), workers, offload);
                devices.add(d);
                if (persistent) d.setPersistent(true);
            }
            g.loop = workers == 1 ? ForwardingLoop.singleThreaded(devices, g) : ForwardingLoop.perQueueIndex(devices, g);
            ok = true;
            return g;
        } finally {
            if (!ok) for (TunDevice d : devices) d.close();
        }
    }

    public List<Attachment> attachments() {
        return attachments;
    }

    public void start() {
        loop.start();
    }

    /** Waits until the loop ends (stopped by {@link #close}, or failed: see {@link #failure}). */
    public void awaitTermination() throws InterruptedException {
        if (loop != null) loop.awaitTermination();
    }

    /** Why the loop stopped by itself (a device was deleted), or null. */
    public Throwable failure() {
        return loop == null ? null : loop.failure();
    }

    /** Packets and bytes the device of attachment {@code k} read and wrote (zeros without devices). */
    public InterfaceCounters counters(int k) {
        if (loop == null) return new InterfaceCounters(attachments.get(k).device(), 0, 0, 0, 0, 0);
        return loop.counters(k);
    }

    /** Packets the engine sent to a host interface that no device is attached to (not sent). */
    public long unattachedDrops() {
        return withEngine(e -> unattached);
    }

    /** How many forwarding workers the gateway runs. */
    public int workerCount() {
        return workers.length;
    }

    /** Packets worker {@code w} read and wrote (zeros without devices). */
    public long[] workerPackets(int w) {
        if (loop == null) return new long[2];
        return new long[] {loop.workerRxPackets(w), loop.workerTxPackets(w)};
    }

    /** Runs {@code f} between two packets, with the engine to itself. */
    public <T> T withEngine(Function<NatEngine, T> f) {
        commandsWaiting.incrementAndGet();
        lock.lock();
        commandsWaiting.decrementAndGet();
        try {
            return lanes ? engine.exclusive(() -> f.apply(engine)) : f.apply(engine);
        } finally {
            lock.unlock();
        }
    }

    /** The packet path's lock: barging while no command waits (tryLock ignores fairness), else in the queue behind it. */
    private void lockForPacket() {
        if (commandsWaiting.get() != 0 || !lock.tryLock()) lock.lock();
    }

    /** The loop worker that holds the lock now (a timer's packets are written through it). */
    PacketHandler.Transmit direct() {
        return direct;
    }

    // ---- the packet path (loop threads) ---------------------------------------------------------

    @Override
    public void receive(int ifIndex, byte[] buf, int off, int len, long nowNanos, PacketHandler.Transmit out) {
        receive(ifIndex, buf, off, len, null, nowNanos, out);
    }

    @Override
    public void receive(int ifIndex, byte[] buf, int off, int len, VirtioNetHdr vnet, long nowNanos,
                        PacketHandler.Transmit out) {
        GatewayWorker w = workers[out.worker()];
        Offload o = vnet == null ? null : toOffload(vnet, w.rxOffload);
        if (lanes) {
            w.begin(buf, out);
            try {
                engine.lane(w.index).receiveConcurrent(ifaceOf[ifIndex], buf, off, len, nowNanos, o, w);
            } finally {
                w.end();
            }
            w.flush();
            return;
        }
        lockForPacket();
        try {
            direct = out;
            engine.connections().setCpu(w.index);
            w.begin(buf, out);
            if (o == null) engine.receive(ifaceOf[ifIndex], buf, off, len, nowNanos, w);
            else engine.receive(ifaceOf[ifIndex], buf, off, len, nowNanos, o, w);
        } finally {
            w.end();
            lock.unlock();
        }
        w.flush();
    }

    /** The loop index of the device attached to {@code out}, or -1 (counted: nothing to send it on). */
    int loopIndex(Interface out) {
        int k = out.index() < loopIndexOf.length ? loopIndexOf[out.index()] : -1;
        if (k < 0) unattached++;
        return k;
    }

    /** virtio_net_hdr_to_skb's reading of the header (the kernel's virtio_net_hdr_from_skb wrote it). */
    static Offload toOffload(VirtioNetHdr h, Offload o) {
        o.clear();
        if ((h.flags & VirtioNetHdr.F_NEEDS_CSUM) != 0) {
            o.ipSummed = Offload.CHECKSUM_PARTIAL;
            o.csumStart = h.csumStart;
            o.csumOffset = h.csumOffset;
        } else if ((h.flags & VirtioNetHdr.F_DATA_VALID) != 0) {
            o.ipSummed = Offload.CHECKSUM_UNNECESSARY;
        }
        int type = switch (h.gsoType & ~VirtioNetHdr.GSO_ECN) {
            case VirtioNetHdr.GSO_TCPV4 -> Offload.GSO_TCPV4;
            case VirtioNetHdr.GSO_TCPV6 -> Offload.GSO_TCPV6;
            case VirtioNetHdr.GSO_UDP_L4 -> Offload.GSO_UDP_L4;
            default -> Offload.GSO_NONE; // UFO (never offered)
        };
        if (type != Offload.GSO_NONE && h.gsoSize > 0) {
            o.gsoType = type | ((h.gsoType & VirtioNetHdr.GSO_ECN) != 0 ? Offload.GSO_ECN : 0);
            o.gsoSize = h.gsoSize;
        }
        return o;
    }

    /** virtio_net_hdr_from_skb: the header for a packet the engine sends with {@code o}. */
    static VirtioNetHdr toVnet(Offload o, VirtioNetHdr h) {
        h.clear();
        if (o.ipSummed == Offload.CHECKSUM_PARTIAL) {
            h.flags = VirtioNetHdr.F_NEEDS_CSUM;
            h.csumStart = o.csumStart;
            h.csumOffset = o.csumOffset;
            h.hdrLen = o.csumStart + o.csumOffset + 2; // what tun_vnet_hdr_get makes of it anyway
        } else if (o.ipSummed == Offload.CHECKSUM_UNNECESSARY) {
            h.flags = VirtioNetHdr.F_DATA_VALID;
        }
        if (o.isGso()) {
            h.gsoType = switch (o.gsoType & ~Offload.GSO_ECN) {
                case Offload.GSO_UDP_L4 -> VirtioNetHdr.GSO_UDP_L4;
                case Offload.GSO_TCPV6 -> VirtioNetHdr.GSO_TCPV6;
                default -> VirtioNetHdr.GSO_TCPV4;
            } | ((o.gsoType & Offload.GSO_ECN) != 0 ? VirtioNetHdr.GSO_ECN : 0);
            h.gsoSize = o.gsoSize;
        }
        return h;
    }

    @Override
    public int tickMillis() {
        return TICK_MILLIS;
    }

    @Override
    public void tick(long nowNanos, PacketHandler.Transmit out) {
        if (lanes) {
            withEngine(e -> {
                direct = out;
                e.expire(nowNanos, GC_BUDGET);
                return null;
            });
            return;
        }
        lockForPacket();
        try {
            direct = out;
            engine.connections().setCpu(workers[out.worker()].index);
            engine.expire(nowNanos, GC_BUDGET);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the loop and closes the devices (non-persistent TUN devices disappear). Idempotent. */
    @Override
    public void close() {
        if (loop != null) loop.close();
    }
}
