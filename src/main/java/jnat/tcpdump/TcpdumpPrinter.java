package jnat.tcpdump;

import jnat.pcap.LinkType;
import jnat.pcap.PcapRecord;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Prints packets the way tcpdump 4.99 (netdissect) prints them, one call per packet: print.c's
 * pretty_print_packet() and the timestamp (util-print.c), then the link-layer printer.
 *
 * <p>Like netdissect, the dissectors ({@code PrintEther}, {@code PrintIp}, {@code PrintTcp}, ..., one per
 * print-*.c file) read the raw bytes through one {@link Netdissect} and print as they go; a read past the
 * captured bytes (the "snapend") abandons the packet and appends {@code " [|proto]"}, as
 * {@code nd_trunc_longjmp()} does. The printer keeps per-connection TCP sequence state (print-tcp.c's
 * tcp_seq_hash), so one instance must see the packets of a file in order.
 */
public final class TcpdumpPrinter {

    /**
     * What to print.
     *
     * @param eflag link-level header ({@code -e})
     * @param vflag verbosity ({@code -v} = 1, {@code -vv} = 2)
     * @param tflag timestamp style: 0 default, 1 none ({@code -t}), 2 unix ({@code -tt}), 3 delta to previous
     *              ({@code -ttt}), 4 with date ({@code -tttt}), 5 delta to first ({@code -ttttt})
     * @param zone  time zone for local times (tcpdump honours TZ)
     */
    public record Options(boolean eflag, int vflag, int tflag, ZoneId zone) {
        public static Options defaults() {
            return new Options(false, 0, 0, ZoneId.systemDefault());
        }
    }


    static final int MAXIMUM_SNAPLEN = 262144;

    private final Options opt;
    private final Netdissect nd;
    private final StringBuilder out;
    private long refSec = Long.MIN_VALUE;
    private long refUsec;

    public TcpdumpPrinter(Options options) {
        this.opt = options;
        this.nd = new Netdissect(options.eflag(), options.vflag());
        this.out = nd.out;
    }

    /** The line(s) tcpdump prints for this packet, without the final newline. */
    public String format(PcapRecord r) {
        return format(r.timestampNanos(), r.linkType(), r.data(), r.capturedLength(), r.originalLength());
    }

    public String format(long timestampNanos, int linkType, byte[] data, int caplen, int len) {
        out.setLength(0);
        prettyPrintPacket(timestampNanos, linkType, data, caplen, len);
        return out.toString();
    }

    // ---------------------------------------------------------------- print.c

    /** pretty_print_packet(): sanity checks, the timestamp, the link-layer printer, the truncation marker. */
    private void prettyPrintPacket(long tsNanos, int linkType, byte[] data, int caplen, int len) {
        boolean invalid = false;
        if (caplen == 0) {
            invalid = true;
            out.append("[Invalid header: caplen==0");
        }
        if (len == 0) {
            out.append(invalid ? "," : "[Invalid header:").append(" len==0");
            invalid = true;
        } else if (Integer.compareUnsigned(len, caplen) < 0) {
            out.append(invalid ? "," : "[Invalid header:").append(" len(").append(Integer.toUnsignedString(len))
                    .append(") < caplen(").append(caplen).append(')');
            invalid = true;
        }
        if (caplen > MAXIMUM_SNAPLEN) {
            out.append(invalid ? "," : "[Invalid header:").append(" caplen(").append(caplen).append(") > ")
                    .append(MAXIMUM_SNAPLEN);
            invalid = true;
        }
        if (Integer.compareUnsigned(len, MAXIMUM_SNAPLEN) > 0) {
            out.append(invalid ? "," : "[Invalid header:").append(" len(").append(Integer.toUnsignedString(len))
                    .append(") > ").append(MAXIMUM_SNAPLEN);
            invalid = true;
        }
        if (invalid) {
            out.append(']');
            return;
        }
        long sec = Math.floorDiv(tsNanos, 1_000_000_000L);
        long usec = Math.floorMod(tsNanos, 1_000_000_000L) / 1000;
        tsPrint(sec, usec);

        nd.packet(data, caplen);
        try {
            switch (linkType) {
                case LinkType.ETHERNET -> PrintEther.print(nd, 0, len, caplen);
                case LinkType.NULL -> PrintNull.print(nd, len, caplen);
                case LinkType.RAW, LinkType.IPV4, LinkType.IPV6 -> rawIfPrint(len);
                default -> out.append("unsupported link-type ").append(linkType);
            }
        } catch (Netdissect.Truncated t) {
            nd.ndPrintTrunc();
        }
        nd.packet(null, 0);
    }

    // ---------------------------------------------------------------- util-print.c

    /** ts_print(). */
    private void tsPrint(long sec, long usec) {
        switch (opt.tflag()) {
            case 0 -> {
                hmsFrac(sec, usec, false, true);
                out.append(' ');
            }
            case 1 -> { }
            case 2 -> {
                if ((sec & 0x80000000L) != 0) {
                    out.append("[Error converting time]");
                } else {
                    out.append(sec);
                    frac(usec);
                }
                out.append(' ');
            }
            case 3, 5 -> {
                if (refSec == Long.MIN_VALUE) {
                    refSec = sec;
                    refUsec = usec;
                }
                long d = (sec * 1_000_000L + usec) - (refSec * 1_000_000L + refUsec);
                out.append(d < 0 ? '-' : ' ');
                d = Math.abs(d);
                hmsFrac(d / 1_000_000L, d % 1_000_000L, false, false);
                out.append(' ');
                if (opt.tflag() == 3) {
                    refSec = sec;
                    refUsec = usec;
                }
            }
            default -> {
                hmsFrac(sec, usec, true, true);
                out.append(' ');
            }
        }
    }

    /** ts_date_hmsfrac_print(). */
    private void hmsFrac(long sec, long usec, boolean withDate, boolean localTime) {
        if ((sec & 0x80000000L) != 0) {
            out.append("[Error converting time]");
            return;
        }
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(sec),
                localTime ? opt.zone() : java.time.ZoneOffset.UTC);
        if (withDate) {
            out.append(String.format("%04d-%02d-%02d ", t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
        }
        two(t.getHour()).append(':');
        two(t.getMinute()).append(':');
        two(t.getSecond());
        frac(usec);
    }

    private StringBuilder two(int v) {
        if (v < 10) out.append('0');
        return out.append(v);
    }

    private void frac(long usec) {
        out.append('.');
        String s = Long.toString(usec);
        for (int i = s.length(); i < 6; i++) out.append('0');
        out.append(s);
    }

    // ---------------------------------------------------------------- print-raw.c

    /** raw_if_print(): raw IP (LINKTYPE_RAW 101, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229). */
    private void rawIfPrint(int len) {
        nd.protocol = "raw";
        if (opt.eflag()) out.append("ip: ");
        PrintIp.ipNPrint(nd, 0, len);
    }
}
