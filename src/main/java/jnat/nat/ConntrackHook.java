package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Tuple;
import jnat.host.Interface;
import jnat.rules.Hook;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import jnat.wire.EtherType;
import jnat.wire.EthernetFrame;
import jnat.wire.IcmpPacket;
import jnat.wire.IpProtocol;
import jnat.wire.Icmpv6Packet;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
import jnat.wire.Offload;
import jnat.wire.TcpSegment;
import jnat.wire.UdpDatagram;
import jnat.wire.WireError;

/**
 * Conntrack at its hooks (nf_conntrack_proto.c's ipv4/ipv6_conntrack_in/local, ipv4/ipv6_confirm):
 * nf_conntrack_in on what the packet's views say, and nf_conntrack_confirm where it leaves.
 * Conntrack itself never parses bytes; each family's half here fills its {@link CtPacket} (the
 * tuple, with the protocols' *_error checks first).
 */
final class ConntrackHook {
    private final ConnTable table;
    private final Conntrack conntrack;
    private final boolean checksum;
    private final NetStats stats;
    private final Trace trace;

    ConntrackHook(ConnTable table, Conntrack conntrack, boolean checksum, NetStats stats, Trace trace) {
        this.table = table;
        this.conntrack = conntrack;
        this.checksum = checksum;
        this.stats = stats;
        this.trace = trace;
    }

    /**
     * nf_conntrack_in: a packet that already has its connection (the host's own error, attached
     * to the connection it is about; a packet back in through lo) or is NOTRACKed is left alone.
     * A packet that fails the protocol's checks passes untracked (INVALID, not NATed). L4
     * checksums are verified at PREROUTING only, and only of CHECKSUM_NONE packets
     * (nf_conntrack_checksum, nf_ip_checksum). Returns false when the packet was dropped (table full).
     */
    boolean in(PacketState p, Hook hook) {
        if (!p.tracked() && !p.untracked) {
            boolean verify = checksum && hook == Hook.PREROUTING && p.offload.ipSummed == Offload.CHECKSUM_NONE;
            if (!(p.ipv6 ? ipv6Tuple(p, verify) : ipv4Tuple(p, verify))) {
                untracked(p);
            } else {
                p.ct.synproxyTemplate = p.synproxyTemplate;
                int z = p.ctZone; // nf_ct_zone_tmpl: "--zone mark" takes the mark as it is now
                p.ct.zone = (z & PacketState.ZONE_FROM_MARK) != 0 ? jnat.conntrack.NfConntrackZones.pack(p.mark, z >>> 16 & 3) : z;
                int verdict = conntrack.in(p.ct, p.now);
                if (verdict == Conntrack.DROP) {
                    stats.drop(p, DropReason.CONNTRACK_FULL);
                    return false;
                }
                if (verdict == Conntrack.INVALID) stats.invalid(p);
                if (verdict == Conntrack.UNTRACKED) p.untracked = true; // MLD and NDP: as after NOTRACK
            }
        }
        if (trace.on()) trace.conntrack(p, hook);
        return true;
    }

    /** The lane's check found the next packet's connection at {@code ref} ({@link Conntrack#hint}). */
    void hint(int ref) {
        conntrack.hint(ref);
    }

