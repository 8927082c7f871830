package jnat.nat;

import jnat.host.Interface;
import jnat.wire.Checksum;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.CONTAINER6;
import static jnat.nat.EngineRig.PUBLIC6;
import static jnat.nat.EngineRig.fromContainer6;
import static jnat.nat.EngineRig.fromInternet6;
import static jnat.nat.EngineRig.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link EstablishedPathAllocationTest}'s promise for IPv6: on the seed's Docker host with IPv6 and
 * Docker's ip6tables rules, the container's TCP and UDP through MASQUERADE and a client's TCP to
 * the published port 8080 (DNAT to [fd49:efd7:54aa::2]:80), established, cross
 * {@link NatEngine#receive} in both directions without allocating (the thread's allocation counter,
 * measured after the JIT has compiled the path; see that test for why a few runs).
 */
class Ipv6EstablishedPathAllocationTest {
    static final int PACKETS_PER_ROUND = 6, WARM_UP_ROUNDS = 20_000, MEASURED_ROUNDS = 2_000, RUNS = 5;
    static final String SERVER = "2001:db8:1::8", DNS = "2001:4860:4860::8888", CLIENT = "2001:db8:2::99";
    static final int DATA = 100;

    final EngineRig rig = EngineRig.seedDocker6();
    final NatEngine engine = rig.engine();
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final byte[] work = new byte[2048];
    long now = rig.now;

    /** A frame handed in again and again; a TCP one's sequence numbers move on, its checksum with them. */
    record Template(Interface in, byte[] frame, boolean tcp) {
        static final int TCP = EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;

        void advance(int bytes) {
            if (!tcp) return;
            move(TCP + 4, bytes);
            move(TCP + 8, bytes);
        }

        private void move(int at, int by) {
            int old = u32(at), moved = old + by;
            for (int i = 0; i < 4; i++) frame[at + i] = (byte) (moved >>> (24 - 8 * i));
            int sum = Checksum.update32((frame[TCP + 16] & 0xff) << 8 | (frame[TCP + 17] & 0xff), old, moved);
            frame[TCP + 16] = (byte) (sum >>> 8);
            frame[TCP + 17] = (byte) sum;
        }

        private int u32(int at) {
            return (frame[at] & 0xff) << 24 | (frame[at + 1] & 0xff) << 16 | (frame[at + 2] & 0xff) << 8 | (frame[at + 3] & 0xff);
        }
    }

    /** Counts what leaves, by interface, and allocates nothing. */
    final class CountingTransmit implements Transmit {
        long toEth0, toDocker0, delivered;

        @Override
        public void transmit(Interface out, byte[] buf, int off, int len) {
            if (out == eth0) toEth0++;
            else if (out == docker0) toDocker0++;
        }

        @Override
        public void deliver(byte[] buf, int off, int len) {
            delivered++;
        }
    }

    final CountingTransmit counting = new CountingTransmit();
    final List<Template> round = new ArrayList<>();

    interface Side {
        byte[] frame(String src, String dst, jnat.wire.Transport6Repr l4);
    }

