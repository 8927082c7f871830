package jnat.conformance;

import jnat.conformance.Scenario.Flow;
import jnat.conformance.Scenario.Kind;
import jnat.conformance.Scenario.Step;
import jnat.wire.Ipv6Address;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static jnat.conformance.ScenarioGenerator.ACK;
import static jnat.conformance.ScenarioGenerator.FIN;
import static jnat.conformance.ScenarioGenerator.ICMPV6;
import static jnat.conformance.ScenarioGenerator.RST;
import static jnat.conformance.ScenarioGenerator.ROUTER_MAC;
import static jnat.conformance.ScenarioGenerator.SYN;
import static jnat.conformance.ScenarioGenerator.TCP;
import static jnat.conformance.ScenarioGenerator.UDP;

/**
 * Dual-stack scenarios on {@link #HOST} (the IPv4 harness host with IPv6 on every device): the
 * IPv4 rules and two IPv4 flows of {@link ScenarioGenerator}'s scenario of the same index, and
 * beside them Docker's ip6tables rules as dockerd writes them (one of moby's golden files in
 * src/test/resources/moby-ip6tables, its bridge renamed docker0 and its container moved to ::2,
 * the gateway's address ::1 being docker0's) with a few rules of the generator's own (a DNAT range,
 * the LAN's MASQUERADE --to-ports, REJECTs in FORWARD) and 3 to 6 IPv6 flows: containers out,
 * clashing source ports and echo ids, the published port from the internet and (hairpin) from the
 * containers, direct access to a container (the raw table's DROP), the LAN out, hop limits running
 * out at the host, packets too big for eth1's 1400-byte MTU, ICMPv6 errors from routers quoting
 * NATed packets, REJECT's unreachables and resets, the error routes' unreachables, pings to the
 * host's addresses, neighbour solicitations for them, and packets the kernel drops or deems INVALID.
 */
final class ScenarioGenerator6 {
    /**
     * docker0 has no link-local address (addrgenmode none): ip6_forward sends a redirect for a
     * packet leaving by the device it came in on only from the device's link-local address
     * (ndisc_send_redirect), and jnat sends no redirects yet (the IPv4 lab turns them off with
     * send_redirects=0, a sysctl IPv6 does not have). Hairpin traffic goes out docker0 again.
     */
    static final String HOST = ScenarioGenerator.HOST.replace("link set dev docker0 address",
            "link set dev docker0 addrgenmode none\nlink set dev docker0 address") + """
            # IPv6 beside it: the internet on eth0 (router fe80::1), Docker's ULA on docker0, a LAN on eth1.
            addr add 2001:db8:0:1::2/64 dev eth0
            -6 route add default via fe80::1 dev eth0
            -6 neigh add fe80::1 lladdr 02:00:00:00:01:fe dev eth0
            addr add fd49:efd7:54aa::1/64 dev docker0
            -6 neigh add fd49:efd7:54aa::2 lladdr 02:42:ac:11:00:02 dev docker0
            -6 neigh add fd49:efd7:54aa::3 lladdr 02:42:ac:11:00:03 dev docker0
            -6 neigh add fd49:efd7:54aa::4 lladdr 02:42:ac:11:00:04 dev docker0
            -6 neigh add fd49:efd7:54aa::5 lladdr 02:42:ac:11:00:05 dev docker0
            -6 neigh add fd49:efd7:54aa::6 lladdr 02:42:ac:11:00:06 dev docker0
            addr add fd00:1::1/64 dev eth1
            -6 neigh add fd00:1::2 lladdr 02:00:00:00:02:02 dev eth1
            -6 neigh add fd00:1::3 lladdr 02:00:00:00:02:03 dev eth1
            -6 neigh add fd00:1::4 lladdr 02:00:00:00:02:04 dev eth1
            -6 neigh add fd00:1::5 lladdr 02:00:00:00:02:05 dev eth1
            -6 route add unreachable 2001:db8:9::/48
            -6 route add prohibit 2001:db8:8::/48
            -6 route add blackhole 2001:db8:7::/48
            """;