    /**
     * A batch's lookups started together (jnat's, as VPP prefetches a vector's buckets; the
     * kernel looks up one skb at a time): each frame's tuple is read from its bytes as
     * ipv4_pkt_to_tuple and ipv6_pkt_to_tuple would read it, without their checks (TCP, UDP and
     * ICMP echo over IPv4, TCP and UDP right after an IPv6 header), and hashed; then the table
     * reads every hash's slot in a loop that does nothing else, and in a second pass every row a
     * slot points to, so the batch's cache misses are in flight together. Nothing changes: the
     * packets run one by one after it, and a frame the real lookup would refuse (or never make)
     * costs a wasted load.
     */
    void touch(PacketBatch b) {
        int n = b.size;
        long[] hash = b.hash;
        for (int i = 0; i < n; i++) frameKey(b.in[i], b.buf[i], b.off[i], b.len[i], b, i); // the frames are in cache
        table.touch().slots(hash, n);
        if (table.touch().rows(hash, n, b.found, b.rowAt) == n) return;
        // A frame whose tuple is not in the table opens a connection: nf_nat_used_tuple will look up
        // its reply tuple (the null binding's, and SNAT's when the source is kept), so that slot too.
        // With a source NAT seen, also the slot of the reply tuple that keeps the port on the last
        // address a source manipulation of the family chose (the SNAT guess of NatCore#lastSource).
        long[] inverse = b.inverse;
        int guess4 = nat == null ? 0 : nat.lastSource(), guess6 = nat == null ? 0 : nat.lastSource6();
        for (int i = 0; i < n; i++) {
            boolean found = b.found[i];
            long addrs = b.addrs[i], l4 = b.l4[i];
            int guess = (l4 & (long) Tuple.L4_IPV6 << 32) == 0 ? guess4 : guess6;
            inverse[2 * i] = found ? 0 : inverseHash(addrs, l4);
            inverse[2 * i + 1] = found || guess == 0 ? 0 : snatGuessHash(addrs, l4, guess);
        }
        table.touch().slots(inverse, 2 * n);
        touchNatWalks(b);
        // and, for a source NAT, find_appropriate_src's slot in the by-source index
        if (bySource == null) return;
        for (int i = 0; i < n; i++) {
            long l4 = b.l4[i];
            inverse[i] = b.found[i] || l4 == 0 ? 0 : bySourceHash(b.addrs[i], l4);
        }
        touchedBySource += bySource.touch(inverse, n);
    }

    /** The by-source hash (NfNatBySource.hash) of a tuple key's source: its protocol and family, address (or fold) and port or ICMP id. */
    static long bySourceHash(long addrs, long l4) {
        return NfNatBySource.hash((int) (l4 >>> 32), (int) (addrs >>> 32), (int) (l4 >>> 16));
    }

    /** NAT's by-source index, touched with the batch's new connections (null: not touched). */
    private NfNatBySource bySource;
    /** What the by-source touches read, kept so that the JIT cannot drop their loads. */
    private long touchedBySource;

    void touchBySource(NfNatBySource index) {
        this.bySource = index;
    }

    /** The nat hook whose iptables table a batch's new IPv4 connections walk (null: not touched), and this engine's lane. */
    private NatHook natHook;
    private int cpu;

    void touchRules(NatHook hook, int cpu) {
        this.natHook = hook;
        this.cpu = cpu;
    }

    /**
     * A new IPv4 TCP or UDP connection's nat walk from PREROUTING looks its destination up in any
     * indexed run of rules (kube-proxy's KUBE-SERVICES) and jumps to the chain it finds: those reads
     * started for the whole batch ({@link jnat.rules.Table#touchIndexedRuns}).
     */
    private void touchNatWalks(PacketBatch b) {
        jnat.rules.Table t = natHook == null ? null : natHook.nat();
        if (t == null) return;
        int n = b.size;
        long[] keys = b.inverse;
        boolean any = false;
        for (int i = 0; i < n; i++) {
            long l4 = b.l4[i];
            int proto = (int) (l4 >>> 32);
            boolean walks = !b.found[i] && (proto == IpProtocol.TCP || proto == IpProtocol.UDP); // IPv4 only: L4_IPV6 sits above the protocol
            keys[i] = walks ? jnat.rules.Table.indexKey((int) b.addrs[i], proto, (int) l4 & 0xffff) : 0;
            any |= walks;
        }
        if (any) t.touchIndexedRuns(keys, n, b.rowAt, cpu);
    }

    /** NAT's core, whose last source manipulation the touch guesses again (null: no guess). */
    private NatCore nat;

