package jnat.nat;

import jnat.host.Interface;
import jnat.wire.EthernetFrame;
import jnat.wire.Ipv6Packet;
import jnat.wire.TcpRepr;
import jnat.wire.Transport6Repr;
import jnat.wire.TcpSegment;
import jnat.wire.UdpRepr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
 * {@link NatEngine#receive} in both directions without allocating ({@link EstablishedRounds}).
 */
class Ipv6EstablishedPathAllocationTest {
    static final String SERVER = "2001:db8:1::8", DNS = "2001:4860:4860::8888", CLIENT = "2001:db8:2::99";
    static final int DATA = EstablishedRounds.DATA;

    final EngineRig rig = EngineRig.seedDocker6();
    final Interface eth0 = rig.device("eth0"), docker0 = rig.device("docker0");
    final EstablishedRounds rounds = new EstablishedRounds(rig, EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH);

    interface Side {
        byte[] frame(String src, String dst, Transport6Repr l4);
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
        rounds.add(clientIn, client.frame(src, dst, fromClient.withFlags(push).withPayload(payload(DATA))), true);
        rounds.add(serverIn, server.frame(replyFrom, replyTo, fromServer.withSeq(5001).withAck(1001 + DATA).withFlags(push)
                .withPayload(payload(DATA))), true);
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
        rounds.add(docker0, fromContainer6(CONTAINER6, DNS, query), false);
        rounds.add(eth0, fromInternet6(DNS, PUBLIC6, answer), false);

        // DNAT, TCP: the client's connection to the published port, answered by the container's 80
        openTcp(eth0, EngineRig::fromInternet6, CLIENT, 60677, PUBLIC6, 8080, docker0, EngineRig::fromContainer6, CONTAINER6, CLIENT, 80);
        rounds.start();

        rounds.rounds(1, rig.capture);
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

    @Test
    void establishedIpv6MasqueradedAndDnatedPacketsAllocateNothing() {
        rounds.assertARunAllocatesNothing("established IPv6 packets");
    }

    @Test
    void establishedPacketsInBatchesAllocateNothing() {
        rounds.batched();
        rounds.assertARunAllocatesNothing("established IPv6 packets in batches");
    }
}
