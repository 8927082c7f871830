package jnat.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Reads packets from TUN devices, hands each to a {@link PacketHandler}, and writes what it
 * transmits. Each worker is a platform thread that waits in poll(2) on its queues plus a wake-up
 * eventfd, then reads each ready queue until EAGAIN (at most {@link #BATCH} packets per round so
 * one busy queue cannot starve the others), straight into its own heap buffer.
 *
 * <p>Three layouts, same code: {@link #singleThreaded} (one worker polls every queue: the handler is
 * never called concurrently, so a NAT engine needs no locks), {@link #perQueue} (one worker per
 * queue: handler calls run in parallel, for multi-queue devices and a thread-safe handler) and
 * {@link #perQueueIndex} (worker k polls queue k of every device: a flow's packets in both
 * directions meet on one worker, since each worker writes to its own queue number and tun's flow
 * table steers the flow's later packets to the queue that last wrote it).
 */
public final class ForwardingLoop implements AutoCloseable {
    /**
     * Free bytes before the IP header in every read buffer (an Ethernet header fits; on a device
     * with IFF_VNET_HDR the {@link VirtioNetHdr} is read into the last 10 of them, then free).
     */
    public static final int HEADROOM = 14;
    /** Largest IPv4 packet. */
    public static final int MAX_PACKET = 65535;
    public static final int BUFFER_SIZE = HEADROOM + MAX_PACKET;
    /** Packets read from one queue before the worker polls again. */
    public static final int BATCH = 64;

    /** Per interface: all packets, and the IPv6 ones among them (version nibble 6, as tun_get_user tells them). */
    static final int RX_PACKETS = 0, RX_BYTES = 1, TX_PACKETS = 2, TX_BYTES = 3, TX_ERRORS = 4,
            RX6_PACKETS = 5, RX6_BYTES = 6, TX6_PACKETS = 7, TX6_BYTES = 8, COUNTERS = 9;

    private final List<TunDevice> devices;
    private final PacketHandler handler;
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final int wakeFd;
    private volatile boolean stopping;
    private boolean started;
    private boolean closed;

    private enum Layout { ONE, PER_QUEUE, PER_QUEUE_INDEX }

    private ForwardingLoop(List<TunDevice> devices, PacketHandler handler, Layout layout) throws ErrnoException {
        this.devices = List.copyOf(devices);
        this.handler = handler;
        this.wakeFd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (wakeFd < 0) throw new ErrnoException("eventfd", null, Libc.errno());
        if (layout == Layout.PER_QUEUE) {
            for (TunDevice d : this.devices) {
                for (TunQueue q : d.queues()) workers.add(new Worker(List.of(q), workers.isEmpty()));
            }
        } else if (layout == Layout.PER_QUEUE_INDEX) {
            int n = 0;
            for (TunDevice d : this.devices) n = Math.max(n, d.queueCount());
            for (int k = 0; k < n; k++) {
                List<TunQueue> qs = new ArrayList<>();
                for (TunDevice d : this.devices) if (k < d.queueCount()) qs.add(d.queue(k));
                Worker w = new Worker(qs, k == 0);
                w.thread.setName("jnat-worker-" + k);
                workers.add(w);
            }
        } else {
            List<TunQueue> all = new ArrayList<>();
            for (TunDevice d : this.devices) all.addAll(d.queues());
            workers.add(new Worker(all, true));
        }
    }

    /** One thread polls all devices' queues; the handler is never called concurrently. */
    public static ForwardingLoop singleThreaded(List<TunDevice> devices, PacketHandler handler) throws ErrnoException {
        return new ForwardingLoop(devices, handler, Layout.ONE);
    }

    /** One thread per queue of every device; the handler must be thread-safe. */
    public static ForwardingLoop perQueue(List<TunDevice> devices, PacketHandler handler) throws ErrnoException {
        return new ForwardingLoop(devices, handler, Layout.PER_QUEUE);
    }

    /**
     * One thread per queue number: worker k reads queue k of every device (a device with fewer
     * queues is left out of the higher workers) and writes to queue k. The handler must be
     * thread-safe; {@link PacketHandler.Transmit#worker()} tells it which worker calls.
     */
    public static ForwardingLoop perQueueIndex(List<TunDevice> devices, PacketHandler handler) throws ErrnoException {
        return new ForwardingLoop(devices, handler, Layout.PER_QUEUE_INDEX);
    }

    /** How many worker threads the loop runs. */
    public int workerCount() {
        return workers.size();
    }

    /** Packets worker {@code w} read, over all its queues. */
    public long workerRxPackets(int w) {
        Worker k = workers.get(w);
        long sum = 0;
        for (int i = 0; i < devices.size(); i++) sum += k.counters.get(i * COUNTERS + RX_PACKETS);
        return sum;
    }

    /** Packets worker {@code w} wrote, over all devices. */
    public long workerTxPackets(int w) {
        Worker k = workers.get(w);
        long sum = 0;
        for (int i = 0; i < devices.size(); i++) sum += k.counters.get(i * COUNTERS + TX_PACKETS);
        return sum;
    }

    public List<TunDevice> devices() {
        return devices;
    }

    public synchronized void start() {
        if (started) throw new IllegalStateException("already started");
        started = true;
        for (Worker w : workers) w.thread.start();
    }

    /** Asks the workers to stop and waits for them; the devices stay open. */
    public void stop() throws InterruptedException {
        synchronized (this) {
            if (closed) return;
            wake();
        }
        for (Worker w : workers) {
            if (w.thread.isAlive() && w.thread != Thread.currentThread()) w.thread.join();
        }
    }

    /** Waits until the loop ends: stopped, or failed (see {@link #failure}). */
    public void awaitTermination() throws InterruptedException {
        for (Worker w : workers) w.thread.join();
    }

    /** Why the loop ended by itself (a device vanished, the handler threw), or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** Stops and closes every device (each non-persistent TUN device disappears) when the JVM exits (SIGINT, SIGTERM). */
    public void closeOnShutdown() {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jnat-shutdown").unstarted(this::close));
    }

    /** Stops the workers, then closes the devices and the wake-up eventfd. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (TunDevice d : devices) d.close();
            Libc.close(wakeFd);
        }
    }

    /** A snapshot of interface {@code ifIndex}'s counters, summed over the workers. */
    public InterfaceCounters counters(int ifIndex) {
        long[] sum = new long[COUNTERS];
        for (Worker w : workers) {
            for (int c = 0; c < COUNTERS; c++) sum[c] += w.counters.get(ifIndex * COUNTERS + c);
        }
        return new InterfaceCounters(devices.get(ifIndex).name(), sum[RX_PACKETS], sum[RX_BYTES],
                sum[TX_PACKETS], sum[TX_BYTES], sum[TX_ERRORS], sum[RX6_PACKETS], sum[RX6_BYTES], sum[TX6_PACKETS],
                sum[TX6_BYTES]);
    }

    /** How many times the workers called poll(2): packets per poll tell how well reads are batched. */
    public long polls() {
        long sum = 0;
        for (Worker w : workers) sum += w.polls;
        return sum;
    }

    private void fail(Throwable t) {
        failure.compareAndSet(null, t);
        synchronized (this) {
            if (!closed) wake();
        }
    }

    /** Sets the stop flag and makes the eventfd readable, so every worker's poll returns. */
    private void wake() {
        stopping = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            Libc.write(wakeFd, one);
        }
    }

    private final class Worker implements PacketHandler.Transmit, Runnable {
        final List<TunQueue> queues;
        final int[] ifIndexOf;
        final Thread thread;
        // single writer (this worker), read by counters(): lazySet is enough
        final AtomicLongArray counters = new AtomicLongArray(devices.size() * COUNTERS);
        volatile long polls; // single writer
        int currentQueue; // writes go to the same queue number on the target device (its flows' queue)

        final boolean ticks; // the first worker runs the handler's timer
        final int index = workers.size(); // this worker's position (constructed in order)
        final boolean[] vnetOf;
        final VirtioNetHdr rxHdr = new VirtioNetHdr();
        final VirtioNetHdr noHdr = new VirtioNetHdr();
        byte[] txScratch; // for a packet without room for its virtio_net_hdr before it

        Worker(List<TunQueue> queues, boolean ticks) {
            this.queues = queues;
            this.ticks = ticks;
            this.ifIndexOf = new int[queues.size()];
            this.vnetOf = new boolean[queues.size()];
            for (int i = 0; i < queues.size(); i++) {
                ifIndexOf[i] = devices.indexOf(queues.get(i).device());
                vnetOf[i] = queues.get(i).device().vnetHdr();
            }
            String name = queues.size() == 1
                    ? "jnat-" + queues.getFirst().device().name() + "-q" + queues.getFirst().index()
                    : "jnat-forward";
            this.thread = Thread.ofPlatform().name(name).unstarted(this);
        }

        @Override
        public void run() {
            try (Arena arena = Arena.ofConfined()) {
                int n = queues.size();
                MemorySegment pollfds = arena.allocate((long) Libc.POLLFD_SIZE * (n + 1), 8);
                for (int i = 0; i < n; i++) setPollFd(pollfds, i, queues.get(i).fd());
                setPollFd(pollfds, n, wakeFd);
                byte[] buf = new byte[BUFFER_SIZE];
                boolean more = false;
                long tickNanos = ticks ? handler.tickMillis() * 1_000_000L : 0;
                long nextTick = System.nanoTime() + tickNanos;
                while (!stopping) {
                    int timeout = more ? 0 : -1;
                    if (tickNanos > 0) {
                        long now = System.nanoTime();
                        if (now - nextTick >= 0) {
                            handler.tick(now, this);
                            nextTick = now + tickNanos;
                        }
                        if (!more) timeout = (int) Math.max(1, (nextTick - now + 999_999) / 1_000_000);
                    }
                    int r = Libc.poll(pollfds, n + 1, timeout);
                    polls++;
                    if (r < 0) {
                        int errno = Libc.errno();
                        if (errno == Errno.EINTR) continue;
                        throw new ErrnoException("poll", null, errno);
                    }
                    if (pollfds.get(JAVA_SHORT, (long) n * Libc.POLLFD_SIZE + 6) != 0) break;
                    more = false;
                    for (int i = 0; i < n && !stopping; i++) {
                        if (pollfds.get(JAVA_SHORT, (long) i * Libc.POLLFD_SIZE + 6) == 0) continue;
                        more |= vnetOf[i] ? drainVnet(queues.get(i), ifIndexOf[i], buf) : drain(queues.get(i), ifIndexOf[i], buf);
                    }
                }
            } catch (Throwable t) {
                fail(t);
            }
        }

        /** Reads up to BATCH packets from one ready queue; true if it may hold more. */
        private boolean drain(TunQueue q, int ifIndex, byte[] buf) throws ErrnoException {
            currentQueue = q.index();
            int base = ifIndex * COUNTERS;
            for (int k = 0; k < BATCH; k++) {
                int len = q.read(buf, HEADROOM, MAX_PACKET);
                if (len == 0) return false;
                countRx(base, buf, HEADROOM, len);
                handler.receive(ifIndex, buf, HEADROOM, len, System.nanoTime(), this);
            }
            return true;
        }

        /** As {@link #drain} for a queue with IFF_VNET_HDR: the header lands just before the packet's HEADROOM. */
        private boolean drainVnet(TunQueue q, int ifIndex, byte[] buf) throws ErrnoException {
            currentQueue = q.index();
            int base = ifIndex * COUNTERS;
            int at = HEADROOM - VirtioNetHdr.SIZE;
            for (int k = 0; k < BATCH; k++) {
                int n = q.read(buf, at, MAX_PACKET + VirtioNetHdr.SIZE);
                if (n == 0) return false;
                int len = n - VirtioNetHdr.SIZE;
                if (len <= 0) continue; // tun_put_user always writes a whole header
                rxHdr.read(buf, at);
                countRx(base, buf, HEADROOM, len);
                handler.receive(ifIndex, buf, HEADROOM, len, rxHdr, System.nanoTime(), this);
            }
            return true;
        }

        @Override
        public int worker() {
            return index;
        }

        @Override
        public void transmit(int ifIndex, byte[] buf, int off, int len) {
            TunDevice d = devices.get(ifIndex);
            if (d.vnetHdr()) {
                transmit(ifIndex, buf, off, len, noHdr);
                return;
            }
            count(ifIndex, buf, off, d.queue(currentQueue % d.queueCount()).write(buf, off, len));
        }

        @Override
        public void transmit(int ifIndex, byte[] buf, int off, int len, VirtioNetHdr vnet) {
            TunDevice d = devices.get(ifIndex);
            if (!d.vnetHdr()) {
                vnet.completeChecksum(buf, off, len);
                count(ifIndex, buf, off, d.queue(currentQueue % d.queueCount()).write(buf, off, len));
                return;
            }
            int at = off - VirtioNetHdr.SIZE;
            if (at < 0) {
                if (txScratch == null) txScratch = new byte[BUFFER_SIZE];
                System.arraycopy(buf, off, txScratch, VirtioNetHdr.SIZE, len);
                buf = txScratch;
                at = 0;
            }
            vnet.write(buf, at);
            int written = d.queue(currentQueue % d.queueCount()).write(buf, at, len + VirtioNetHdr.SIZE);
            count(ifIndex, buf, at + VirtioNetHdr.SIZE, written < 0 ? written : written - VirtioNetHdr.SIZE);
        }

        private void add(int i, long n) {
            counters.lazySet(i, counters.get(i) + n);
        }

        private void countRx(int base, byte[] buf, int off, int len) {
            add(base + RX_PACKETS, 1);
            add(base + RX_BYTES, len);
            if ((buf[off] & 0xf0) == 0x60) {
                add(base + RX6_PACKETS, 1);
                add(base + RX6_BYTES, len);
            }
        }

        /** A write of the packet at {@code buf[off]}: {@code written} bytes, or an error (negative). */
        private void count(int ifIndex, byte[] buf, int off, int written) {
            int base = ifIndex * COUNTERS;
            if (written >= 0) {
                add(base + TX_PACKETS, 1);
                add(base + TX_BYTES, written);
                if (written > 0 && (buf[off] & 0xf0) == 0x60) {
                    add(base + TX6_PACKETS, 1);
                    add(base + TX6_BYTES, written);
                }
            } else {
                counters.lazySet(base + TX_ERRORS, counters.get(base + TX_ERRORS) + 1);
            }
        }

        private static void setPollFd(MemorySegment fds, int i, int fd) {
            long at = (long) i * Libc.POLLFD_SIZE;
            fds.set(JAVA_INT, at, fd);
            fds.set(JAVA_SHORT, at + 4, Libc.POLLIN);
            fds.set(JAVA_SHORT, at + 6, (short) 0);
        }
    }
}
