package jnat.report;

import jnat.host.Host;
import jnat.host.Interface;
import jnat.host.IpFormat;
import jnat.host.IpFormat6;
import jnat.host.Route;
import jnat.nat.NatEngine;
import jnat.rules.Iptables;
import jnat.rules.Ruleset;
import jnat.rules.Table;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the report: one HTML file with its CSS and script inline (no network, no external fonts).
 * The host ({@code ip addr}, {@code ip route}, {@code ip neigh}) and each table's {@code iptables -nvL}
 * are HTML; the packets, walks and connections are JSON, gzipped and base64'd into a script
 * element, which the page's script inflates (DecompressionStream) and draws a page at a time.
 */
public final class ReportWriter {
    private ReportWriter() {}

    /**
     * {@code title} heads the page, {@code summary} is the replay's own summary (frames, drops);
     * {@code ipv6Rules}: list ip6tables' tables too.
     */
    public static void write(Path file, ReportRecorder rec, String title, String summary, boolean ipv6Rules)
            throws IOException {
        rec.finish();
        NatEngine engine = rec.engine();
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            Writer html = new OutputStreamWriter(new Unclosed(raw), StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder(1 << 14);
            h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                    .append(esc(title)).append("</title>\n<style>\n").append(resource("report.css")).append("</style>\n</head>\n")
                    .append("<body data-ready=\"0\">\n<header><h1>").append(esc(title)).append("</h1>\n<nav>")
                    .append("<a href=\"#host\">host</a> <a href=\"#counters\">counters</a> <a href=\"#connections\">connections</a> ")
                    .append("<a href=\"#walk\">a packet's walk</a> <a href=\"#packets\">packets</a></nav></header>\n")
                    .append("<section id=\"summary\"><h2>Replay</h2><pre>").append(esc(summary)).append("</pre></section>\n");
            h.append("<div class=\"top\">\n");
            host(h, engine.host());
            h.append("<section id=\"counters\"><h2>Counters</h2><p>Each table as <code>iptables -nvL</code> lists it after the replay; "
                    + "rules and policies whose counters moved are marked.</p>\n");
            tables(h, "iptables", engine.ruleset());
            if (ipv6Rules) tables(h, "ip6tables", engine.ruleset6());
            h.append("</section>\n</div>\n").append(resource("report-body.html"))
                    .append("<script type=\"application/json\" id=\"data\" data-encoding=\"gzip+base64\">");
            html.write(h.toString());
            html.flush();
            try (Writer json = new OutputStreamWriter(new GZIPOutputStream(Base64.getEncoder().wrap(new Unclosed(raw)), 1 << 16),
                    StandardCharsets.UTF_8)) {
                data(json, rec);
            }
            html.write("</script>\n<script>\n" + resource("report.js") + "</script>\n</body></html>\n");
            html.flush();
        }
    }

    private static void host(StringBuilder h, Host host) {
        h.append("<section id=\"host\"><h2>Host</h2>\n<h3>ip addr show</h3><pre>").append(esc(IpFormat.addresses(host)))
                .append("</pre>\n<h3>ip route show</h3><pre>").append(esc(IpFormat.routes(host, Route.TABLE_MAIN)))
                .append("</pre>\n");
        String routes6 = IpFormat6.routes(host, Route.TABLE_MAIN);
        if (!routes6.isBlank()) h.append("<h3>ip -6 route show</h3><pre>").append(esc(routes6)).append("</pre>\n");
        String neigh = IpFormat.neighbours(host) + IpFormat6.neighbours(host);
        h.append("<h3>ip neigh show</h3><pre>").append(esc(neigh)).append("</pre></section>\n");
    }

    private static void tables(StringBuilder h, String command, Ruleset rules) {
        for (Table t : rules.tables()) {
            String listing = Iptables.run(rules, List.of("-t", t.name, "-nvL")).output();
            h.append("<h3>").append(command).append(" -t ").append(t.name).append(" -nvL</h3><pre class=\"listing\">");
            for (String line : listing.split("\n", -1)) {
                if (moved(line)) h.append("<span class=\"moved\">").append(esc(line)).append("</span>\n");
                else if (!line.isEmpty()) h.append(esc(line)).append('\n');
                else h.append('\n');
            }
            h.append("</pre>\n");
        }
    }

    /** A rule line with packets counted ("    3   211 MASQUERADE ..."), or a chain whose policy counted some. */
    static boolean moved(String line) {
        if (line.startsWith("Chain ")) {
            int i = line.indexOf("(policy ");
            if (i < 0) return false;
            String[] w = line.substring(i + 8).split(" ");
            return w.length > 1 && !w[1].equals("0");
        }
        String s = line.strip();
        if (s.isEmpty() || !Character.isDigit(s.charAt(0))) return false;
        int sp = s.indexOf(' ');
        String pkts = sp < 0 ? s : s.substring(0, sp);
        return !pkts.equals("0");
    }

