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
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Packet;
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
 * -j SYNPROXY against the kernel, for IPv4 (iptables) and IPv6 (ip6tables): a client namespace
 * fetches a page with curl from a Python HTTP server in another, through a router namespace running
 * the SYNPROXY setup of iptables-extensions(8) (the SYN NOTRACKed in raw, SYNPROXY for INVALID and
 * UNTRACKED in FORWARD, nf_conntrack_tcp_loose=0). The IPv6 namespaces' addresses skip DAD and
 * their neighbours are permanent, so no neighbour discovery is needed; their own ICMPv6 (MLD,
 * router and neighbour solicitations) is left out on both sides.
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

    /**
     * One family's rig: the router's links (fc to the client, fs to the server) and their
     * addresses, the tools, and where a frame's fields are (no IPv4 options; the TCP header past
     * any IPv6 extension headers).
     */
    enum Family {
        IPV4(0x0800, 20, "iptables", "198.51.100", "203.0.113", "/24", "net.ipv4.ip_forward=1"),
        IPV6(0x86dd, 40, "ip6tables", "2001:db8:1::", "2001:db8:2::", "/64", "net.ipv6.conf.all.forwarding=1");

        final int etherType, ipHeader;
        final String iptables, client, router, server, serverRouter, prefix, forwarding;

        Family(int etherType, int ipHeader, String iptables, String clientNet, String serverNet, String prefix,
               String forwarding) {
            this.etherType = etherType;
            this.ipHeader = ipHeader;
            this.iptables = iptables;
            String dot = etherType == 0x0800 ? "." : "";
            this.client = clientNet + dot + "2";
            this.router = clientNet + dot + "1";
            this.server = serverNet + dot + "2";
            this.serverRouter = serverNet + dot + "1";
            this.prefix = prefix;
            this.forwarding = forwarding;
        }

        boolean v6() {
            return this == IPV6;
        }

        /** The router's host for the engine (ip commands). */
        String host() {
            String neigh = v6() ? "-6 neigh" : "neigh";
            return """
                    link set dev fc address %s mtu 1500 up
                    link set dev fs address %s mtu 1500 up
                    addr add %s%s dev fc
                    addr add %s%s dev fs
                    %s add %s lladdr %s dev fc
                    %s add %s lladdr %s dev fs
                    """.formatted(FC_MAC, FS_MAC, router, prefix, serverRouter, prefix, neigh, client, CL_MAC, neigh, server,
                    SV_MAC);
        }

        /** The TCP header's offset in a TCP frame of this family ({@link #isTcp}). */
        int tcp(byte[] f) {
            if (!v6()) return 14 + 20;
            Ipv6Packet p = new Ipv6Packet();
            p.wrap(f, 14, f.length - 14);
            return p.upperOffset();
        }

        /** The frame is a TCP segment of this family, its header whole. */
        boolean isTcp(byte[] f) {
            if (f.length < 14 + ipHeader || Bytes.u16(f, 12) != etherType) return false;
            if (!v6()) return f[14 + 9] == 6 && f.length >= 14 + 20 + 20;
            Ipv6Packet p = new Ipv6Packet();
            return p.wrap(f, 14, f.length - 14) == jnat.wire.WireError.OK && p.extHeaderError() == jnat.wire.WireError.OK
                    && p.upperProtocol() == 6 && p.fragmentOffset() == 0 && p.upperLength() >= 20;
        }

        /**
         * A frame of the test: of this family, and not a namespace's own ICMPv6 (MLD behind its
         * hop-by-hop header, router and neighbour discovery: types 130 to 143).
         */
        boolean ours(byte[] f) {
            if (f.length < 14 + ipHeader || Bytes.u16(f, 12) != etherType) return false;
            if (!v6()) return true;
            int next = f[14 + 6] & 0xff;
            return next != 0 && !(next == 58 && (f[14 + 40] & 0xff) >= 130 && (f[14 + 40] & 0xff) <= 143);
        }

        /** Built by the router itself: IPv4 id 0 and TTL 64; IPv6 flow label 0 and hop limit 64 (forwarded ones have 63). */
        boolean own(byte[] f) {
            return v6() ? (Bytes.i32(f, 14) & 0xfffff) == 0 && (f[14 + 7] & 0xff) == 64
                    : Bytes.u16(f, 14 + 4) == 0 && (f[14 + 8] & 0xff) == 64;
        }

        /** The segment's checksum computed (a veth leaves it partial; the comparison's rewrites change it). */
        void fillTcpChecksum(byte[] f) {
            if (!isTcp(f)) return;
            int t = tcp(f);
            Bytes.put16(f, t + 16, 0);
            if (v6()) {
                int len = 14 + 40 + Bytes.u16(f, 14 + 4) - t, s = 14 + 8, d = 14 + 24;
                Bytes.put16(f, t + 16, Checksum.transport6(f, t, len, Ipv6Address.readHi(f, s), Ipv6Address.readLo(f, s),
                        Ipv6Address.readHi(f, d), Ipv6Address.readLo(f, d), 6));
            } else {
                int len = Bytes.u16(f, 14 + 2) - 20;
                Bytes.put16(f, t + 16, Checksum.transport(f, t, len, Bytes.i32(f, 14 + 12), Bytes.i32(f, 14 + 16), 6));
            }
        }

        int flags(byte[] f) {
            return isTcp(f) ? f[tcp(f) + 13] & 0xff : -1;
        }

        int seq(byte[] f) {
            return Bytes.i32(f, tcp(f) + 4);
        }

        /** The offset of a frame's TCP timestamp option's tsval, or -1. */
        int tsOption(byte[] f) {
            int t = tcp(f), end = t + ((f[t + 12] & 0xff) >>> 4) * 4;
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
    }

    /** A frame the router saw: when, on which of its links, and whether it sent it. */
    record Frame(long time, String link, boolean sent, byte[] bytes) {
    }

    /** What the client namespace does while the router's links are captured. */
    @FunctionalInterface
    interface Client {
        void fetch(Family fam, Netns cl) throws Exception;
    }

    /** curl fetches the page. */
    static final Client CURL = (fam, cl) -> {
        String url = fam.v6() ? "[" + fam.server + "]" : fam.server;
        String page = cl.exec("curl", "-g", "-s", "--max-time", "5", "http://" + url + "/index.html").checked().stdout();
        assertEquals("hello\n", page, "the page through the kernel's SYNPROXY");
    };

    /**
     * scapy plays the client (its stack's RSTs dropped), every segment behind a destination options
     * header: SYN, the ACK of the proxy's cookie, an HTTP/1.0 GET, then the ACK of the page and its FIN
     * with a FIN of its own; it prints the page.
     */
    static final String SCAPY_CLIENT = """
            import sys, threading
            from scapy.all import Ether, IPv6, IPv6ExtHdrDestOpt, PadN, TCP, Raw, sendp, AsyncSniffer, conf
            conf.verb = 0
            cl, sv, clmac, fcmac = sys.argv[1:5]
            def base():
                return (Ether(src=clmac, dst=fcmac) / IPv6(src=cl, dst=sv, hlim=64)
                        / IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\\x00\\x00')]))
            def exchange(pkt, stop, timeout=3):
                got, ev = [], threading.Event()
                s = AsyncSniffer(iface='c0', lfilter=lambda p: TCP in p and IPv6 in p and p[IPv6].src == sv,
                                 prn=lambda p: got.append(p[TCP]), stop_filter=lambda p: stop(p[TCP]),
                                 timeout=timeout, started_callback=ev.set)
                s.start(); ev.wait()
                sendp(pkt, iface='c0')
                s.join()
                return got
            def ts(t):
                return dict(t.options)['Timestamp'][0]
            def seg(flags, seq, ack, tsval, ecr, data=b''):
                p = base() / TCP(sport=40000, dport=80, flags=flags, seq=seq, ack=ack, window=502,
                                 options=[('NOP', None), ('NOP', None), ('Timestamp', (tsval, ecr))])
                return p / Raw(data) if data else p
            syn = base() / TCP(sport=40000, dport=80, flags='S', seq=1000, window=64800,
                               options=[('MSS', 1440), ('SAckOK', b''), ('Timestamp', (5000, 0)), ('NOP', None), ('WScale', 7)])
            sa = exchange(syn, lambda t: t.flags.S and t.flags.A)[-1]
            exchange(seg('A', 1001, sa.seq + 1, 5001, ts(sa)), lambda t: t.flags == 'A')
            get = b'GET /index.html HTTP/1.0\\r\\n\\r\\n'
            page = exchange(seg('PA', 1001, sa.seq + 1, 5002, ts(sa), get), lambda t: t.flags.F)
            end = max(t.seq + len(t.payload) + (1 if t.flags.F else 0) for t in page)
            exchange(seg('FA', 1001 + len(get), end, 5003, ts(page[-1])), lambda t: t.ack == 1002 + len(get))
            sys.stdout.write(b''.join(bytes(t.payload) for t in page).decode())
            """;

    static final Client SCAPY_DSTOPTS = (fam, cl) -> {
        cl.exec("ip6tables", "-A", "OUTPUT", "-p", "tcp", "--tcp-flags", "RST", "RST", "-j", "DROP").checked();
        String out = cl.exec(TproxyKernelComparisonTest.SYSTEM_PYTHON, "-c", SCAPY_CLIENT, fam.client, fam.server, CL_MAC, FC_MAC)
                .checked().stdout();
        assertTrue(out.endsWith("\r\n\r\nhello\n"), "the page through the kernel's SYNPROXY: " + out);
    };

    @Test
    void aProxiedConnectionLeavesBothLinksAsTheKernelSendsIt() throws Exception {
        compare(Family.IPV4, CURL, 14);
    }

    @Test
    void aProxiedIpv6ConnectionLeavesBothLinksAsTheKernelSendsIt() throws Exception {
        compare(Family.IPV6, CURL, 14);
    }

    /** The client's segments behind a destination options header: the target and the hook find TCP past it. */
    @Test
    void aProxiedIpv6ConnectionBehindDestinationOptionsLeavesBothLinksAsTheKernelSendsIt() throws Exception {
        requireScapy();
        compare(Family.IPV6, SCAPY_DSTOPTS, 9);
    }

    static void requireScapy() {
        boolean scapy = Files.isExecutable(Path.of(TproxyKernelComparisonTest.SYSTEM_PYTHON))
                && Tools.run(List.of(TproxyKernelComparisonTest.SYSTEM_PYTHON, "-c", "import scapy"), null).exitCode() == 0;
        if (Tools.REQUIRED && !scapy) throw new AssertionError("python3 with scapy is required (JNAT_REQUIRE_TOOLS is set)");
        org.junit.jupiter.api.Assumptions.assumeTrue(scapy, "python3-scapy not installed");
    }

    /**
     * The kernel's router between {@code client} and the HTTP server, captured; the capture's input
     * replayed through the engine; at least {@code minFrames} sent, each equal.
     */
    static void compare(Family fam, Client client, int minFrames) throws Exception {
        Tools.requireRoot();
        Tools.require(fam.iptables + "-restore");
        Tools.require("tcpdump");
        Tools.require("curl");
        Tools.require("python3");
        Path dir = Files.createTempDirectory("jnat-synproxy");
        List<Frame> kernel;
        String counters, stat;
        try (Netns cl = Netns.create("spc"); Netns fw = Netns.create("spf"); Netns sv = Netns.create("sps")) {
            wire(fam, cl, fw, sv);
            Files.writeString(dir.resolve("index.html"), "hello\n");
            List<Process> bg = new ArrayList<>();
            String url = fam.v6() ? "[" + fam.server + "]" : fam.server;
            try {
                bg.add(start(dir.resolve("fc.out"), "ip", "netns", "exec", fw.name(), "tcpdump", "--immediate-mode", "-Z", "root", "-U", "-s0", "-i", "fc", "-w", dir.resolve("fc.pcap").toString()));
                bg.add(start(dir.resolve("fs.out"), "ip", "netns", "exec", fw.name(), "tcpdump", "--immediate-mode", "-Z", "root", "-U", "-s0", "-i", "fs", "-w", dir.resolve("fs.pcap").toString()));
                bg.add(start(dir.resolve("http.out"), "ip", "netns", "exec", sv.name(), "python3", "-m", "http.server", "80",
                        "--bind", fam.server, "--directory", dir.toString()));
                waitFor(() -> sv.exec("ss", "-ltn").stdout().contains(url + ":80") && Files.exists(dir.resolve("fs.pcap"))
                        && Files.exists(dir.resolve("fc.pcap")));
                Thread.sleep(300); // tcpdump's socket is open once the file is
                client.fetch(fam, cl);
                Thread.sleep(300);
            } finally {
                for (Process p : bg) {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
            counters = fw.exec(fam.iptables, "-nvxL", "FORWARD").checked().stdout();
            stat = fw.exec("cat", "/proc/net/stat/synproxy").checked().stdout();
            kernel = merge(read(fam, dir.resolve("fc.pcap"), "fc", FC_MAC), read(fam, dir.resolve("fs.pcap"), "fs", FS_MAC));
        }
        Replay jnat = replay(fam, kernel);
        int compared = 0;
        for (String link : List.of("fc", "fs")) {
            List<byte[]> k = kernel.stream().filter(f -> f.sent && f.link.equals(link)).map(Frame::bytes).toList();
            List<byte[]> j = jnat.sent.stream().filter(f -> f.link.equals(link)).map(Frame::bytes).toList();
            assertEquals(k.size(), j.size(), link + ": frames sent\nkernel:\n" + hex(k) + "jnat:\n" + hex(j));
            for (int i = 0; i < k.size(); i++) {
                byte[] n = normalise(fam, j.get(i), link, jnat.cookieDelta, jnat.tsDelta), kf = k.get(i).clone();
                if (Bytes.u16(kf, 12) == 0x0800 && kf[14 + 9] == 1) { // an ICMP error's IP id: ip_select_ident's keyed hash
                    for (int at : new int[] {14 + 4, 14 + 5, 14 + 10, 14 + 11}) kf[at] = n[at] = 0;
                }
                assertEquals(HexFormat.of().formatHex(kf), HexFormat.of().formatHex(n), link + " frame " + i);
                compared++;
            }
        }
        // the proxy's four handshake segments, the request, the page, the close, as many as the stacks' timers make
        assertTrue(compared >= minFrames, "frames compared: " + compared);
        System.out.println("SynproxyKernelTest " + fam + ": " + compared + " frames equal on both links");
        assertEquals(counts(counters), counts(Iptables.run(jnat.rules, List.of("-nvxL", "FORWARD")).output()), "FORWARD's counters");
        // /proc/net/stat/synproxy: one line per CPU, summed (syn_received, cookie_invalid, cookie_valid, cookie_retrans, conn_reopened)
        assertEquals(statSum(stat), Arrays.stream(jnat.engine.synproxyStat()).boxed().toList(), "/proc/net/stat/synproxy");
    }

    /** The result of the replay: what jnat sent, and the constants its cookies differ from the kernel's by. */
    record Replay(List<Frame> sent, int cookieDelta, int tsDelta, Ruleset rules, NatEngine engine) {
    }

    static Replay replay(Family fam, List<Frame> kernel) {
        Host host = Host.parse(fam.host(), "synproxy-router.ip");
        Ruleset rules = Ruleset.parse(RULES, fam.v6());
        NatEngine e = fam.v6() ? new NatEngine(host, new Ruleset()) : new NatEngine(host, rules);
        if (fam.v6()) e.setRuleset6(rules);
        e.connections().setTcpLoose(false);
        List<Frame> sent = new ArrayList<>();
        Transmit tx = (dev, buf, off, len) -> {
            byte[] b = Arrays.copyOfRange(buf, off, off + len);
            if (fam.ours(b)) sent.add(new Frame(0, dev.name(), true, b));
        };
        byte[] kernelSynack = kernel.stream().filter(f -> f.sent && f.link.equals("fc") && fam.flags(f.bytes) == 0x12).findFirst()
                .orElseThrow(() -> new AssertionError("no SYN/ACK from the kernel's router in " + kernel.size() + " frames:\n"
                        + hex(kernel.stream().map(Frame::bytes).toList()))).bytes;
        int dc = 0, dts = 0;
        boolean deltas = false;
        for (Frame f : kernel) {
            if (f.sent) continue;
            byte[] b = f.bytes.clone();
            if (f.link.equals("fc") && deltas) answerJnat(fam, b, dc, dts);
            byte[] buf = new byte[16 + b.length];
            System.arraycopy(b, 0, buf, 16, b.length);
            e.receive(host.device(f.link), buf, 16, b.length, f.time, tx);
            if (!deltas) {
                for (Frame s : sent) {
                    if (s.link.equals("fc") && fam.flags(s.bytes) == 0x12) {
                        dc = fam.seq(s.bytes) - fam.seq(kernelSynack);
                        dts = Bytes.i32(s.bytes, fam.tsOption(s.bytes)) - Bytes.i32(kernelSynack, fam.tsOption(kernelSynack));
                        deltas = true;
                    }
                }
            }
        }
        assertTrue(deltas, "jnat answered the SYN with a SYN/ACK");
        return new Replay(sent, dc, dts, rules, e);
    }

    /** The client acknowledging jnat's cookie and echoing jnat's timestamp where it did the kernel's. */
    static void answerJnat(Family fam, byte[] f, int dc, int dts) {
        if (!fam.isTcp(f)) return;
        int t = fam.tcp(f);
        if ((fam.flags(f) & 0x10) != 0) Bytes.put32(f, t + 8, Bytes.i32(f, t + 8) + dc);
        int ts = fam.tsOption(f);
        if (ts > 0) Bytes.put32(f, ts + 4, Bytes.i32(f, ts + 4) + dts);
        fam.fillTcpChecksum(f);
    }

    /**
     * jnat's frame with its cookie and timestamp constants taken out: to the client, the sequence
     * number (cookie space) and tsval (the timestamp cookie's clock); to the server, the SYN's
     * ack_seq (our ISN relayed, synproxy_send_server_syn) and its tsecr (the client's echo of our
     * timestamp), and the proxy's ACK's tsecr, the server's tsval plus tsoff (which holds our
     * timestamp with a minus: synproxy_tstamp_adjust adds it to the ACK synproxy_send_server_ack built).
     */
    static byte[] normalise(Family fam, byte[] j, String link, int dc, int dts) {
        byte[] f = j.clone();
        if (!fam.isTcp(f)) return f;
        int t = fam.tcp(f), ts = fam.tsOption(f), fl = fam.flags(f);
        boolean own = fam.own(f);
        if (link.equals("fc")) {
            Bytes.put32(f, t + 4, Bytes.i32(f, t + 4) - dc);
            if (ts > 0) Bytes.put32(f, ts, Bytes.i32(f, ts) - dts);
        } else if (own && fl == 0x02) {
            Bytes.put32(f, t + 8, Bytes.i32(f, t + 8) - dc);
            if (ts > 0) Bytes.put32(f, ts + 4, Bytes.i32(f, ts + 4) - dts);
        } else if (own && fl == 0x10 && ts > 0) {
            Bytes.put32(f, ts + 4, Bytes.i32(f, ts + 4) + dts);
        }
        fam.fillTcpChecksum(f);
        return f;
    }

    static List<Frame> read(Family fam, Path pcap, String link, String ourMac) throws Exception {
        byte[] mac = HexFormat.ofDelimiter(":").parseHex(ourMac);
        List<Frame> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(pcap)) {
            for (PcapRecord rec; (rec = r.next()) != null; ) {
                byte[] b = rec.data();
                if (!fam.ours(b)) continue; // the other family; IPv6's own chatter
                fam.fillTcpChecksum(b);
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

    static void wire(Family fam, Netns cl, Netns fw, Netns sv) {
        for (Netns n : List.of(cl, fw, sv)) {
            if (fam.v6()) {
                for (String k : List.of("all", "default")) { // the link-local addresses at once, no router solicitations
                    n.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".accept_dad=0").checked();
                    n.exec("sysctl", "-qw", "net.ipv6.conf." + k + ".router_solicitations=0").checked();
                }
            } else {
                n.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").checked();
            }
            n.exec("ip", "link", "set", "lo", "up").checked();
        }
        Tools.run("ip", "link", "add", "c0", "netns", cl.name(), "type", "veth", "peer", "name", "fc", "netns", fw.name()).checked();
        Tools.run("ip", "link", "add", "s0", "netns", sv.name(), "type", "veth", "peer", "name", "fs", "netns", fw.name()).checked();
        String[] nodad = fam.v6() ? new String[] {"nodad"} : new String[0];
        cl.exec("ip", "link", "set", "c0", "address", CL_MAC, "up").checked();
        addr(cl, fam.client + fam.prefix, "c0", nodad);
        cl.exec("ip", "route", "add", "default", "via", fam.router).checked();
        cl.exec("ip", "neigh", "replace", fam.router, "lladdr", FC_MAC, "dev", "c0", "nud", "permanent").checked();
        fw.exec("ip", "link", "set", "fc", "address", FC_MAC, "up").checked();
        fw.exec("ip", "link", "set", "fs", "address", FS_MAC, "up").checked();
        addr(fw, fam.router + fam.prefix, "fc", nodad);
        addr(fw, fam.serverRouter + fam.prefix, "fs", nodad);
        fw.exec("ip", "neigh", "replace", fam.client, "lladdr", CL_MAC, "dev", "fc", "nud", "permanent").checked();
        fw.exec("ip", "neigh", "replace", fam.server, "lladdr", SV_MAC, "dev", "fs", "nud", "permanent").checked();
        fw.exec("sysctl", "-qw", fam.forwarding).checked();
        fw.execIn(RULES, fam.iptables + "-restore").checked();
        fw.exec("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0").checked();
        sv.exec("ip", "link", "set", "s0", "address", SV_MAC, "up").checked();
        addr(sv, fam.server + fam.prefix, "s0", nodad);
        sv.exec("ip", "route", "add", "default", "via", fam.serverRouter).checked();
        sv.exec("ip", "neigh", "replace", fam.serverRouter, "lladdr", FS_MAC, "dev", "s0", "nud", "permanent").checked();
    }

    private static void addr(Netns n, String address, String dev, String... flags) {
        List<String> cmd = new ArrayList<>(List.of("ip", "addr", "add", address, "dev", dev));
        cmd.addAll(List.of(flags));
        n.exec(cmd.toArray(String[]::new)).checked();
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
