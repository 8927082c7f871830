/**
 * The host model: devices, IPv4 addresses, the FIB and neighbours of one Linux host, built from a
 * host file of ip(8) commands and answering as the kernel does.
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
 * is layer 3 only (frames on it are bare IP packets, as on a TUN device). Errors are
 * {@link jnat.host.HostFileException}s, "FILE:LINE: reason".
 *
 * <h2>What it mirrors</h2>
 * <ul>
 * <li>{@link jnat.host.Host#addAddress}: __inet_insert_ifa (primary/secondary) and fib_add_ifaddr
 *     (local, broadcast and subnet routes, proto kernel);</li>
 * <li>{@link jnat.host.Host#routeOutput} / {@link jnat.host.Host#routeInput}: fib_lookup over tables
 *     local, main, default, then __mkroute_output / ip_route_input_slow;</li>
 * <li>{@link jnat.host.Host#addressType}: inet_dev_addr_type, which xt_addrtype calls;</li>
 * <li>{@link jnat.host.Host#selectSourceAddress}: inet_select_addr, MASQUERADE's source choice;</li>
 * <li>{@link jnat.host.IpFormat}: iproute2 6.1's output, checked against the real ip(8) and kernel.</li>
 * </ul>
 * Not modelled: IPv6, policy routing rules other than the three default ones, multipath routes,
 * address deletion (and so secondary promotion), carrier (a link that is up has carrier),
 * ARP (neighbours come from the file), per-device sysctls (forwarding is on, route_localnet off).
 *
 * <p>A {@link jnat.host.Host} is changed only while it is built; after that it is read-only and
 * may be shared between threads once safely published.
 */
package jnat.host;