    private static void data(Writer out, ReportRecorder rec) throws IOException {
        List<ReportRecorder.Packet> packets = rec.packets;
        long t0 = packets.isEmpty() ? 0 : packets.getFirst().ts;
        ZonedDateTime day = Instant.ofEpochSecond(t0 / 1_000_000_000L, t0 % 1_000_000_000L).atZone(rec.zone);
        long dayMicros = day.toLocalTime().toNanoOfDay() / 1000;
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("{\"t0\":").append(dayMicros).append(",\"date\":");
        Json.append(b, day.toLocalDate().toString() + " " + rec.zone);
        b.append(",\"ifaces\":[");
        for (int i = 0; i < rec.interfaces.size(); i++) {
            if (i > 0) b.append(',');
            Interface d = rec.interfaces.get(i);
            Json.append(b, d.name());
        }
        b.append("],\"rules\":[").append(String.join(",", rec.rules)).append("],\"walks\":[");
        b.append(String.join(",", rec.walks)).append("],\"conns\":[");
        for (int i = 0; i < rec.conns.size(); i++) {
            if (i > 0) b.append(',');
            ReportRecorder.Conn c = rec.conns.get(i);
            b.append('[');
            Json.append(b, c.line);
            b.append(',');
            Json.append(b, natOf(c.line));
            b.append(']');
        }
        b.append("],\"packets\":[");
        for (int i = 0; i < packets.size(); i++) {
            ReportRecorder.Packet p = packets.get(i);
            if (i > 0) b.append(',');
            b.append('[').append((p.ts - t0) / 1000).append(',').append(p.in).append(',');
            Json.append(b, p.line);
            b.append(',').append(p.walk).append(',').append(p.conn).append(',').append(p.cause).append(",[");
            for (int k = 0; k < p.outs.size(); k++) {
                ReportRecorder.Out o = p.outs.get(k);
                if (k > 0) b.append(',');
                b.append('[').append(o.dev()).append(',');
                Json.append(b, o.line());
                b.append(",[");
                for (int m = 0; m < o.marks().length; m++) b.append(m > 0 ? "," : "").append(o.marks()[m]);
                b.append("]]");
            }
            b.append("],[");
            if (p.own != null) for (int k = 0; k < p.own.size(); k++) b.append(k > 0 ? "," : "").append(p.own.get(k));
            b.append("]]");
            if (b.length() > 1 << 15) {
                out.append(b);
                b.setLength(0);
            }
        }
        b.append("]}");
        out.append(b);
    }

    /**
     * What NAT did to a connection, from conntrack's line: the reply tuple's source differs from the
     * original's destination after DNAT, its destination from the original's source after SNAT.
     */
    static String natOf(String line) {
        String[] orig = tuple(line, 0), reply = tuple(line, 1);
        if (orig == null || reply == null) return "";
        StringBuilder b = new StringBuilder();
        if (!orig[1].equals(reply[0]) || !orig[3].equals(reply[2])) {
            b.append("DNAT to ").append(endpoint(reply[0], reply[2], !orig[3].equals(reply[2])));
        }
        if (!orig[0].equals(reply[1]) || !orig[2].equals(reply[3])) {
            if (!b.isEmpty()) b.append(", ");
            b.append("SNAT to ").append(endpoint(reply[1], reply[3], !orig[2].equals(reply[3])));
        }
        return b.toString();
    }

    private static String endpoint(String addr, String port, boolean portChanged) {
        String a = addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr;
        return portChanged && !port.isEmpty() ? a + ":" + port : addr;
    }

    /** src, dst, sport, dport (an ICMP id as both) of the {@code which}-th tuple (0 original, 1 reply) of a conntrack line. */
    private static String[] tuple(String line, int which) {
        String[] w = line.split(" +");
        int seen = -1;
        for (int i = 0; i < w.length; i++) {
            if (!w[i].startsWith("src=")) continue;
            if (++seen != which) continue;
            String src = w[i].substring(4), dst = "", sport = "", dport = "";
            for (int k = i + 1; k < w.length && !w[k].startsWith("src="); k++) {
                if (w[k].startsWith("dst=")) dst = w[k].substring(4);
                else if (w[k].startsWith("sport=")) sport = w[k].substring(6);
                else if (w[k].startsWith("id=")) sport = dport = w[k].substring(3); // ICMP: the id stands for both ports
                else if (w[k].startsWith("dport=")) dport = w[k].substring(6);
            }
            return new String[] {src, dst, sport, dport};
        }
        return null;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String resource(String name) {
        try (InputStream in = ReportWriter.class.getResourceAsStream("/report/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource /report/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file stays open when a stream over part of it is closed. */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
