package jnat.tcpdump;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import jnat.pcap.LinkType;
import jnat.pcap.PcapWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The IPv6 corpus ({@link Corpus6}; GeneratedCorpusTest compares it in Ethernet frames) without the Ethernet
 * header prints as tcpdump prints it in raw-IP, raw-IPv6 and BSD loopback files; and the corpus holds every
 * kind of frame it is meant to.
 */
class Ipv6CorpusTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "link type {0}")
    @ValueSource(ints = {LinkType.RAW, LinkType.IPV6, LinkType.NULL})
    void printsRawIpv6LinkTypesAsTcpdumpDoes(int linkType) throws IOException {
        Path file = raw(linkType);
        for (String flags : List.of("-nn", "-nne", "-nnv")) TcpdumpOracle.assertSame(file, flags, x -> false);
    }

    @ParameterizedTest(name = "link type {0}")
    @ValueSource(ints = {LinkType.RAW, LinkType.IPV6, LinkType.NULL})
    void printsRawIpv6LinkTypesAsTcpdumpDid(int linkType) throws IOException {
        Path file = TcpdumpOracle.keptInput(raw(linkType));
        for (String flags : List.of("-nn", "-nne", "-nnv")) TcpdumpOracle.assertGolden(file, flags, x -> false);
    }

    /** The IPv6 packets of seed 1 without their Ethernet header (raw6-LINKTYPE.pcap); BSD loopback's family varies. */
    private Path raw(int linkType) throws IOException {
        Corpus6 corpus = Corpus6.generate(1);
        Path file = dir.resolve("raw6-" + linkType + ".pcap");
        int[] families = {24, 28, 30}; // AF_INET6 of NetBSD/OpenBSD, FreeBSD and Darwin, little-endian
        int n = 0;
        try (PcapWriter w = PcapWriter.create(file, linkType)) {
            long ts = 1_750_000_000_000_000_000L;
            for (Corpus.Packet p : corpus.packets) {
                byte[] f = p.frame();
                if (f.length < 14 || p.caplen() <= 14 || (f[12] & 0xff) != 0x86 || (f[13] & 0xff) != 0xdd) continue;
                byte[] ip = Arrays.copyOfRange(f, 14, f.length);
                if (linkType == LinkType.NULL) ip = Frames.concat(new byte[] {(byte) families[n % 3], 0, 0, 0}, ip);
                n++;
                ts += 1_000_000L;
                w.write(ts, ip, 0, ip.length - (f.length - p.caplen()), ip.length);
            }
        }
        return file;
    }

    /** What tcpdump -nnv prints for each kind of frame the corpus must hold, so that it cannot lose one unseen. */
    static final List<String> KINDS = List.of(
            "Flags [S], cksum", "Flags [S.]", "Flags [P.]", "Flags [F.]", "Flags [R]", "Flags [FSRP.UEW]", "options [mss",
            "class 0x", "flowlabel 0x", "[udp sum ok] UDP", "[bad udp cksum 0x0000", "[bad udp cksum", "truncated-udplength",
            ".53: [udp sum ok] ", ".5353: [udp sum ok] ", "HTTP", "ICMP6, echo request", "ICMP6, echo reply", "[bad icmp6 cksum",
            "unreachable route", "unreachable prohibited", "beyond scope", "unreachable address", "unreachable port",
            "udp port", "tcp port", "unknown unreach code", "packet too big, mtu 1280", "time exceeded in-transit for",
            "(reassembly)", "erroneous - octet", "next header - octet", "option - octet", "incomplete header chain",
            "neighbor solicitation", "neighbor advertisement", "Flags [router, solicited, override]",
            "source link-address option", "destination link-address option", "router solicitation", "router advertisement",
            "prefix info option", "mtu option", "rdnss option", "dnssl option", "route info option", "redirect",
            "redirected header option", "multicast listener report v2", "multicast listener query v2",
            "multicast listener reportmax resp delay", "multicast listener done", "HBH (rtalert: 0x0000)", "(jumbo:", "(pad1)",
            "RT6 (len=2, type=0 [Deprecated]", "RT6 (len=2, type=2", "type=4", "DSTOPT", "(homeaddr:", "frag (0x",
            "AH(", "ESP(", "mobility: BU seq#=42 AHLK", "mobility: HoT nonce id", "mobility: BE", "(alt-CoA:", "IP6 (", "next-header IPIP (4)", "next-header IPv6 (41)", "no next header",
            "version error", "truncated-ip6 -", "[|ip6]", "[|tcp]", "[|udp]", "[|icmp6]", "[|rt6]", "[|frag6]",
            "[|hbhopt]", "[|dstopt]", "[|ah]", "[|esp]", "(invalid)", "ethertype 802.1Q");

    @Test
    void theIpv6CorpusHoldsEveryKindOfFrame() throws IOException {
        String printed = Files.readString(TcpdumpOracle.GOLDEN.resolve("ipv6-1.nnv.txt"))
                + Files.readString(TcpdumpOracle.GOLDEN.resolve("ipv6-1.nne.txt"));
        List<String> missing = KINDS.stream().filter(k -> !printed.contains(k)).toList();
        assertEquals(List.of(), missing, "kinds of frame tcpdump no longer prints for the IPv6 corpus");
    }
}
