package jnat.tcpdump;

import jnat.pcap.LinkType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jnat.tcpdump.Frames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden test from the seed article: every "tcpdump -nne" line it quotes is turned back into a frame
 * (addresses, ports, flags, sequence numbers, options and lengths taken from the line, payload bytes
 * arbitrary), and jnat must print exactly that line. Each tcpdump run in the seed is one printer, since
 * relative sequence numbers are per run.
 */
class SeedGoldenTest {
    /** The seed's date is unknown; its host clock was in China (UTC+8). Any date works. */
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final LocalDate DATE = LocalDate.of(2020, 6, 1);

    static final Pattern LINK = Pattern.compile(
            "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{6}) (\\S+) > (\\S+), ethertype IPv4 \\(0x0800\\), length (\\d+): (.*)$");
    static final Pattern ICMP = Pattern.compile(
            "^(\\S+) > (\\S+): ICMP echo (request|reply), id (\\d+), seq (\\d+), length (\\d+)$");
    static final Pattern TCP = Pattern.compile("^(\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+) > (\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+): "
            + "Flags \\[([^\\]]*)\\](?:, seq (\\d+)(?::(\\d+))?)?(?:, ack (\\d+))?, win (\\d+)"
            + "(?:, options \\[([^\\]]*)\\])?, length (\\d+)$");

    @Test
    void printsTheSeedsCapturedLinesBack() throws IOException {
        List<List<String>> runs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/seed/seed-tcpdump.txt"), StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) runs.add(new ArrayList<>());
            else if (!line.startsWith("#") && !line.isBlank()) runs.getLast().add(line);
        }
        assertEquals(4, runs.size());
        int checked = 0;
        for (List<String> run : runs) {
            var printer = new TcpdumpPrinter(new TcpdumpPrinter.Options(true, 0, 0, ZONE));
            var tcp = new TcpState();
            for (String line : run) {
                Matcher m = LINK.matcher(line);
                assertTrue(m.matches(), line);
                long nanos = DATE.atTime(LocalTime.parse(m.group(1))).atZone(ZONE).toInstant().getEpochSecond()
                        * 1_000_000_000L + Long.parseLong(m.group(1).substring(9)) * 1000L;
                byte[] frame = ethernet(mac(m.group(3)), mac(m.group(2)), 0x0800, ipPacket(m.group(5), tcp));
                assertEquals(Integer.parseInt(m.group(4)), frame.length, "rebuilt frame length for " + line);
                assertEquals(line, printer.format(nanos, LinkType.ETHERNET, frame, frame.length, frame.length));
                checked++;
            }
        }
        assertEquals(30, checked);
    }

    /** Absolute sequence numbers per direction, recovered from the SYNs as tcpdump's relative ones hide them. */
    static final class TcpState {
        final Map<String, Long> isn = new HashMap<>();
        final Map<String, Long> next = new HashMap<>();
    }

    static byte[] ipPacket(String text, TcpState st) {
        Matcher m = ICMP.matcher(text);
        if (m.matches()) {
            int type = m.group(3).equals("request") ? 8 : 0;
            long idseq = (Long.parseLong(m.group(4)) << 16) | Long.parseLong(m.group(5));
            byte[] body = new byte[Integer.parseInt(m.group(6)) - 8];
            Ip4 ip = new Ip4(m.group(1), m.group(2), 1);
            return ip.build(icmp(type, 0, idseq, body));
        }
        m = TCP.matcher(text);
        assertTrue(m.matches(), text);
        String src = m.group(1), dst = m.group(3);
        int sport = Integer.parseInt(m.group(2)), dport = Integer.parseInt(m.group(4));
        String flagText = m.group(5);
        int flags = 0;
        for (char c : flagText.toCharArray()) {
            flags |= switch (c) {
                case 'F' -> 0x01;
                case 'S' -> 0x02;
                case 'R' -> 0x04;
                case 'P' -> 0x08;
                case '.' -> 0x10;
                case 'U' -> 0x20;
                case 'E' -> 0x40;
                case 'W' -> 0x80;
                default -> throw new AssertionError(c);
            };
        }
        String dir = src + "." + sport + ">" + dst + "." + dport;
        String rev = dst + "." + dport + ">" + src + "." + sport;
        int length = Integer.parseInt(m.group(11));
        long seq;
        long ack = 0;
        if ((flags & 0x02) != 0) {
            seq = Long.parseLong(m.group(6));
            st.isn.put(dir, seq);
            if (m.group(8) != null) ack = Long.parseLong(m.group(8));
        } else {
            seq = m.group(6) != null ? st.isn.get(dir) + Long.parseLong(m.group(6)) : st.next.get(dir);
            if (m.group(8) != null) ack = st.isn.get(rev) + Long.parseLong(m.group(8));
        }
        st.next.put(dir, seq + length + ((flags & 0x03) != 0 ? 1 : 0));
        Tcp t = new Tcp(sport, dport, seq & 0xffffffffL, ack & 0xffffffffL, flags);
        t.window = Integer.parseInt(m.group(9));
        if (m.group(10) != null) t.options = options(m.group(10));
        Ip4 ip = new Ip4(src, dst, 6);
        return tcp4(ip, t, new byte[length]);
    }

    static byte[] options(String text) {
        var o = new java.io.ByteArrayOutputStream();
        for (String opt : text.split(",")) {
            String[] w = opt.split(" ");
            switch (w[0]) {
                case "mss" -> o.writeBytes(bytes(2, 4, Integer.parseInt(w[1]) >> 8, Integer.parseInt(w[1]) & 0xff));
                case "nop" -> o.write(1);
                case "eol" -> o.write(0);
                case "sackOK" -> o.writeBytes(bytes(4, 2));
                case "wscale" -> o.writeBytes(bytes(3, 3, Integer.parseInt(w[1])));
                case "TS" -> {
                    byte[] ts = new byte[10];
                    ts[0] = 8;
                    ts[1] = 10;
                    put32(ts, 2, Long.parseLong(w[2]));
                    put32(ts, 6, Long.parseLong(w[4]));
                    o.writeBytes(ts);
                }
                default -> throw new AssertionError("option " + opt);
            }
        }
        return o.toByteArray();
    }
}
