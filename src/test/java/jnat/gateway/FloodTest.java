package jnat.gateway;

import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jnat.gateway.LabGateway.CONTAINER;
import static jnat.gateway.LabGateway.GATEWAY_WAN;
import static jnat.gateway.LabGateway.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nf_conntrack_max under a SYN flood: hping3 in the wan namespace sends SYNs from random spoofed
 * sources to the published port while a checked TCP stream runs from the server to the container.
 * The flood fills the table with unassured entries, early_drop evicts them for new ones, and the
 * assured stream is never evicted: its bytes arrive intact, the table never holds more than the
 * max, and the gateway's memory stays put.
 */
class FloodTest {
    static final int MAX = 2048, FLOOD = 30_000, STREAM_SECONDS = 8;

    /** Sends numbered 64 KiB blocks for STREAM_SECONDS at about 8 MB/s, then closes. */
    static final String SENDER = String.join("\n",
            "import socket, time",
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind(('" + SERVER + "', 7000)); s.listen(1)",
            "print('ready', flush=True)",
            "c, _ = s.accept()",
            "body = bytes(range(256)) * 256",
            "end = time.time() + " + STREAM_SECONDS + "; i = 0",
            "while time.time() < end:",
            "    c.sendall(i.to_bytes(4, 'big') + body[4:]); i += 1",
            "    time.sleep(0.008)",
            "c.shutdown(socket.SHUT_WR); c.recv(1)",
            "print('sent', i, flush=True)");

    /** Receives the blocks, checks each one's number and bytes, prints how many and whether all were right. */
    static final String RECEIVER = String.join("\n",
            "import socket",
            "c = socket.create_connection(('" + SERVER + "', 7000), timeout=30)",
            "body = bytes(range(256)) * 256",
            "buf = bytearray(); i = 0; bad = 0",
            "while True:",
            "    d = c.recv(1 << 16)",
            "    if not d: break",
            "    buf += d",
            "    while len(buf) >= 65536:",
            "        b = bytes(buf[:65536]); del buf[:65536]",
            "        if b != i.to_bytes(4, 'big') + body[4:]: bad += 1",
            "        i += 1",
            "print('received', i, 'bad', bad, 'left', len(buf), flush=True)");

    @Test
    void synFloodFromSpoofedSourcesLeavesAnEstablishedStreamIntactAndTheTableBounded() throws Exception {
        Tools.requireRoot();
        for (String t : List.of("ip", "hping3", "python3", "curl")) Tools.require(t);
        try (LabGateway lab = new LabGateway("jfl", java.nio.file.Path.of("scripts/lab.rules"), "--conntrack-max", Integer.toString(MAX))) {
            // The published port listens: the container answers the flood with SYN-ACKs, leaving the
            // entries in SYN_RECV (a RST would kill them at once, as tcp_packet does for an unreplied ct).
            lab.startIn("ctr", "ready", "python3", "-u", "-c", "import socket, time\n"
                    + "s = socket.socket(); s.bind(('" + CONTAINER + "', 8000)); s.listen(128)\n"
                    + "print('ready', flush=True); time.sleep(120)");
            var sender = lab.startIn("wan", "ready", "python3", "-u", "-c", SENDER);
            var receiver = new java.util.concurrent.CompletableFuture<Tools.Result>();
            Thread.ofPlatform().start(() -> receiver.complete(lab.in("ctr", "python3", "-c", RECEIVER)));
            Thread.sleep(1000);
            long rssBefore = lab.rssKb();

            // Watch the table and the memory while the flood runs.
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong maxCount = new AtomicLong(), maxRss = new AtomicLong();
            // The stream's entry, as seen during the flood: once the stream has closed, its entry is
            // in a closing TCP state, which early drop may evict (tcp_can_early_drop), as the kernel's may.
            var streamEntry = new java.util.concurrent.atomic.AtomicReference<String>("");
            Thread watcher = Thread.ofPlatform().start(() -> {
                while (flooding.get()) {
                    var c = lab.control("conntrack", "-C");
                    if (c.exit() == 0) maxCount.accumulateAndGet(Long.parseLong(c.out().trim()), Math::max);
                    var entry = lab.control("conntrack", "-L", "-p", "tcp", "--dport", "7000");
                    if (entry.exit() == 0 && entry.out().contains("ESTABLISHED")) streamEntry.set(entry.out());
                    try {
                        maxRss.accumulateAndGet(lab.rssKb(), Math::max);
                        Thread.sleep(200);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            var flood = lab.in("wan", "hping3", "-q", "-S", "-p", "10000", "--rand-source", "-i", "u100",
                    "-c", Integer.toString(FLOOD), GATEWAY_WAN);
            flooding.set(false);
            watcher.join();
            Matcher sentM = Pattern.compile("(\\d+) packets transmitted").matcher(flood.stdout() + flood.stderr());
            assertTrue(sentM.find(), flood.stdout() + flood.stderr());
            assertEquals(FLOOD, Integer.parseInt(sentM.group(1)));

            String sent = LabGateway.rest(sender, 30);
            var got = receiver.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, got.exitCode(), got.stderr());
            Matcher s = Pattern.compile("sent (\\d+)").matcher(sent);
            assertTrue(s.find(), sent);
            assertEquals("received " + s.group(1) + " bad 0 left 0", got.stdout().trim(), "the stream's blocks");

            double evicted = lab.metric("jnat_conntrack_early_drops_total");
            long rssAfter = lab.rssKb();
            System.out.printf("flood: %d SYNs from random sources; %s blocks of 64 KiB intact; conntrack peak %d of %d;"
                            + " early drops %.0f; RSS %d kB before, %d kB peak, %d kB after%n",
                    FLOOD, s.group(1), maxCount.get(), MAX, evicted, rssBefore, maxRss.get(), rssAfter);
            assertTrue(maxCount.get() <= MAX, "table held " + maxCount.get());
            assertTrue(maxCount.get() >= MAX * 9 / 10, "the flood should fill the table: peak " + maxCount.get());
            assertTrue(evicted >= FLOOD / 2, "early drops " + evicted);
            assertTrue(maxRss.get() - rssBefore < 64 * 1024, "RSS grew from " + rssBefore + " to " + maxRss.get() + " kB");
            assertEquals(MAX, lab.metric("jnat_conntrack_max"));
            // the stream itself was tracked (and NATed) while the flood ran
            String ct = streamEntry.get();
            assertTrue(ct.contains("src=" + CONTAINER) && ct.contains("[ASSURED]"), "the stream's entry during the flood: " + ct);
        }
    }
}
