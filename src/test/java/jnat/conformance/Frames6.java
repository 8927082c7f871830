package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.wire.Checksum;
import jnat.wire.EthernetRepr;
import jnat.wire.Icmpv6Repr;
import jnat.wire.Ipv6Address;
import jnat.wire.Ipv6Repr;
import jnat.wire.Transport6Repr;
import jnat.wire.UdpRepr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static jnat.conformance.Harness.put16;
import static jnat.conformance.Harness.u16;
import static jnat.conformance.Harness.u48;

/**
 * The IPv6 half of {@link Harness}'s frame work: the frames of an IPv6 flow's steps, and the
 * offsets the comparison reads in an IPv6 frame (Ethernet, the 40-byte header, no extension
 * headers: the harness sends none and the host adds none to what it forwards or builds).
 */
final class Frames6 {
    static final int ETHERTYPE = 0x86dd, L3 = 14, NEXT_HEADER = L3 + 6, HOP_LIMIT = L3 + 7, SRC = L3 + 8, DST = L3 + 24,
            L4 = L3 + 40;
    /**
     * The hop limit of every injected frame but NDP's: what the host forwards leaves with 59, what it
     * sends itself with 64 (ip6_dst_hoplimit) or 255 (ndisc), so the two are told apart by it.
     */
    static final int INJECTED_HOP_LIMIT = 60;

    private Frames6() {}

    static boolean isIpv6(byte[] f) {
        return f.length >= L4 && u16(f, 12) == ETHERTYPE;
    }

    static long hi(byte[] f, int at) {
        return Ipv6Address.readHi(f, at);
    }

    static long lo(byte[] f, int at) {
        return Ipv6Address.readLo(f, at);
    }

    /** The frame of {@code step} of an IPv6 flow on one side, or null when the packet it answers never left. */
    static Harness.Injection build(Step step, int index, Harness.Seen seen) {
        Flow f = step.flow();
        int hop = step.mangle() == Step.TTL_ONE ? 1 : INJECTED_HOP_LIMIT;
        switch (step.kind()) {
            case ORIGINAL -> {
                if (f.clientDevice.equals(Scenario.LOCAL)) {
                    Ipv6Repr ip = Ipv6Repr.of(f.clientHi, f.clientLo, f.dstHi, f.dstLo).withHopLimit(hop);
                    return injection(Scenario.LOCAL, ip.packet(transport(step, index, f.clientPort, f.dstPort)), 0, step, index);
                }
                long routerMac = Harness.hostMac(f.clientDevice);
                if (step.mangle() == Step.NEIGHBOUR_SOLICITATION) return solicitation(f, step.seq() == 0, routerMac);
                if (f.dstMac != 0) routerMac = f.dstMac;
                Ipv6Repr ip = Ipv6Repr.of(f.clientHi, f.clientLo, f.dstHi, f.dstLo)
                        .withHopLimit(f.ttl != 0 && step.mangle() != Step.TTL_ONE ? f.ttl : hop).withTrafficClass(f.tos);
                if (step.mangle() == Step.MULTICAST_SOURCE) ip = ip.withSrc(0xff02L << 48, 1);
                if (f.protocol == Harness.ESP) {
                    return new Harness.Injection(f.clientDevice, EthernetRepr.of(f.clientMac, routerMac).withEtherType(ETHERTYPE)
                            .frame(ip.withProtocol(Harness.ESP).packet(Harness.esp(step, index))));
                }
                byte[] frame = EthernetRepr.of(f.clientMac, routerMac).frame(ip, transport(step, index, f.clientPort, f.dstPort));
                switch (step.mangle()) {
                    case Step.BAD_L4_CHECKSUM -> {
                        int at = L4 + (f.protocol == 6 ? 16 : f.protocol == 17 ? 6 : 2);
                        put16(frame, at, u16(frame, at) ^ 0x0101);
                    }
                    case Step.NO_UDP_CHECKSUM -> put16(frame, L4 + 6, 0);
                    case Step.BAD_PAYLOAD_LENGTH -> put16(frame, L3 + 4, u16(frame, L3 + 4) + 8);
                    default -> { }
                }
                return injection(f.clientDevice, frame, L3, step, index);
            }
            case REPLY -> {
                if (seen.orig == null) return null;
                byte[] o = seen.orig;
                Ipv6Repr ip = Ipv6Repr.of(hi(o, DST), lo(o, DST), hi(o, SRC), lo(o, SRC)).withHopLimit(hop);
                int sport = u16(o, L4), dport = u16(o, L4 + 2);
                Transport6Repr t = f.protocol == 58 ? transport(step, index, u16(o, L4 + 4), 0) : transport(step, index, dport, sport);
                return injection(seen.origDev, EthernetRepr.of(u48(o, 0), u48(o, 6)).frame(ip, t), L3, step, index);
            }
            case ERROR_ABOUT_ORIGINAL, ERROR_ABOUT_REPLY -> {
                byte[] o = step.kind() == Kind.ERROR_ABOUT_ORIGINAL ? seen.orig : seen.reply;
                String dev = step.kind() == Kind.ERROR_ABOUT_ORIGINAL ? seen.origDev : seen.replyDev;
                if (o == null) return null;
                byte[] quoted = Arrays.copyOfRange(o, L3, o.length);
                long[] from = step.from() != 0 ? ScenarioGenerator6.INTERNET_ROUTER6 : new long[] {hi(o, DST), lo(o, DST)};
                Ipv6Repr ip = Ipv6Repr.of(from[0], from[1], hi(o, SRC), lo(o, SRC)).withHopLimit(INJECTED_HOP_LIMIT);
                // length > 0: a router quoting the header and 8 bytes; else as Linux quotes (up to 1280 bytes in all)
                int quote = step.length() > 0 ? 40 + 8 : Icmpv6Repr.LINUX_MAX_QUOTE;
                Icmpv6Repr icmp = new Icmpv6Repr(step.icmpType(), step.icmpCode(), step.seq(),
                        Arrays.copyOf(quoted, Math.min(quote, quoted.length)));
                return new Harness.Injection(dev, EthernetRepr.of(u48(o, 0), u48(o, 6)).frame(ip, icmp));
            }
        }
        throw new AssertionError(step.kind());
    }

