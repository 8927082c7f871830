package jnat.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * One generated case: nat rules for the harness host and a sequence of frames to inject. Frames
 * that answer earlier ones (replies, ICMP errors) are described relative to what the host
 * transmitted before, so each side (kernel, jnat) builds them from its own output: a reply goes to
 * whatever port the side's NAT chose.
 */
final class Scenario {
    /** The client device of a flow the host itself opens (its packets are sent, not received). */
    static final String LOCAL = "local";

    /** One connection as its client opens it. {@code randomLo..randomHi}: the range in which the kernel
     *  may pick this flow's translated source port (or ICMP id) at random; -1 when it must not. */
    static final class Flow {
        final int id;
        final int protocol;
        final String clientDevice;
        final long clientMac;
        final int client, clientPort, dst, dstPort;
        final String what;
        /** An IPv6 flow: its addresses are {@code clientHi/Lo} and {@code dstHi/Lo} ({@code client}, {@code dst} are 0). */
        final boolean ipv6;
        final long clientHi, clientLo, dstHi, dstLo;
        int randomLo = -1, randomHi = -1;
        /**
         * The original direction's header as the client sends it: TOS (IPv6: traffic class), TTL (IPv6: hop
         * limit; 0: the harness's own) and the destination MAC (0: the host device's; a broadcast or multicast one).
         */
        int tos, ttl;
        long dstMac;

        /** This flow with its original direction's TOS and TTL (0: the harness's). */
        Flow header(int tos, int ttl) {
            this.tos = tos;
            this.ttl = ttl;
            return this;
        }

        /** This flow sent to the link-layer address {@code mac} (broadcast, multicast) rather than the host's. */
        Flow toMac(long mac) {
            this.dstMac = mac;
            return this;
        }

        Flow(int id, int protocol, String clientDevice, long clientMac, int client, int clientPort, int dst, int dstPort,
             String what) {
            this.id = id;
            this.protocol = protocol;
            this.clientDevice = clientDevice;
            this.clientMac = clientMac;
            this.client = client;
            this.clientPort = clientPort;
            this.dst = dst;
            this.dstPort = dstPort;
            this.what = what;
            this.ipv6 = false;
            this.clientHi = this.clientLo = this.dstHi = this.dstLo = 0;
        }

        /** An IPv6 flow ({@code protocol} 58 for ICMPv6 echo). */
        Flow(int id, int protocol, String clientDevice, long clientMac, long clientHi, long clientLo, int clientPort,
             long dstHi, long dstLo, int dstPort, String what) {
            this.id = id;
            this.protocol = protocol;
            this.clientDevice = clientDevice;
            this.clientMac = clientMac;
            this.client = 0;
            this.clientPort = clientPort;
            this.dst = 0;
            this.dstPort = dstPort;
            this.what = what;
            this.ipv6 = true;
            this.clientHi = clientHi;
            this.clientLo = clientLo;
            this.dstHi = dstHi;
            this.dstLo = dstLo;
        }

        /** The same flow with another client port (or echo id). */
        Flow withClientPort(int port) {
            Flow g = ipv6 ? new Flow(id, protocol, clientDevice, clientMac, clientHi, clientLo, port, dstHi, dstLo, dstPort, what)
                    : new Flow(id, protocol, clientDevice, clientMac, client, port, dst, dstPort, what);
            g.randomLo = randomLo;
            g.randomHi = randomHi;
            g.tos = tos;
            g.ttl = ttl;
            g.dstMac = dstMac;
            return g;
        }

        Flow random(int lo, int hi) {
            randomLo = lo;
            randomHi = hi;
            return this;
        }

        boolean isRandom() {
            return randomLo >= 0;
        }
    }

    enum Kind {
        /** client to server, as the client addresses it */
        ORIGINAL,
        /** server to client, to the tuple the original direction left the host with */
        REPLY,
        /** an ICMP error about the last original-direction packet, from its destination (or {@code from}) */
        ERROR_ABOUT_ORIGINAL,
        /** an ICMP error about the last reply, from the client */
        ERROR_ABOUT_REPLY
    }

