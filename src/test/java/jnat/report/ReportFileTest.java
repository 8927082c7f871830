package jnat.report;

import jnat.demo.SeedDemo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report file itself: self-contained, the host and counters in it, its data inflating to the replay's. */
class ReportFileTest {
    @TempDir
    Path dir;

    String demo() throws IOException {
        Path f = dir.resolve("demo.html");
        SeedDemo.print(new PrintWriter(new StringWriter()), f);
        return Files.readString(f);
    }

    @Test
    void theReportLoadsNothingFromOutside() throws IOException {
        String html = demo();
        for (String outside : new String[] {"<link", "<script src", "<img", "<iframe", "@import", "url(http", "https://", "@font-face"}) {
            assertFalse(html.contains(outside), outside);
        }
        // the one http:// is the SVG namespace of createElementNS, never fetched; the other the seed's own URL
        assertEquals(0, html.replace("http://www.w3.org/2000/svg", "").replace("http://45.77.200.180:10000/", "").split("http://", -1).length - 1);
    }

    @Test
    void theHostAndTheMovedCountersAreInThePage() throws IOException {
        String html = demo();
        assertTrue(html.contains("link/ether 56:00:04:7c:7c:23 brd ff:ff:ff:ff:ff:ff"), "eth0's MAC, as ip addr shows it");
        assertTrue(html.contains("default via 45.77.200.1 dev eth0"), "the routes");
        assertTrue(html.contains("<span class=\"moved\">    1    84 MASQUERADE  all  --  *      !docker0  172.17.0.0/16        0.0.0.0/0           </span>"),
                "the MASQUERADE rule counted the ping's first packet");
        assertTrue(html.contains("    0     0 RETURN     all  --  docker0 *       0.0.0.0/0            0.0.0.0/0           \n"),
                "a rule that counted nothing is not marked");
    }

    @Test
    void theDataHoldsEveryFrameWithItsConnection() throws IOException {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"data\" data-encoding=\"gzip\\+base64\">([^<]*)</script>").matcher(demo());
        assertTrue(m.find());
        byte[] gz = Base64.getDecoder().decode(m.group(1));
        String json = new String(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"ifaces\":[\"eth0\",\"docker0\"]"), json.substring(0, 200));
        assertTrue(json.contains("TIME_WAIT src=114.246.99.100 dst=45.77.200.180 sport=60677 dport=10000 src=172.17.0.2 dst=114.246.99.100 sport=8000 dport=60677 [ASSURED]"),
                "conntrack's line of the HTTP connection after its last packet");
        assertTrue(json.contains("\"DNAT to 172.17.0.2:8000\""));
        assertTrue(json.contains("\"SNAT to 45.77.200.180\""), "MASQUERADE kept the echo id, so only the address is named");
    }
}