    /**
     * SYN, SYN-ACK, ACK through the engine (each asserted forwarded; the answer from {@code replyFrom}
     * to {@code replyTo}, as the server sees the connection), then a data segment each way added to the round.
     */
    void openTcp(Interface clientIn, Side client, String src, int sport, String dst, int dport, Interface serverIn, Side server,
                 String replyFrom, String replyTo, int serverPort) {
        rig.receive(clientIn, client.frame(src, dst, TcpRepr.of(sport, dport).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240)));
        rig.only(serverIn.name());
        TcpRepr fromServer = TcpRepr.of(serverPort, sport).withWindow(64240);
        rig.receive(serverIn, server.frame(replyFrom, replyTo, fromServer.withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK)));
        rig.only(clientIn.name());
        TcpRepr fromClient = TcpRepr.of(sport, dport).withSeq(1001).withAck(5001).withWindow(64240);
        rig.receive(clientIn, client.frame(src, dst, fromClient.withFlags(TcpSegment.ACK)));
        rig.only(serverIn.name());
        int push = TcpSegment.ACK | TcpSegment.PSH;
        round.add(new Template(clientIn, client.frame(src, dst, fromClient.withFlags(push).withPayload(payload(DATA))), true));
        round.add(new Template(serverIn, server.frame(replyFrom, replyTo, fromServer.withSeq(5001).withAck(1001 + DATA).withFlags(push)
                .withPayload(payload(DATA))), true));
    }

    @BeforeEach
    void openTheFlows() {
        // MASQUERADE, TCP: the server sees the host's address (the port kept: it is free)
        openTcp(docker0, EngineRig::fromContainer6, CONTAINER6, 40000, SERVER, 443, eth0, EngineRig::fromInternet6, SERVER, PUBLIC6, 443);

        // MASQUERADE, UDP
        UdpRepr query = UdpRepr.of(5353, 53).withPayload(payload(40));
        rig.receive(docker0, fromContainer6(CONTAINER6, DNS, query));
        rig.only("eth0");
        UdpRepr answer = UdpRepr.of(53, 5353).withPayload(payload(80));
        rig.receive(eth0, fromInternet6(DNS, PUBLIC6, answer));
        rig.only("docker0");
        round.add(new Template(docker0, fromContainer6(CONTAINER6, DNS, query), false));
        round.add(new Template(eth0, fromInternet6(DNS, PUBLIC6, answer), false));

        // DNAT, TCP: the client's connection to the published port, answered by the container's 80
        openTcp(eth0, EngineRig::fromInternet6, CLIENT, 60677, PUBLIC6, 8080, docker0, EngineRig::fromContainer6, CONTAINER6, CLIENT, 80);
        assertEquals(PACKETS_PER_ROUND, round.size());
        now = rig.now;

        rounds(1, rig.capture);
        assertEquals(List.of(
                "eth0 [" + PUBLIC6 + "]:40000 > [" + SERVER + "]:443",
                "docker0 [" + SERVER + "]:443 > [" + CONTAINER6 + "]:40000",
                "eth0 [" + PUBLIC6 + "]:5353 > [" + DNS + "]:53",
                "docker0 [" + DNS + "]:53 > [" + CONTAINER6 + "]:5353",
                "docker0 [" + CLIENT + "]:60677 > [" + CONTAINER6 + "]:80",
                "eth0 [" + PUBLIC6 + "]:8080 > [" + CLIENT + "]:60677"), rig.sent().stream().map(EngineRig.Sent::summary6).toList());
        rig.sent().forEach(s -> EngineRig.assertChecksums(s.ip6()));
        rig.sent().clear();
    }

    void rounds(int n, Transmit tx) {
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < PACKETS_PER_ROUND; i++) {
                Template t = round.get(i);
                System.arraycopy(t.frame(), 0, work, 16, t.frame().length);
                now += 1000;
                engine.receive(t.in(), work, 16, t.frame().length, now, tx);
                t.advance(DATA);
            }
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    long measuredRun() {
        for (int i = 0; i < WARM_UP_ROUNDS / 1000; i++) rounds(1000, counting);
        counting.toEth0 = counting.toDocker0 = 0;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long overhead = THREADS.getCurrentThreadAllocatedBytes() - before;
        before = THREADS.getCurrentThreadAllocatedBytes();
        rounds(MEASURED_ROUNDS, counting);
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - before - overhead;

        assertEquals(3L * MEASURED_ROUNDS, counting.toEth0, "packets out of eth0");
        assertEquals(3L * MEASURED_ROUNDS, counting.toDocker0, "packets out of docker0");
        assertEquals(0, counting.delivered, "none for the host");
        assertEquals(0, engine.invalid(), "every packet in its connection's window");
        assertEquals("", rig.dropSummary());
        assertEquals(3, engine.connections().count());
        return bytes;
    }

    @Test
    void establishedIpv6MasqueradedAndDnatedPacketsAllocateNothing() {
        List<Long> runs = new ArrayList<>();
        do runs.add(measuredRun()); while (runs.getLast() != 0 && runs.size() < RUNS);
        assertEquals(0L, runs.getLast(), "bytes allocated by each run of " + MEASURED_ROUNDS * PACKETS_PER_ROUND + " IPv6 packets: " + runs);
    }
}
