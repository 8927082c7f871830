package jnat.nat;

import jnat.host.Interface;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv4Packet;
import jnat.wire.Ipv4Repr;
import jnat.wire.TcpRepr;
import jnat.wire.TcpSegment;
import jnat.wire.TransportRepr;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.nat.EngineRig.fromContainer;
import static jnat.nat.EngineRig.fromInternet;
import static jnat.nat.EngineRig.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * ARCHITECTURE.md's promise: a packet of an established connection crosses {@link NatEngine#receive}
 * without allocating. On the seed's Docker host with Docker's rules, three flows are opened: the
 * container's TCP and UDP to the internet (MASQUERADE) and a client's TCP to the published port
 * 10000 (DNAT to 172.17.0.2:8000). Then their packets, in both directions, as Ethernet frames through
 * eth0 and docker0 (TCP with 100 bytes of data and advancing sequence numbers, checksums valid),
 * run through the engine to a transmitter that only counts, and the thread's allocation counter
 * must not move ({@link EstablishedRounds}: how it is measured, and why it can fail).
 */
class EstablishedPathAllocationTest {
    static final String CONTAINER = "172.17.0.2", SERVER = "198.51.100.8", DNS = "8.8.8.8";
    static final String CLIENT = "114.246.99.100", PUBLIC = "45.77.200.180";
    static final int DATA = EstablishedRounds.DATA;

    final EngineRig rig = rig();
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final EstablishedRounds rounds = new EstablishedRounds(rig, EthernetFrame.HEADER_LENGTH + 20);

    /** The host and its rules (a subclass adds rules whose matches must not allocate either). */
    EngineRig rig() {
        return EngineRig.seedDocker();
    }

    /** Builds the frames that arrive from one side (the container's on docker0, the internet's on eth0). */
    interface Side {
        byte[] frame(Ipv4Repr ip, TransportRepr l4);
    }

    /**
     * Opens a TCP connection from {@code src:sport} to {@code dst:dport} (SYN, SYN-ACK, ACK, each
     * asserted forwarded to the other interface; the server answers the address the SYN left
     * with) and adds a segment of {@link #DATA} bytes each way to the round. Returns the SYN as it left.
     */
    Ipv4Packet openTcp(Interface clientIn, Side client, String src, int sport, String dst, int dport, Interface serverIn, Side server) {
        Ipv4Repr out = Ipv4Repr.of(src, dst);
        rig.receive(clientIn, client.frame(out, TcpRepr.of(sport, dport).withSeq(1000).withFlags(TcpSegment.SYN).withWindow(64240)));
        Ipv4Packet syn = rig.only(serverIn.name()).ip();
        Ipv4Repr back = Ipv4Repr.of(syn.dst(), syn.src());
        TcpRepr fromServer = TcpRepr.of(syn.dstPort(), syn.srcPort()).withWindow(64240);
        rig.receive(serverIn, server.frame(back, fromServer.withSeq(5000).withAck(1001).withFlags(TcpSegment.SYN | TcpSegment.ACK)));
        rig.only(clientIn.name());
        TcpRepr fromClient = TcpRepr.of(sport, dport).withSeq(1001).withAck(5001).withWindow(64240);
        rig.receive(clientIn, client.frame(out, fromClient.withFlags(TcpSegment.ACK)));
        rig.only(serverIn.name());
        int push = TcpSegment.ACK | TcpSegment.PSH;
        rounds.add(clientIn, client.frame(out, fromClient.withFlags(push).withPayload(payload(DATA))), true);
        rounds.add(serverIn, server.frame(back, fromServer.withSeq(5001).withAck(1001 + DATA).withFlags(push)
                .withPayload(payload(DATA))), true);
        return syn;
    }

    @BeforeEach
    void openTheFlows() {
        // MASQUERADE, TCP: the container's connection to a web server
        int masqPort = openTcp(docker0, EngineRig::fromContainer, CONTAINER, 40000, SERVER, 80, eth0, EngineRig::fromInternet).srcPort();

        // MASQUERADE, UDP: the container's DNS queries and their answers
        UdpRepr query = UdpRepr.of(5353, 53).withPayload(payload(40));
        rig.receive(docker0, fromContainer(CONTAINER, DNS, query));
        int udpPort = rig.only("eth0").ip().srcPort();
        UdpRepr answer = UdpRepr.of(53, udpPort).withPayload(payload(80));
        rig.receive(eth0, fromInternet(DNS, PUBLIC, answer));
        rig.only("docker0");
        rounds.add(docker0, fromContainer(CONTAINER, DNS, query), false);
        rounds.add(eth0, fromInternet(DNS, PUBLIC, answer), false);

        // DNAT, TCP: a client of the published port 10000 (the container's 8000)
        openTcp(eth0, EngineRig::fromInternet, CLIENT, 60677, PUBLIC, 10000, docker0, EngineRig::fromContainer);
        rounds.start();

        // The first round through the rig's capture: every packet translated as its connection says.
        rounds.rounds(1, rig.capture);
        assertEquals(List.of(
                "eth0 " + PUBLIC + ":" + masqPort + " > " + SERVER + ":80",
                "docker0 " + SERVER + ":80 > " + CONTAINER + ":40000",
                "eth0 " + PUBLIC + ":" + udpPort + " > " + DNS + ":53",
                "docker0 " + DNS + ":53 > " + CONTAINER + ":5353",
                "docker0 " + CLIENT + ":60677 > " + CONTAINER + ":8000",
                "eth0 " + PUBLIC + ":10000 > " + CLIENT + ":60677"), rig.summaries());
        rig.sent().clear();
    }

    @Test
    void establishedMasqueradedAndDnatedPacketsAllocateNothing() {
        rounds.assertARunAllocatesNothing("established packets");
    }

    @Test
    void establishedPacketsAllocateNothingOnceTheTraceIsTurnedOff() {
        List<String> trace = new ArrayList<>();
        rig.tracer(trace::add);
        rounds.rounds(1, rounds.counting);
        assertFalse(trace.isEmpty(), "the tracer saw the established packets");
        rig.tracer(null);
        trace.clear();
        rounds.assertARunAllocatesNothing("established packets, trace off");
        assertEquals(List.of(), trace);
    }

    @Test
    void establishedPacketsInBatchesAllocateNothing() {
        rounds.batched();
        rounds.assertARunAllocatesNothing("established packets in batches");
    }
}