    private static Harness.Injection injection(String dev, byte[] frame, int l3, Step step, int index) {
        if (step.mangle() == Step.REPEATED) return new Harness.Injection(dev, frame, Collections.nCopies(step.ack(), frame));
        if (!step.isFragmented()) return new Harness.Injection(dev, frame);
        return new Harness.Injection(dev, frame, fragments(frame, l3, step, fragmentId(step.flow(), index)));
    }

    /** The identification of the fragments injected at step {@code index}: one per datagram, as a sending host picks it. */
    static int fragmentId(Flow f, int index) {
        return 0x6a000000 | (f.id & 0xff) << 16 | index & 0xffff;
    }

    /**
     * The packet at {@code l3} of {@code frame} (no extension headers) as a sending host fragments it
     * (RFC 8200 4.5: its header repeated with payload length and next header 44, the fragment header
     * naming the original next header), {@code step.ack()} bytes of data a fragment (the last the
     * rest), in the step's order: in order, last first, the first twice, after an overlapping
     * fragment, or one atomic fragment.
     */
    static List<byte[]> fragments(byte[] frame, int l3, Step step, int id) {
        int data = u16(frame, l3 + 4), size = step.ack();
        List<byte[]> out = new ArrayList<>();
        if (step.mangle() == Step.FRAGMENTED_ATOMIC) {
            out.add(fragment(frame, l3, id, 0, data, false));
            return out;
        }
        for (int at = 0; at < data; at += size) {
            int n = Math.min(size, data - at);
            out.add(fragment(frame, l3, id, at, n, at + n < data));
        }
        switch (step.mangle()) {
            case Step.FRAGMENTED_REVERSED -> Collections.reverse(out);
            case Step.FRAGMENTED_DUPLICATE -> out.addFirst(out.getFirst().clone());
            case Step.FRAGMENTED_OVERLAP -> {
                int at = size - 8, n = Math.min(size, data - at);
                out.addFirst(fragment(frame, l3, id, at, n, at + n < data));
                out.addFirst(out.get(1).clone());
            }
            default -> { }
        }
        return out;
    }

    /** One fragment of the packet at {@code l3}: payload bytes [at, at+n), M as {@code more}; the link header kept. */
    private static byte[] fragment(byte[] frame, int l3, int id, int at, int n, boolean more) {
        byte[] f = new byte[l3 + 48 + n];
        System.arraycopy(frame, 0, f, 0, l3 + 40);
        f[l3 + 6] = 44;
        put16(f, l3 + 4, 8 + n);
        f[l3 + 40] = frame[l3 + 6];
        f[l3 + 41] = 0;
        put16(f, l3 + 42, at | (more ? 1 : 0));
        put16(f, l3 + 44, id >>> 16);
        put16(f, l3 + 46, id);
        System.arraycopy(frame, l3 + 40 + at, f, l3 + 48, n);
        return f;
    }

    /** Whether {@code f} is a fragment (a fragment header right after the IPv6 header, as the host sends them). */
    static boolean isFragment(byte[] f) {
        return isIpv6(f) && f[NEXT_HEADER] == 44 && f.length >= L4 + 8;
    }

    /** A fragment's identification. */
    static int fragmentId(byte[] f) {
        return u16(f, L4 + 4) << 16 | u16(f, L4 + 6);
    }