    void touchNat(NatCore core) {
        this.nat = core;
    }

    /** The hash of the reply tuple of an untranslated TCP or UDP tuple key (0 for others: ICMP's reply changes its type). */
    long inverseHash(long addrs, long l4) {
        int proto = (int) (l4 >>> 32) & 0xff;
        if (proto != IpProtocol.TCP && proto != IpProtocol.UDP) return 0;
        long ports = l4 & 0xffffffffL;
        return table.touch().hash(Long.rotateLeft(addrs, 32), (l4 & ~0xffffffffL) | (ports >>> 16 | (ports & 0xffff) << 16));
    }

    /**
     * The hash of the reply tuple of a TCP or UDP tuple key whose source address becomes {@code
     * source} (an IPv6 one folded, as the key holds its addresses), its port kept (0 for others):
     * the slot nf_nat_used_tuple probes when a source NAT to that address keeps the port.
     */
    long snatGuessHash(long addrs, long l4, int source) {
        return inverseHash(addrs & 0xffffffffL | (long) source << 32, l4);
    }

    /**
     * Frame {@code i} of the batch's tuple key as it came in on {@code in} (Ethernet on a device with a
     * MAC), packed as {@link Tuple#addrs()} and {@link Tuple#l4()} pack it, and its conntrack hash, into
     * {@code b.addrs}, {@code b.l4} and {@code b.hash}; a hash of 0 (and l4 0) when the frame is none
     * of those the touch reads.
     */
    void frameKey(Interface in, byte[] buf, int off, int len, PacketBatch b, int i) {
        b.l4[i] = 0;
        b.hash[i] = 0;
        long addrs = 0, l4 = frameL4(in, buf, off, len);
        if (l4 == 0) return;
        int ip = off + (in.hasMac() ? EthernetFrame.HEADER_LENGTH : 0);
        if ((l4 & (long) Tuple.L4_IPV6 << 32) == 0) {
            addrs = (long) Bytes.i32(buf, ip + Ipv4Packet.OFF_SRC) << 32 | (Bytes.i32(buf, ip + Ipv4Packet.OFF_DST) & 0xffffffffL);
        } else {
            int src = Tuple.fold(Ipv6Address.readHi(buf, ip + Ipv6Packet.OFF_SRC), Ipv6Address.readLo(buf, ip + Ipv6Packet.OFF_SRC));
            int dst = Tuple.fold(Ipv6Address.readHi(buf, ip + Ipv6Packet.OFF_DST), Ipv6Address.readLo(buf, ip + Ipv6Packet.OFF_DST));
            addrs = (long) src << 32 | (dst & 0xffffffffL);
        }
        b.addrs[i] = addrs;
        b.l4[i] = l4;
        b.hash[i] = table.touch().hash(addrs, l4);
    }

