package jnat.tcpdump;

import jnat.pcap.PcapWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static jnat.tcpdump.Frames.*;

/**
 * A seeded, reproducible corpus of Ethernet frames that exercises what tcpdump prints for IPv4 and ARP:
 * TCP flags, options, connections, ICMP of every kind with quoted datagrams, UDP, fragments, IP options,
 * unknown protocols, and broken or truncated headers. Several hundred packets per seed.
 */
final class Corpus {
    /** One frame and how much of it the "capture" kept. */
    record Packet(byte[] frame, int caplen) {
        Packet(byte[] frame) {
            this(frame, frame.length);
        }
    }

    static final byte[] MAC_A = mac("02:42:ac:11:00:02");
    static final byte[] MAC_B = mac("02:42:d5:35:3a:3c");
    /** IP protocol numbers tcpdump has no dissector for (it prints "ip-proto-N LEN"). */
    static final int[] UNKNOWN_PROTOS = {0, 3, 5, 7, 10, 16, 25, 36, 42, 48, 61, 73, 99, 114, 121, 130, 142, 150, 200,
            253, 254, 255};
    /** UDP ports tcpdump prints as plain "UDP, length N". */
    static final int[] PLAIN_UDP_PORTS = {1024, 1234, 5000, 8000, 9999, 10000, 20000, 33434, 40000, 51388, 60000};

    private final Random rnd;
    final List<Packet> packets = new ArrayList<>();

    Corpus(long seed) {
        rnd = new Random(seed);
    }

    static Corpus generate(long seed) {
        Corpus c = new Corpus(seed);
        c.tcpConnections();
        c.tcpEveryFlagCombination();
        c.tcpOptionsOfEveryKind();
        c.tcpBroken();
        c.udpDatagrams();
        c.icmpMessages();
        c.arpPackets();
        c.ipOptions();
        c.fragments();
        c.unknownProtocols();
        c.brokenIp();
        c.linkLayer();
        c.dns();
        c.igmpAndMpls();
        c.ipv6();
        c.snaplenCuts();
        return c;
    }

    void write(Path file) throws IOException {
        write(file, packets, rnd, 1_700_000_000_000_000_000L);
    }

    /** An Ethernet pcap of {@code packets}, from {@code start} (ns) up to 2 s apart in whole microseconds. */
    static void write(Path file, List<Packet> packets, Random rnd, long start) throws IOException {
        try (PcapWriter w = PcapWriter.create(file, jnat.pcap.LinkType.ETHERNET)) {
            long ts = start / 1000 * 1000; // whole microseconds
            for (Packet p : packets) {
                ts += 1000L * (1 + rnd.nextInt(2_000_000));
                w.write(ts, p.frame(), 0, p.caplen(), p.frame().length);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private void add(byte[] ipPacket) {
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x0800, ipPacket)));
    }