    static final long[] PUBLIC6 = addr("2001:db8:0:1::2"), DOCKER_GW6 = addr("fd49:efd7:54aa::1"), LAN_GW6 = addr("fd00:1::1");
    /** The internet's router as its errors name it (a global address on its far side). */
    static final long[] INTERNET_ROUTER6 = addr("2001:db8:ffff::fe");
    /** The published port of moby's golden files and the container port it goes to. */
    static final int HOST_PORT = 8080, CONTAINER_PORT = 80;
    static final long[] CONTAINER = addr("fd49:efd7:54aa::2");
    /** The host's own link-local addresses (EUI-64 of the devices' MACs). */
    static final long[] LINK_LOCAL_ETH0 = addr("fe80::ff:fe00:101");

    private final ScenarioGenerator gen;
    private SplittableRandom rnd;
    private Scenario sc;
    private boolean published, hairpin, icc, dnatRange, reject;
    private String lan;
    private int portLo, portHi;

    ScenarioGenerator6(long seed) {
        gen = new ScenarioGenerator(seed);
    }

    static long[] addr(String s) {
        byte[] b = Ipv6Address.parse(s);
        return new long[] {Ipv6Address.readHi(b, 0), Ipv6Address.readLo(b, 0)};
    }

    static String format(long[] a) {
        return Ipv6Address.format(a[0], a[1]);
    }

    static boolean isPublic6(Flow f) {
        return f.dstHi == PUBLIC6[0] && f.dstLo == PUBLIC6[1];
    }