    /** The l4 half of a frame's tuple key ({@link #frameKey}), or 0 when the touch does not read the frame. */
    private static long frameL4(Interface in, byte[] buf, int off, int len) {
        int ip = off, end = off + len;
        if (off < 0 || end > buf.length) return 0;
        int version;
        if (in.hasMac()) {
            if (len < EthernetFrame.HEADER_LENGTH + 1) return 0;
            int type = Bytes.u16(buf, off + EthernetFrame.OFF_ETHERTYPE);
            ip += EthernetFrame.HEADER_LENGTH;
            version = type == EtherType.IPV4 ? 4 : type == EtherType.IPV6 ? 6 : 0;
        } else {
            if (len < 1) return 0;
            version = (buf[off] & 0xf0) >>> 4;
        }
        if (version == 4) {
            if (end - ip < Ipv4Packet.MIN_HEADER_LENGTH || (buf[ip] & 0xf0) != 0x40) return 0;
            if ((Bytes.u16(buf, ip + Ipv4Packet.OFF_FRAG) & (Ipv4Packet.FLAG_MF | Ipv4Packet.FRAG_OFFSET_MASK)) != 0) return 0;
            int l4 = ip + (buf[ip] & 0x0f) * 4;
            if (end - l4 < 8) return 0;
            int proto = buf[ip + Ipv4Packet.OFF_PROTOCOL] & 0xff;
            long ports;
            switch (proto) {
                case IpProtocol.TCP, IpProtocol.UDP -> ports = Bytes.i32(buf, l4) & 0xffffffffL; // source << 16 | destination
                case IpProtocol.ICMP -> {
                    int type = buf[l4] & 0xff;
                    if (Tuple.isIcmpError(type)) return 0;
                    ports = (long) Bytes.u16(buf, l4 + IcmpPacket.OFF_ECHO_ID) << 16 | Bytes.u16(buf, l4); // id, type and code
                }
                default -> { return 0; }
            }
            return (long) proto << 32 | ports;
        }
        if (version == 6) {
            int l4 = ip + Ipv6Packet.HEADER_LENGTH;
            if (end - l4 < 4 || (buf[ip] & 0xf0) != 0x60) return 0;
            int proto = buf[ip + Ipv6Packet.OFF_NEXT_HEADER] & 0xff;
            if (proto != IpProtocol.TCP && proto != IpProtocol.UDP) return 0;
            return (long) (proto | Tuple.L4_IPV6) << 32 | (Bytes.i32(buf, l4) & 0xffffffffL);
        }
        return 0;
    }

    /**
     * nf_conntrack_confirm: a new connection enters the table as its first packet leaves, and the
     * events the packet caused are delivered (conntrack -E). A
     * packet in the reply direction of its connection (the host's error about a new one) confirms
     * nothing; a clash drops the packet, counted as exhaustion when NAT found no free tuple.
     */
    boolean confirm(PacketState p, jnat.host.Interface dev) {
        int id = p.ct.id;
        if (id >= 0) {
            int st = table.status(id); // one read for both checks
            // nf_confirm: a connection with IPS_SEQ_ADJUST (SYNPROXY's) has its sequence numbers shifted first
            if ((st & jnat.conntrack.Status.SEQ_ADJUST) != 0 && !p.untracked && (dev == null || !dev.isLoopback())
                    && p.ct.ctinfo != Conntrack.IP_CT_RELATED_REPLY && !SeqAdjust.adjust(p, table, id, p.ct.dir)) {
                stats.drop(p, DropReason.SEQADJ_DROP);
                return false;
            }
            if ((st & jnat.conntrack.Status.CONFIRMED) == 0 && p.ct.dir == ConnTable.ORIGINAL && !table.confirm(id, p.now)) {
                p.ct.id = -1;
                stats.drop(p, p.natExhausted ? DropReason.NAT_NO_FREE_TUPLE : DropReason.CONNTRACK_CLASH);
                return false;
            }
        }
        conntrack.deliver(p.ct); // nf_ct_deliver_cached_events
        return true;
    }