    private byte[] payload(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private String host() {
        return switch (rnd.nextInt(4)) {
            case 0 -> "172.17.0." + (2 + rnd.nextInt(20));
            case 1 -> "198.51.100." + (1 + rnd.nextInt(250));
            case 2 -> "203.0.113." + (1 + rnd.nextInt(250));
            default -> "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254));
        };
    }

    /** Ports tcpdump does not hand to a protocol dissector over TCP. */
    private int tcpPort() {
        int[] common = {8000, 10000, 3306, 5432, 9000, 443, 8443};
        return rnd.nextBoolean() ? common[rnd.nextInt(common.length)] : 1024 + rnd.nextInt(60000);
    }

    private byte[] tcpPacket(String src, String dst, Tcp t, byte[] data) {
        Ip4 ip = new Ip4(src, dst, 6);
        ip.id = rnd.nextInt(65536);
        return tcp4(ip, t, data);
    }

    private static byte[] opts(int... b) {
        return bytes(b);
    }

    private byte[] randomTcpOptions() {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        int n = rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(14)) {
                case 0 -> o.writeBytes(opts(2, 4, rnd.nextInt(256), rnd.nextInt(256)));
                case 1 -> o.writeBytes(opts(1));
                case 2 -> o.writeBytes(opts(3, 3, rnd.nextInt(15)));
                case 3 -> o.writeBytes(opts(4, 2));
                case 4 -> {
                    int blocks = 1 + rnd.nextInt(3);
                    o.write(5);
                    o.write(2 + 8 * blocks);
                    o.writeBytes(payload(8 * blocks));
                }
                case 5 -> {
                    o.writeBytes(opts(8, 10));
                    o.writeBytes(payload(8));
                }
                case 6 -> {
                    o.write(6 + rnd.nextInt(2));
                    o.write(6);
                    o.writeBytes(payload(4));
                }
                case 7 -> {
                    o.write(11 + rnd.nextInt(3));
                    o.write(6);
                    o.writeBytes(payload(4));
                }
                case 8 -> o.writeBytes(opts(28, 4, rnd.nextInt(256), rnd.nextInt(256)));
                case 9 -> o.writeBytes(opts(20, 4, rnd.nextInt(256), rnd.nextInt(256)));
                case 10 -> {
                    int len = 2 + rnd.nextInt(6);
                    o.write(new int[] {99, 200, 77, 253, 15}[rnd.nextInt(5)]);
                    o.write(len);
                    o.writeBytes(payload(len - 2));
                }
                case 11 -> {
                    o.writeBytes(opts(29, 4 + rnd.nextInt(6)));
                    o.writeBytes(payload(o.toByteArray()[o.size() - 1] - 2));
                }
                case 12 -> {
                    o.writeBytes(opts(19, 18));
                    o.writeBytes(payload(16));
                }
                default -> o.writeBytes(opts(0));
            }
        }
        return o.toByteArray();
    }

    // ------------------------------------------------------------------ TCP

    void tcpConnections() {
        for (int c = 0; c < 8; c++) {
            String client = host();
            String server = host();
            int cport = c == 7 ? 8000 : 1024 + rnd.nextInt(60000);
            int sport = c == 7 ? 8000 : tcpPort(); // c == 7: equal ports, the address order decides
            long cseq = rnd.nextLong() & 0xffffffffL;
            long sseq = rnd.nextLong() & 0xffffffffL;
            Tcp syn = new Tcp(cport, sport, cseq, 0, 0x02);
            syn.options = opts(2, 4, 5, 0xb4, 1, 3, 3, 7, 1, 1, 8, 10, 0, 1, 2, 3, 0, 0, 0, 0, 4, 2, 0);
            packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x0800, tcpPacket(client, server, syn, new byte[0]))));
            Tcp synack = new Tcp(sport, cport, sseq, cseq + 1, 0x12);
            synack.options = opts(2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 1, 2, 3, 1, 3, 3, 10);
            add(tcpPacket(server, client, synack, new byte[0]));
            long c2s = 1, s2c = 1;
            add(tcpPacket(client, server, new Tcp(cport, sport, cseq + c2s, sseq + s2c, 0x10), new byte[0]));
            for (int i = 0; i < 4 + rnd.nextInt(5); i++) {
                boolean fromClient = rnd.nextBoolean();
                int n = new int[] {0, 1, 83, 154, 365, 1200}[rnd.nextInt(6)];
                Tcp t = fromClient ? new Tcp(cport, sport, (cseq + c2s) & 0xffffffffL, (sseq + s2c) & 0xffffffffL, 0x18)
                        : new Tcp(sport, cport, (sseq + s2c) & 0xffffffffL, (cseq + c2s) & 0xffffffffL, 0x18);
                t.window = rnd.nextInt(65536);
                if (rnd.nextInt(3) == 0) {
                    t.options = opts(1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8);
                }
                if (rnd.nextInt(4) == 0) {
                    // A SACK block relative to the other direction's sequence numbers.
                    long base = fromClient ? sseq : cseq;
                    byte[] sack = new byte[12];
                    sack[0] = 1;
                    sack[1] = 1;
                    sack[2] = 5;
                    sack[3] = 10;
                    put32(sack, 4, base + 1000);
                    put32(sack, 8, base + 2000);
                    t.options = sack;
                }
                if (fromClient) {
                    add(tcpPacket(client, server, t, payload(n)));
                    c2s += n;
                } else {
                    add(tcpPacket(server, client, t, payload(n)));
                    s2c += n;
                }
            }
            add(tcpPacket(client, server, new Tcp(cport, sport, cseq + c2s, sseq + s2c, 0x11), new byte[0]));
            add(tcpPacket(server, client, new Tcp(sport, cport, sseq + s2c, cseq + c2s + 1, 0x11), new byte[0]));
            add(tcpPacket(client, server, new Tcp(cport, sport, cseq + c2s + 1, sseq + s2c + 1, 0x10), new byte[0]));
            if (c == 3) {
                // The same 4-tuple starts over: a new SYN replaces the remembered initial sequence numbers.
                long n2 = rnd.nextLong() & 0xffffffffL;
                add(tcpPacket(client, server, new Tcp(cport, sport, n2, 0, 0x02), new byte[0]));
                add(tcpPacket(server, client, new Tcp(sport, cport, 77, n2 + 1, 0x12), new byte[0]));
                add(tcpPacket(client, server, new Tcp(cport, sport, n2 + 1, 78, 0x10), payload(10)));
                // A RST with data
                add(tcpPacket(client, server, new Tcp(cport, sport, n2 + 11, 78, 0x14), payload(12)));
            }
        }
        // An ACK seen first mid-connection (no SYN) becomes the reference, as tcpdump does.
        add(tcpPacket("198.51.100.7", "203.0.113.9", new Tcp(40000, 8000, 123456789, 987654321, 0x10), payload(5)));
        add(tcpPacket("203.0.113.9", "198.51.100.7", new Tcp(8000, 40000, 987654321, 123456794, 0x10), new byte[0]));
    }

    void tcpEveryFlagCombination() {
        for (int flags = 0; flags < 256; flags++) {
            Tcp t = new Tcp(33000 + (flags % 7), 10000, 1000L * flags + 1, 5000L + flags, flags);
            t.urgent = (flags & 0x20) != 0 ? 7 : 0;
            add(tcpPacket("198.51.100." + (1 + flags % 5), "203.0.113.10", t, payload(flags % 3 == 0 ? 0 : 10)));
        }
    }

    void tcpOptionsOfEveryKind() {
        int[][] fixed = {
                {2, 4, 5, 0xb4}, {1}, {0}, {3, 3, 14}, {4, 2}, {8, 10, 0, 0, 0, 1, 0, 0, 0, 2},
                {5, 10, 0, 0, 0, 1, 0, 0, 0, 2}, {5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4},
                {5, 7, 1, 2, 3, 4, 5}, // invalid sack
                {6, 6, 1, 2, 3, 4}, {7, 6, 1, 2, 3, 4}, {11, 6, 0, 0, 1, 0}, {12, 6, 0, 0, 1, 0}, {13, 6, 0, 0, 1, 0},
                {28, 4, 0x80, 0x0b}, {28, 4, 0x00, 0x3c}, {20, 4, 0xab, 9},
                {99, 2}, {99, 3, 0xaa}, {200, 6, 1, 2, 3, 4}, {29, 4, 1, 2}, {29, 6, 1, 2, 0xde, 0xad}, {29, 3, 1},
                {2, 1}, {2, 0}, {2, 9, 5, 0xb4}, // bad lengths
                {2, 3, 5}, {8, 6, 1, 2, 3, 4}, {3, 4, 1, 2}, // length differs from the spec: [len N] or [bad opt]
                {1, 1, 1, 2, 4, 5, 0xb4, 0, 2, 4, 5, 0xb4}, // mss after eol is not printed
                {1, 2, 4, 5, 0xb4, 99, 50}, // second option overruns the header
                {19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
        };
        int i = 0;
        for (int[] o : fixed) {
            Tcp t = new Tcp(40000 + i, 10000, 1000 + i, 0, 0x02);
            t.options = opts(o);
            add(tcpPacket("198.51.100.20", "203.0.113.20", t, new byte[0]));
            i++;
        }
        for (int k = 0; k < 40; k++) {
            Tcp t = new Tcp(41000 + k, 8000, rnd.nextLong() & 0xffffffffL, rnd.nextLong() & 0xffffffffL,
                    rnd.nextBoolean() ? 0x02 : 0x18);
            t.options = randomTcpOptions();
            add(tcpPacket(host(), host(), t, payload(rnd.nextInt(3) * 17)));
        }
    }

    void tcpBroken() {
        for (int off : new int[] {0, 1, 4}) {
            Tcp t = new Tcp(41000, 10000, 1, 2, 0x18);
            t.dataOffset = off;
            add(tcpPacket("198.51.100.30", "203.0.113.30", t, payload(30)));
        }
        for (int off : new int[] {15, 12, 9}) {
            Tcp t = new Tcp(41001, 10000, 1, 2, 0x10);
            t.dataOffset = off;
            add(tcpPacket("198.51.100.30", "203.0.113.30", t, payload(8)));
        }
        // Only a few bytes of TCP inside the IP datagram.
        for (int n : new int[] {0, 1, 2, 3, 4, 12, 19}) {
            Ip4 ip = new Ip4("198.51.100.31", "203.0.113.31", 6);
            byte[] seg = new Tcp(41002, 10000, 1, 2, 0x02).build(0, new byte[0]);
            add(ip.build(java.util.Arrays.copyOf(seg, n)));
        }
        Tcp bad = new Tcp(41003, 10000, 1, 2, 0x18);
        bad.badChecksum = true;
        add(tcpPacket("198.51.100.32", "203.0.113.32", bad, payload(20)));
    }

    // ------------------------------------------------------------------ UDP

    void udpDatagrams() {
        for (int i = 0; i < 30; i++) {
            Ip4 ip = new Ip4(host(), host(), 17);
            ip.id = rnd.nextInt(65536);
            int n = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1400);
            add(udp4(ip, PLAIN_UDP_PORTS[rnd.nextInt(PLAIN_UDP_PORTS.length)],
                    PLAIN_UDP_PORTS[rnd.nextInt(PLAIN_UDP_PORTS.length)], payload(n)));
        }
        for (int lengthField : new int[] {0, 4, 7, 8, 9, 50, 200, 65535}) {
            Ip4 ip = new Ip4("198.51.100.40", "203.0.113.40", 17);
            add(ip.build(udp(ip.src, ip.dst, false, 20000, 30000, payload(40), lengthField)));
        }
        for (int n : new int[] {0, 2, 4, 6, 7}) {
            Ip4 ip = new Ip4("198.51.100.41", "203.0.113.41", 17);
            add(ip.build(java.util.Arrays.copyOf(udp(ip.src, ip.dst, false, 20000, 30000, new byte[0], -1), n)));
        }
    }

    // ------------------------------------------------------------------ ICMP

    private byte[] quotedTcp() {
        Ip4 ip = new Ip4("172.17.0.2", "198.51.100.50", 6);
        ip.ttl = 1;
        byte[] full = tcp4(ip, new Tcp(51000, 80, 12345, 0, 0x02), new byte[0]);
        return java.util.Arrays.copyOf(full, 28);
    }

    private byte[] quotedUdp() {
        Ip4 ip = new Ip4("172.17.0.2", "198.51.100.53", 17);
        return java.util.Arrays.copyOf(udp4(ip, 51388, 33434, payload(20)), 28 + rnd.nextInt(20));
    }

    private byte[] quotedIcmp() {
        Ip4 ip = new Ip4("172.17.0.2", "198.51.100.54", 1);
        return java.util.Arrays.copyOf(ip.build(icmp(8, 0, 0x001c0109, payload(56))), 28);
    }

    private byte[] quotedOther() {
        Ip4 ip = new Ip4("172.17.0.2", "198.51.100.55", 253);
        return ip.build(payload(8));
    }

    void icmpMessages() {
        for (int i = 0; i < 6; i++) {
            long idseq = ((long) rnd.nextInt(65536) << 16) | rnd.nextInt(65536);
            add(new Ip4("172.17.0.2", "8.8.8.8", 1).build(icmp(8, 0, idseq, payload(56))));
            add(new Ip4("8.8.8.8", "172.17.0.2", 1).build(icmp(0, 0, idseq, payload(56))));
        }
        byte[][] quoted = {quotedTcp(), quotedUdp(), quotedIcmp(), quotedOther()};
        for (int code = 0; code <= 16; code++) {
            for (byte[] q : quoted) {
                add(new Ip4("198.51.100.1", "172.17.0.2", 1).build(icmp(3, code, code == 4 ? 1400 : 0, q)));
            }
        }
        add(new Ip4("198.51.100.1", "172.17.0.2", 1).build(icmp(3, 4, 0, quotedTcp())));
        add(new Ip4("198.51.100.1", "172.17.0.2", 1).build(icmp(3, 4, 576, quotedUdp())));
        for (int code = 0; code <= 2; code++) {
            add(new Ip4("198.51.100.2", "172.17.0.2", 1).build(icmp(11, code, 0, quotedUdp())));
        }
        for (int code = 0; code <= 4; code++) {
            add(new Ip4("198.51.100.3", "172.17.0.2", 1).build(icmp(5, code, 0xc6336401L, quotedTcp())));
        }
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(12, 0, 0x14000000L, quotedTcp())));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(12, 1, 0, quotedTcp())));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(4, 0, 0, quotedTcp())));
        add(new Ip4("172.17.0.2", "198.51.100.4", 1).build(icmp(13, 0, 0x00070001, payload(12))));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(14, 0, 0x00070001,
                bytes(0, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0, 0, 0x30, 0x39))));
        add(new Ip4("172.17.0.2", "198.51.100.4", 1).build(icmp(17, 0, 0x00010002, payload(4))));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(18, 0, 0x00010002, bytes(255, 255, 255, 0))));
        add(new Ip4("172.17.0.2", "198.51.100.4", 1).build(icmp(10, 0, 0, new byte[0])));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(9, 0, 0x02020708L,
                bytes(198, 51, 100, 1, 0, 0, 0, 10, 198, 51, 100, 2, 0, 0, 0, 5))));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(9, 0, 0x0103001eL, payload(12))));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(15, 0, 0x00010001, new byte[0])));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(16, 0, 0x00010001, new byte[0])));
        add(new Ip4("198.51.100.4", "172.17.0.2", 1).build(icmp(42, 3, 0, payload(8))));
        // Short ICMP messages: the quoted header or the id/seq are missing.
        add(new Ip4("198.51.100.5", "172.17.0.2", 1).build(icmp(3, 1, 0, payload(6))));
        add(new Ip4("198.51.100.5", "172.17.0.2", 1).build(java.util.Arrays.copyOf(icmp(8, 0, 1, new byte[0]), 5)));
        add(new Ip4("198.51.100.5", "172.17.0.2", 1).build(icmp(11, 0, 0, payload(4))));
        add(new Ip4("198.51.100.5", "172.17.0.2", 1).build(bytes(8)));
    }

    // ------------------------------------------------------------------ ARP

    void arpPackets() {
        byte[] zero = new byte[6];
        byte[] bcast = mac("ff:ff:ff:ff:ff:ff");
        for (int i = 0; i < 4; i++) {
            byte[] req = arp(1, MAC_A, ip("172.17.0.2"), zero, ip("172.17.0." + (1 + i)));
            packets.add(new Packet(ethernet(bcast, MAC_A, 0x0806, i % 2 == 0 ? req : concat(req, new byte[18]))));
            byte[] rep = arp(2, MAC_B, ip("172.17.0." + (1 + i)), MAC_A, ip("172.17.0.2"));
            packets.add(new Packet(ethernet(MAC_A, MAC_B, 0x0806, i % 2 == 0 ? rep : concat(rep, new byte[18]))));
        }
        packets.add(new Packet(ethernet(bcast, MAC_A, 0x0806, arp(1, MAC_A, ip("172.17.0.2"), MAC_B, ip("172.17.0.9")))));
        packets.add(new Packet(ethernet(bcast, MAC_A, 0x0806, arp(3, MAC_A, ip("0.0.0.0"), MAC_A, ip("0.0.0.0")))));
        packets.add(new Packet(ethernet(bcast, MAC_A, 0x8035, arp(4, MAC_B, ip("172.17.0.1"), MAC_A, ip("172.17.0.5")))));
        packets.add(new Packet(ethernet(bcast, MAC_A, 0x0806, arp(9, MAC_A, ip("172.17.0.2"), MAC_B, ip("172.17.0.1")))));
        byte[] v6arp = arp(1, MAC_A, ip("172.17.0.2"), zero, ip("172.17.0.1"));
        put16(v6arp, 2, 0x86dd);
        packets.add(new Packet(ethernet(bcast, MAC_A, 0x0806, v6arp)));
        packets.add(new Packet(ethernet(bcast, MAC_A, 0x0806, java.util.Arrays.copyOf(v6arp, 20))));
    }

    // ------------------------------------------------------------------ IP options, fragments, protocols

    void ipOptions() {
        int[][] options = {
                {1, 1, 1, 1}, {0, 0, 0, 0}, {7, 11, 4, 198, 51, 100, 1, 0, 0, 0, 0, 0},
                {131, 11, 8, 198, 51, 100, 1, 203, 0, 113, 5, 0}, {137, 7, 4, 203, 0, 113, 6, 0},
                {68, 12, 5, 0, 0, 0, 0, 1, 0, 0, 0, 0}, {68, 12, 13, 1, 198, 51, 100, 1, 0, 0, 0, 9},
                {148, 4, 0, 0}, {148, 4, 0, 1}, {130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {99, 4, 1, 2},
                {7, 1, 0, 0}, {7, 40, 4, 0}, {1, 7, 2, 4}, {68, 3, 0, 0}, {82, 12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
        };
        for (int[] o : options) {
            Ip4 ip = new Ip4("198.51.100.60", "203.0.113.60", 17);
            ip.options = bytes(o);
            add(udp4(ip, 20000, 30000, payload(12)));
            Ip4 ip2 = new Ip4("198.51.100.61", "203.0.113.61", 1);
            ip2.options = bytes(o);
            add(ip2.build(icmp(8, 0, 0x00010001, payload(8))));
        }
        Ip4 lsrr = new Ip4("198.51.100.62", "203.0.113.62", 6);
        lsrr.options = bytes(131, 7, 4, 203, 0, 113, 99, 1);
        add(tcp4(lsrr, new Tcp(40000, 10000, 5, 0, 0x02), new byte[0]));
        Ip4 tos = new Ip4("198.51.100.63", "203.0.113.63", 17);
        for (int t : new int[] {0x10, 0x01, 0x02, 0x03, 0xb8}) {
            tos.tos = t;
            tos.ttl = t == 0x03 ? 0 : 64;
            add(udp4(tos, 20000, 30000, payload(3)));
        }
        Ip4 badsum = new Ip4("198.51.100.64", "203.0.113.64", 17);
        badsum.badChecksum = true;
        add(udp4(badsum, 20000, 30000, payload(3)));
    }

    void fragments() {
        for (int proto : new int[] {17, 6, 1, 253}) {
            byte[] inner = switch (proto) {
                case 17 -> udp(ip("198.51.100.70"), ip("203.0.113.70"), false, 20000, 30000, payload(100), -1);
                case 6 -> new Tcp(40000, 10000, 1, 0, 0x02).build(0, payload(100));
                case 1 -> icmp(8, 0, 0x00010001, payload(100));
                default -> payload(108);
            };
            Ip4 first = new Ip4("198.51.100.70", "203.0.113.70", proto);
            first.flagsOffset = 0x2000;
            first.id = 4242;
            add(first.build(java.util.Arrays.copyOf(inner, 48)));
            Ip4 middle = new Ip4("198.51.100.70", "203.0.113.70", proto);
            middle.flagsOffset = 0x2000 | 6;
            middle.id = 4242;
            add(middle.build(java.util.Arrays.copyOfRange(inner, 48, 96)));
            Ip4 last = new Ip4("198.51.100.70", "203.0.113.70", proto);
            last.flagsOffset = 12;
            last.id = 4242;
            add(last.build(java.util.Arrays.copyOfRange(inner, 96, inner.length)));
        }
        Ip4 rsvd = new Ip4("198.51.100.71", "203.0.113.71", 17);
        rsvd.flagsOffset = 0x8000 | 0x4000;
        add(udp4(rsvd, 20000, 30000, payload(4)));
    }

    void unknownProtocols() {
        for (int p : UNKNOWN_PROTOS) {
            add(new Ip4(host(), host(), p).build(payload(rnd.nextInt(60))));
        }
    }

    void brokenIp() {
        byte[] good = udp4(new Ip4("198.51.100.80", "203.0.113.80", 17), 20000, 30000, payload(20));
        for (int ihl : new int[] {0, 4}) {
            Ip4 ip = new Ip4("198.51.100.80", "203.0.113.80", 17);
            ip.ihl = ihl;
            add(ip.build(udp(ip.src, ip.dst, false, 20000, 30000, payload(20), -1)));
        }
        for (int total : new int[] {0, 10, 19, 20, 30, 48, 100, 1500}) {
            Ip4 ip = new Ip4("198.51.100.81", "203.0.113.81", 17);
            ip.totalLength = total;
            add(ip.build(udp(ip.src, ip.dst, false, 20000, 30000, payload(20), -1)));
        }
        Ip4 longHeader = new Ip4("198.51.100.82", "203.0.113.82", 17);
        longHeader.ihl = 15;
        add(longHeader.build(udp(longHeader.src, longHeader.dst, false, 20000, 30000, payload(4), -1)));
        byte[] v6 = good.clone();
        v6[0] = 0x65;
        add(v6);
        byte[] v7 = good.clone();
        v7[0] = 0x75;
        add(v7);
        add(java.util.Arrays.copyOf(good, 12));
        add(new byte[0]);
    }

    void linkLayer() {
        byte[] inner = udp4(new Ip4("198.51.100.90", "203.0.113.90", 17), 20000, 30000, payload(10));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8100, vlan(0x8100, 11, 0x0800, inner))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8100, vlan(0x8100, 0xb00b, 0x0800, inner))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x88a8,
                vlan(0x88a8, 100, 0x8100, vlan(0x8100, 0x3000 | 200, 0x0800, inner)))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8100, vlan(0x8100, 11, 0x0806,
                arp(1, MAC_A, ip("172.17.0.2"), new byte[6], ip("172.17.0.1"))))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8100, bytes(0, 11))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x88b5, payload(37))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x88b5, new byte[0])));
        packets.add(new Packet(java.util.Arrays.copyOf(ethernet(MAC_B, MAC_A, 0x0800, inner), 13)));
    }

    // ------------------------------------------------------------------ DNS

    void dns() {
        String[] names = {"example.com", "a.b.c.example.org", "docker.io", "x", "www.kernel.org"};
        int[] types = {1, 28, 5, 15, 16, 12, 2, 33, 255, 6};
        for (int i = 0; i < 12; i++) {
            String name = names[rnd.nextInt(names.length)];
            int qtype = types[rnd.nextInt(types.length)];
            int id = rnd.nextInt(65536);
            byte[] q = concat(bytes(id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0), dnsName(name),
                    bytes(0, qtype, 0, 1));
            Ip4 ip = new Ip4("172.17.0.2", "8.8.8.8", 17);
            add(udp4(ip, 40000 + i, 53, q));
            // The answer: the question, then records that point back to the name at offset 12.
            java.io.ByteArrayOutputStream a = new java.io.ByteArrayOutputStream();
            int ancount = 1 + rnd.nextInt(3);
            int rcode = i == 5 ? 3 : 0;
            a.writeBytes(bytes(id >> 8, id & 0xff, 0x81, 0x80 | rcode, 0, 1, 0, ancount, 0, 0, 0, 0));
            a.writeBytes(dnsName(name));
            a.writeBytes(bytes(0, qtype, 0, 1));
            for (int k = 0; k < ancount; k++) {
                int t = new int[] {1, 28, 5, 15, 16}[rnd.nextInt(5)];
                byte[] rdata = switch (t) {
                    case 1 -> bytes(93, 184, 216, 34 + k);
                    case 28 -> ip6("2001:db8::" + (k + 1));
                    case 5 -> dnsName("alias" + k + ".example.net");
                    case 15 -> concat(bytes(0, 10), dnsName("mail.example.net"));
                    default -> bytes(5, 'h', 'e', 'l', 'l', 'o', 2, 'h', 'i');
                };
                a.writeBytes(bytes(0xc0, 12, 0, t, 0, 1, 0, 0, 0x0e, 0x10, rdata.length >> 8, rdata.length & 0xff));
                a.writeBytes(rdata);
            }
            add(udp4(new Ip4("8.8.8.8", "172.17.0.2", 17), 53, 40000 + i, a.toByteArray()));
        }
        add(udp4(new Ip4("172.17.0.2", "8.8.8.8", 17), 40100, 53, payload(5)));
        // mDNS: the class's top bit asks for a unicast reply (QU) or flushes caches.
        byte[] mq = concat(bytes(0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0), dnsName("printer.local"), bytes(0, 12, 0x80, 1),
                dnsName("_ipp._tcp.local"), bytes(0, 12, 0, 1));
        add(udp4(new Ip4("172.17.0.2", "224.0.0.251", 17), 5353, 5353, mq));
        byte[] ma = concat(bytes(0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0), dnsName("printer.local"),
                bytes(0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 172, 17, 0, 9));
        add(udp4(new Ip4("172.17.0.9", "224.0.0.251", 17), 5353, 5353, ma));
    }

    // ------------------------------------------------------------------ IGMP, MPLS, capture headers

    private static byte[] igmp(byte[] msg) {
        Frames.put16(msg, 2, 0);
        Frames.put16(msg, 2, fold(sum(0, msg, 0, msg.length)));
        return msg;
    }

    void igmpAndMpls() {
        byte[][] messages = {
                bytes(0x11, 0, 0, 0, 0, 0, 0, 0), bytes(0x11, 100, 0, 0, 0, 0, 0, 0),
                bytes(0x11, 50, 0, 0, 239, 1, 2, 3), bytes(0x11, 100, 0, 0, 0, 0, 0, 0, 0, 0),
                bytes(0x11, 100, 0, 0, 0, 0, 0, 0, 2, 125, 0, 0),
                bytes(0x11, 200, 0, 0, 239, 1, 2, 3, 2, 125, 0, 2, 198, 51, 100, 1, 198, 51, 100, 2),
                bytes(0x11, 0x90, 0, 0, 239, 1, 2, 3, 0, 0, 0, 0),
                bytes(0x12, 0, 0, 0, 239, 1, 2, 3), bytes(0x16, 0, 0, 0, 239, 1, 2, 4), bytes(0x17, 0, 0, 0, 239, 1, 2, 4),
                bytes(0x22, 0, 0, 0, 0, 0, 0, 2, 4, 0, 0, 1, 239, 1, 2, 5, 198, 51, 100, 7, 2, 0, 0, 0, 239, 1, 2, 6),
                bytes(0x22, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 239, 1, 2, 5), bytes(0x22, 0, 0, 0, 0, 0, 0, 1, 9),
                bytes(0x99, 0, 0, 0, 1, 2, 3, 4),
        };
        for (byte[] m : messages) {
            Ip4 ip = new Ip4("172.17.0.2", "224.0.0.22", 2);
            ip.ttl = 1;
            ip.options = bytes(148, 4, 0, 0);
            add(ip.build(igmp(m)));
        }
        byte[] inner = new Ip4("198.51.100.100", "203.0.113.100", 1).build(icmp(8, 0, 0x00050001, payload(20)));
        int[][] stacks = {{18 << 12 | 0x100 | 254}, {19 << 12 | 64, 16 << 12 | 0x100 | 255}, {0x100 | 64},
                {2 << 12 | 0x100 | 64}, {(1 << 12) | (5 << 9) | 0x100 | 1}};
        for (int[] stack : stacks) {
            byte[] labels = new byte[4 * stack.length];
            for (int i = 0; i < stack.length; i++) put32(labels, 4 * i, stack[i] & 0xffffffffL);
            packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8847, concat(labels, inner))));
        }
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8848, concat(bytes(0, 0x11, 0x21, 0x40), payload(20)))));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x8847, bytes(0, 0x11, 0x20))));
        // Records whose capture header is itself wrong: tcpdump prints "[Invalid header: ...]".
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x0800, inner), 0));
    }

    // ------------------------------------------------------------------ IPv6

    void ipv6() {
        String a = "2001:db8::2";
        String b = "2001:db8:0:1::53";
        byte[] seg = new Tcp(40000, 8000, 100, 0, 0x02).build(pseudo6(ip6(a), ip6(b), 6, 20), new byte[0]);
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(a, b, 6, seg.length, 64), seg))));
        Tcp ack = new Tcp(8000, 40000, 500, 101, 0x12);
        byte[] seg2 = ack.build(pseudo6(ip6(b), ip6(a), 6, 20), new byte[0]);
        packets.add(new Packet(ethernet(MAC_A, MAC_B, 0x86dd, concat(ip6Header(b, a, 6, seg2.length, 64), seg2))));
        byte[] u = udp(ip6(a), ip6("ff02::1"), true, 20000, 30000, payload(12), -1);
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(a, "ff02::1", 17, u.length, 1), u))));
        byte[] echo = icmp(128, 0, 0x00070001, payload(16));
        long ps = pseudo6(ip6(a), ip6("::1"), 58, echo.length);
        put16(echo, 2, 0);
        put16(echo, 2, fold(sum(ps, echo, 0, echo.length)));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(a, "::1", 58, echo.length, 64), echo))));
        // Neighbour discovery: solicitation, advertisement, router solicitation, with link-address options.
        String ll = "fe80::42:acff:fe11:2";
        byte[][] nd = {
                concat(bytes(135, 0, 0, 0, 0, 0, 0, 0), ip6("fe80::1"), bytes(1, 1), MAC_A),
                concat(bytes(136, 0, 0, 0, 0x60, 0, 0, 0), ip6("fe80::1"), bytes(2, 1), MAC_B),
                concat(bytes(136, 0, 0, 0, 0x80, 0, 0, 0), ip6("2001:db8::1")),
                concat(bytes(133, 0, 0, 0, 0, 0, 0, 0), bytes(1, 1), MAC_A),
                concat(bytes(135, 0, 0, 0, 0, 0, 0, 0), ip6("fe80::1"), bytes(5, 1, 0, 0, 0, 0, 5, 0xdc)),
        };
        byte[] quotedUdp6 = concat(ip6Header(a, b, 17, 20, 64), udp(ip6(a), ip6(b), true, 40000, 53, payload(12), -1));
        byte[] quotedTcp6 = concat(ip6Header(a, b, 6, 20, 64), java.util.Arrays.copyOf(seg, 20));
        List<byte[]> errors = new ArrayList<>();
        for (int code = 0; code <= 6; code++) errors.add(concat(bytes(1, code, 0, 0, 0, 0, 0, 0), quotedUdp6));
        errors.add(concat(bytes(1, 4, 0, 0, 0, 0, 0, 0), quotedTcp6));
        errors.add(concat(bytes(2, 0, 0, 0, 0, 0, 5, 0), quotedUdp6));
        for (int code = 0; code <= 2; code++) errors.add(concat(bytes(3, code, 0, 0, 0, 0, 0, 0), quotedUdp6));
        for (int code = 0; code <= 4; code++) errors.add(concat(bytes(4, code, 0, 0, 0, 0, 0, 40), quotedUdp6));
        errors.add(concat(bytes(77, 1, 0, 0, 1, 2, 3, 4), payload(9)));
        errors.add(concat(bytes(250, 0, 0, 0, 1, 2, 3, 4)));
        for (byte[] m : errors) {
            long s = pseudo6(ip6(b), ip6(a), 58, m.length);
            put16(m, 2, fold(sum(s, m, 0, m.length)));
            packets.add(new Packet(ethernet(MAC_A, MAC_B, 0x86dd, concat(ip6Header(b, a, 58, m.length, 64), m))));
        }
        // Extension headers: hop-by-hop (router alert) before MLD, destination options, fragments.
        byte[] hbhRa = bytes(58, 0, 5, 2, 0, 0, 1, 0);
        byte[][] mld = {
                concat(bytes(143, 0, 0, 0, 0, 0, 0, 2), bytes(4, 0, 0, 0), ip6("ff02::fb"),
                        bytes(3, 0, 0, 1), ip6("ff05::2"), ip6("2001:db8::99")),
                concat(bytes(130, 0, 0, 0, 0x27, 0x10, 0, 0), ip6("::")),
                concat(bytes(131, 0, 0, 0, 0, 0, 0, 0), ip6("ff02::fb")),
                concat(bytes(132, 0, 0, 0, 0, 0, 0, 0), ip6("ff02::fb")),
                concat(bytes(130, 0, 0, 0, 0x80, 0x10, 0, 0), ip6("ff02::fb"), bytes(0x0a, 125, 0, 1), ip6("2001:db8::7")),
                concat(bytes(130, 0, 0, 0, 0, 100, 0, 0), ip6("::"), bytes(2, 125)),
        };
        for (byte[] m : mld) {
            long s = pseudo6(ip6(ll), ip6("ff02::16"), 58, m.length);
            put16(m, 2, fold(sum(s, m, 0, m.length)));
            byte[] payload = concat(hbhRa, m);
            packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(ll, "ff02::16", 0, payload.length, 1), payload))));
        }
        byte[] u6 = udp(ip6(a), ip6(b), true, 20000, 30000, payload(40), -1);
        byte[] dst = concat(bytes(17, 1, 1, 4, 0, 0, 0, 0, 0, 0x77, 3, 1, 2, 3, 0, 0), u6);
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(a, b, 60, dst.length, 64), dst))));
        byte[] frag0 = concat(bytes(17, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef), java.util.Arrays.copyOf(u6, 24));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(a, b, 44, frag0.length, 64), frag0))));
        byte[] frag1 = concat(bytes(17, 0, 0, 24, 0xde, 0xad, 0xbe, 0xef), java.util.Arrays.copyOfRange(u6, 24, u6.length));
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(a, b, 44, frag1.length, 64), frag1))));
        byte[] twoHbh = concat(bytes(0, 0, 1, 4, 0, 0, 0, 0), bytes(58, 0, 1, 4, 0, 0, 0, 0), mld[2]);
        packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd, concat(ip6Header(ll, "ff02::16", 0, twoHbh.length, 1), twoHbh))));
        for (byte[] m : nd) {
            long s = pseudo6(ip6(ll), ip6("ff02::1:ff00:1"), 58, m.length);
            put16(m, 2, fold(sum(s, m, 0, m.length)));
            packets.add(new Packet(ethernet(MAC_B, MAC_A, 0x86dd,
                    concat(ip6Header(ll, "ff02::1:ff00:1", 58, m.length, 255), m))));
        }
    }

    // ------------------------------------------------------------------ snaplen cuts

    /** Copies of earlier packets cut at every interesting length, as a small snapshot length would. */
    void snaplenCuts() {
        snaplenCuts(packets, rnd, 150, 80);
    }

    /** Adds {@code n} copies of packets already there, each cut to 1 to {@code maxCut} bytes. */
    static void snaplenCuts(List<Packet> packets, Random rnd, int n, int maxCut) {
        List<Packet> originals = new ArrayList<>(packets);
        for (int i = 0; i < n; i++) {
            Packet p = originals.get(rnd.nextInt(originals.size()));
            if (p.frame().length < 2) continue;
            int cut = 1 + rnd.nextInt(Math.min(p.frame().length - 1, maxCut));
            packets.add(new Packet(p.frame(), cut));
        }
    }
}
