package jnat.nat;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.testing.Netns;
import jnat.testing.Tools;
import jnat.wire.Bytes;
import jnat.wire.Checksum;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -j SYNPROXY against the kernel: a client namespace fetches a page with curl from a Python HTTP
 * server in another, through a router namespace running the SYNPROXY setup of iptables-extensions(8)
 * (the SYN NOTRACKed in raw, SYNPROXY for INVALID and UNTRACKED in FORWARD, nf_conntrack_tcp_loose=0).
 * What entered the router on both veths is then replayed through an engine with the same host and
 * rules, and what it sends must be what the kernel sent, frame for frame on each link.
 *
 * <p>The cookie (a siphash under a random secret) and the timestamp cookie (tcp_clock_ms) differ
 * between the two by constants: the client's ACKs are rewritten to acknowledge jnat's cookie and
 * echo jnat's timestamp, as the client's stack would have answered jnat's SYN/ACK, and jnat's
 * frames are compared with those constants taken out of the fields that carry them (listed in
 * {@link #normalise}); every other byte is compared as it is.
 */
class SynproxyKernelTest {
    static final String CL_MAC = "02:00:00:00:00:01", FC_MAC = "02:00:00:00:00:02", FS_MAC = "02:00:00:00:00:03",
            SV_MAC = "02:00:00:00:00:04";
    static final String RULES = String.join("\n",
            "*raw", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A PREROUTING -i fc -p tcp -m tcp --dport 80 --tcp-flags FIN,SYN,RST,ACK SYN -j CT --notrack",
            "COMMIT",
            "*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
            "-A FORWARD -i fc -p tcp -m tcp --dport 80 -m state --state INVALID,UNTRACKED"
                    + " -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460",
            "-A FORWARD -i fc -p tcp -m tcp --dport 80 -m state --state INVALID -j DROP",
            "-A OUTPUT -p tcp",
            "COMMIT", "");
    static final String HOST = """
            link set dev fc address %s mtu 1500 up
            link set dev fs address %s mtu 1500 up
            addr add 198.51.100.1/24 dev fc
            addr add 203.0.113.1/24 dev fs
            neigh add 198.51.100.2 lladdr %s dev fc
            neigh add 203.0.113.2 lladdr %s dev fs
            """.formatted(FC_MAC, FS_MAC, CL_MAC, SV_MAC);

    /** A frame the router saw: when, on which of its links, and whether it sent it. */
    record Frame(long time, String link, boolean sent, byte[] bytes) {
    }

    @Test
    void aProxiedConnectionLeavesBothLinksAsTheKernelSendsIt() throws Exception {
        Tools.requireRoot();
        Tools.require("iptables-restore");
        Tools.require("tcpdump");
        Tools.require("curl");
        Tools.require("python3");
        Path dir = Files.createTempDirectory("jnat-synproxy");
        List<Frame> kernel;
        String counters, stat;
        try (Netns cl = Netns.create("spc"); Netns fw = Netns.create("spf"); Netns sv = Netns.create("sps")) {
            wire(cl, fw, sv);
            Files.writeString(dir.resolve("index.html"), "hello\n");
            List<Process> bg = new ArrayList<>();
            try {
                bg.add(start(dir.resolve("fc.out"), "ip", "netns", "exec", fw.name(), "tcpdump", "--immediate-mode", "-Z", "root", "-U", "-s0", "-i", "fc", "-w", dir.resolve("fc.pcap").toString()));
                bg.add(start(dir.resolve("fs.out"), "ip", "netns", "exec", fw.name(), "tcpdump", "--immediate-mode", "-Z", "root", "-U", "-s0", "-i", "fs", "-w", dir.resolve("fs.pcap").toString()));
                bg.add(start(dir.resolve("http.out"), "ip", "netns", "exec", sv.name(), "python3", "-m", "http.server", "80",
                        "--bind", "203.0.113.2", "--directory", dir.toString()));
                waitFor(() -> sv.exec("ss", "-ltn").stdout().contains("203.0.113.2:80") && Files.exists(dir.resolve("fs.pcap"))
                        && Files.exists(dir.resolve("fc.pcap")));
                Thread.sleep(300); // tcpdump's socket is open once the file is
                String page = cl.exec("curl", "-s", "--max-time", "5", "http://203.0.113.2/index.html").checked().stdout();
                assertEquals("hello\n", page, "the page through the kernel's SYNPROXY");
                Thread.sleep(300);
            } finally {
                for (Process p : bg) {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
            counters = fw.exec("iptables", "-nvxL", "FORWARD").checked().stdout();
            stat = fw.exec("cat", "/proc/net/stat/synproxy").checked().stdout();
            kernel = merge(read(dir.resolve("fc.pcap"), "fc", FC_MAC), read(dir.resolve("fs.pcap"), "fs", FS_MAC));
        }
        Replay jnat = replay(kernel);
        int compared = 0;
        for (String link : List.of("fc", "fs")) {
            List<byte[]> k = kernel.stream().filter(f -> f.sent && f.link.equals(link)).map(Frame::bytes).toList();
            List<byte[]> j = jnat.sent.stream().filter(f -> f.link.equals(link)).map(Frame::bytes).toList();
            assertEquals(k.size(), j.size(), link + ": frames sent\nkernel:\n" + hex(k) + "jnat:\n" + hex(j));
            for (int i = 0; i < k.size(); i++) {
                byte[] n = normalise(j.get(i), link, jnat.cookieDelta, jnat.tsDelta), kf = k.get(i).clone();
                if (Bytes.u16(kf, 12) == 0x0800 && kf[14 + 9] == 1) { // an ICMP error's IP id: ip_select_ident's keyed hash
                    for (int at : new int[] {14 + 4, 14 + 5, 14 + 10, 14 + 11}) kf[at] = n[at] = 0;
                }
                assertEquals(HexFormat.of().formatHex(kf), HexFormat.of().formatHex(n), link + " frame " + i);
                compared++;
            }
        }
        assertTrue(compared >= 15, "frames compared: " + compared);
        System.out.println("SynproxyKernelTest: " + compared + " frames equal on both links");
        assertEquals(counts(counters), counts(Iptables.run(jnat.rules, List.of("-nvxL", "FORWARD")).output()), "FORWARD's counters");
        // /proc/net/stat/synproxy: one line per CPU, summed (syn_received, cookie_invalid, cookie_valid, cookie_retrans, conn_reopened)
        assertEquals(statSum(stat), Arrays.stream(jnat.engine.synproxyStat()).boxed().toList(), "/proc/net/stat/synproxy");
    }

    /** The result of the replay: what jnat sent, and the constants its cookies differ from the kernel's by. */
    record Replay(List<Frame> sent, int cookieDelta, int tsDelta, Ruleset rules, NatEngine engine) {
    }

    static Replay replay(List<Frame> kernel) {
        Host host = Host.parse(HOST, "synproxy-router.ip");
        Ruleset rules = Ruleset.parse(RULES);
        NatEngine e = new NatEngine(host, rules);
        e.connections().setTcpLoose(false);
        List<Frame> sent = new ArrayList<>();
        Transmit tx = (dev, buf, off, len) -> sent.add(new Frame(0, dev.name(), true, Arrays.copyOfRange(buf, off, off + len)));
        byte[] kernelSynack = kernel.stream().filter(f -> f.sent && f.link.equals("fc") && flags(f.bytes) == 0x12).findFirst()
                .orElseThrow(() -> new AssertionError("no SYN/ACK from the kernel's router in " + kernel.size() + " frames:\n"
                        + hex(kernel.stream().map(Frame::bytes).toList()))).bytes;
        int dc = 0, dts = 0;
        boolean deltas = false;
        for (Frame f : kernel) {
            if (f.sent) continue;
            byte[] b = f.bytes.clone();
            if (f.link.equals("fc") && deltas) answerJnat(b, dc, dts);
            byte[] buf = new byte[16 + b.length];
            System.arraycopy(b, 0, buf, 16, b.length);
            e.receive(host.device(f.link), buf, 16, b.length, f.time, tx);
            if (!deltas) {
                for (Frame s : sent) {
                    if (s.link.equals("fc") && flags(s.bytes) == 0x12) {
                        dc = seq(s.bytes) - seq(kernelSynack);
                        dts = Bytes.i32(s.bytes, tsOption(s.bytes)) - Bytes.i32(kernelSynack, tsOption(kernelSynack));
                        deltas = true;
                    }
                }
            }
        }
        assertTrue(deltas, "jnat answered the SYN with a SYN/ACK");
        return new Replay(sent, dc, dts, rules, e);
    }

    /** The client acknowledging jnat's cookie and echoing jnat's timestamp where it did the kernel's. */
    static void answerJnat(byte[] f, int dc, int dts) {
        int t = 14 + 20;
        if ((flags(f) & 0x10) != 0) Bytes.put32(f, t + 8, Bytes.i32(f, t + 8) + dc);
        int ts = tsOption(f);
        if (ts > 0) Bytes.put32(f, ts + 4, Bytes.i32(f, ts + 4) + dts);
        fillTcpChecksum(f);
    }

    /**
     * jnat's frame with its cookie and timestamp constants taken out: to the client, the sequence
     * number (cookie space) and tsval (the timestamp cookie's clock); to the server, the SYN's
     * ack_seq (our ISN relayed, synproxy_send_server_syn) and its tsecr (the client's echo of our
     * timestamp), and the proxy's ACK's tsecr, the server's tsval plus tsoff (which holds our
     * timestamp with a minus: synproxy_tstamp_adjust adds it to the ACK synproxy_send_server_ack built).
     */
    static byte[] normalise(byte[] j, String link, int dc, int dts) {
        byte[] f = j.clone();
        if (Bytes.u16(f, 12) != 0x0800 || f[14 + 9] != 6) return f;
        int t = 14 + 20, ts = tsOption(f), fl = flags(f);
        boolean own = Bytes.u16(f, 14 + 4) == 0 && (f[14 + 8] & 0xff) == 64; // built by the router: id 0, TTL 64
        if (link.equals("fc")) {
            Bytes.put32(f, t + 4, Bytes.i32(f, t + 4) - dc);
            if (ts > 0) Bytes.put32(f, ts, Bytes.i32(f, ts) - dts);
        } else if (own && fl == 0x02) {
            Bytes.put32(f, t + 8, Bytes.i32(f, t + 8) - dc);
            if (ts > 0) Bytes.put32(f, ts + 4, Bytes.i32(f, ts + 4) - dts);
        } else if (own && fl == 0x10 && ts > 0) {
            Bytes.put32(f, ts + 4, Bytes.i32(f, ts + 4) + dts);
        }
        fillTcpChecksum(f);
        return f;
    }

    static int flags(byte[] f) {
        return Bytes.u16(f, 12) == 0x0800 && f[14 + 9] == 6 ? f[14 + 20 + 13] & 0xff : -1;
    }

    static int seq(byte[] f) {
        return Bytes.i32(f, 14 + 20 + 4);
    }

    /** The offset of a frame's TCP timestamp option's tsval (IPv4 header without options), or -1. */
    static int tsOption(byte[] f) {
        int t = 14 + 20, end = t + ((f[t + 12] & 0xff) >>> 4) * 4;
        for (int o = t + 20; o < end; ) {
            int kind = f[o] & 0xff;
            if (kind == 0) break;
            if (kind == 1) { o++; continue; }
            int len = f[o + 1] & 0xff;
            if (len < 2) break;
            if (kind == 8 && len == 10) return o + 2;
            o += len;
        }
        return -1;
    }

    /** The segment's checksum computed (a veth leaves it partial; the comparison's rewrites change it). */
    static void fillTcpChecksum(byte[] f) {
        if (Bytes.u16(f, 12) != 0x0800 || f[14 + 9] != 6) return;
        int ip = 14, ihl = (f[ip] & 0xf) * 4, t = ip + ihl, len = Bytes.u16(f, ip + 2) - ihl;
        Bytes.put16(f, t + 16, 0);
        Bytes.put16(f, t + 16, Checksum.transport(f, t, len, Bytes.i32(f, ip + 12), Bytes.i32(f, ip + 16), 6));
    }

    static List<Frame> read(Path pcap, String link, String ourMac) throws Exception {
        byte[] mac = HexFormat.ofDelimiter(":").parseHex(ourMac);
        List<Frame> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(pcap)) {
            for (PcapRecord rec; (rec = r.next()) != null; ) {
                byte[] b = rec.data();
                if (b.length < 14 + 20 || Bytes.u16(b, 12) != 0x0800) continue; // IPv6 link-local chatter
                fillTcpChecksum(b);
                out.add(new Frame(rec.timestampNanos(), link, Arrays.equals(b, 6, 12, mac, 0, 6), b));
            }
        }
        return out;
    }

    static List<Frame> merge(List<Frame> a, List<Frame> b) {
        List<Frame> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(java.util.Comparator.comparingLong(Frame::time)); // stable: a link's own order kept on ties
        return all;
    }

    static void wire(Netns cl, Netns fw, Netns sv) {
        Tools.run("ip", "link", "add", "c0", "netns", cl.name(), "type", "veth", "peer", "name", "fc", "netns", fw.name()).checked();
        Tools.run("ip", "link", "add", "s0", "netns", sv.name(), "type", "veth", "peer", "name", "fs", "netns", fw.name()).checked();
        for (Netns n : List.of(cl, fw, sv)) {
            n.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").checked();
            n.exec("ip", "link", "set", "lo", "up").checked();
        }
        cl.exec("ip", "link", "set", "c0", "address", CL_MAC, "up").checked();
        cl.exec("ip", "addr", "add", "198.51.100.2/24", "dev", "c0").checked();
        cl.exec("ip", "route", "add", "default", "via", "198.51.100.1").checked();
        cl.exec("ip", "neigh", "replace", "198.51.100.1", "lladdr", FC_MAC, "dev", "c0", "nud", "permanent").checked();
        fw.exec("ip", "link", "set", "fc", "address", FC_MAC, "up").checked();
        fw.exec("ip", "link", "set", "fs", "address", FS_MAC, "up").checked();
        fw.exec("ip", "addr", "add", "198.51.100.1/24", "dev", "fc").checked();
        fw.exec("ip", "addr", "add", "203.0.113.1/24", "dev", "fs").checked();
        fw.exec("ip", "neigh", "replace", "198.51.100.2", "lladdr", CL_MAC, "dev", "fc", "nud", "permanent").checked();
        fw.exec("ip", "neigh", "replace", "203.0.113.2", "lladdr", SV_MAC, "dev", "fs", "nud", "permanent").checked();
        fw.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").checked();
        fw.execIn(RULES, "iptables-restore").checked();
        fw.exec("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0").checked();
        sv.exec("ip", "link", "set", "s0", "address", SV_MAC, "up").checked();
        sv.exec("ip", "addr", "add", "203.0.113.2/24", "dev", "s0").checked();
        sv.exec("ip", "route", "add", "default", "via", "203.0.113.1").checked();
        sv.exec("ip", "neigh", "replace", "203.0.113.1", "lladdr", FS_MAC, "dev", "s0", "nud", "permanent").checked();
    }

    static Process start(Path log, String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void waitFor(java.util.function.BooleanSupplier ok) throws InterruptedException {
        for (int i = 0; i < 100 && !ok.getAsBoolean(); i++) Thread.sleep(50);
        assertTrue(ok.getAsBoolean(), "the namespaces' programs started");
    }

    /** A listing's rule lines: packets, bytes, target. */
    static List<String> counts(String listing) {
        return listing.lines().filter(l -> l.matches("\\s*\\d+\\s+\\d+\\s+\\S+.*")).map(l -> String.join(" ",
                Arrays.copyOf(l.trim().split("\\s+"), 3))).toList();
    }

    static List<Long> statSum(String stat) {
        long[] sum = new long[5];
        for (String l : stat.lines().skip(1).toList()) {
            String[] w = l.trim().split("\\s+");
            for (int i = 0; i < 5; i++) sum[i] += Long.parseLong(w[i + 1], 16);
        }
        return Arrays.stream(sum).boxed().toList();
    }

    static String hex(List<byte[]> frames) {
        StringBuilder sb = new StringBuilder();
        for (byte[] f : frames) sb.append(HexFormat.of().formatHex(f)).append('\n');
        return sb.toString();
    }
}
