package jnat.replay;

import jnat.host.Interface;
import jnat.nat.NatEngine;
import jnat.nat.Transmit;
import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;
import jnat.wire.Bytes;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv4Packet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Feeds captured frames into a {@link NatEngine} in timestamp order, each on the interface it
 * arrives on, and hands every frame the engine transmits to a {@link Sink} with the arriving
 * frame's timestamp. Pcap time is the engine's clock, so timeouts behave as they did in the capture.
 *
 * <p>Frames are adapted to the interface: raw IPv4 captures get an Ethernet header addressed to a
 * layer-2 interface (from the sender's neighbour entry if the host file has one), Ethernet or
 * BSD-loopback captures lose their link header on a layer-3 interface.
 */
public final class Replay {
    /** Where records come from: a pcap reader, or a list. Returns null at the end. */
    @FunctionalInterface
    public interface Source {
        PcapRecord next() throws IOException;
    }

    /** Where transmitted frames go. {@code linkType} is ETHERNET for layer-2 interfaces, RAW otherwise. */
    @FunctionalInterface
    public interface Sink {
        void transmitted(Interface out, long timestampNanos, int linkType, byte[] buf, int off, int len) throws IOException;

        /** A packet delivered to the host itself (raw IPv4). */
        default void delivered(long timestampNanos, byte[] buf, int off, int len) throws IOException {
        }
    }

    /** A frame fed in, for callers that want to see the inputs too (a capture shows both directions). */
    @FunctionalInterface
    public interface InputListener {
        void received(Interface in, PcapRecord record) throws IOException;
    }

    private record Input(Interface dev, Source source, int order) {}

    private record Pending(PcapRecord record, Input input, long seq) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(record.timestampNanos(), o.record.timestampNanos());
            if (c != 0) return c;
            c = Integer.compare(input.order, o.input.order);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Bytes of headroom left before each frame, for an Ethernet header the engine may write. */
    private static final int HEADROOM = 32;
    private static final long UNKNOWN_MAC = 0x020000000001L;

    private final NatEngine engine;
    private final List<Input> inputs = new ArrayList<>();
    private byte[] buf = new byte[HEADROOM + 65536 + EthernetFrame.HEADER_LENGTH];
    private long packetsIn;
    private long lastTimestamp;
    private long skipped;

    public Replay(NatEngine engine) {
        this.engine = engine;
    }

    /** Frames arriving on {@code dev}. */
    public Replay input(Interface dev, Source source) {
        inputs.add(new Input(dev, source, inputs.size()));
        return this;
    }

    private int localUid, localGid;

    /**
     * The owner of the sockets the host's own packets come from ({@code --local-uid}, {@code --local-gid}):
     * each TCP or UDP packet's four-tuple is a connected socket of theirs, so replies reach it.
     */
    public Replay localOwner(int uid, int gid) {
        this.localUid = uid;
        this.localGid = gid;
        return this;
    }

    /** Packets the host itself sends (they walk OUTPUT): {@code --in local=FILE}. */
    public Replay localInput(Source source) {
        inputs.add(new Input(null, source, inputs.size()));
        return this;
    }

    /** The timestamp of the last frame fed in (the engine's clock at the end). */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    public long packetsIn() {
        return packetsIn;
    }

    /** Records that could not be given to their interface (wrong link type, not IPv4). */
    public long skipped() {
        return skipped;
    }

    /** Runs all inputs to their end. */
    public void run(Sink sink) throws IOException {
        run(sink, null);
    }

    public void run(Sink sink, InputListener listener) throws IOException {
        PriorityQueue<Pending> queue = new PriorityQueue<>();
        long seq = 0;
        for (Input in : inputs) {
            PcapRecord r = in.source.next();
            if (r != null) queue.add(new Pending(r, in, seq++));
        }
        long[] now = new long[1];
        IOException[] failure = new IOException[1];
        Transmit tx = new Transmit() {
            @Override
            public void transmit(Interface out, byte[] b, int off, int len) {
                if (failure[0] != null) return;
                try {
                    sink.transmitted(out, now[0], out.hasMac() ? LinkType.ETHERNET : LinkType.RAW, b, off, len);
                } catch (IOException e) {
                    failure[0] = e;
                }
            }

            @Override
            public void deliver(byte[] b, int off, int len) {
                if (failure[0] != null) return;
                try {
                    sink.delivered(now[0], b, off, len);
                } catch (IOException e) {
                    failure[0] = e;
                }
            }
        };
        while (!queue.isEmpty()) {
            Pending p = queue.poll();
            PcapRecord r = p.record;
            now[0] = r.timestampNanos();
            lastTimestamp = now[0];
            if (listener != null) listener.received(p.input.dev, r);
            int off = adapt(p.input.dev, r);
            if (off < 0) {
                skipped++;
            } else {
                packetsIn++;
                if (p.input.dev == null) engine.sendFromSocket(buf, off, frameLength, now[0], tx, localUid, localGid);
                else engine.receive(p.input.dev, buf, off, frameLength, now[0], tx);
                engine.expire(now[0], 16);
            }
            if (failure[0] != null) throw failure[0];
            PcapRecord next = p.input.source.next();
            if (next != null) queue.add(new Pending(next, p.input, seq++));
        }
    }

    private int frameLength;

    /**
     * Copies the record into the buffer in the interface's link format (bare IPv4 for a layer-3
     * interface and for the host's own packets, {@code dev == null}); returns its offset, or -1.
     */
    private int adapt(Interface dev, PcapRecord r) {
        boolean l2 = dev != null && dev.hasMac();
        byte[] data = r.data();
        int caplen = r.capturedLength();
        int ipOff;
        switch (r.linkType()) {
            case LinkType.ETHERNET -> {
                if (l2) return copy(data, 0, caplen, 0);
                if (caplen < EthernetFrame.HEADER_LENGTH || Bytes.u16(data, EthernetFrame.OFF_ETHERTYPE) != EtherType.IPV4) return -1;
                ipOff = EthernetFrame.HEADER_LENGTH;
            }
            case LinkType.RAW, LinkType.IPV4 -> ipOff = 0;
            case LinkType.NULL -> {
                if (caplen < 4 || (data[0] != 2 && data[3] != 2)) return -1; // AF_INET in either byte order
                ipOff = 4;
            }
            default -> { return -1; }
        }
        if (caplen <= ipOff || (data[ipOff] & 0xf0) != 0x40) return -1;
        if (!l2) return copy(data, ipOff, caplen - ipOff, 0);
        int off = copy(data, ipOff, caplen - ipOff, EthernetFrame.HEADER_LENGTH);
        int src = caplen - ipOff >= Ipv4Packet.MIN_HEADER_LENGTH ? Bytes.i32(data, ipOff + Ipv4Packet.OFF_SRC) : 0;
        var neigh = engine.host().neighbour(dev, src);
        EthernetFrame.writeHeader(buf, off, dev.macBits(), neigh != null ? neigh.mac() : UNKNOWN_MAC, EtherType.IPV4);
        return off;
    }

    private int copy(byte[] data, int from, int len, int header) {
        if (buf.length < HEADROOM + header + len) buf = new byte[HEADROOM + header + len];
        System.arraycopy(data, from, buf, HEADROOM + header, len);
        frameLength = header + len;
        return HEADROOM;
    }
}