    /** A copy of the fragment {@code f} with identification {@code id}. */
    static byte[] withFragmentId(byte[] f, int id) {
        byte[] c = f.clone();
        put16(c, L4 + 4, id >>> 16);
        put16(c, L4 + 6, id);
        return c;
    }

    /**
     * The far side's neighbours the host file does not name, which answer a solicitation as a real
     * host does: fd00:1::10-17 on eth1 and fd49:efd7:54aa::7-9 on docker0. Their MAC, or -1 for any
     * other address (left unanswered).
     */
    static long answeringMac(long hi, long lo) {
        int low = (int) (lo & 0xff);
        if (hi == ScenarioGenerator6.LAN_GW6[0] && (lo & ~0xffL) == 0 && low >= 0x10 && low <= 0x17) return 0x020000000200L | low;
        if (hi == ScenarioGenerator6.DOCKER_GW6[0] && (lo & ~0xffL) == 0 && low >= 7 && low <= 9) return 0x0242ac110000L | low;
        return -1;
    }

    /** An ARP request the host sent for an answering IPv4 neighbour (10.1.0.16-23 on eth1). */
    static boolean requestsAnswering(byte[] f) {
        if (f.length < 42 || u16(f, 12) != 0x0806 || u16(f, 20) != 1) return false;
        int tip = Harness.u32(f, 38);
        return tip >= ScenarioGenerator6.NEW_LAN4 && tip < ScenarioGenerator6.NEW_LAN4 + 8;
    }

    /** The target's ARP reply to the request {@code req}: to the requester, from the target's MAC. */
    static byte[] arpReply(byte[] req) {
        int tip = Harness.u32(req, 38), sip = Harness.u32(req, 28);
        long mac = 0x020000000200L | (tip & 0xff), requester = u48(req, 22);
        byte[] f = new byte[42];
        jnat.wire.EthernetFrame.writeHeader(f, 0, requester, mac, 0x0806);
        jnat.wire.ArpPacket.write(f, 14, 2, mac, tip, requester, sip);
        return f;
    }

    /** A neighbour solicitation the host sent (not duplicate address detection's, from ::) for an answering neighbour. */
    static boolean solicitsAnswering(byte[] f) {
        if (!isIpv6(f) || (f[HOP_LIMIT] & 0xff) != 255 || f[NEXT_HEADER] != 58 || f.length < L4 + 24 || (f[L4] & 0xff) != 135) return false;
        return (hi(f, SRC) | lo(f, SRC)) != 0 && answeringMac(hi(f, L4 + 8), lo(f, L4 + 8)) >= 0;
    }

    /**
     * The target's answer to the solicitation {@code ns} (as a host answers: to the solicitation's
     * source, solicited and override, with its link-layer address).
     */
    static byte[] advertisement(byte[] ns) {
        long th = hi(ns, L4 + 8), tl = lo(ns, L4 + 8), mac = answeringMac(th, tl);
        Ipv6Repr ip = Ipv6Repr.of(th, tl, hi(ns, SRC), lo(ns, SRC)).withHopLimit(255);
        Icmpv6Repr na = Icmpv6Repr.neighbourAdvertisement(0x60, th, tl, Icmpv6Repr.linkLayerOption(2, mac));
        return EthernetRepr.of(mac, u48(ns, 6)).frame(ip, na);
    }

    /** A neighbour solicitation from the flow's client for its destination (ndisc: hop limit 255, the source's link-layer option). */
    private static Harness.Injection solicitation(Flow f, boolean multicast, long routerMac) {
        long dstHi = f.dstHi, dstLo = f.dstLo, mac = routerMac;
        if (multicast) { // the solicited-node group ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX
            dstHi = 0xff02L << 48;
            dstLo = 0x00000001ff000000L | (f.dstLo & 0xffffffL);
            mac = 0x3333ff000000L | (f.dstLo & 0xffffffL);
        }
        Ipv6Repr ip = Ipv6Repr.of(f.clientHi, f.clientLo, dstHi, dstLo).withHopLimit(255);
        Icmpv6Repr ns = Icmpv6Repr.neighbourSolicitation(f.dstHi, f.dstLo, Icmpv6Repr.linkLayerOption(1, f.clientMac));
        return new Harness.Injection(f.clientDevice, EthernetRepr.of(f.clientMac, mac).frame(ip, ns));
    }

    private static Transport6Repr transport(Step step, int index, int sport, int dport) {
        byte[] payload = Harness.payload(step, index);
        return switch (step.flow().protocol) {
            case 6 -> Harness.tcp(step, index, sport, dport, payload);
            case 17 -> UdpRepr.of(sport, dport).withPayload(payload);
            default -> step.kind() == Kind.REPLY ? Icmpv6Repr.echoReply(sport, step.seq(), payload)
                    : Icmpv6Repr.echoRequest(sport, step.seq(), payload);
        };
    }

