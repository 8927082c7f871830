package jnat.gateway;

import jnat.host.Interface;
import jnat.linux.ForwardingLoop;
import jnat.linux.PacketHandler;
import jnat.linux.VirtioNetHdr;
import jnat.nat.Transmit;
import jnat.wire.Offload;

/**
 * One forwarding worker's side of the {@link Gateway}: the holders its packets use (their offload
 * state), and the packets the engine sent while this worker held the engine's lock, written to the
 * TUN devices only once the lock is released. The write(2) (with the receiving kernel's whole input
 * path run in the writer's context) is most of a packet's cost, so the workers overlap their writes
 * and reads while only the engine's own work is serialised.
 *
 * <p>The packet the engine forwards lies in the worker's read buffer, rewritten in place: it is
 * kept by reference (its virtio_net_hdr goes into the headroom before it). Anything else (the
 * host's own packets, fragments, a reassembled datagram) lies in the engine's buffers, which the
 * next worker may overwrite as soon as the lock is released, so it is copied. A transmit from
 * another thread or outside a packet (the timers of {@code NatEngine.expire}) is written at once,
 * through the loop worker that holds the lock.
 */
final class GatewayWorker implements Transmit {
    /** Packets one received packet may send before the rest are written under the lock. */
    static final int MAX_PENDING = 64;

    final int index;
    private final Gateway gateway;
    final Offload rxOffload = new Offload();
    private final VirtioNetHdr txHdr = new VirtioNetHdr();

    private Thread thread;
    private boolean collecting;
    private PacketHandler.Transmit out; // the loop worker of the packet being received
    private byte[] rxBuf;
    private boolean rxBufTaken;

    private int pending;
    private final int[] ifIndex = new int[MAX_PENDING];
    private final byte[][] bufs = new byte[MAX_PENDING][];
    private final int[] offs = new int[MAX_PENDING], lens = new int[MAX_PENDING];
    private final VirtioNetHdr[] hdrs = new VirtioNetHdr[MAX_PENDING];
    private final boolean[] withHdr = new boolean[MAX_PENDING];
    private byte[] spill = new byte[2 * ForwardingLoop.BUFFER_SIZE];
    private int spillUsed;

    GatewayWorker(Gateway gateway, int index) {
        this.gateway = gateway;
        this.index = index;
        for (int i = 0; i < MAX_PENDING; i++) hdrs[i] = new VirtioNetHdr();
    }

    /** A packet in {@code buf} is about to go through the engine, on the calling thread, which holds the lock. */
    void begin(byte[] buf, PacketHandler.Transmit out) {
        this.thread = Thread.currentThread();
        this.out = out;
        this.rxBuf = buf;
        this.rxBufTaken = false;
        this.collecting = true;
    }

    /** The engine is done with the packet (the lock is about to be released): nothing more is collected. */
    void end() {
        collecting = false;
        rxBuf = null;
    }

    /** Writes what the engine sent for the packet, in order; called after the lock is released. */
    void flush() {
        PacketHandler.Transmit o = out;
        for (int i = 0; i < pending; i++) {
            if (withHdr[i]) o.transmit(ifIndex[i], bufs[i], offs[i], lens[i], hdrs[i]);
            else o.transmit(ifIndex[i], bufs[i], offs[i], lens[i]);
            bufs[i] = null;
        }
        pending = 0;
        spillUsed = 0;
    }

    @Override
    public void transmit(Interface dev, byte[] buf, int off, int len) {
        int k = gateway.loopIndex(dev);
        if (k >= 0) add(k, buf, off, len, null);
    }

    @Override
    public void transmit(Interface dev, byte[] buf, int off, int len, Offload offload) {
        int k = gateway.loopIndex(dev);
        if (k >= 0) add(k, buf, off, len, offload);
    }

    private void add(int k, byte[] buf, int off, int len, Offload offload) {
        if (!collecting || Thread.currentThread() != thread) { // a timer's packet: written now, by the lock holder
            PacketHandler.Transmit now = gateway.direct();
            if (offload == null) now.transmit(k, buf, off, len);
            else now.transmit(k, buf, off, len, Gateway.toVnet(offload, txHdr));
            return;
        }
        if (pending == MAX_PENDING) flush(); // under the lock: slower, still in order
        int i = pending++;
        ifIndex[i] = k;
        lens[i] = len;
        withHdr[i] = offload != null;
        if (offload != null) Gateway.toVnet(offload, hdrs[i]);
        if (buf == rxBuf && !rxBufTaken && off >= VirtioNetHdr.SIZE) {
            rxBufTaken = true; // the forwarded packet, in place
            bufs[i] = buf;
            offs[i] = off;
            return;
        }
        int at = spillUsed + VirtioNetHdr.SIZE; // room for the header before the copy
        if (at + len > spill.length) {
            if (spillUsed > 0) { // flush what is there rather than grow while references point into it
                pending--;
                flush();
                i = pending++;
                ifIndex[i] = k;
                lens[i] = len;
                withHdr[i] = offload != null;
                if (offload != null) Gateway.toVnet(offload, hdrs[i]);
                at = VirtioNetHdr.SIZE;
            }
            if (at + len > spill.length) spill = new byte[at + len];
        }
        System.arraycopy(buf, off, spill, at, len);
        bufs[i] = spill;
        offs[i] = at;
        spillUsed = at + len;
    }
}
