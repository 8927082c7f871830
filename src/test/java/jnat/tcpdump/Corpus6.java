package jnat.tcpdump;

import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Repr;
import jnat.wire.Ipv6Repr.ExtHeader;
import jnat.wire.NdiscOptions;
import jnat.wire.TcpRepr;
import jnat.wire.UdpRepr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static jnat.tcpdump.Frames.*;

/**
 * A seeded, reproducible corpus of IPv6 Ethernet frames: what the project forwards and users capture.
 * TCP (every flag, options, data, traffic classes and flow labels), UDP (zero and bad checksums, broken
 * lengths, DNS and mDNS), ICMPv6 echo and errors quoting IPv6 datagrams (whole and cut short), neighbour
 * and router discovery with their options, MLD v1 and v2, extension headers (hop-by-hop, routing types
 * 0/2/4, destination options, fragments, AH, ESP, chains that run past the packet or repeat), tunnels,
 * and broken IPv6 headers; then copies cut short as a small snapshot length would. Well-formed packets
 * are laid out with jnat.wire's Reprs, broken ones byte by byte with {@link Frames}.
 */
final class Corpus6 {
    static final byte[] MAC_A = Corpus.MAC_A;
    static final byte[] MAC_B = Corpus.MAC_B;
    static final String A = "2001:db8::2";
    static final String B = "2001:db8:0:1::53";
    static final String LL_A = "fe80::42:acff:fe11:2";
    static final String LL_B = "fe80::42:d5ff:fe35:3a3c";
    /** UDP ports tcpdump prints as plain "UDP, length N" (none of DHCPv6, RIPng, ...). */
    static final int[] PLAIN_UDP_PORTS = Corpus.PLAIN_UDP_PORTS;

    private final Random rnd;
    final List<Corpus.Packet> packets = new ArrayList<>();

    Corpus6(long seed) {
        rnd = new Random(seed);
    }

    static Corpus6 generate(long seed) {
        Corpus6 c = new Corpus6(seed);
        c.tcpConnections();
        c.tcpEveryFlagCombination();
        c.tcpOptions();
        c.tcpBroken();
        c.udpDatagrams();
        c.dns();
        c.echo();
        c.icmpErrors();
        c.neighbourDiscovery();
        c.routerDiscovery();
        c.mld();
        c.hopByHop();
        c.routingHeaders();
        c.destinationOptions();
        c.fragments();
        c.ipsec();
        c.tunnels();
        c.mobility();
        c.brokenIp6();
        c.mutations();
        c.snaplenCuts();
        return c;
    }

    void write(Path file) throws IOException {
        Corpus.write(file, packets, rnd, 1_700_100_000_000_000_000L);
    }

    // ------------------------------------------------------------------ helpers

    /** An IPv6 packet in an Ethernet frame, to the destination's multicast MAC where it is multicast. */
    private void add(byte[] ip6Packet) {
        byte[] dstMac = (ip6Packet.length >= 40 && (ip6Packet[24] & 0xff) == 0xff)
                ? bytes(0x33, 0x33, ip6Packet[36], ip6Packet[37], ip6Packet[38], ip6Packet[39]) : MAC_B;
        packets.add(new Corpus.Packet(ethernet(dstMac, MAC_A, 0x86dd, ip6Packet)));
    }

