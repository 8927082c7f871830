package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Offload;

/**
 * Frames received together, as a driver's NAPI poll hands them to netif_receive_skb_list: each with
 * its device, bytes, time and offload state, for {@link NatEngine#receive(PacketBatch, Transmit)}.
 * Reused: {@link #clear()} empties it, nothing is allocated after construction. The engine does not
 * keep the batch's frames; it rewrites them in place, as it does a single frame.
 */
public final class PacketBatch {
    /** NAPI_POLL_WEIGHT: the frames a driver passes up per poll. */
    public static final int DEFAULT_CAPACITY = 64;

    final Interface[] in;
    final byte[][] buf;
    final int[] off, len;
    final long[] now;
    /** null where the frame has no offload state (CHECKSUM_NONE). */
    final Offload[] offload;
    /** Each frame's conntrack hash from the touch pass (ConntrackHook.touch); 0 for a frame it skipped. */
    final long[] hash;
    /**
     * The touch pass's scratch: each frame's tuple key (Tuple#addrs and Tuple#l4 packing; l4 0 for a
     * frame it skipped), whether its lookup found a slot of its tag, and two hashes per frame: its inverse
     * and its SNAT guess ({@link ConntrackHook#touch}).
     */
    final long[] addrs, l4, inverse;
    final boolean[] found;
    /** The touch's scratch: each frame's row id (-1: none), between its probe pass and its loads. */
    final int[] rowAt;
    int size;

    public PacketBatch() {
        this(DEFAULT_CAPACITY);
    }

    public PacketBatch(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a batch holds at least one frame");
        in = new Interface[capacity];
        buf = new byte[capacity][];
        off = new int[capacity];
        len = new int[capacity];
        now = new long[capacity];
        offload = new Offload[capacity];
        hash = new long[capacity];
        addrs = new long[capacity];
        l4 = new long[capacity];
        inverse = new long[2 * capacity];
        found = new boolean[capacity];
        rowAt = new int[capacity];
    }

    /** A frame arrived on {@code in} at {@code now}: as {@link NatEngine#receive(Interface, byte[], int, int, long, Transmit)}. False when the batch is full. */
    public boolean add(Interface in, byte[] buf, int off, int len, long now) {
        return add(in, buf, off, len, now, null);
    }

    /** With its offload state (null: CHECKSUM_NONE); the batch keeps the references until the slot is refilled. */
    public boolean add(Interface in, byte[] buf, int off, int len, long now, Offload offload) {
        int i = size;
        if (i == this.in.length) return false;
        // a reference is stored only when it changed: a batch refilled from the same ring buffers
        // and devices writes no reference, so it takes no G1 write barrier (a StoreLoad fence)
        if (this.in[i] != in) this.in[i] = in;
        if (this.buf[i] != buf) this.buf[i] = buf;
        this.off[i] = off;
        this.len[i] = len;
        this.now[i] = now;
        if (this.offload[i] != offload) this.offload[i] = offload;
        size = i + 1;
        return true;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return in.length;
    }

    public boolean full() {
        return size == in.length;
    }

    /** Empties the batch. */
    public void clear() {
        size = 0; // the slots keep their references until refilled (see add)
    }
}
