/**
 * The host model: devices, IPv4 and IPv6 addresses, the FIBs and neighbours of one Linux host,
 * built from a host file of ip(8) commands and answering as the kernel does.
 *
 * <h2>Host files</h2>
 * One ip(8) command a line without the leading {@code ip}; {@code #} starts a comment:
 * <pre>
 * link set dev eth0 address 56:00:04:7c:7c:23 mtu 1500 up
 * addr add 45.77.200.180/23 dev eth0
 * route add default via 45.77.200.1 dev eth0
 * neigh add 45.77.200.1 lladdr 06:7c:16:88:fe:87 dev eth0
 * </pre>
 * Lines run in order, as a shell script of ip commands would, with the kernel's checks: a route's
 * gateway must already be on a link that is up, a duplicate is "File exists". {@code link set} of
 * an unknown device creates it; {@code link add NAME type dummy|veth|bridge|tun} and
 * {@code tuntap add NAME mode tun} are also accepted. A device that never gets an {@code address}
 * is layer 3 only (frames on it are bare IP packets, as on a TUN device). {@code link set ... group G}
 * puts a device in a group (-m devgroup); {@code route add ... realm D} or {@code realms S/D} gives
 * an IPv4 route its realms (RTA_FLOW, -m realm; {@link jnat.host.RtRealms}). Errors are
 * {@link jnat.host.HostFileException}s, "FILE:LINE: reason".
 *
 * <h2>What it mirrors</h2>
 * <ul>
 * <li>{@link jnat.host.Host#addAddress}: __inet_insert_ifa (primary/secondary) and fib_add_ifaddr
 *     (local, broadcast and subnet routes, proto kernel);</li>
 * <li>{@link jnat.host.Host#routeOutput} / {@link jnat.host.Host#routeInput}: fib_lookup through the
 *     rules (local, main, default unless others were added), then __mkroute_output / ip_route_input_slow;</li>
 * <li>{@link jnat.host.Host#addressType}: inet_dev_addr_type, which xt_addrtype calls;</li>
 * <li>{@link jnat.host.Host#selectSourceAddress}: inet_select_addr, MASQUERADE's source choice;</li>
 * <li>{@link jnat.host.IpFormat}, {@link jnat.host.IpFormat6}: iproute2 6.1's output, checked
 *     against the real ip(8) and kernel.</li>
 * </ul>
 *
 * <h2>IPv6</h2>
 * A line is IPv6 under {@code -6} (or {@code -f inet6}), else when its first address has a ':'
 * ({@code addr add 2001:db8::10/64 dev eth0 [nodad] [noprefixroute] [metric N]},
 * {@code route add default via fe80::1 dev eth0}, {@code route add unreachable 2001:db8:dead::/48},
 * {@code neigh add fd00::2 lladdr MAC dev D}, {@code link set dev D addrgenmode none|eui64}).
 * <ul>
 * <li>{@code Addrconf} (addrconf.c): ::1 on lo, the EUI-64 link-local address of a device
 *     that comes up with a MAC, the prefix, local, subnet-router anycast (the host forwards) and
 *     ff00::/8 routes, addresses flushed when a link goes down, ipv6_dev_get_saddr;</li>
 * <li>{@code Ip6Fib} (ip6_fib.c): longest prefix, lowest metric, backtracking, the dump order;</li>
 * <li>{@code Ip6Route} (route.c): ip -6 route add's checks, ip6_route_output/input,
 *     xt_addrtype's match_lookup_rt6.</li>
 * </ul>
 * DAD always succeeds at once (the comparison runs the kernel with accept_dad=0); a layer-3
 * device gets no link-local address (the kernel would give it a random one).
 *
 * <h2>Policy routing</h2>
 * {@code rule add|del} lines ({@link jnat.host.FibRules}, {@link jnat.host.FibRule}: fib_rules.c with
 * the IPv4 and IPv6 rule types) and {@code table N} on routes; lookups walk the rules with the
 * packet's mark, source and input device.
 *
 * <p>Not modelled: rule selectors beyond from/to/fwmark/iif/oif/not, multipath routes,
 * address deletion (and so secondary promotion), carrier (a link that is up has carrier),
 * ARP (neighbours come from the file), per-device sysctls (forwarding is on, route_localnet off).
 *
 * <p>A {@link jnat.host.Host} is changed only while it is built; after that it is read-only and
 * may be shared between threads once safely published.
 */
package jnat.host;