    private byte[] payload(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private String host() {
        return switch (rnd.nextInt(5)) {
            case 0 -> "2001:db8::" + Integer.toHexString(2 + rnd.nextInt(200));
            case 1 -> "2001:db8:" + Integer.toHexString(rnd.nextInt(65536)) + ":" + Integer.toHexString(rnd.nextInt(65536))
                    + "::" + Integer.toHexString(1 + rnd.nextInt(65535));
            case 2 -> "fd49:efd7:54aa::" + Integer.toHexString(2 + rnd.nextInt(30));
            case 3 -> "2001:db8:0:" + Integer.toHexString(rnd.nextInt(65536)) + ":0:" + Integer.toHexString(rnd.nextInt(65536))
                    + ":" + Integer.toHexString(rnd.nextInt(65536)) + ":1";
            default -> "fe80::" + Integer.toHexString(rnd.nextInt(65536)) + ":" + Integer.toHexString(rnd.nextInt(65536))
                    + ":fe" + Integer.toHexString(rnd.nextInt(256)) + ":" + Integer.toHexString(rnd.nextInt(65536));
        };
    }

    private Ip6 ip6(String src, String dst, int nh) {
        Ip6 ip = new Ip6(src, dst, nh);
        if (rnd.nextInt(3) == 0) ip.trafficClass = new int[] {0x10, 0xb8, 0x02, 0x01, 0x03, 0x28}[rnd.nextInt(6)];
        if (rnd.nextInt(3) > 0) ip.flowLabel = rnd.nextInt(1 << 20);
        ip.hopLimit = new int[] {64, 64, 255, 1, 63, 128}[rnd.nextInt(6)];
        return ip;
    }

    private static long hi(String a) {
        return Ipv6Address.readHi(Ipv6Address.parse(a), 0);
    }

    private static long lo(String a) {
        return Ipv6Address.readLo(Ipv6Address.parse(a), 0);
    }

    private static long macLong(byte[] m) {
        long v = 0;
        for (byte b : m) v = (v << 8) | (b & 0xff);
        return v;
    }

    private static Ipv6Repr repr(String src, String dst) {
        return Ipv6Repr.of(src, dst);
    }

    private static byte[] cat(byte[]... parts) {
        return concat(parts);
    }

    // ------------------------------------------------------------------ TCP

    void tcpConnections() {
        for (int c = 0; c < 6; c++) {
            String client = host();
            String server = host();
            int cport = c == 5 ? 8000 : 1024 + rnd.nextInt(60000);
            int sport = c == 5 ? 8000 : new int[] {8000, 443, 3306, 9000, 10000}[rnd.nextInt(5)];
            long cseq = rnd.nextLong() & 0xffffffffL;
            long sseq = rnd.nextLong() & 0xffffffffL;
            int flow = rnd.nextInt(1 << 20);
            Ipv6Repr c2s = repr(client, server).withFlowLabel(flow).withTrafficClass(c == 2 ? 0xb8 : 0);
            Ipv6Repr s2c = repr(server, client).withFlowLabel(rnd.nextInt(1 << 20));
            TcpRepr syn = TcpRepr.of(cport, sport).withSeq((int) cseq).withFlags(0x02).withLinuxSynOptions(rnd.nextInt());
            add(c2s.packet(syn));
            TcpRepr synack = TcpRepr.of(sport, cport).withSeq((int) sseq).withAck((int) (cseq + 1)).withFlags(0x12)
                    .withMss(1440).withSackPermitted(true).withWindowScale(7);
            add(s2c.packet(synack));
            long cs = 1, sc = 1;
            add(c2s.packet(TcpRepr.of(cport, sport).withSeq((int) (cseq + cs)).withAck((int) (sseq + sc)).withFlags(0x10)));
            for (int i = 0; i < 3 + rnd.nextInt(4); i++) {
                boolean fromClient = rnd.nextBoolean();
                int n = new int[] {0, 1, 100, 517, 1220}[rnd.nextInt(5)];
                TcpRepr t = fromClient
                        ? TcpRepr.of(cport, sport).withSeq((int) (cseq + cs)).withAck((int) (sseq + sc))
                        : TcpRepr.of(sport, cport).withSeq((int) (sseq + sc)).withAck((int) (cseq + cs));
                t = t.withFlags(0x18).withWindow(rnd.nextInt(65536)).withPayload(payload(n));
                if (rnd.nextBoolean()) t = t.withTimestamps(rnd.nextInt(), rnd.nextInt());
                if (rnd.nextInt(4) == 0) {
                    long base = fromClient ? sseq : cseq;
                    t = t.withSackBlocks(List.of(new TcpRepr.SackBlock((int) (base + 1000), (int) (base + 2000))));
                }
                add((fromClient ? c2s : s2c).packet(t));
                if (fromClient) cs += n;
                else sc += n;
            }
            add(c2s.packet(TcpRepr.of(cport, sport).withSeq((int) (cseq + cs)).withAck((int) (sseq + sc)).withFlags(0x11)));
            add(s2c.packet(TcpRepr.of(sport, cport).withSeq((int) (sseq + sc)).withAck((int) (cseq + cs + 1)).withFlags(0x11)));
            add(c2s.packet(TcpRepr.of(cport, sport).withSeq((int) (cseq + cs + 1)).withAck((int) (sseq + sc + 1)).withFlags(0x10)));
            if (c == 3) {
                // A reset carrying data, which -v prints as [RST ...].
                add(c2s.packet(TcpRepr.of(cport, sport).withSeq((int) (cseq + cs + 1)).withFlags(0x04)
                        .withPayload("connection reset by jnat\r\n".getBytes())));
            }
        }
        // HTTP and DNS over TCP over IPv6.
        Ipv6Repr web = repr(A, B).withFlowLabel(0x12345);
        add(web.packet(TcpRepr.of(40080, 80).withSeq(1).withAck(1).withFlags(0x18)
                .withPayload("GET / HTTP/1.1\r\nHost: [2001:db8:0:1::53]\r\n\r\n".getBytes())));
        byte[] q = cat(bytes(0, 29, 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0), dnsName("example.com"), bytes(0, 28, 0, 1));
        add(web.packet(TcpRepr.of(40053, 53).withSeq(1).withAck(1).withFlags(0x18).withPayload(q)));
    }

    void tcpEveryFlagCombination() {
        for (int flags = 0; flags < 256; flags++) {
            Tcp t = new Tcp(33000 + (flags % 7), 10000, 1000L * flags + 1, 5000L + flags, flags);
            t.urgent = (flags & 0x20) != 0 ? 7 : 0;
            Ip6 ip = ip6("2001:db8::" + Integer.toHexString(1 + flags % 5), "2001:db8:1::10", 6);
            add(tcp6(ip, t, payload(flags % 3 == 0 ? 0 : 10)));
        }
    }

    void tcpOptions() {
        int[][] fixed = {
                {2, 4, 5, 0x8c}, {1}, {0}, {3, 3, 14}, {4, 2}, {8, 10, 0, 0, 0, 1, 0, 0, 0, 2},
                {5, 10, 0, 0, 0, 1, 0, 0, 0, 2}, {5, 7, 1, 2, 3, 4, 5}, {28, 4, 0x80, 0x0b}, {20, 4, 0xab, 9},
                {99, 2}, {200, 6, 1, 2, 3, 4}, {29, 6, 1, 2, 0xde, 0xad}, {2, 1}, {2, 0}, {2, 3, 5},
                {1, 1, 1, 2, 4, 5, 0xb4, 0, 2, 4, 5, 0xb4}, {1, 2, 4, 5, 0xb4, 99, 50},
                {19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
        };
        int i = 0;
        for (int[] o : fixed) {
            Tcp t = new Tcp(40000 + i, 10000, 1000 + i, 0, 0x02);
            t.options = bytes(o);
            add(tcp6(ip6("2001:db8::20", "2001:db8:1::20", 6), t, new byte[0]));
            i++;
        }
    }

    void tcpBroken() {
        for (int off : new int[] {0, 4, 15, 9}) {
            Tcp t = new Tcp(41000, 10000, 1, 2, 0x18);
            t.dataOffset = off;
            add(tcp6(ip6("2001:db8::30", "2001:db8:1::30", 6), t, payload(off == 9 ? 8 : 30)));
        }
        for (int n : new int[] {0, 1, 2, 3, 12, 19}) {
            Ip6 ip = ip6("2001:db8::31", "2001:db8:1::31", 6);
            add(ip.build(Arrays.copyOf(new Tcp(41002, 10000, 1, 2, 0x02).build(0, new byte[0]), n)));
        }
        Tcp bad = new Tcp(41003, 10000, 1, 2, 0x18);
        bad.badChecksum = true;
        add(tcp6(ip6("2001:db8::32", "2001:db8:1::32", 6), bad, payload(20)));
    }

    // ------------------------------------------------------------------ UDP and DNS

    void udpDatagrams() {
        for (int i = 0; i < 20; i++) {
            int n = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1200);
            Ipv6Repr ip = repr(host(), host()).withFlowLabel(rnd.nextInt(1 << 20)).withHopLimit(1 + rnd.nextInt(255));
            add(ip.packet(UdpRepr.of(PLAIN_UDP_PORTS[rnd.nextInt(PLAIN_UDP_PORTS.length)],
                    PLAIN_UDP_PORTS[rnd.nextInt(PLAIN_UDP_PORTS.length)]).withPayload(payload(n))));
        }
        // A zero checksum (forbidden over IPv6) and a wrong one.
        Ip6 zero = ip6(A, B, 17);
        byte[] z = udp(zero.src, zero.dst, true, 20000, 30000, payload(16), -1);
        put16(z, 6, 0);
        add(zero.build(z));
        Ip6 wrong = ip6(A, B, 17);
        byte[] w = udp(wrong.src, wrong.dst, true, 20000, 30000, payload(16), -1);
        w[7] ^= 0x5a;
        add(wrong.build(w));
        for (int lengthField : new int[] {0, 4, 7, 8, 9, 30, 65535}) {
            Ip6 ip = ip6("2001:db8::40", "2001:db8:1::40", 17);
            add(ip.build(udp(ip.src, ip.dst, true, 20000, 30000, payload(40), lengthField)));
        }
        for (int n : new int[] {0, 2, 4, 6, 7}) {
            Ip6 ip = ip6("2001:db8::41", "2001:db8:1::41", 17);
            add(ip.build(Arrays.copyOf(udp(ip.src, ip.dst, true, 20000, 30000, new byte[0], -1), n)));
        }
    }

    void dns() {
        String[] names = {"example.com", "ipv6.google.com", "docker.io", "_http._tcp.local"};
        int[] types = {1, 28, 5, 12, 255, 33};
        String resolver = "2001:4860:4860::8888";
        for (int i = 0; i < 8; i++) {
            String name = names[rnd.nextInt(names.length)];
            int qtype = types[rnd.nextInt(types.length)];
            int id = rnd.nextInt(65536);
            byte[] q = cat(bytes(id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0), dnsName(name), bytes(0, qtype, 0, 1));
            add(repr(A, resolver).withFlowLabel(rnd.nextInt(1 << 20)).packet(UdpRepr.of(40000 + i, 53).withPayload(q)));
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            int ancount = 1 + rnd.nextInt(3);
            a.writeBytes(bytes(id >> 8, id & 0xff, 0x81, i == 3 ? 0x83 : 0x80, 0, 1, 0, ancount, 0, 0, 0, 0));
            a.writeBytes(dnsName(name));
            a.writeBytes(bytes(0, qtype, 0, 1));
            for (int k = 0; k < ancount; k++) {
                int t = new int[] {1, 28, 5}[rnd.nextInt(3)];
                byte[] rdata = switch (t) {
                    case 1 -> bytes(142, 250, 74, 100 + k);
                    case 28 -> Frames.ip6("2a00:1450:4001:81b::" + Integer.toHexString(0x200e + k));
                    default -> dnsName("alias" + k + ".example.net");
                };
                a.writeBytes(bytes(0xc0, 12, 0, t, 0, 1, 0, 0, 0x01, 0x2c, rdata.length >> 8, rdata.length & 0xff));
                a.writeBytes(rdata);
            }
            add(repr(resolver, A).packet(UdpRepr.of(53, 40000 + i).withPayload(a.toByteArray())));
        }
        byte[] mq = cat(bytes(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), dnsName("_ipp._tcp.local"), bytes(0, 12, 0x80, 1));
        add(repr(LL_A, "ff02::fb").withHopLimit(255).packet(UdpRepr.of(5353, 5353).withPayload(mq)));
    }

    // ------------------------------------------------------------------ ICMPv6

    void echo() {
        for (int i = 0; i < 6; i++) {
            int id = rnd.nextInt(65536), seq = rnd.nextInt(65536);
            byte[] data = payload(new int[] {0, 8, 56, 1232}[rnd.nextInt(4)]);
            String peer = i == 5 ? "::1" : host();
            add(repr(A, peer).withFlowLabel(rnd.nextInt(1 << 20)).packet(Icmpv6Repr.echoRequest(id, seq, data)));
            add(repr(peer, A).withHopLimit(new int[] {64, 57, 118}[rnd.nextInt(3)]).packet(Icmpv6Repr.echoReply(id, seq, data)));
        }
        // A bad checksum.
        byte[] bad = repr(A, B).packet(Icmpv6Repr.echoRequest(7, 1, payload(16)));
        bad[43] ^= 0x11;
        add(bad);
    }

    /** Datagrams an error can quote: whole, and cut after the IPv6 header or inside the transport header. */
    private List<byte[]> quotable() {
        List<byte[]> q = new ArrayList<>();
        Ipv6Repr out = repr("fd49:efd7:54aa::2", "2001:db8:5::80").withHopLimit(1).withFlowLabel(0xabcde);
        q.add(out.packet(UdpRepr.of(51388, 33434).withPayload(payload(24))));
        q.add(out.packet(TcpRepr.of(51000, 80).withSeq(12345).withFlags(0x02).withMss(1440)));
        q.add(out.packet(Icmpv6Repr.echoRequest(0x1c, 1, payload(56))));
        q.add(out.withProtocol(253).packet(payload(12)));
        byte[] full = out.packet(UdpRepr.of(51388, 53).withPayload(payload(30)));
        q.add(Arrays.copyOf(full, 44));
        q.add(Arrays.copyOf(full, 40));
        q.add(Arrays.copyOf(full, 30));
        return q;
    }

    private void error(int type, int code, long word, byte[] quoted) {
        add(icmp6(new Ip6("2001:db8::1", "fd49:efd7:54aa::2", 58), type, code, word, quoted));
    }

    void icmpErrors() {
        List<byte[]> quoted = quotable();
        for (int code = 0; code <= 8; code++) {
            for (byte[] q : quoted) error(1, code, 0, q);
        }
        for (long mtu : new long[] {1280, 1480, 1500, 9000}) error(2, 0, mtu, quoted.get(rnd.nextInt(quoted.size())));
        error(2, 0, 1400, quoted.get(4));
        for (int code = 0; code <= 2; code++) {
            for (byte[] q : quoted) error(3, code, 0, q);
        }
        for (int code = 0; code <= 4; code++) {
            error(4, code, new int[] {6, 40, 42, 7, 0}[code], quoted.get(code % quoted.size()));
        }
        error(4, 0, 6, quoted.get(6));
        // Types tcpdump does not know, and an empty message.
        for (int t : new int[] {5, 100, 127, 150, 200, 201, 255}) error(t, 0, 0x01020304, payload(12));
        // Inverse neighbour discovery, home-agent discovery and mobile prefixes (RFC 3122, RFC 6275).
        for (int t : new int[] {141, 142, 144, 146}) error(t, 0, 0x12340000, payload(8));
        error(145, 0, 0x12340000, cat(Frames.ip6("2001:db8::a"), Frames.ip6("2001:db8::b")));
        error(147, 0, 0x1234c000, Icmpv6Repr.prefixInfoOption(64, 0xe0, 3600, 1800, hi("2001:db8:4::"), 0));
        Ip6 empty = new Ip6(A, B, 58);
        add(empty.build(new byte[0]));
        add(empty.build(bytes(128, 0)));
    }

    void neighbourDiscovery() {
        long macA = macLong(MAC_A), macB = macLong(MAC_B);
        byte[] sll = Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_SOURCE_LL_ADDR, macA);
        byte[] tll = Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_TARGET_LL_ADDR, macB);
        String[] targets = {"fe80::1", "2001:db8::1", "fd49:efd7:54aa::1", LL_B};
        for (String t : targets) {
            byte[] ta = Ipv6Address.parse(t);
            String solicited = String.format("ff02::1:ff%02x:%x", ta[13] & 0xff, ((ta[14] & 0xff) << 8) | (ta[15] & 0xff));
            add(repr(LL_A, solicited).withHopLimit(255).packet(Icmpv6Repr.neighbourSolicitation(hi(t), lo(t), sll)));
            add(repr(LL_A, t).withHopLimit(255).packet(Icmpv6Repr.neighbourSolicitation(hi(t), lo(t), new byte[0])));
        }
        // Duplicate address detection: from the unspecified address, no options.
        add(repr("::", "ff02::1:ff11:2").withHopLimit(255).packet(Icmpv6Repr.neighbourSolicitation(hi(LL_A), lo(LL_A), new byte[0])));
        for (int flags = 0; flags < 8; flags++) {
            String t = targets[flags % targets.length];
            add(repr(LL_B, flags == 1 ? "ff02::1" : LL_A).withHopLimit(255)
                    .packet(Icmpv6Repr.neighbourAdvertisement(flags << 5, hi(t), lo(t), flags % 2 == 0 ? tll : new byte[0])));
        }
        // Options that do not belong, are unknown, have length 0, or run past the message.
        byte[][] odd = {
                cat(tll, sll), cat(bytes(1, 2), MAC_A, new byte[8]), cat(bytes(14, 1, 0, 0, 1, 2, 3, 4)),
                cat(bytes(1, 0, 1, 2, 3, 4, 5, 6)), cat(bytes(1, 2), MAC_A), bytes(1), cat(sll, bytes(200, 1, 9, 9, 9, 9, 9, 9)),
        };
        for (byte[] o : odd) {
            add(repr(LL_A, "fe80::1").withHopLimit(255).packet(Icmpv6Repr.neighbourSolicitation(hi("fe80::1"), lo("fe80::1"), o)));
        }
        // Redirect: target, destination, then the target link-layer and redirected-header options.
        byte[] redirected = cat(bytes(4, 6, 0, 0, 0, 0, 0, 0), Arrays.copyOf(repr(A, "2001:db8:9::9").packet(
                UdpRepr.of(40000, 9999).withPayload(payload(8))), 40));
        add(icmp6(new Ip6(LL_B, A, 58), 137, 0, 0, cat(Frames.ip6("fe80::1"), Frames.ip6("2001:db8:9::9"), tll, redirected)));
        add(icmp6(new Ip6(LL_B, A, 58), 137, 0, 0, cat(Frames.ip6("fe80::1"), Frames.ip6("2001:db8:9::9"))));
        // Too short to hold the target.
        add(icmp6(new Ip6(LL_A, "fe80::1", 58), 135, 0, 0, bytes(0xfe, 0x80, 0, 0)));
    }

    void routerDiscovery() {
        long macA = macLong(MAC_A), macB = macLong(MAC_B);
        byte[] sll = Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_SOURCE_LL_ADDR, macA);
        add(repr(LL_A, "ff02::2").withHopLimit(255).packet(Icmpv6Repr.routerSolicitation(sll)));
        add(repr("::", "ff02::2").withHopLimit(255).packet(Icmpv6Repr.routerSolicitation(new byte[0])));
        byte[] prefix = Icmpv6Repr.prefixInfoOption(64, 0xc0, 2592000, 604800, hi("2001:db8:1::"), lo("2001:db8:1::"));
        byte[] prefix2 = Icmpv6Repr.prefixInfoOption(48, 0x80, 0xffffffffL, 0xffffffffL, hi("fd49:efd7:54aa::"), 0);
        byte[] prefix3 = Icmpv6Repr.prefixInfoOption(56, 0x20, 0, 0, hi("2001:db8:ff00::"), 0);
        byte[] mtu = Icmpv6Repr.mtuOption(1500);
        byte[] rdnss = cat(bytes(25, 5, 0, 0, 0, 0, 0x0e, 0x10), Frames.ip6("2001:4860:4860::8888"), Frames.ip6("2001:4860:4860::8844"));
        byte[] dnssl = cat(bytes(31, 4, 0, 0, 0, 0, 0x0e, 0x10), dnsName("example.com"), dnsName("lan"), new byte[6]);
        byte[] badDnssl = cat(bytes(31, 3, 0, 0, 0, 0, 0x0e, 0x10), dnsName("example.com"), bytes(4, 'l', 'a', 'n', 0, 0, 0, 0));
        byte[] route = cat(bytes(24, 2, 48, 0x08, 0, 0, 0x07, 0x08), Arrays.copyOf(Frames.ip6("2001:db8:77::"), 8));
        byte[] interval = bytes(7, 1, 0, 0, 0, 0, 0x27, 0x10);
        byte[] home = bytes(8, 1, 0, 0, 0, 10, 0, 100);
        byte[] sllB = Icmpv6Repr.linkLayerOption(NdiscOptions.ND_OPT_SOURCE_LL_ADDR, macB);
        byte[][] optionSets = {
                cat(sllB, mtu, prefix), cat(prefix, prefix2, rdnss), cat(dnssl, route, interval, home), new byte[0],
                cat(sllB, bytes(5, 1, 0, 0, 0, 0, 0x23, 0x28)), cat(prefix3, bytes(3, 3), new byte[22]), cat(bytes(99, 1, 0, 0, 0, 0, 0, 0)),
                cat(badDnssl, bytes(24, 1, 0, 0x18, 0xff, 0xff, 0xff, 0xff), bytes(24, 3, 64, 0x10, 0, 0, 0, 60), Frames.ip6("2001:db8:66::")),
                cat(bytes(24, 4, 64, 0, 0, 0, 0, 60), new byte[24]), cat(sllB, bytes(5, 2, 0, 0, 0, 0, 5, 0xdc), new byte[8]),
        };
        int k = 0;
        for (byte[] opts : optionSets) {
            int flags = new int[] {0, 0x80, 0x40, 0xc0, 0x08, 0x18, 0x20, 0x02, 0x10, 0xfe}[k];
            add(repr(LL_B, "ff02::1").withHopLimit(255).packet(
                    Icmpv6Repr.routerAdvertisement(k == 3 ? 0 : 64, flags, k == 3 ? 0 : 1800, 30000, 1000, opts)));
            k++;
        }
    }

    void mld() {
        byte[] hbhRa = bytes(58, 0, 5, 2, 0, 0, 1, 0);
        byte[][] messages = {
                cat(bytes(143, 0, 0, 0, 0, 0, 0, 2), bytes(4, 0, 0, 0), Frames.ip6("ff02::fb"), bytes(3, 0, 0, 1),
                        Frames.ip6("ff05::2"), Frames.ip6("2001:db8::99")),
                cat(bytes(143, 0, 0, 0, 0, 0, 0, 6), bytes(1, 0, 0, 0), Frames.ip6("ff02::1:3"), bytes(2, 0, 0, 0), Frames.ip6("ff02::c"),
                        bytes(5, 0, 0, 1), Frames.ip6("ff0e::101"), Frames.ip6("2001:db8::5"), bytes(6, 0, 0, 0), Frames.ip6("ff15::1"),
                        bytes(7, 0, 0, 0), Frames.ip6("ff15::2"), bytes(1, 4, 0, 0), Frames.ip6("ff15::3"), new byte[16]),
                cat(bytes(130, 0, 0, 0, 0x27, 0x10, 0, 0), Frames.ip6("::")),
                cat(bytes(131, 0, 0, 0, 0, 0, 0, 0), Frames.ip6("ff02::fb")),
                cat(bytes(132, 0, 0, 0, 0, 0, 0, 0), Frames.ip6("ff02::fb")),
                cat(bytes(130, 0, 0, 0, 0x80, 0x10, 0, 0), Frames.ip6("ff02::fb"), bytes(0x0a, 125, 0, 2), Frames.ip6("2001:db8::7"),
                        Frames.ip6("2001:db8::8")),
                cat(bytes(130, 0, 0, 0, 0x03, 0xe8, 0, 0), Frames.ip6("::"), bytes(2, 125, 0, 0)),
                cat(bytes(130, 0, 0, 0, 0, 100, 0, 0), Frames.ip6("::"), bytes(2, 125)),
                bytes(143, 0, 0, 0, 0, 0),
        };
        for (byte[] m : messages) {
            Ip6 ip = new Ip6(LL_A, "ff02::16", 0);
            ip.hopLimit = 1;
            ip.ext = hbhRa;
            put16(m, 2, fold(sum(ip.pseudo(58, m.length), m, 0, m.length)));
            add(ip.build(m));
        }
    }

    // ------------------------------------------------------------------ extension headers

    /** A UDP datagram behind extension headers {@code ext} (whose last next header is 17). */
    private byte[] udpBehind(int first, byte[] ext, String dst) {
        Ip6 ip = ip6(A, dst, first);
        ip.ext = ext;
        return udp6(ip, 20000, 30000, payload(16));
    }

    void hopByHop() {
        byte[][] options = {
                bytes(17, 0, 5, 2, 0, 0, 1, 0), bytes(17, 0, 0, 0, 0, 0, 0, 0), bytes(17, 0, 1, 4, 0, 0, 0, 0),
                bytes(17, 0, 0, 1, 3, 0, 0, 0), bytes(17, 0, 0x3e, 4, 1, 2, 3, 4), bytes(17, 0, 0xc2, 4, 0, 1, 0, 0),
                bytes(17, 1, 5, 2, 0, 1, 1, 0, 0x1e, 6, 1, 2, 3, 4, 5, 6), bytes(17, 0, 5, 3, 0, 0, 0, 0),
                bytes(17, 0, 1, 9, 0, 0, 0, 0), bytes(17, 0, 5, 2, 0, 0, 1, 1), bytes(17, 0, 0xc2, 3, 0, 0, 0, 0),
        };
        for (byte[] o : options) add(udpBehind(0, o, B));
        // Through Ipv6Repr: router alert then padding, before a TCP SYN.
        add(repr(A, B).withExtHeaders(ExtHeader.options(0, bytes(5, 2, 0, 0))).packet(
                TcpRepr.of(40000, 443).withSeq(9).withFlags(0x02)));
        // A jumbogram's payload length of 0 with and without the option; two hop-by-hop headers; one not first.
        Ip6 jumbo = ip6(A, B, 0);
        jumbo.payloadLength = 0;
        jumbo.ext = bytes(17, 0, 0xc2, 4, 0, 1, 0, 0x20);
        add(jumbo.build(udp(jumbo.src, jumbo.dst, true, 20000, 30000, payload(8), 0)));
        // Jumbo lengths past 2^31 (tcpdump's lengths are unsigned) before UDP, TCP and ICMPv6.
        for (int nh : new int[] {17, 6, 58}) {
            Ip6 huge = ip6(A, B, 0);
            huge.payloadLength = 0;
            huge.ext = bytes(nh, 0, 0xc2, 4, 0x9a, 0, 0, 0x20);
            add(huge.build(nh == 17 ? udp(huge.src, huge.dst, true, 20000, 30000, payload(8), 0)
                    : nh == 6 ? new Tcp(40000, 8000, 1, 0, 0x18).build(0, payload(8)) : bytes(128, 0, 0, 0, 0, 1, 0, 1)));
        }
        Ip6 noJumbo = ip6(A, B, 0);
        noJumbo.payloadLength = 0;
        noJumbo.ext = bytes(17, 0, 1, 4, 0, 0, 0, 0);
        add(noJumbo.build(udp(noJumbo.src, noJumbo.dst, true, 20000, 30000, payload(8), -1)));
        add(udpBehind(0, bytes(0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0), B));
        add(udpBehind(60, bytes(0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0), B));
        // Longer than the packet.
        Ip6 longer = ip6(A, B, 0);
        longer.ext = bytes(17, 6, 1, 4, 0, 0, 0, 0);
        add(longer.build(payload(8)));
    }

    void routingHeaders() {
        String[] via = {"2001:db8:a::1", "2001:db8:b::1", "2001:db8:c::1"};
        // Type 0 (deprecated), 2 (mobile IPv6) and 4 (segment routing), with the final destination last.
        for (int n = 1; n <= 3; n++) {
            byte[] rh = cat(bytes(17, 2 * n, 0, n, 0, 0, 0, 0));
            for (int i = 0; i < n; i++) rh = cat(rh, Frames.ip6(via[i]));
            Ip6 ip = ip6(A, B, 43);
            ip.ext = rh;
            ip.finalDst = Frames.ip6(via[n - 1]);
            add(udp6(ip, 20000, 30000, payload(12)));
        }
        Ip6 rsv = ip6(A, B, 43);
        rsv.ext = cat(bytes(6, 2, 0, 1, 0, 0, 0, 7), Frames.ip6(via[0]));
        rsv.finalDst = Frames.ip6(via[0]);
        add(tcp6(rsv, new Tcp(40000, 8000, 1, 0, 0x02), new byte[0]));
        Ip6 mip = ip6(A, B, 43);
        mip.ext = cat(bytes(58, 2, 2, 1, 0, 0, 0, 0), Frames.ip6("2001:db8:40e::5"));
        mip.finalDst = Frames.ip6("2001:db8:40e::5");
        add(icmp6(mip, 128, 0, 0x00050001, payload(8)));
        for (int n = 1; n <= 2; n++) {
            byte[] srh = cat(bytes(17, 2 * n, 4, n - 1, n - 1, n == 2 ? 0x10 : 0, 0, n == 2 ? 0x2a : 0));
            for (int i = 0; i < n; i++) srh = cat(srh, Frames.ip6(via[n - 1 - i]));
            Ip6 ip = ip6(A, via[n - 1], 43);
            ip.ext = srh;
            ip.finalDst = Frames.ip6(via[n - 1]);
            add(udp6(ip, 20000, 30000, payload(12)));
        }
        // An odd length, an unknown type, and a header longer than the packet.
        add(udpBehind(43, cat(bytes(17, 1, 0, 1, 0, 0, 0, 0), new byte[8]), B));
        add(udpBehind(43, cat(bytes(17, 2, 4, 0, 0, 0, 0, 0), new byte[8]), B));
        add(udpBehind(43, cat(bytes(17, 2, 3, 1, 0, 0, 0, 0), new byte[16]), B));
        Ip6 longer = ip6(A, B, 43);
        longer.ext = bytes(17, 8, 0, 1, 0, 0, 0, 0);
        add(longer.build(new byte[16]));
    }

    void destinationOptions() {
        add(udpBehind(60, bytes(17, 1, 1, 4, 0, 0, 0, 0, 0, 0x77, 3, 1, 2, 3, 0, 0), B));
        add(udpBehind(60, bytes(17, 0, 0xc9, 4, 0, 0, 0, 0), B));
        add(udpBehind(60, bytes(17, 0, 0xc2, 4, 0, 1, 0, 0), B));
        // Home address option (mobile IPv6), 18 bytes of data.
        add(udpBehind(60, cat(bytes(17, 2, 0xc9, 16), Frames.ip6("2001:db8:40e::5"), bytes(1, 2, 0, 0)), B));
        // Destination options, then a routing header, then destination options again (a legal order).
        add(udpBehind(60, cat(bytes(43, 0, 1, 4, 0, 0, 0, 0), bytes(60, 0, 0, 1, 0, 0, 0, 0), bytes(17, 0, 1, 4, 0, 0, 0, 0)), B));
        // A chain that repeats destination options until the packet ends.
        byte[] loop = new byte[0];
        for (int i = 0; i < 12; i++) loop = cat(loop, bytes(60, 0, 1, 4, 0, 0, 0, 0));
        Ip6 ip = ip6(A, B, 60);
        ip.ext = loop;
        add(ip.build(new byte[0]));
        add(udpBehind(60, bytes(59, 0, 1, 4, 0, 0, 0, 0), B));
        Ip6 none = ip6(A, B, 59);
        add(none.build(payload(5)));
    }

    void fragments() {
        // Through Ipv6Repr: a UDP datagram in three fragments, first, middle and last.
        Ipv6Repr base = repr(A, B).withFlowLabel(0x54321);
        byte[] whole = base.packet(UdpRepr.of(20000, 30000).withPayload(payload(100)));
        byte[] upper = Arrays.copyOfRange(whole, 40, whole.length);
        int id = rnd.nextInt();
        int[][] cuts = {{0, 48}, {48, 96}, {96, upper.length}};
        for (int[] cut : cuts) {
            boolean more = cut[1] < upper.length;
            byte[] part = Arrays.copyOfRange(upper, cut[0], cut[1]);
            add(base.withProtocol(17).withExtHeaders(ExtHeader.fragment(cut[0] / 8, more, id)).packet(part));
        }
        // The first fragment of TCP and ICMPv6, and an atomic fragment (offset 0, no more fragments).
        byte[] syn = Arrays.copyOfRange(base.packet(TcpRepr.of(40000, 8000).withSeq(1).withFlags(0x02).withPayload(payload(64))), 40, 128);
        add(base.withProtocol(6).withExtHeaders(ExtHeader.fragment(0, true, id + 1)).packet(Arrays.copyOf(syn, 48)));
        byte[] echo = Arrays.copyOfRange(base.packet(Icmpv6Repr.echoRequest(3, 4, payload(1400))), 40, 1448);
        add(base.withProtocol(58).withExtHeaders(ExtHeader.fragment(0, true, id + 2)).packet(Arrays.copyOf(echo, 1232)));
        add(base.withProtocol(58).withExtHeaders(ExtHeader.fragment(154, false, id + 2)).packet(Arrays.copyOfRange(echo, 1232, echo.length)));
        add(base.withProtocol(17).withExtHeaders(ExtHeader.fragment(0, false, id + 3)).packet(upper));
        // Behind hop-by-hop, before destination options; a fragment header that is cut short.
        add(udpBehind(0, bytes(44, 0, 1, 4, 0, 0, 0, 0, 60, 0, 0, 1, 0, 0, 0, 9, 17, 0, 1, 4, 0, 0, 0, 0), B));
        Ip6 cut = ip6(A, B, 44);
        add(cut.build(bytes(17, 0, 0, 1)));
        Ip6 fragOnly = ip6(A, B, 44);
        add(fragOnly.build(bytes(17, 0, 0, 1, 0, 0, 0, 5)));
    }

    void ipsec() {
        // AH (RFC 4302) around TCP and UDP; then ESP, whose payload tcpdump cannot read without keys.
        byte[] seg = Arrays.copyOfRange(repr(A, B).packet(TcpRepr.of(40000, 8000).withSeq(1).withFlags(0x02)), 40, 60);
        Ip6 ah = ip6(A, B, 51);
        ah.ext = cat(bytes(6, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 1), payload(12));
        add(ah.build(seg));
        Ip6 ahUdp = ip6(A, B, 51);
        ahUdp.ext = cat(bytes(17, 4, 0xbe, 0xef, 0, 0, 0x10, 0x02, 0, 0, 0, 9), payload(12));
        add(ahUdp.build(udp(ahUdp.src, ahUdp.dst, true, 20000, 30000, payload(10), -1)));
        Ip6 ahEsp = ip6(A, B, 51);
        ahEsp.ext = cat(bytes(50, 1, 0, 0, 0, 0, 0x10, 0x03, 0, 0, 0, 2));
        add(ahEsp.build(cat(bytes(0, 0, 0x20, 0, 0, 0, 0, 7), payload(40))));
        for (int n : new int[] {56, 8, 9, 4}) {
            Ip6 esp = ip6(A, B, 50);
            add(esp.build(cat(bytes(0x00, 0x00, 0x30, 0x39, 0, 0, 0, 1 + n), payload(n - Math.min(n, 8)))));
        }
        // Through Ipv6Repr's AH extension header, before ICMPv6.
        add(repr(A, B).withExtHeaders(new ExtHeader(51, cat(bytes(0, 0, 0, 0, 0, 0x42, 0, 0, 0, 3), payload(12))))
                .packet(Icmpv6Repr.echoRequest(9, 9, payload(8))));
        Ip6 ahCut = ip6(A, B, 51);
        add(ahCut.build(bytes(6, 9, 0, 0, 0, 0)));
    }

    void tunnels() {
        // IPv6 in IPv6 (a 6in6 or ip6tnl tunnel) and IPv4 in IPv6 (ip4ip6, DS-Lite).
        byte[] inner6 = repr("fd49:efd7:54aa::2", "2001:db8:9::9").packet(Icmpv6Repr.echoRequest(1, 2, payload(8)));
        add(repr("2001:db8:ffff::1", "2001:db8:ffff::2").withProtocol(41).withFlowLabel(0x1).packet(inner6));
        byte[] inner4 = udp4(new Ip4("192.0.0.2", "198.51.100.9", 17), 40000, 9999, payload(8));
        add(repr("2001:db8:ffff::1", "2001:db8:ffff::2").withProtocol(4).packet(inner4));
        byte[] syn4 = tcp4(new Ip4("192.0.0.2", "198.51.100.9", 6), new Tcp(40000, 443, 1, 0, 0x02), new byte[0]);
        add(repr("2001:db8:ffff::1", "2001:db8:ffff::2").withProtocol(4).packet(syn4));
        // Ethernet in IPv6 (97), GRE (47), and protocols tcpdump prints only by number.
        for (int p : new int[] {59, 97, 115, 136, 253, 255, 200}) {
            add(repr(A, B).withProtocol(p).packet(payload(p == 97 ? 0 : 20)));
        }
        // IPv6 in IPv4 (6in4, protocol 41), through the IPv4 printer.
        byte[] ip4 = new Ip4("198.51.100.1", "203.0.113.1", 41).build(
                repr(A, B).packet(UdpRepr.of(20000, 30000).withPayload(payload(8))));
        packets.add(new Corpus.Packet(ethernet(MAC_B, MAC_A, 0x0800, ip4)));
        // Inner headers cut short.
        add(repr("2001:db8:ffff::1", "2001:db8:ffff::2").withProtocol(41).packet(Arrays.copyOf(inner6, 30)));
        add(repr("2001:db8:ffff::1", "2001:db8:ffff::2").withProtocol(4).packet(Arrays.copyOf(inner4, 12)));
    }

    /** Mobile IPv6 (RFC 6275): every message type of the mobility header, with options, and broken ones. */
    void mobility() {
        byte[] coa = Frames.ip6("2001:db8:c0a::7");
        byte[][] messages = {
                bytes(59, 1, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0),
                cat(bytes(59, 1, 1, 0, 0, 0, 0, 0), payload(8)), cat(bytes(59, 1, 2, 0, 0, 0, 0, 0), payload(8)),
                cat(bytes(59, 2, 3, 0, 0, 0, 0x12, 0x34), payload(16)), cat(bytes(59, 2, 4, 0, 0, 0, 0, 9), payload(16)),
                cat(bytes(59, 3, 5, 0, 0, 0, 0, 42, 0xf0, 0, 0, 150, 3, 16), coa, bytes(1, 0)),
                cat(bytes(59, 3, 5, 0, 0, 0, 1, 0, 0x90, 0, 0x01, 0x2c, 4, 4, 0, 1, 0, 2, 5, 10), payload(10), bytes(0, 0)),
                bytes(59, 1, 6, 0, 0, 0, 0, 0x80, 0, 42, 0, 150, 2, 2, 0, 15),
                bytes(59, 1, 6, 0, 0, 0, 128, 0, 0, 43, 0, 0, 0, 0, 0, 0),
                cat(bytes(59, 2, 7, 0, 0, 0, 2, 0), Frames.ip6("2001:db8:40e::5")),
                bytes(59, 0, 9, 0, 0, 0, 0, 0), bytes(59, 0, 3, 0, 0, 0, 0, 0),
                cat(bytes(59, 1, 5, 0, 0, 0, 0, 1, 0, 0, 0, 4, 9, 1, 0, 0)),
                cat(bytes(59, 1, 1, 0, 0, 0, 0, 0), payload(4)),
        };
        int k = 0;
        for (byte[] m : messages) {
            Ip6 ip = ip6(A, B, k == 4 ? 62 : 135);
            add(ip.build(m));
            if (k == 5 || k == 7) add(ip6(A, B, 135).build(cat(m, bytes(0)))); // a byte after the last option
            k++;
        }
        // Behind destination options (a home address option), as a mobile node sends a binding update.
        Ip6 mn = ip6(A, B, 60);
        mn.ext = cat(bytes(135, 2, 0xc9, 16), Frames.ip6("2001:db8:40e::5"), bytes(1, 2, 0, 0));
        add(mn.build(messages[7]));
    }

    void brokenIp6() {
        byte[] good = repr(A, B).packet(UdpRepr.of(20000, 30000).withPayload(payload(20)));
        for (int v : new int[] {4, 5, 7, 0}) {
            byte[] p = good.clone();
            p[0] = (byte) ((v << 4) | (p[0] & 0x0f));
            add(p);
        }
        for (int plen : new int[] {0, 4, 27, 29, 100, 65535}) {
            byte[] p = good.clone();
            put16(p, 4, plen);
            add(p);
        }
        add(Arrays.copyOf(good, 39));
        add(Arrays.copyOf(good, 20));
        add(new byte[0]);
        // Ethernet padding after a short datagram is not part of it.
        packets.add(new Corpus.Packet(ethernet(MAC_B, MAC_A, 0x86dd,
                cat(repr(A, B).packet(Icmpv6Repr.echoReply(1, 1, new byte[0])), new byte[6]))));
        // Under a VLAN tag.
        packets.add(new Corpus.Packet(ethernet(MAC_B, MAC_A, 0x8100, vlan(0x8100, 6, 0x86dd, good))));
    }

    // ------------------------------------------------------------------ mutations

    /**
     * Copies of earlier frames with one byte changed where a broken sender or a fuzzer would change it: the
     * payload length, an extension header's length, options, routing type or fragment offset, a neighbour
     * discovery body and its options, an error's quoted header. Next-header bytes are left alone, so
     * that every mutant stays within the protocols jnat decodes.
     */
    void mutations() {
        List<Corpus.Packet> originals = new ArrayList<>(packets);
        int made = 0;
        for (int tries = 0; made < 150 && tries < 100_000; tries++) {
            byte[] f = originals.get(rnd.nextInt(originals.size())).frame().clone();
            if (f.length < 14 + 48 || (f[12] & 0xff) != 0x86 || (f[13] & 0xff) != 0xdd || (f[14] >> 4) != 6) continue;
            int nh = f[14 + 6] & 0xff;
            int type = f[14 + 40] & 0xff;
            int at;
            if (rnd.nextInt(8) == 0) {
                at = 14 + 4 + rnd.nextInt(2);
            } else if (nh == 0 || nh == 60 || nh == 43 || nh == 44 || nh == 51) {
                at = 14 + 40 + (rnd.nextBoolean() ? 1 : 2 + rnd.nextInt(6));
            } else if (nh == 58 && type >= 133 && type <= 137) {
                at = 14 + 40 + 4 + rnd.nextInt(f.length - 58);
            } else if (nh == 58 && type <= 4) {
                at = 14 + 40 + 8 + rnd.nextInt(Math.min(48, f.length - 62));
                if (at == 14 + 40 + 8 + 6) continue; // the quoted next header
            } else {
                continue;
            }
            f[at] = (byte) rnd.nextInt(256);
            packets.add(new Corpus.Packet(f));
            made++;
        }
    }

    // ------------------------------------------------------------------ snaplen cuts

    /** Copies of earlier packets cut at every interesting length, as a small snapshot length would. */
    void snaplenCuts() {
        Corpus.snaplenCuts(packets, rnd, 160, 120);
    }
}
