package jnat.cli;

import jnat.pcap.LinkType;
import jnat.pcap.PcapFormatException;
import jnat.pcap.PcapReader;
import jnat.pcap.PcapRecord;
import jnat.tcpdump.TcpdumpPrinter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.Callable;

/** {@code jnat tcpdump -r FILE}: prints a capture file as tcpdump 4.99 prints it. */
@Command(name = "tcpdump", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print a pcap or pcapng file exactly as tcpdump 4.99 -r prints it (IPv4 with TCP, UDP,",
                "ICMP, DNS; ARP; 802.1Q; IPv6 one-line headers). Addresses and ports are always numeric."})
public final class TcpdumpCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "-r", paramLabel = "FILE", required = true, description = "the capture file to read (- for stdin)")
    Path file;

    @Option(names = "-e", description = "print the link-level header")
    boolean eflag;

    @Option(names = "-n", description = "numeric addresses (-nn: and ports); jnat never resolves names")
    boolean[] nflag = new boolean[0];

    @Option(names = "-c", paramLabel = "N", description = "exit after N packets")
    long count = -1;

    @Option(names = "-v", description = "verbose: IP header fields, checksums (-vv: more)")
    boolean[] vflag = new boolean[0];

    @Option(names = "-t", description = "-t no timestamp, -tt seconds since the epoch, -ttt delta to the previous "
            + "packet, -tttt date and time, -ttttt delta to the first packet")
    boolean[] tflag = new boolean[0];

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var options = new TcpdumpPrinter.Options(eflag, vflag.length, Math.min(tflag.length, 5), ZoneId.systemDefault());
        return run(file, options, count, out, err);
    }

    /**
     * Prints {@code file}; returns the exit code. A damaged file prints the packets before the damage,
     * then one line naming the file and the offset, and returns 1, as tcpdump does.
     */
    public static int run(Path file, TcpdumpPrinter.Options options, long count, PrintWriter out, PrintWriter err) {
        try (PcapReader reader = file.toString().equals("-")
                ? PcapReader.open(new java.io.BufferedInputStream(System.in, 1 << 16), "-") : PcapReader.open(file)) {
            err.println("reading from file " + file + ", link-type " + LinkType.describe(reader.linkType())
                    + ", snapshot length " + reader.snapLength());
            err.flush();
            var printer = new TcpdumpPrinter(options);
            long n = 0;
            try {
                PcapRecord r;
                while ((count < 0 || n < count) && (r = reader.next()) != null) {
                    // print, not println: println flushes an autoflush writer on every packet.
                    out.print(printer.format(r));
                    out.print('\n');
                    n++;
                }
            } catch (PcapFormatException e) {
                out.flush();
                err.println("tcpdump: " + e.getMessage());
                return 1;
            } finally {
                out.flush();
            }
            return 0;
        } catch (NoSuchFileException e) {
            throw new UsageError(file + ": No such file or directory");
        } catch (PcapFormatException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError(file + ": " + e.getMessage());
        }
    }
}