    /**
     * ipv4_pkt_to_tuple and the protocols' pkt_to_tuple, after tcp_error, udp_error and
     * icmp_error's checks (truncated headers, bad lengths, checksums when {@code verify}).
     * False when the packet fails them.
     */
    private static boolean ipv4Tuple(PacketState p, boolean verify) {
        Ipv4Packet ip = p.ip;
        CtPacket ct = p.ct.reset();
        ct.ipLength = ip.totalLength();
        byte[] buf = ip.buffer();
        int l4 = ip.payloadOffset(), l4len = ip.payloadLength();
        int proto = ip.protocol();
        switch (proto) {
            case IpProtocol.TCP -> {
                TcpSegment tcp = p.tcp;
                if (tcp.wrap(buf, l4, l4len) != WireError.OK || verify && !tcp.verifyChecksum(ip.src(), ip.dst())) {
                    return false;
                }
                ct.tuple.set(proto, ip.src(), ip.dst(), tcp.srcPort(), tcp.dstPort());
                tcpFields(ct, tcp);
            }
            case IpProtocol.UDP -> {
                UdpDatagram udp = p.udp;
                if (udp.wrap(buf, l4, l4len) != WireError.OK
                        || verify && udp.hasChecksum() && !udp.verifyChecksum(ip.src(), ip.dst())) {
                    return false;
                }
                ct.tuple.set(proto, ip.src(), ip.dst(), udp.srcPort(), udp.dstPort());
            }
            case IpProtocol.ICMP -> {
                if (l4len < IcmpPacket.HEADER_LENGTH || verify && !Checksum.verify(buf, l4, l4len)) return false;
                int type = ip.icmpType();
                ct.tuple.setIcmp(ip.src(), ip.dst(), Bytes.u16(buf, l4 + IcmpPacket.OFF_ECHO_ID), type, ip.icmpCode());
                if (Tuple.isIcmpError(type) && !quotedTuple(p.inner, buf, l4 + IcmpPacket.HEADER_LENGTH,
                        l4len - IcmpPacket.HEADER_LENGTH, ct.quoted)) {
                    return false;
                }
            }
            default -> ct.tuple.set(proto, ip.src(), ip.dst(), 0, 0);
        }
        return true;
    }

    /** What tcp_in_window reads of a segment: flags, sequence numbers, window, options. */
    private static void tcpFields(CtPacket ct, TcpSegment tcp) {
        ct.tcp(tcp.flags(), tcp.seq(), tcp.ack(), tcp.window(), tcp.payloadLength());
        ct.headerLength = tcp.headerLength();
        if (tcp.headerLength() > TcpSegment.MIN_HEADER_LENGTH) {
            ct.wscale = tcp.windowScale();
            ct.sackPerm = tcp.sackPermitted();
            int n = Math.min(tcp.sackBlockCount(), ct.sackRight.length);
            for (int i = 0; i < n; i++) ct.sackRight[i] = tcp.sackRight(i);
            ct.sackCount = n;
        }
    }

    /**
     * ipv6_pkt_to_tuple after ipv6_skip_exthdr (the view walked the chain at wrap), with tcp_error,
     * udp_error and icmpv6_error's checks; a chain that cannot be walked is INVALID
     * (get_l4proto). A UDP checksum of 0 is not verified, as udp_error leaves it in both families.
     */
    private static boolean ipv6Tuple(PacketState p, boolean verify) {
        Ipv6Packet ip = p.ip6;
        CtPacket ct = p.ct.reset();
        ct.ipLength = ip.length();
        // get_l4proto: a fragment that is not the first (one nf_defrag_ipv6 let pass) has no tuple
        if (ip.extHeaderError() != WireError.OK || ip.fragmentOffset() != 0) return false;
        byte[] buf = ip.buffer();
        int l4 = ip.upperOffset(), l4len = ip.upperLength();
        int proto = ip.upperProtocol();
        long sh = ip.srcHi(), sl = ip.srcLo(), dh = ip.dstHi(), dl = ip.dstLo();
        switch (proto) {
            case IpProtocol.TCP -> {
                TcpSegment tcp = p.tcp;
                if (tcp.wrap(buf, l4, l4len) != WireError.OK || verify && !ip.verifyTransportChecksum()) return false;
                ct.tuple.set6(proto, sh, sl, dh, dl, tcp.srcPort(), tcp.dstPort());
                tcpFields(ct, tcp);
            }
            case IpProtocol.UDP -> {
                UdpDatagram udp = p.udp;
                if (udp.wrap(buf, l4, l4len) != WireError.OK
                        || verify && udp.hasChecksum() && !ip.verifyTransportChecksum()) {
                    return false;
                }
                ct.tuple.set6(proto, sh, sl, dh, dl, udp.srcPort(), udp.dstPort());
            }
            case IpProtocol.ICMPV6 -> {
                if (l4len < Icmpv6Packet.HEADER_LENGTH || verify && !ip.verifyTransportChecksum()) return false;
                int type = ip.icmpType();
                ct.tuple.setIcmp6(sh, sl, dh, dl, Bytes.u16(buf, l4 + Icmpv6Packet.OFF_ECHO_ID), type, ip.icmpCode());
                if (Tuple.isIcmpv6Error(type) && !quotedTuple6(p.inner6, buf, l4 + Icmpv6Packet.HEADER_LENGTH,
                        l4len - Icmpv6Packet.HEADER_LENGTH, ct.quoted)) {
                    return false;
                }
            }
            default -> ct.tuple.set6(proto, sh, sl, dh, dl, 0, 0);
        }
        return true;
    }

