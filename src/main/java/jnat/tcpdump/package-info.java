/**
 * A packet printer that prints what tcpdump 4.99 (Debian's 4.99.3) prints, byte for byte.
 *
 * <h2>{@code jnat tcpdump}</h2>
 * <pre>
 * ./jnat tcpdump -r FILE [-e] [-n|-nn] [-c N] [-v|-vv] [-t|-tt|-ttt|-tttt|-ttttt]
 * </pre>
 * reads a classic pcap or pcapng file ({@code -r -} reads stdin) and prints one line per packet as {@code tcpdump -r FILE} does;
 * the "reading from file FILE, link-type ..., snapshot length N" line goes to stderr, as tcpdump's does.
 * <ul>
 *   <li>{@code -e} prints the link-level header ({@code 02:42:ac:11:00:02 > 02:42:d5:35:3a:3c, ethertype
 *       IPv4 (0x0800), length 98: }), including 802.1Q/QinQ tags.</li>
 *   <li>{@code -n} and {@code -nn} are accepted; jnat never resolves names, so its output is always what
 *       tcpdump prints with {@code -nn} (for everything jnat decodes, {@code -n} prints the same).</li>
 *   <li>{@code -c N} stops after N packets; {@code -v}/{@code -vv} add tcpdump's verbose IP header
 *       ({@code (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)}), checksum
 *       verdicts, the quoted datagram of ICMP errors, and DNS sections.</li>
 *   <li>{@code -t} no timestamp, {@code -tt} seconds since the epoch, {@code -ttt} delta to the previous
 *       packet, {@code -tttt} date and time, {@code -ttttt} delta to the first. Times are local: set
 *       {@code TZ} as for tcpdump. Timestamps are printed in microseconds, as tcpdump -r does by default.</li>
 *   <li>Link types: Ethernet (1), raw IP (101), raw IPv4 (228), raw IPv6 (229), BSD loopback (0).</li>
 *   <li>Decoded: Ethernet, 802.1Q, MPLS, ARP/RARP, IPv4 (options, fragments), TCP (flags, relative
 *       sequence numbers tracked per connection as print-tcp.c's tcp_seq_hash does, every option tcpdump
 *       names), UDP, ICMP (every type tcpdump names), IGMP, DNS over UDP and TCP port 53, mDNS, the first
 *       line of HTTP on ports 80/8080, IPv6 (traffic class, flow label, hop limit with -v) with its
 *       hop-by-hop, destination-options, routing (types 0, 2 and 4), fragment and mobility headers, AH
 *       and ESP (without keys), IPv6 and IPv4 tunnelled in IPv6, followed by TCP, UDP or ICMPv6 (echo,
 *       errors with their quoted datagrams, MLD v1/v2, neighbour and router discovery and redirects with
 *       every option tcpdump names, home-agent and mobile-prefix messages). Protocols tcpdump has no
 *       dissector for print as it prints them ({@code ip-proto-253 20}, a hex dump for unknown
 *       ethertypes).</li>
 *   <li>Broken packets print as tcpdump prints them: {@code truncated-ip}, {@code bad-hlen},
 *       {@code bad-len}, {@code [bad hdr length ...]}, {@code [bad opt]}, and {@code [|tcp]} (the
 *       protocol where the capture ended).</li>
 *   <li>A file that cannot be read gives one line naming the file and the byte offset and exit code 1;
 *       when the damage comes after good records, those are printed first (as tcpdump does).</li>
 * </ul>
 *
 * <h2>Not decoded (tcpdump prints more)</h2>
 * ICMPv6 node information, router renumbering and RPL bodies; SCTP and DCCP (over IPv4 and IPv6),
 * PIM, VRRP and OSPFv3; TCP payloads on ports tcpdump hands to other dissectors (telnet, SMTP,
 * BGP, SSH, SMB, NFS, ...); UDP payloads on ports other than 53 and 5353 that tcpdump decodes
 * (print-udp.c's list: BOOTP, NTP, SNMP, syslog, VXLAN, ...; jnat prints {@code UDP, length N} for
 * them); 802.3/LLC frames (IS-IS, STP); EIGRP, OSPF, GRE and other IP protocols tcpdump knows;
 * EDNS0 option bodies (-vv); RFC 4884 ICMP extensions (-v); hex dumps (-x/-X).
 * Host, port and protocol names are never looked up.
 *
 * <h2>How it works</h2>
 * The classes mirror netdissect's files. {@link jnat.tcpdump.TcpdumpPrinter}, the public entry point, is
 * print.c (pretty_print_packet, the timestamp, the link-type switch); {@code Netdissect} is the one cursor
 * every dissector shares, as netdissect_options is (the bytes, the captured end, the protocol a truncation
 * names, -e/-v, the output, tcp_seq_hash), with extract.h's bounds-checked reads. Each print-*.c file is a
 * class of static functions taking it, named after the file ({@code PrintEther}, {@code PrintArp},
 * {@code PrintIp}, {@code PrintIp6}, {@code PrintTcp}, {@code PrintUdp}, {@code PrintIcmp},
 * {@code PrintDomain}, ...), each function naming the one it follows (ip_print, tcp_print, ...). They read
 * the raw bytes directly and append as they go; a read past the captured bytes unwinds to the top and
 * appends {@code " [|proto]"}, as nd_trunc_longjmp() does. It is checked against the real tcpdump by the
 * tests (generated IPv4 and IPv6 corpora of several hundred packets per seed, the shared captures, and the seed
 * article's own lines), and against what tcpdump printed, kept in src/test/resources/tcpdump-golden, where
 * tcpdump is not installed.
 */
package jnat.tcpdump;