    /** A packet the host built itself (ICMPv6 errors, echo replies, advertisements, REJECT's resets), told by its hop limit. */
    static boolean hostGenerated(byte[] f) {
        int hop = f[HOP_LIMIT] & 0xff;
        return hop == 64 || hop == 255;
    }

    /** The source port (TCP, UDP) or echo id (ICMPv6) of an original-direction frame as it left. */
    static int translatedPort(byte[] f) {
        return f[NEXT_HEADER] == 58 ? u16(f, L4 + 4) : u16(f, L4);
    }

    static String tupleOf(byte[] f) {
        int proto = f[NEXT_HEADER];
        return proto + " " + Ipv6Address.format(f, SRC) + ":" + translatedPort(f) + " > " + Ipv6Address.format(f, DST) + ":"
                + (proto == 58 ? 0 : u16(f, L4 + 2));
    }

    /** How conntrack -L prints the reply tuple of the connection {@code f} left by, with {@code port} as its NAT port. */
    static String replyTuple(byte[] f, int port) {
        String head = "src=" + Ipv6Address.format(f, DST) + " dst=" + Ipv6Address.format(f, SRC);
        if (f[NEXT_HEADER] == 58) return head + " type=129 code=0 id=" + port + " ";
        return head + " sport=" + u16(f, L4 + 2) + " dport=" + port + " ";
    }

    /** Zeroes {@code port} wherever a translation may have put it (the quoted datagram of an error too), and the checksums over it. */
    static void mask(byte[] f, int port) {
        maskL4(f, f[NEXT_HEADER], L4, port);
        int type = f[L4] & 0xff;
        if (f[NEXT_HEADER] == 58 && type >= 1 && type <= 4 && f.length >= L4 + 8 + 40) {
            maskL4(f, f[L4 + 8 + 6], L4 + 8 + 40, port);
        }
    }

    private static void maskL4(byte[] f, int proto, int l4, int port) {
        if (proto == 58) {
            int type = l4 + 8 <= f.length ? f[l4] & 0xff : 0;
            if ((type == 128 || type == 129) && u16(f, l4 + 4) == port) put16(f, l4 + 4, 0);
            if (l4 + 4 <= f.length) put16(f, l4 + 2, 0);
            return;
        }
        if (l4 + 4 > f.length) return;
        if (u16(f, l4) == port) put16(f, l4, 0);
        if (u16(f, l4 + 2) == port) put16(f, l4 + 2, 0);
        int sum = proto == 6 ? l4 + 16 : l4 + 6;
        if (sum + 2 <= f.length) put16(f, sum, 0);
    }

    static boolean checksumsRight(byte[] f) {
        int len = u16(f, L3 + 4);
        if (L4 + len > f.length) return false;
        return Checksum.verifyTransport6(f, L4, len, hi(f, SRC), lo(f, SRC), hi(f, DST), lo(f, DST), f[NEXT_HEADER] & 0xff);
    }

    /**
     * The kernel's noise, not caused by any scenario: MLD reports (types 130-132, 143, behind a
     * hop-by-hop header), router solicitations (133) and duplicate address detection's
     * solicitations (135 from ::). A solicitation from one of the host's addresses (resolving a
     * neighbour a packet goes to) is not noise.
     */
    static boolean kernelNoise(byte[] f) {
        if (!isIpv6(f)) return false;
        int next = f[NEXT_HEADER] & 0xff, at = L4;
        if (next == 0 && f.length >= at + 8) { // hop-by-hop options (MLD's router alert)
            next = f[at] & 0xff;
            at += ((f[at + 1] & 0xff) + 1) * 8;
        }
        if (next != 58 || f.length <= at) return false;
        int type = f[at] & 0xff;
        if (type == 130 || type == 131 || type == 132 || type == 143 || type == 133) return true;
        return type == 135 && hi(f, SRC) == 0 && lo(f, SRC) == 0;
    }

    /** The IPv6 half of {@link Harness#completedTcpChecksum}: the kernel's own RST, CHECKSUM_PARTIAL on the veth. */
    static byte[] completedTcpChecksum(byte[] f) {
        if (f[NEXT_HEADER] != 6) return f;
        int t = L4, len = u16(f, L3 + 4);
        long pseudo = 0;
        for (int i = SRC; i < SRC + 32; i += 2) pseudo += u16(f, i);
        pseudo += len + 6;
        if (u16(f, t + 16) != fold(pseudo)) return f;
        byte[] c = f.clone();
        put16(c, t + 16, 0);
        long sum = pseudo;
        for (int i = 0; i + 1 < len; i += 2) sum += u16(c, t + i);
        if ((len & 1) != 0) sum += (c[t + len - 1] & 0xff) << 8;
        put16(c, t + 16, ~fold(sum) & 0xffff);
        return c;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) sum;
    }
}
