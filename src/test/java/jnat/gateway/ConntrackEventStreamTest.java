package jnat.gateway;

import jnat.conntrack.ConntrackTool;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import jnat.wire.IcmpRepr;
import jnat.wire.Ipv4Repr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code conntrack -E} streamed from a gateway through the control socket (a gateway without
 * devices, packets handed to {@link Gateway#receive}): each event as conntrack prints it, the
 * mask and filters, several listeners, the end when the client hangs up, and a listener that does
 * not read costing the packet path nothing but its own lost events and the ENOBUFS warning.
 */
class ConntrackEventStreamTest {
    @TempDir
    Path dir;
    Path socket;
    NatEngine engine;
    Gateway gateway;
    GatewayControl control;
    ControlServer server;
    int forwarded;

    @BeforeEach
    void start() throws IOException {
        Host host = Host.fromFile(Path.of("scripts/lab-host.ip"));
        engine = new NatEngine(host, Ruleset.parse(Files.readString(Path.of("scripts/lab.rules"))));
        gateway = new Gateway(engine, List.of(new Gateway.Attachment(host.device("docker0"), "jnat-docker0"),
                new Gateway.Attachment(host.device("eth0"), "jnat-eth0")));
        socket = dir.resolve("ctl.sock");
        control = new GatewayControl(gateway);
        server = ControlServer.start(socket, control);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    void containerSends(byte[] ip) {
        byte[] buf = new byte[14 + 65535];
        System.arraycopy(ip, 0, buf, 14, ip.length);
        gateway.receive(0, buf, 14, ip.length, System.nanoTime(), (k, b, off, len) -> forwarded++);
    }

    void ping(int id) {
        containerSends(Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(IcmpRepr.echoRequest(id, 1, new byte[8])));
    }

    /** A {@code jnat conntrack -E} client on its own connection, collecting what it is sent. */
    final class Listener implements AutoCloseable {
        final SocketChannel ch;
        final List<String> out = new CopyOnWriteArrayList<>(), err = new CopyOnWriteArrayList<>();
        final Thread reader;

        Listener(boolean reading, String... args) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            List<String> argv = new java.util.ArrayList<>(List.of("conntrack"));
            argv.addAll(List.of(args));
            ControlProtocol.writeRequest(new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch))),
                    new ControlProtocol.Request(argv, null));
            reader = Thread.ofVirtual().unstarted(this::read);
            if (reading) reader.start();
        }

        void read() {
            try {
                ControlProtocol.readAny(new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch))),
                        new ControlProtocol.StreamSink() {
                            public void stdout(String s) { out.add(s); }
                            public void stderr(String s) { err.add(s); }
                        }, () -> { });
            } catch (IOException ignored) {
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        for (int i = 0; i < 300 && !cond.getAsBoolean(); i++) Thread.sleep(10);
        assertTrue(cond.getAsBoolean(), what);
    }

    void awaitListeners(boolean on) throws InterruptedException {
        await(() -> gateway.withEngine(e -> e.connections().events() != null) == on, "listening " + on);
    }

    @Test
    void aNewConnectionAndItsFlushAreStreamedAsConntrackPrintsThem() throws Exception {
        try (Listener l = new Listener(true, "-E")) {
            awaitListeners(true);
            ping(7);
            await(() -> l.out.size() == 1, "NEW " + l.out);
            assertTrue(l.out.getFirst().matches("    \\[NEW\\] icmp     1 30 src=172\\.17\\.0\\.2 dst=198\\.51\\.100\\.8 "
                    + "type=8 code=0 id=7 \\[UNREPLIED\\] src=198\\.51\\.100\\.8 dst=203\\.0\\.113\\.10 type=0 code=0 id=7\n"),
                    l.out.getFirst());
            gateway.withEngine(e -> ConntrackTool.run(e.connections(), List.of("-F"), System.nanoTime(), 42));
            await(() -> l.out.size() == 2, "DESTROY " + l.out);
            // a DESTROY a request caused carries its portid, as the kernel's do ([USERSPACE])
            assertTrue(l.out.get(1).matches("\\[DESTROY\\] icmp     1 \\d+ src=172\\.17\\.0\\.2 .* id=7 \\[USERSPACE\\] portid=42\n"),
                    l.out.get(1));
        }
        awaitListeners(false); // the client hung up: the listener is gone, the table has none
    }

    @Test
    void theEventMaskAndTheFiltersChooseWhatIsShown() throws Exception {
        try (Listener destroys = new Listener(true, "-E", "-e", "DESTROY");
             Listener udp = new Listener(true, "-E", "-p", "udp");
             Listener all = new Listener(true, "-E", "-o", "timestamp")) {
            await(() -> control.listeners() == 3, "three listeners");
            ping(7);
            containerSends(Ipv4Repr.of("172.17.0.2", "198.51.100.8").packet(new UdpRepr(5000, 53, new byte[4])));
            await(() -> all.out.size() == 2 && udp.out.size() == 1, "NEW events");
            assertTrue(udp.out.getFirst().startsWith("    [NEW] udp      17 30 src=172.17.0.2 "), udp.out.getFirst());
            assertTrue(all.out.getFirst().matches("\\[\\d{10}\\.\\d{6}\\]\t    \\[NEW\\] icmp .*\n"), all.out.getFirst());
            assertEquals(List.of(), destroys.out);
            gateway.withEngine(e -> ConntrackTool.run(e.connections(), List.of("-D", "-p", "icmp"), System.nanoTime(), 5));
            await(() -> destroys.out.size() == 1, "DESTROY");
            assertTrue(destroys.out.getFirst().startsWith("[DESTROY] icmp "), destroys.out.getFirst());
        }
    }

    @Test
    void aListenerThatDoesNotReadLosesEventsAndNeverStallsThePacketPath() throws Exception {
        try (Listener slow = new Listener(false, "-E")) {
            awaitListeners(true);
            int n = 20_000;
            for (int id = 0; id < n; id++) ping(id);
            assertEquals(n, forwarded, "every packet forwarded while the listener read nothing");
            assertTrue(control.eventsDropped() > 0, "events dropped for the full queue");
            slow.reader.start();
            await(() -> String.join("", slow.err).contains(ConntrackTool.Events.ENOBUFS), "ENOBUFS warning: " + slow.err);
            assertTrue(slow.out.size() < n, slow.out.size() + " events read");
            // it goes on after the warning, as conntrack does
            ping(n);
            await(() -> slow.out.getLast().contains("id=" + n + " "), "event after the overrun");
        }
    }

    @Test
    void aBadEventCommandLineGetsConntracksErrorAndNoStream() throws Exception {
        try (Listener l = new Listener(true, "-E", "-e", "FOO")) {
            await(() -> !l.err.isEmpty(), "error");
            assertEquals("conntrack v1.4.7 (conntrack-tools): Bad parameter `FOO'\n"
                    + "Try `conntrack -h' or 'conntrack --help' for more information.\n", l.err.getFirst());
        }
    }
}