    /** Scenario {@code index}: the same seed and index give the same scenario. */
    Scenario scenario(int index) {
        sc = gen.begin(index, 2);
        rnd = gen.random();
        boolean hp = rnd.nextBoolean(), icc = rnd.nextBoolean(), masq = rnd.nextInt(4) != 0, snat = rnd.nextInt(4) == 0;
        String gwm = new String[] {"nat", "nat", "nat-unprotected", "routed"}[rnd.nextInt(4)];
        String golden = "hairpin=" + hp + ",internal=false,icc=" + icc + ",masq=" + masq + ",snat=" + snat + ",gwm=" + gwm
                + ",bindlh=false__ip6tables.golden";
        String text = golden(golden).replace("br-dummy", "docker0").replace("fd49:efd7:54aa::1/128", "fd49:efd7:54aa::2/128")
                .replace("[fd49:efd7:54aa::1]", "[fd49:efd7:54aa::2]");
        published = text.contains("--dport " + HOST_PORT + " -j DNAT");
        hairpin = hp;
        this.icc = icc;
        dnatRange = rnd.nextInt(3) == 0;
        reject = rnd.nextInt(3) == 0;
        lan = new String[] {"none", "masquerade", "masquerade-ports"}[rnd.nextInt(3)];
        List<String> nat = new ArrayList<>(), forward = new ArrayList<>();
        if (dnatRange) {
            nat.add("-A DOCKER ! -i docker0 -p tcp -m tcp --dport 9000 -j DNAT --to-destination "
                    + "[fd49:efd7:54aa::3-fd49:efd7:54aa::5]:7000-7002");
            forward.add("-A FORWARD -d fd49:efd7:54aa::/64 -o docker0 -p tcp -m tcp --dport 7000:7002 -j ACCEPT");
        }
        if (lan.equals("masquerade")) {
            nat.add("-A POSTROUTING -s fd00:1::/64 -o eth0 -j MASQUERADE");
        } else if (lan.equals("masquerade-ports")) {
            portLo = 30000 + rnd.nextInt(100);
            portHi = portLo + 5 + rnd.nextInt(100);
            for (String p : List.of("tcp", "udp")) {
                nat.add("-A POSTROUTING -s fd00:1::/64 -o eth0 -p " + p + " -j MASQUERADE --to-ports " + portLo + "-" + portHi);
            }
            nat.add("-A POSTROUTING -s fd00:1::/64 -o eth0 -j MASQUERADE");
        }
        if (reject) {
            forward.add("-A FORWARD -d 2001:db8:200::/48 -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset");
            forward.add("-A FORWARD -d 2001:db8:200::/48 -p udp -j REJECT --reject-with icmp6-port-unreachable");
            forward.add("-A FORWARD -d 2001:db8:201::/48 -j REJECT --reject-with icmp6-adm-prohibited");
            forward.add("-A FORWARD -d 2001:db8:202::/48 -j REJECT --reject-with icmp6-addr-unreachable");
            forward.add("-A FORWARD -d 2001:db8:203::/48 -j REJECT --reject-with icmp6-no-route");
            forward.add("-A FORWARD -d 2001:db8:204::/48 -p tcp -j REJECT");
        }
        sc.rules6 = insert(text, forward, nat);
        sc.features.add("ipv6 " + golden.replace("__ip6tables.golden", ""));
        if (dnatRange) sc.features.add("dnat6-range");
        if (reject) sc.features.add("reject6");
        if (!lan.equals("none")) sc.features.add("lan6-" + lan);

        int n = 3 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(18)) {
                case 0, 1, 16 -> containerOut();
                case 2, 3 -> toPublished();
                case 4 -> hairpin();
                case 5 -> clash();
                case 6 -> lanOut();
                case 7 -> directAccess();
                case 8 -> toDnatRange();
                case 9 -> rejected();
                case 10 -> hopLimitExpires();
                case 11 -> tooBig();
                case 12 -> pingsTheHost();
                case 13 -> solicitsTheHost();
                case 14 -> invalid();
                case 17 -> local();
                default -> routeError();
            }
        }
        fragmentTrains();
        unresolvedNeighbours();
        return gen.finish();
    }

    private static String golden(String name) {
        try (InputStream in = ScenarioGenerator6.class.getResourceAsStream("/moby-ip6tables/" + name)) {
            if (in == null) throw new IllegalStateException("no moby golden file " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden text with {@code forward} first in filter's FORWARD and {@code nat} at the end of the nat table. */
    private static String insert(String text, List<String> forward, List<String> nat) {
        StringBuilder out = new StringBuilder();
        String table = "";
        boolean forwardDone = false;
        for (String line : text.lines().toList()) {
            if (line.startsWith("*")) table = line;
            if (table.equals("*filter") && !forwardDone && line.startsWith("-A ")) {
                forward.forEach(l -> out.append(l).append('\n'));
                forwardDone = true;
            }
            if (line.equals("COMMIT") && table.equals("*nat")) nat.forEach(l -> out.append(l).append('\n'));
            out.append(line).append('\n');
        }
        return out.toString();
    }

    // ---- flows -------------------------------------------------------------------------------

    private long[] container() {
        return new long[] {CONTAINER[0], CONTAINER[1] + rnd.nextInt(5)};
    }

    private static long containerMac(long[] a) {
        return 0x0242ac110000L | (a[1] & 0xff);
    }

    private long[] lanHost() {
        return new long[] {LAN_GW6[0], LAN_GW6[1] + 1 + rnd.nextInt(4)};
    }

    private static long lanMac(long[] a) {
        return 0x020000000200L | (a[1] & 0xff);
    }

    private long[] internetHost() {
        return new long[] {addr("2001:db8:100::")[0], 10 + rnd.nextInt(190)};
    }

    private long[] in(String prefix48) {
        return new long[] {addr(prefix48)[0], 1 + rnd.nextInt(200)};
    }

    private int pickInt(int... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    private Flow flow(int protocol, String dev, long mac, long[] client, long[] dst, int dstPort, String what) {
        return gen.newFlow6(protocol, dev, mac, client, gen.ephemeral(), dst, dstPort, what);
    }

    private Flow fromContainer(int protocol, long[] dst, int dstPort, String what) {
        long[] c = container();
        return flow(protocol, "docker0", containerMac(c), c, dst, dstPort, what + " from " + format(c));
    }

    private void containerOut() {
        gen.session(fromContainer(pickInt(TCP, TCP, UDP, ICMPV6), internetHost(), pickInt(80, 443, 53, 123),
                "container out (MASQUERADE)"), true);
    }

    private void toPublished() {
        if (!published) { containerOut(); return; }
        gen.session(flow(TCP, "eth0", ROUTER_MAC, internetHost(), PUBLIC6, HOST_PORT, "internet to published [::]:" + HOST_PORT), true);
    }

    /**
     * A container to the published port. Without icc, FORWARD drops container to container
     * traffic, so the connection never forms: only its SYN, since any later segment would be
     * INVALID, stay un-DNATed and reach the host's own port, which the kernel's TCP answers with
     * a reset jnat does not send (it has no sockets).
     */
    private void hairpin() {
        if (!published || !hairpin) { containerOut(); return; }
        Flow f = fromContainer(TCP, PUBLIC6, HOST_PORT, "hairpin to published port " + HOST_PORT);
        if (icc) {
            gen.session(f, true);
        } else {
            gen.add(f, Step.tcp(f, Kind.ORIGINAL, SYN, rnd.nextInt(), 0, 0));
        }
    }

    /** Two containers open the same source port (or echo id) to one server: the second is remapped. */
    private void clash() {
        long[] c1 = container(), c2;
        do c2 = container(); while (c2[1] == c1[1]);
        int proto = pickInt(TCP, UDP, ICMPV6), port = gen.ephemeral(), dport = pickInt(80, 443, 53);
        long[] server = internetHost();
        Flow a = gen.newFlow6(proto, "docker0", containerMac(c1), c1, port, server, dport, "clash first " + format(c1));
        Flow b = gen.newFlow6(proto, "docker0", containerMac(c2), c2, port, server, dport, "clash second " + format(c2));
        if (proto == ICMPV6) b = gen.replaceClientPort(b, a.clientPort);
        b.random(proto == ICMPV6 ? 0 : 1024, 65535);
        gen.session(a, true);
        gen.session(b, true);
    }

    private void lanOut() {
        long[] h = lanHost();
        int proto = pickInt(TCP, UDP, ICMPV6);
        Flow f = flow(proto, "eth1", lanMac(h), h, internetHost(), pickInt(80, 443, 53), "LAN " + format(h) + " out (" + lan + ")");
        lanRandom(f);
        gen.session(f, true);
    }

    /** MASQUERADE --to-ports picks a LAN flow's port at random (from a random offset) when its own is outside the range. */
    private void lanRandom(Flow f) {
        if (lan.equals("masquerade-ports") && f.protocol != ICMPV6 && (f.clientPort < portLo || f.clientPort > portHi)) {
            f.random(portLo, portHi);
        }
    }

    /** The internet to a container's address itself: the raw table's DROP, or the filter's verdict. */
    private void directAccess() {
        long[] c = rnd.nextBoolean() ? CONTAINER : container();
        int proto = pickInt(TCP, UDP, ICMPV6);
        gen.session(flow(proto, "eth0", ROUTER_MAC, internetHost(), c, pickInt(CONTAINER_PORT, 22),
                "internet straight to " + format(c)), true);
    }

    private void toDnatRange() {
        if (!dnatRange) { containerOut(); return; }
        gen.session(flow(TCP, "eth0", ROUTER_MAC, internetHost(), PUBLIC6, 9000, "internet to the DNAT range on :9000"), true);
    }

    /** To the networks FORWARD rejects: an unreachable of each code, a reset, REJECT's default. */
    private void rejected() {
        if (!reject) { routeError(); return; }
        String[] nets = {"2001:db8:200::", "2001:db8:201::", "2001:db8:202::", "2001:db8:203::", "2001:db8:204::"};
        String net = nets[rnd.nextInt(nets.length)];
        int proto = net.equals("2001:db8:200::") || net.equals("2001:db8:204::") ? pickInt(TCP, UDP) : pickInt(TCP, UDP, ICMPV6);
        boolean fromLan = rnd.nextBoolean();
        long[] h = fromLan ? lanHost() : container();
        Flow f = flow(proto, fromLan ? "eth1" : "docker0", fromLan ? lanMac(h) : containerMac(h), h, in(net), pickInt(25, 53, 80),
                "rejected to " + net + "/48");
        if (fromLan) lanRandom(f);
        gen.session(f, false);
    }

    /**
     * Packets whose hop limit runs out at the host: time exceeded to the sender, quoting the packet
     * as PREROUTING left it, before the connection or in it, either direction.
     */
    private void hopLimitExpires() {
        Flow f;
        if (published && rnd.nextBoolean()) {
            f = flow(TCP, "eth0", ROUTER_MAC, internetHost(), PUBLIC6, HOST_PORT, "traceroute to published port");
        } else {
            f = fromContainer(pickInt(TCP, UDP, ICMPV6), internetHost(), pickInt(33434, 80, 53), "traceroute");
        }
        if (f.protocol == TCP) gen.add(f, Step.tcp(f, Kind.ORIGINAL, SYN, rnd.nextInt(), 0, 0).mangled(Step.TTL_ONE));
        else if (f.protocol == UDP) gen.add(f, Step.data(f, Kind.ORIGINAL, 8 + rnd.nextInt(1000)).mangled(Step.TTL_ONE));
        else gen.add(f, Step.echo(f, Kind.ORIGINAL, 1).mangled(Step.TTL_ONE));
        if (rnd.nextBoolean()) return;
        gen.session(f, false);
        if (f.protocol == UDP) {
            gen.add(f, Step.data(f, rnd.nextBoolean() ? Kind.ORIGINAL : Kind.REPLY, 8 + rnd.nextInt(600)).mangled(Step.TTL_ONE));
        } else if (f.protocol == ICMPV6) {
            gen.add(f, Step.echo(f, Kind.ORIGINAL, 9).mangled(Step.TTL_ONE));
        }
    }

    /**
     * The host's own IPv6 packets (a raw socket's, through OUTPUT and POSTROUTING): pings and UDP to
     * the internet and to a container (answered: the answers are delivered to the host, where silent
     * sockets take the UDP), a SYN to the internet and to its own published port (Docker's OUTPUT
     * rule DNATs it to the container), unanswered, since no socket holds the connection.
     */
    private void local() {
        int udpPort = ScenarioGenerator.LOCAL_PORT_BASE + rnd.nextInt(ScenarioGenerator.LOCAL_PORTS);
        Flow f = switch (rnd.nextInt(5)) {
            case 0 -> gen.newFlow6(ICMPV6, Scenario.LOCAL, 0, PUBLIC6, 0, internetHost(), 0, "host pings the internet");
            case 1 -> gen.newFlow6(UDP, Scenario.LOCAL, 0, PUBLIC6, udpPort, internetHost(), 53, "host to the internet");
            case 2 -> gen.newFlow6(UDP, Scenario.LOCAL, 0, DOCKER_GW6, udpPort, container(), 53, "host to a container");
            case 3 -> gen.newFlow6(TCP, Scenario.LOCAL, 0, PUBLIC6, gen.ephemeral(), internetHost(), 443, "host connects to the internet");
            default -> published
                    ? gen.newFlow6(TCP, Scenario.LOCAL, 0, PUBLIC6, gen.ephemeral(), PUBLIC6, HOST_PORT, "host to its own published port")
                    : gen.newFlow6(ICMPV6, Scenario.LOCAL, 0, DOCKER_GW6, 0, container(), 0, "host pings a container");
        };
        if (f.protocol == TCP) gen.add(f, Step.tcp(f, Kind.ORIGINAL, SYN, rnd.nextInt(), 0, 0));
        else gen.session(f, false);
    }

    /** Larger than eth1's 1400-byte MTU on the way to the LAN: the host's packet too big (never fragmented). */
    private void tooBig() {
        Flow f = fromContainer(UDP, lanHost(), 5004, "too big for eth1, to the LAN");
        gen.add(f, Step.data(f, Kind.ORIGINAL, 1360 + rnd.nextInt(90))); // fits docker0's 1500, not eth1's 1400
        if (rnd.nextBoolean()) gen.session(f, false);
    }

    private void pingsTheHost() {
        long[][] own = {PUBLIC6, DOCKER_GW6, LAN_GW6};
        long[] to = own[rnd.nextInt(own.length)];
        Flow f = switch (rnd.nextInt(4)) {
            case 0 -> fromContainer(ICMPV6, to, 0, "pings the host's " + format(to));
            case 1 -> {
                long[] h = lanHost();
                yield flow(ICMPV6, "eth1", lanMac(h), h, to, 0, "LAN pings the host's " + format(to));
            }
            case 2 -> flow(ICMPV6, "eth0", ROUTER_MAC, addr("fe80::1"), LINK_LOCAL_ETH0, 0, "the router pings the host's link-local address");
            default -> flow(ICMPV6, "eth0", ROUTER_MAC, internetHost(), PUBLIC6, 0, "internet pings the host");
        };
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            Step s = Step.echo(f, Kind.ORIGINAL, i);
            gen.add(f, rnd.nextInt(4) == 0 ? s.mangled(Step.TTL_ONE) : s);
        }
    }

    /** Neighbour solicitations for the host's addresses, from its neighbours: each answered with an advertisement. */
    private void solicitsTheHost() {
        Flow f = switch (rnd.nextInt(3)) {
            case 0 -> fromContainer(ICMPV6, DOCKER_GW6, 0, "solicits docker0's address");
            case 1 -> {
                long[] h = lanHost();
                yield flow(ICMPV6, "eth1", lanMac(h), h, LAN_GW6, 0, "LAN solicits eth1's address");
            }
            default -> flow(ICMPV6, "eth0", ROUTER_MAC, addr("fe80::1"), rnd.nextBoolean() ? PUBLIC6 : LINK_LOCAL_ETH0, 0,
                    "the router solicits eth0's address");
        };
        gen.add(f, new Step(f, Kind.ORIGINAL, 0, rnd.nextInt(2), 0, 0, false, 0, 0, 0, Step.NEIGHBOUR_SOLICITATION));
        if (rnd.nextBoolean()) gen.add(f, Step.echo(f, Kind.ORIGINAL, 1));
    }

    private void invalid() {
        int kind = rnd.nextInt(8);
        String[] what = {"SYN+FIN", "stray RST/FIN", "SYN, bad checksum", "bad UDP checksum", "payload length past the frame",
            "UDP checksum 0", "bad ICMPv6 checksum", "multicast source"};
        int proto = kind <= 2 ? TCP : kind == 6 ? ICMPV6 : UDP;
        Flow f = fromContainer(proto, internetHost(), 80, "odd packet (" + what[kind] + ")");
        int seq = rnd.nextInt();
        switch (kind) {
            case 0 -> gen.add(f, Step.tcp(f, Kind.ORIGINAL, SYN | FIN, seq, 0, 0));
            case 1 -> gen.add(f, Step.tcp(f, Kind.ORIGINAL, pickInt(RST, FIN | ACK, RST | ACK), seq, rnd.nextInt(), 0));
            case 2 -> gen.add(f, Step.tcp(f, Kind.ORIGINAL, SYN, seq, 0, 0).mangled(Step.BAD_L4_CHECKSUM));
            case 3 -> gen.add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.BAD_L4_CHECKSUM));
            case 4 -> gen.add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.BAD_PAYLOAD_LENGTH));
            case 5 -> gen.add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.NO_UDP_CHECKSUM));
            case 6 -> gen.add(f, Step.echo(f, Kind.ORIGINAL, 1).mangled(Step.BAD_L4_CHECKSUM));
            default -> gen.add(f, Step.data(f, Kind.ORIGINAL, 10 + rnd.nextInt(30)).mangled(Step.MULTICAST_SOURCE));
        }
        if (rnd.nextBoolean()) gen.session(f, false);
    }

    /** To the host's error routes: no route (unreachable), administratively prohibited, and the blackhole's silence. */
    private void routeError() {
        String net = new String[] {"2001:db8:9::", "2001:db8:8::", "2001:db8:7::"}[rnd.nextInt(3)];
        Flow f = fromContainer(pickInt(TCP, UDP, ICMPV6), in(net), pickInt(80, 53), "to the error route " + net + "/48");
        if (f.protocol == TCP) gen.add(f, Step.tcp(f, Kind.ORIGINAL, SYN, rnd.nextInt(), 0, 0));
        else if (f.protocol == UDP) gen.add(f, Step.data(f, Kind.ORIGINAL, 8 + rnd.nextInt(200)));
        else gen.add(f, Step.echo(f, Kind.ORIGINAL, 1));
    }

    // ---- neighbours the host file lacks ---------------------------------------------------------

    /** The first of the LAN's IPv4 hosts the host file does not name (10.1.0.16-23): the far side answers ARP for them. */
    static final int NEW_LAN4 = ScenarioGenerator.ip("10.1.0.16");

    /** A LAN host the host file does not name: the far side answers the host's solicitation for it. */
    private static long[] newLanHost(SplittableRandom nr) {
        return new long[] {LAN_GW6[0], 0x10 + nr.nextInt(8)};
    }

    /**
     * Packets to neighbours the host has to resolve itself (drawn apart, from {@link
     * ScenarioGenerator#fragRandom()}): the host solicits each (from the packet's source when it is
     * an address of the device, else from the device's link-local address), queues the packets, and
     * sends them when the far side's advertisement comes ({@link Harness} answers at once). Only LAN
     * neighbours, on eth1, which has a link-local address: docker0 has none, so for a packet to a
     * container it does not know whose source is not docker0's (forwarded, or the host's own SNATed
     * by a golden file's rule) the kernel solicits nothing, and the queued packets' unreachables
     * (neigh_invalidate) would come seconds later, in another scenario.
     */
    private void unresolvedNeighbours() {
        SplittableRandom nr = gen.fragRandom();
        for (int i = nr.nextInt(3); i > 0; i--) {
            switch (nr.nextInt(8)) {
                case 6 -> { // IPv4 (arp_tbl): a container to a new LAN host (MASQUERADEd to 10.1.0.1, which asks)
                    int h = NEW_LAN4 + nr.nextInt(8);
                    gen.session(gen.newFlow4(pickInt(UDP, TCP), "docker0", 0x0242ac110002L, ScenarioGenerator.ip("172.17.0.2"),
                            gen.ephemeral(), h, 53, "container to new LAN host " + jnat.wire.Ipv4Address.format(h)), false);
                }
                case 7 -> { // the host's own to a new LAN host, from eth0's address: arp_announce 0 asks from it
                    int h = NEW_LAN4 + nr.nextInt(8);
                    int port = ScenarioGenerator.LOCAL_PORT_BASE + rnd.nextInt(ScenarioGenerator.LOCAL_PORTS);
                    gen.session(gen.newFlow4(UDP, Scenario.LOCAL, 0, nr.nextBoolean() ? ScenarioGenerator.PUBLIC : ScenarioGenerator.ip("10.1.0.1"),
                            port, h, 53, "host to new LAN host " + jnat.wire.Ipv4Address.format(h)), false);
                }
                case 0 -> { // a LAN host the host has not met yet opens a flow out: the answers wait for it
                    long[] h = newLanHost(nr);
                    Flow f = flow(pickInt(TCP, UDP, ICMPV6), "eth1", lanMac(h), h, internetHost(), pickInt(80, 443, 53),
                            "new LAN host " + format(h) + " out (" + lan + ")");
                    lanRandom(f);
                    gen.session(f, false);
                }
                case 1 -> gen.session(fromContainer(pickInt(UDP, ICMPV6, TCP), newLanHost(nr), 53, "to a new LAN host"), false);
                case 2 -> { // the host's own (from eth1's address, or eth0's: then the solicitation is from eth1's link-local)
                    int port = ScenarioGenerator.LOCAL_PORT_BASE + rnd.nextInt(ScenarioGenerator.LOCAL_PORTS);
                    long[] from = nr.nextBoolean() ? LAN_GW6 : PUBLIC6, to = newLanHost(nr);
                    Flow f = nr.nextBoolean() ? gen.newFlow6(UDP, Scenario.LOCAL, 0, from, port, to, 53, "host to new neighbour " + format(to))
                            : gen.newFlow6(ICMPV6, Scenario.LOCAL, 0, from, 0, to, 0, "host pings new neighbour " + format(to));
                    gen.session(f, false);
                }
                case 3 -> { // a burst: the packets wait for one answer, then leave in order
                    Flow f = fromContainer(nr.nextBoolean() ? UDP : ICMPV6, newLanHost(nr), 5004, "a burst to a new LAN host");
                    Step first = f.protocol == UDP ? Step.data(f, Kind.ORIGINAL, 8 + nr.nextInt(1000)) : Step.echo(f, Kind.ORIGINAL, 1);
                    gen.add(f, first.repeated(2 + nr.nextInt(4)));
                    gen.add(f, f.protocol == UDP ? Step.data(f, Kind.REPLY, 8 + nr.nextInt(200)) : Step.echo(f, Kind.REPLY, 1));
                }
                default -> { // a new LAN host pings the host: the reply waits for it (from the address pinged)
                    long[] h = newLanHost(nr);
                    long[] to = nr.nextBoolean() ? LAN_GW6 : PUBLIC6;
                    Flow f = flow(ICMPV6, "eth1", lanMac(h), h, to, 0, "new LAN host " + format(h) + " pings " + format(to));
                    for (int n = 1 + nr.nextInt(2); n > 0; n--) gen.add(f, Step.echo(f, Kind.ORIGINAL, n));
                }
            }
        }
    }

    // ---- fragments ---------------------------------------------------------------------------

    /**
     * Fragment trains through the host's nf_defrag_ipv6 (drawn apart from the flows above, from
     * {@link ScenarioGenerator#fragRandom()}): containers out (MASQUERADEd, the answers' trains back),
     * the LAN out, trains for the LAN too big for eth1 (packet too big: the largest fragment is over
     * the MTU) or fitting (cut again as received), and the host's own fragmented sends; each train
     * in order, last first, with a duplicate, after an overlapping fragment, or atomic.
     */
    private void fragmentTrains() {
        SplittableRandom fr = gen.fragRandom();
        for (int i = fr.nextInt(3); i > 0; i--) {
            switch (fr.nextInt(6)) {
                case 0, 1 -> train(fromContainer(pickInt(UDP, UDP, ICMPV6), internetHost(), 53, "fragments out"), fr, 1448);
                case 2 -> {
                    long[] h = lanHost();
                    Flow f = flow(pickInt(UDP, ICMPV6), "eth1", lanMac(h), h, internetHost(), 53, "LAN fragments out (" + lan + ")");
                    lanRandom(f);
                    if (!f.isRandom()) train(f, fr, 1352);
                }
                case 3 -> {
                    // fragments of more than eth1's 1400 bytes, or of less with more in all than it takes
                    Flow f = fromContainer(UDP, lanHost(), 5004, "fragments to the LAN");
                    boolean big = fr.nextBoolean();
                    int size = big ? 1360 + 8 * fr.nextInt(12) : 8 * (2 + fr.nextInt(168));
                    gen.add(f, Step.data(f, Kind.ORIGINAL, 100));
                    gen.add(f, Step.fragmented(f, Kind.ORIGINAL, 0, 1500 + fr.nextInt(2500), size, fr.nextBoolean()));
                }
                case 4 -> {
                    int port = ScenarioGenerator.LOCAL_PORT_BASE + rnd.nextInt(ScenarioGenerator.LOCAL_PORTS);
                    Flow f = fr.nextBoolean()
                            ? gen.newFlow6(UDP, Scenario.LOCAL, 0, PUBLIC6, port, internetHost(), 53, "host sends fragments out")
                            : gen.newFlow6(UDP, Scenario.LOCAL, 0, DOCKER_GW6, port, container(), 53, "host sends fragments to a container");
                    train(f, fr, 1448);
                }
                default -> train(fromContainer(ICMPV6, container(), 0, "fragmented pings to a container"), fr, 1448);
            }
        }
    }

    /**
     * {@code f}'s first packet whole (so the answers have a tuple to go to), then one train of it
     * (data of at most {@code maxSize} a fragment), and sometimes the answer and a train back.
     */
    private void train(Flow f, SplittableRandom fr, int maxSize) {
        boolean echo = f.protocol == ICMPV6;
        gen.add(f, echo ? Step.echo(f, Kind.ORIGINAL, 1) : Step.data(f, Kind.ORIGINAL, 8 + fr.nextInt(200)));
        gen.add(f, trainOf(f, Kind.ORIGINAL, fr, maxSize));
        if (f.clientDevice.equals(Scenario.LOCAL) || fr.nextBoolean()) return;
        gen.add(f, echo ? Step.echo(f, Kind.REPLY, 1) : Step.data(f, Kind.REPLY, 8 + fr.nextInt(200)));
        gen.add(f, trainOf(f, Kind.REPLY, fr, ScenarioGenerator.fragmentSize(1448, true)));
    }

    private static Step trainOf(Flow f, Kind kind, SplittableRandom fr, int maxSize) {
        int[] hows = {Step.FRAGMENTED, Step.FRAGMENTED_REVERSED, Step.FRAGMENTED_DUPLICATE, Step.FRAGMENTED_OVERLAP,
            Step.FRAGMENTED_ATOMIC};
        int how = hows[fr.nextInt(hows.length)];
        int length = how == Step.FRAGMENTED_ATOMIC ? 100 + fr.nextInt(1100) : 1200 + fr.nextInt(3000);
        return Step.fragmented(f, kind, 2, length, 8 * (2 + fr.nextInt(maxSize / 8 - 1)), how);
    }

    /** An ICMPv6 error from a router on the way about the flow's last original-direction packet (ScenarioGenerator's routerError). */
    static Step routerError6(Flow f, SplittableRandom rnd) {
        int[][] kinds = {{1, 0}, {1, 1}, {1, 3}, {1, 4}, {3, 0}, {2, 0}};
        int[] k = kinds[rnd.nextInt(kinds.length)];
        int rest = k[0] == 2 ? 1280 + rnd.nextInt(200) : 0; // the MTU of a packet too big
        return rnd.nextBoolean() ? Step.error(f, Kind.ERROR_ABOUT_ORIGINAL, k[0], k[1], 1).withRest(rest)
                : Step.shortError(f, Kind.ERROR_ABOUT_ORIGINAL, k[0], k[1], 1, rest);
    }
}