    /** nf_ct_get_tuplepr on the datagram an ICMPv6 error quotes: its header, the chain, 8 bytes of L4. */
    private static boolean quotedTuple6(Ipv6Packet q, byte[] buf, int off, int len, Tuple out) {
        if (q.wrapQuoted(buf, off, len) != WireError.OK || q.extHeaderError() != WireError.OK) return false;
        int l4 = q.upperOffset(), l4len = q.upperLength();
        int proto = q.upperProtocol();
        long sh = q.srcHi(), sl = q.srcLo(), dh = q.dstHi(), dl = q.dstLo();
        switch (proto) {
            case IpProtocol.TCP, IpProtocol.UDP -> {
                if (l4len < 8) return false;
                out.set6(proto, sh, sl, dh, dl, Bytes.u16(buf, l4), Bytes.u16(buf, l4 + 2));
            }
            case IpProtocol.ICMPV6 -> {
                if (l4len < Icmpv6Packet.HEADER_LENGTH) return false;
                out.setIcmp6(sh, sl, dh, dl, Bytes.u16(buf, l4 + Icmpv6Packet.OFF_ECHO_ID), buf[l4] & 0xff, buf[l4 + 1] & 0xff);
            }
            default -> out.set6(proto, sh, sl, dh, dl, 0, 0);
        }
        return true;
    }

    /** nf_ct_get_tuplepr on the datagram an ICMP error quotes: its header and 8 bytes of L4. */
    private static boolean quotedTuple(Ipv4Packet q, byte[] buf, int off, int len, Tuple out) {
        if (q.wrapQuoted(buf, off, len) != WireError.OK) return false;
        int l4 = q.payloadOffset(), l4len = q.payloadLength();
        int proto = q.protocol();
        switch (proto) {
            case IpProtocol.TCP, IpProtocol.UDP -> {
                if (l4len < 8) return false;
                out.set(proto, q.src(), q.dst(), Bytes.u16(buf, l4), Bytes.u16(buf, l4 + 2));
            }
            case IpProtocol.ICMP -> {
                if (l4len < IcmpPacket.HEADER_LENGTH) return false;
                out.setIcmp(q.src(), q.dst(), Bytes.u16(buf, l4 + IcmpPacket.OFF_ECHO_ID), buf[l4] & 0xff, buf[l4 + 1] & 0xff);
            }
            default -> out.set(proto, q.src(), q.dst(), 0, 0);
        }
        return true;
    }

    /**
     * A packet conntrack cannot track: INVALID, passed on without a connection; conntrack -S counts
     * it as error when icmp_error or icmpv6_error refused it, else as invalid.
     */
    private void untracked(PacketState p) {
        stats.invalid(p);
        conntrack.stat().untracked(p.ipv6
                ? p.ip6.extHeaderError() == WireError.OK && p.ip6.upperProtocol() == IpProtocol.ICMPV6
                : p.ip.protocol() == IpProtocol.ICMP);
        p.ct.id = -1;
        p.ct.ctinfo = Conntrack.INVALID;
    }
}