    /**
     * One injected frame. TCP: flags, seq, ack, payload length, SYN options; UDP: payload length;
     * ICMP echo: sequence; ICMP errors: type, code, source ({@code from}, 0 for the peer itself; an IPv6
     * flow's error from anywhere else comes from the internet's router, {@link ScenarioGenerator6#INTERNET_ROUTER6}).
     * {@code mangle}: {@link #BAD_L4_CHECKSUM} (conntrack deems the packet INVALID), {@link #BAD_IP_CHECKSUM}
     * (ip_rcv drops it), {@link #NO_UDP_CHECKSUM} (a UDP checksum of 0: none, valid).
     */
    record Step(Flow flow, Kind kind, int tcpFlags, int seq, int ack, int length, boolean synOptions,
                int icmpType, int icmpCode, int from, int mangle) {
        /**
         * {@link #OUT_OF_WINDOW}: bytes as built, but conntrack finds it outside the TCP window (untracked).
         * {@link #FRAGMENTED}: sent as fragments of {@code ack} bytes of data each (the last the rest), in
         * order; {@link #FRAGMENTED_REVERSED}: the same, last fragment first.
         */
        static final int BAD_L4_CHECKSUM = 1, BAD_IP_CHECKSUM = 2, NO_UDP_CHECKSUM = 3, OUT_OF_WINDOW = 4,
                FRAGMENTED = 5, FRAGMENTED_REVERSED = 6;
        /** {@link #TTL_ONE}: sent with TTL 1, so a forwarding host answers time exceeded instead. */
        static final int TTL_ONE = 7;
        /**
         * IPv6 only. {@link #NEIGHBOUR_SOLICITATION}: not the flow's packet but a neighbour solicitation from its
         * client for the flow's destination (one of the host's addresses), to the solicited-node group
         * ({@code seq} 0) or unicast ({@code seq} 1). {@link #BAD_PAYLOAD_LENGTH}: the payload length says
         * more bytes than the frame has (ip6_rcv_core drops it). {@link #MULTICAST_SOURCE}: from ff02::1 (an
         * address no packet may come from: dropped before the hooks).
         */
        static final int NEIGHBOUR_SOLICITATION = 8, BAD_PAYLOAD_LENGTH = 9, MULTICAST_SOURCE = 10;
        /**
         * IPv6 fragment trains beside {@link #FRAGMENTED} and {@link #FRAGMENTED_REVERSED}:
         * {@link #FRAGMENTED_DUPLICATE} in order with the first fragment sent twice (the copy is
         * dropped, the queue kept); {@link #FRAGMENTED_OVERLAP} the first fragment, then one starting
         * 8 bytes before its end (the overlap kills the queue and is dropped), then the whole train in
         * order; {@link #FRAGMENTED_ATOMIC} the datagram whole behind a fragment header of offset 0, M 0
         * (RFC 6946).
         */
        static final int FRAGMENTED_DUPLICATE = 11, FRAGMENTED_OVERLAP = 12, FRAGMENTED_ATOMIC = 13;
        /** IPv6: the packet sent {@code ack} times in a row (a burst that waits for one neighbour). */
        static final int REPEATED = 14;
        /** ESP ({@link Flow#protocol} 50, SPI {@code seq}): the header cut to its first 3 bytes. */
        static final int SHORT_HEADER = 15;

        Step repeated(int times) {
            return new Step(flow, kind, tcpFlags, seq, times, length, synOptions, icmpType, icmpCode, from, REPEATED);
        }

        /** A UDP datagram or an echo of {@code length} bytes of payload, cut into fragments of {@code size} bytes. */
        static Step fragmented(Flow f, Kind k, int seq, int length, int size, boolean reversed) {
            return fragmented(f, k, seq, length, size, reversed ? FRAGMENTED_REVERSED : FRAGMENTED);
        }

        /** {@code how}: one of the FRAGMENTED_* trains. */
        static Step fragmented(Flow f, Kind k, int seq, int length, int size, int how) {
            return new Step(f, k, 0, seq, size, length, false, 0, 0, 0, how);
        }

        boolean isFragmented() {
            return mangle == FRAGMENTED || mangle == FRAGMENTED_REVERSED || mangle >= FRAGMENTED_DUPLICATE;
        }

        static Step tcp(Flow f, Kind k, int flags, int seq, int ack, int length) {
            return new Step(f, k, flags, seq, ack, length, (flags & 0x02) != 0, 0, 0, 0, 0);
        }

        static Step data(Flow f, Kind k, int length) {
            return new Step(f, k, 0, 0, 0, length, false, 0, 0, 0, 0);
        }

        static Step echo(Flow f, Kind k, int seq) {
            return new Step(f, k, 0, seq, 0, 56, false, 0, 0, 0, 0);
        }

        static Step error(Flow f, Kind k, int type, int code, int from) {
            return new Step(f, k, 0, 0, 0, 0, false, type, code, from, 0);
        }

        /** An ICMP error quoting only the IP header and 8 bytes (as many routers do), {@code rest}: bytes 4-7. */
        static Step shortError(Flow f, Kind k, int type, int code, int from, int rest) {
            return new Step(f, k, 0, rest, 0, 8, false, type, code, from, 0);
        }

        Step withRest(int rest) {
            return new Step(flow, kind, tcpFlags, rest, ack, length, synOptions, icmpType, icmpCode, from, mangle);
        }

        Step mangled(int how) {
            return new Step(flow, kind, tcpFlags, seq, ack, length, synOptions, icmpType, icmpCode, from, how);
        }

        /** Not a packet of the connection as conntrack sees it: what it leaves as says nothing of the binding. */
        boolean untracked() {
            return mangle == BAD_L4_CHECKSUM || mangle == BAD_IP_CHECKSUM || mangle == OUT_OF_WINDOW;
        }

        @Override
        public String toString() {
            String s = kind + " of flow " + flow.id + " (" + flow.what + ")";
            if (flow.protocol == 6 && (kind == Kind.ORIGINAL || kind == Kind.REPLY)) s += " tcp flags 0x" + Integer.toHexString(tcpFlags) + " len " + length;
            if (icmpType != 0) s += " icmp " + icmpType + "/" + icmpCode;
            return switch (mangle) {
                case BAD_L4_CHECKSUM -> s + " (bad L4 checksum)";
                case BAD_IP_CHECKSUM -> s + " (bad IP checksum)";
                case NO_UDP_CHECKSUM -> s + " (UDP checksum 0)";
                case OUT_OF_WINDOW -> s + " (out of window)";
                case TTL_ONE -> s + (flow.ipv6 ? " (hop limit 1)" : " (TTL 1)");
                case NEIGHBOUR_SOLICITATION -> "neighbour solicitation from the client of flow " + flow.id + " (" + flow.what + ")"
                        + (seq == 0 ? " to the solicited-node group" : " unicast");
                case BAD_PAYLOAD_LENGTH -> s + " (payload length past the frame)";
                case MULTICAST_SOURCE -> s + " (multicast source)";
                case FRAGMENTED -> s + " len " + length + " (in fragments of " + ack + ")";
                case FRAGMENTED_REVERSED -> s + " len " + length + " (in fragments of " + ack + ", last first)";
                case FRAGMENTED_DUPLICATE -> s + " len " + length + " (in fragments of " + ack + ", the first twice)";
                case FRAGMENTED_OVERLAP -> s + " len " + length + " (in fragments of " + ack + ", after an overlapping one)";
                case FRAGMENTED_ATOMIC -> s + " len " + length + " (an atomic fragment)";
                case REPEATED -> s + " (" + ack + " times)";
                case SHORT_HEADER -> s + " (a 3-byte header)";
                default -> s;
            };
        }
    }

    final int index;
    final long seed;
    final String rules;
    /** The ip6tables-save rules of a dual-stack scenario; null: IPv4 only (IPv6 is dropped by neither side's rules). */
    String rules6;
    /** An nft -f ruleset loaded beside the iptables ones (native nf_tables tables); null: none. */
    String nft;
    /** ipset restore text loaded before the rules (their -m set and -j SET sets); null: none. */
    String ipset;
    final List<String> features;
    final List<Flow> flows = new ArrayList<>();
    final List<Step> steps = new ArrayList<>();

    Scenario(int index, long seed, String rules, List<String> features) {
        this.index = index;
        this.seed = seed;
        this.rules = rules;
        this.features = features;
    }

    @Override
    public String toString() {
        return "scenario " + index + " (seed " + seed + ": " + String.join(", ", features) + ")";
    }
}
