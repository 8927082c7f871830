package jnat.cli;

import jnat.conntrack.ConntrackPrinter;
import jnat.host.Host;
import jnat.host.HostException;
import jnat.host.Interface;
import jnat.nat.DropReason;
import jnat.nat.NatEngine;
import jnat.pcap.PcapFormatException;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapWriter;
import jnat.replay.Replay;
import jnat.report.ReportRecorder;
import jnat.report.ReportWriter;
import jnat.nat.TraceLines;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.tcpdump.TcpdumpPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import jnat.pcap.LinkType;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jnat replay}: pcap files through the NAT engine on a described host. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Feed captured frames, each on the interface it arrives on, through a host with the given "
                + "nat rules and connection tracking; write what each interface transmits as pcap.",
            "Example: jnat replay --host host.ip --rules nat.rules --in docker0=container.pcap --in eth0=internet.pcap "
                + "--out out/ --list --conntrack"})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", required = true, paramLabel = "FILE",
            description = "the host: a file of ip(8) commands (link, addr, route, neigh)")
    Path hostFile;

    @Option(names = "--rules", paramLabel = "FILE", description = "nat rules in iptables-save format (default: none, "
            + "every chain ACCEPT)")
    Path rulesFile;

    @Option(names = "--sets", paramLabel = "FILE",
            description = "ipsets in ipset save format (jnat ipset --sets writes them), loaded before the rules, which "
                    + "find their -m set and -j SET sets in them; element timeouts count from the first packet")
    Path setsFile;

    @Option(names = "--acct", paramLabel = "FILE",
            description = "nfacct accounting objects in nfacct list format (jnat nfacct --acct writes them), loaded before "
                    + "the rules, whose -m nfacct rules count into them")
    Path acctFile;

    @Option(names = "--rules6", paramLabel = "FILE", description = "IPv6 rules in ip6tables-save format (default: none, "
            + "every chain ACCEPT); IPv6 frames in the pcaps walk them")
    Path rules6File;

    @Option(names = "--nft", paramLabel = "FILE", description = "an nf_tables ruleset as nft -f takes it, run beside the "
            + "iptables rules as the kernel runs both (its base chains at their priorities); --list prints its "
            + "nft list ruleset with the counters")
    Path nftFile;

    @Option(names = "--in", paramLabel = "IFACE=PCAP", required = true,
            description = "frames arriving on IFACE (classic pcap or pcapng); repeatable, merged by timestamp; "
                    + "local=PCAP: packets the host itself sends (they walk OUTPUT)")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"--out", "--out-dir"}, paramLabel = "DIR", description = "write DIR/IFACE.pcap with what each "
            + "interface transmits (each frame stamped with the time of the packet that caused it), and DIR/local.pcap "
            + "with the packets delivered to the host itself")
    Path outDir;

    @Option(names = "--nflog", paramLabel = "DIR", description = "write DIR/nflog-GROUP.pcap (LINKTYPE_NFLOG, as "
            + "tcpdump -i nflog:GROUP -w writes) with each packet a -j NFLOG rule logged to GROUP")
    Path nflogDir;

    @Option(names = "--log", paramLabel = "FILE", description = "write each line a -j LOG rule logs to FILE, as the "
            + "kernel writes it (dmesg --notime), one per packet")
    Path logFile;

    @Option(names = "--xtables-monitor-trace", paramLabel = "FILE", description = "write the nf_tables trace of the "
            + "packets a -j TRACE rule marked to FILE, as xtables-monitor --trace prints it: a PACKET line per chain walk, "
            + "a TRACE line per rule hit and policy (rule handles as a fresh iptables-restore of the rules numbers them)")
    Path xtablesMonitorTrace;

    @Option(names = "--print", description = "print each transmitted frame as tcpdump -nne does, after its interface")
    boolean print;

    @Option(names = "--trace", description = "print each packet's walk: conntrack state, the nat rules it matched "
            + "(named as the TRACE target names them), its translation, route, and where it left or why it was dropped")
    boolean trace;

    @Option(names = "--report", paramLabel = "FILE", description = "write one self-contained HTML report: the host, "
            + "each table's counters, each connection's packets on every interface before and after NAT (a sequence "
            + "diagram), and each packet's walk through the netfilter hooks (tables, chains, the rule that matched, "
            + "the verdict, the drop reason)")
    Path report;

    @Option(names = "--listen", paramLabel = "PROTO:[ADDR:]PORT[,uid=N,gid=N,transparent,mark=M]", description = "a socket of the host's "
            + "(repeatable): tcp:22 (both families), udp:[2001:db8::1]:53, tcp:10.0.0.1:8080,uid=1337, "
            + "tcp:0.0.0.0:15006,transparent (IP_TRANSPARENT: -j TPROXY's listener, -m socket --transparent); a packet for a port no "
            + "socket holds is answered as the kernel answers it (TCP RST, ICMP port unreachable). Default: none")
    List<String> listen = new ArrayList<>();

    @Option(names = "--local-uid", paramLabel = "N", description = "the uid of the sockets --in local= packets come from (default 0)")
    int localUid;

    @Option(names = "--local-gid", paramLabel = "N", description = "their gid (default 0)")
    int localGid;

    @Option(names = {"--quiet", "-q"}, description = "no progress line on stderr (it is shown only when stderr is a terminal)")
    boolean quiet;

    @Option(names = {"--list", "-L"}, description = "print iptables -t nat -nvL at the end (counters as moved)")
    boolean list;

    @Option(names = "--conntrack", description = "print conntrack -L at the end (timeouts as of the last packet)")
    boolean conntrack;

    @Option(names = "--events", description = "print conntrack's events as conntrack -E shows them, as they happen: "
            + "[NEW] when a connection is confirmed, [UPDATE] when a packet changed it (first reply, ASSURED, TCP state, "
            + "mark), [DESTROY] when it leaves the table")
    boolean events;

    @Option(names = "--conntrack-max", paramLabel = "N", description = "nf_conntrack_max (default "
            + NatEngine.Config.DEFAULT_CONNTRACK_MAX + ", or the sysctl's)")
    Integer conntrackMax;

    @Option(names = "--sysctl-file", paramLabel = "FILE", description = "sysctls as sysctl -p reads them (NAME = VALUE "
            + "a line, # comments), before any --sysctl: the DIR/sysctl.conf jnat host capture writes")
    Path sysctlFile;

    @Option(names = "--sysctl", paramLabel = "NAME=VALUE", description = Sysctls.HELP)
    List<String> sysctls = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "seed for the choices the kernel makes at random "
            + "(ports after a clash, --random)")
    long seed = NatEngine.Config.DEFAULT_SEED;

    @Option(names = "--conntrack-checksum", paramLabel = "0|1", description = "as the sysctl "
            + "nf_conntrack_checksum: 1 (default) treats arriving packets with bad TCP/UDP/ICMP checksums as INVALID "
            + "(not NATed); 0 for captures taken on a sending host with checksum offload")
    Integer conntrackChecksum;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (conntrackMax != null && conntrackMax < 1) throw new UsageError("--conntrack-max must be at least 1, not " + conntrackMax, 2);
        Host host = loadHost(hostFile);
        jnat.ipset.IpSetCore sets = IpsetCommand.loadForEngine(setsFile);
        jnat.rules.NfnlAcct acct = NfacctCommand.load(acctFile);
        Ruleset rules = rulesFile == null ? Ruleset.parse("*nat\nCOMMIT\n", false, sets, acct)
                : RulesFile.load(rulesFile, false, sets, acct);
        List<String> settings = new ArrayList<>();
        if (sysctlFile != null) settings.addAll(Sysctls.readFile(sysctlFile));
        settings.addAll(sysctls);
        Sysctls.Settings sys = Sysctls.parse(settings);
        // an option given outright wins over a sysctl
        int max = conntrackMax != null ? conntrackMax : sys.conntrackMax() > 0 ? sys.conntrackMax() : NatEngine.Config.DEFAULT_CONNTRACK_MAX;
        boolean checksum = conntrackChecksum != null ? conntrackChecksum != 0 : sys.conntrackChecksum() != 0;
        NatEngine engine = new NatEngine(host, rules, new NatEngine.Config(max, seed, checksum).withIcmp(sys.icmp()),
                sys.defrag(), sys.defrag6());
        if (rules6File != null) {
            try {
                engine.setRuleset6(RulesFile.load(rules6File, true, sets, acct));
            } catch (IllegalArgumentException e) { // a target the IPv6 path cannot run yet
                throw new UsageError(rules6File + ": " + e.getMessage());
            }
        }
        if (nftFile != null) engine.setNftRuleset(loadNft(nftFile, 1));
        long[] eventCount = {0};
        if (events) {
            ConntrackPrinter printer = new ConntrackPrinter();
            engine.connections().setEvents((bits, t, id) -> {
                out.println(printer.event(bits, t, id, t.lastClock()));
                eventCount[0]++;
            });
        }
        for (String l : listen) {
            try {
                engine.sockets().listen(l);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }
        Replay replay = new Replay(engine).localOwner(localUid, localGid);
        List<PcapReader> readers = new ArrayList<>();
        Map<Interface, PcapWriter> writers = new LinkedHashMap<>();
        PcapWriter[] local = new PcapWriter[1];
        ReportRecorder recorder = null;
        if (report != null) {
            recorder = new ReportRecorder(engine, trace ? new TraceLines(out::println) : null, ZoneId.systemDefault()).attach();
        } else if (trace) {
            engine.setTracer(out::println);
        }
        Progress progress = null;
        NflogPcap nflog = null;
        if (nflogDir != null) {
            Files.createDirectories(nflogDir);
            nflog = new NflogPcap(nflogDir);
            engine.xtNet().nflog.listen(nflog);
        }
        java.io.BufferedWriter logOut = logFile == null ? null : Files.newBufferedWriter(logFile);
        if (logOut != null) {
            engine.xtNet().log.listen((level, text) -> {
                try {
                    logOut.append(text).append('\n');
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        java.io.BufferedWriter traceOut = xtablesMonitorTrace == null ? null : Files.newBufferedWriter(xtablesMonitorTrace);
        if (traceOut != null) {
            engine.xtNet().trace.listen(text -> {
                try {
                    traceOut.append(text).append('\n');
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        try {
            for (String spec : inputs) {
                String[] kv = split(spec, "--in");
                Interface dev = kv[0].equals("local") ? null : device(host, kv[0]);
                PcapReader r = open(Path.of(kv[1]));
                readers.add(r);
                if (dev == null) replay.localInput(r::next);
                else replay.input(dev, r::next);
            }
            if (outDir != null) {
                Files.createDirectories(outDir);
                // every interface gets its file, empty if it sent nothing, so a missing file is never ambiguous
                for (Interface dev : host.interfaces()) {
                    if (dev.isLoopback()) continue;
                    writers.put(dev, PcapWriter.create(outDir.resolve(dev.name() + ".pcap"),
                            dev.hasMac() ? LinkType.ETHERNET : LinkType.RAW));
                }
                local[0] = PcapWriter.create(outDir.resolve("local.pcap"), LinkType.RAW);
            }
            progress = Progress.of(quiet, "replay", "frames", countFrames());
            Progress shown = progress;
            TcpdumpPrinter printer = print ? new TcpdumpPrinter(new TcpdumpPrinter.Options(true, 0, 0, ZoneId.systemDefault())) : null;
            Replay.Sink sink = new Replay.Sink() {
                @Override
                public void transmitted(Interface dev, long ts, int linkType, byte[] buf, int off, int len) throws IOException {
                    PcapWriter w = writers.get(dev);
                    if (w != null) w.write(ts, buf, off, len);
                    if (printer != null) {
                        byte[] copy = java.util.Arrays.copyOfRange(buf, off, off + len);
                        out.println(dev.name() + " " + printer.format(ts, linkType, copy, len, len));
                    }
                }

                @Override
                public void delivered(long ts, byte[] buf, int off, int len) throws IOException {
                    if (local[0] != null) local[0].write(ts, buf, off, len);
                }
            };
            Replay.InputListener listener = shown == null ? null : (in, r) -> shown.step();
            if (recorder != null) replay.run(recorder.sink(sink), recorder.listener(listener));
            else replay.run(sink, listener);
        } catch (PcapFormatException e) {
            throw new UsageError(e.getMessage());
        } finally {
            if (progress != null) progress.done();
            for (PcapReader r : readers) r.close();
            for (PcapWriter w : writers.values()) w.close();
            if (local[0] != null) local[0].close();
            if (nflog != null) nflog.close();
            if (logOut != null) logOut.close();
            if (traceOut != null) traceOut.close();
        }
        summary(out, host, engine, replay);
        if (recorder != null) {
            StringWriter text = new StringWriter();
            PrintWriter w = new PrintWriter(text);
            w.println("jnat replay --host " + hostFile + (rulesFile != null ? " --rules " + rulesFile : "")
 + (rules6File != null ? " --rules6 " + rules6File : "")
                    + (nftFile != null ? " --nft " + nftFile : "") + " --in " + String.join(" --in ", inputs));
            w.println();
            summary(w, host, engine, replay);
            w.flush();
            ReportWriter.write(report, recorder, "jnat replay: " + String.join(", ", inputs), text.toString(), rules6File != null);
            spec.commandLine().getErr().println("report written to " + report);
        }
        if (list) {
            out.println();
            out.print(Iptables.run(engine.ruleset(), List.of("-t", "nat", "-nvL")).output());
            if (rules6File != null) {
                out.println();
                out.print(Iptables.run(engine.ruleset6(), List.of("-t", "nat", "-nvL")).output());
            }
            if (nftFile != null) {
                out.println();
                out.print(jnat.nft.Nft.run(engine.nftRuleset(), List.of("list", "ruleset")).out());
            }
        }
        if (events) {
            out.flush();
            spec.commandLine().getErr().println("conntrack v" + ConntrackPrinter.VERSION + " (conntrack-tools): "
                    + eventCount[0] + " flow events have been shown.");
        }
        if (conntrack) {
            out.println();
            out.print(new ConntrackPrinter().list(engine.connections(), replay.lastTimestamp()));
            spec.commandLine().getErr().println(ConntrackPrinter.summary(engine.connections().count()));
        }
        out.flush();
        return 0;
    }

    /** The frames of every input, for the progress line's total (read once more only when it is shown). */
    private long countFrames() throws IOException {
        if (quiet || !Progress.stderrIsTerminal()) return -1;
        long n = 0;
        for (String in : inputs) {
            try (PcapReader r = open(Path.of(split(in, "--in")[1]))) {
                while (r.next() != null) n++;
            }
        }
        return n;
    }

    static Host loadHost(Path file) {
        try {
            return Host.fromFile(file);
        } catch (NoSuchFileException e) {
            throw new UsageError(file + ": No such file or directory");
        } catch (HostException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError(file + ": " + e.getMessage());
        }
    }

    private static PcapReader open(Path file) {
        try {
            return PcapReader.open(file);
        } catch (NoSuchFileException e) {
            throw new UsageError(file + ": No such file or directory");
        } catch (PcapFormatException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError(file + ": " + e.getMessage());
        }
    }

    private static String[] split(String spec, String option) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageError(option + " " + spec + ": expected IFACE=FILE", 2);
        }
        return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
    }

    static Interface device(Host host, String name) {
        Interface dev = host.device(name);
        if (dev == null) {
            List<String> names = new ArrayList<>();
            for (Interface i : host.interfaces()) if (!i.isLoopback()) names.add(i.name());
            throw new UsageError("no interface " + name + " on the host (it has: " + String.join(", ", names) + ")", 2);
        }
        return dev;
    }

    static void summary(PrintWriter out, Host host, NatEngine engine, Replay replay) {
        out.printf("replayed %d frames%s%n", replay.packetsIn(),
                replay.skipped() > 0 ? " (" + replay.skipped() + " skipped: not IPv4 for a layer-3 interface or unknown link type)" : "");
        out.printf("%-12s %10s %12s %10s %12s%n", "interface", "rx packets", "rx bytes", "tx packets", "tx bytes");
        for (Interface dev : host.interfaces()) {
            if (dev.isLoopback()) continue;
            out.printf("%-12s %10d %12d %10d %12d%n", dev.name(), engine.rxPackets(dev), engine.rxBytes(dev),
                    engine.txPackets(dev), engine.txBytes(dev));
        }
        out.printf("delivered to the host: %d%n", engine.snmp().deliveredLocally());
        if (engine.snmp().icmpErrorsSent() + engine.snmp().icmpEchoRepliesSent() + engine.snmp().icmpRateLimited() > 0) {
            out.printf("sent by the host: %d ICMP errors, %d echo replies (%d held back by the rate limits)%n",
                    engine.snmp().icmpErrorsSent(), engine.snmp().icmpEchoRepliesSent(), engine.snmp().icmpRateLimited());
        }
        if (engine.invalid() > 0) {
            out.printf("conntrack INVALID, passed untracked (not NATed): %d%n", engine.invalid());
        }
        if (engine.defrag().reasmReqds() > 0) {
            out.printf("IPv4 fragments: %d received, %d datagrams reassembled, %d queues left incomplete%n",
                    engine.defrag().reasmReqds(), engine.defrag().reasmOks(), engine.defrag().queues());
        }
        if (engine.snmp().fragmented() > 0) {
            out.printf("sent as fragments: %d datagrams in %d fragments%n", engine.snmp().fragmented(), engine.snmp().fragmentsCreated());
        }
        for (DropReason r : DropReason.values()) {
            if (engine.drops(r) > 0) out.printf("dropped %d: %s%n", engine.drops(r), r.text());
        }
        out.printf("connections tracked: %d%n", engine.connections().count());
    }

    /**
     * An nft -f file for the engine: nft's messages when it does not load, the engine's reasons when it holds
     * what the engine cannot run yet (exit {@code status}).
     */
    static jnat.nft.NftRuleset loadNft(Path file, int status) {
        String text;
        try {
            text = java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new UsageError("cannot read " + file + ": " + e.getMessage(), status);
        }
        jnat.nft.NftRuleset rs;
        try {
            rs = jnat.nft.Nft.parse(file.toString(), text);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage().strip(), status);
        }
        List<String> why = jnat.nft.NfTablesCore.refused(rs);
        if (!why.isEmpty()) throw new UsageError(file + ": jnat cannot run this nft ruleset yet:\n" + String.join("\n", why), status);
        return rs;
    }
}
