package jnat.cli;

import jnat.pcap.PcapWriter;
import jnat.rules.NflogTarget;
import jnat.rules.PacketContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What -j NFLOG logs, one capture file per group: DIR/nflog-GROUP.pcap in LINKTYPE_NFLOG (239),
 * the records `tcpdump -i nflog:GROUP -w` writes: the nflog header (family, version 0, the group
 * as resource id), then the TLVs in __build_packet_message's order: NFULA_PACKET_HDR (ethertype and
 * hook), NFULA_PREFIX (with its NUL, "" without one, as nft's log expression has it), NFULA_IFINDEX_INDEV/OUTDEV (the
 * devices the hook has), NFULA_MARK (when the mark is set) and NFULA_PAYLOAD (the packet from its network
 * header, cut to --nflog-size), with a received packet's NFULA_HWADDR, HWTYPE, HWLEN, HWHEADER (the
 * link header it came with) and, up to FORWARD, NFULA_TIMESTAMP (the engine's clock). Not written,
 * as jnat does not model them: a local socket's uid and gid, the sequence numbers, the connection. TLV lengths and types are little-endian,
 * as the capturing x86 host writes them; each value is padded to 4 bytes.
 */
public final class NflogPcap implements NflogTarget.Listener, AutoCloseable {
    /** LINKTYPE_NFLOG. */
    public static final int LINKTYPE_NFLOG = 239;
    private static final int NFULA_PACKET_HDR = 1, NFULA_MARK = 2, NFULA_TIMESTAMP = 3, NFULA_IFINDEX_INDEV = 4,
            NFULA_IFINDEX_OUTDEV = 5, NFULA_HWADDR = 8, NFULA_PAYLOAD = 9, NFULA_PREFIX = 10, NFULA_HWTYPE = 15,
            NFULA_HWHEADER = 16, NFULA_HWLEN = 17;
    private final byte[] mac = new byte[64];

    private final Path dir;
    private final Map<Integer, PcapWriter> writers = new TreeMap<>();
    private final byte[] record = new byte[0x10000 + 256];

    public NflogPcap(Path dir) {
        this.dir = dir;
    }

    @Override
    public void logged(int group, String prefix, PacketContext ctx, byte[] packet, int length, int originalLength) {
        boolean ipv6 = ctx.ipv6();
        int n = 0;
        record[n++] = (byte) (ipv6 ? 10 : 2); // AF_INET6, AF_INET
        record[n++] = 0;
        record[n++] = (byte) (group >>> 8);
        record[n++] = (byte) group;
        n = tlv(n, NFULA_PACKET_HDR, 4);
        record[n++] = (byte) (ipv6 ? 0x86 : 0x08); // hw_protocol, big-endian
        record[n++] = (byte) (ipv6 ? 0xdd : 0x00);
        record[n++] = (byte) ctx.hookNumber();
        record[n++] = 0; // pad
        // nft's log expression always has a prefix, "" when none was given
        byte[] p = prefix.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        n = tlv(n, NFULA_PREFIX, p.length + 1);
        System.arraycopy(p, 0, record, n, p.length);
        n += p.length;
        record[n++] = 0;
        n = pad(n);
        if (ctx.inIfindex() != 0) n = be32(tlv(n, NFULA_IFINDEX_INDEV, 4), ctx.inIfindex());
        if (ctx.outIfindex() != 0) n = be32(tlv(n, NFULA_IFINDEX_OUTDEV, 4), ctx.outIfindex());
        if (ctx.mark() != 0) n = be32(tlv(n, NFULA_MARK, 4), ctx.mark());
        int macLen = ctx.inIfindex() != 0 ? ctx.macHeader(mac) : -1;
        if (macLen >= 14) {
            // NFULA_HWADDR: struct nfulnl_msg_packet_hw (hw_addrlen, pad, the source address in 8 bytes)
            n = tlv(n, NFULA_HWADDR, 12);
            record[n++] = 0;
            record[n++] = 6;
            record[n++] = 0;
            record[n++] = 0;
            System.arraycopy(mac, 6, record, n, 6);
            record[n + 6] = 0;
            record[n + 7] = 0;
            n += 8;
        }
        if (macLen >= 0) {
            n = be16(tlv(n, NFULA_HWTYPE, 2), ctx.inDeviceType());
            n = be16(tlv(n, NFULA_HWLEN, 2), macLen);
            n = tlv(n, NFULA_HWHEADER, macLen);
            System.arraycopy(mac, 0, record, n, macLen);
            n = pad(n + macLen);
        }
        if (ctx.hookNumber() <= 2) { // NF_INET_FORWARD and before: the receive time (NFULA_TIMESTAMP, sec and usec)
            long ts = ctx.now();
            n = be32(be32(tlv(n, NFULA_TIMESTAMP, 16), (int) (Math.floorDiv(ts, 1_000_000_000L) >>> 32)),
                    (int) Math.floorDiv(ts, 1_000_000_000L));
            n = be32(be32(n, 0), (int) (Math.floorMod(ts, 1_000_000_000L) / 1000));
        }
        n = tlv(n, NFULA_PAYLOAD, length);
        System.arraycopy(packet, 0, record, n, length);
        n = pad(n + length);
        try {
            PcapWriter w = writers.get(group);
            if (w == null) {
                w = PcapWriter.create(dir.resolve("nflog-" + group + ".pcap"), LINKTYPE_NFLOG);
                writers.put(group, w);
            }
            w.write(ctx.now(), record, 0, n); // the record is the netlink message: its length is the wire length
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int tlv(int n, int type, int valueLength) {
        int len = 4 + valueLength;
        record[n] = (byte) len;
        record[n + 1] = (byte) (len >>> 8);
        record[n + 2] = (byte) type;
        record[n + 3] = (byte) (type >>> 8);
        return n + 4;
    }

    private int be16(int n, int v) {
        record[n] = (byte) (v >>> 8);
        record[n + 1] = (byte) v;
        return pad(n + 2);
    }

    private int be32(int n, int v) {
        record[n] = (byte) (v >>> 24);
        record[n + 1] = (byte) (v >>> 16);
        record[n + 2] = (byte) (v >>> 8);
        record[n + 3] = (byte) v;
        return n + 4;
    }

    private int pad(int n) {
        while ((n & 3) != 0) record[n++] = 0;
        return n;
    }

    /** The groups that logged something, each with its file. */
    public java.util.Set<Integer> groups() {
        return writers.keySet();
    }

    @Override
    public void close() throws IOException {
        for (PcapWriter w : writers.values()) w.close();
    }
}
