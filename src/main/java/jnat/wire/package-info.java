/**
 * Packet bytes: views (flyweights) over {@code byte[] buf, int off, int len}, checksums, addresses, and
 * plain records to build packets.
 *
 * <h2>Reading a frame (no allocation)</h2>
 * <pre>{@code
 * EthernetFrame eth = new EthernetFrame();   // one of each per thread, reused for every packet
 * Ipv4Packet ip = new Ipv4Packet();
 * int err = eth.wrap(buf, 0, len);
 * if (err == WireError.OK && eth.etherType() == EtherType.IPV4) err = ip.wrap(buf, eth.payloadOffset(), eth.payloadLength());
 * if (err != WireError.OK) { drops[err]++; return; }        // WireError.text(err) for the counter's name
 * if (!ip.verifyChecksum()) { drops[WireError.BAD_CHECKSUM]++; return; }
 * if (ip.hasPorts()) { int sport = ip.srcPort(), dport = ip.dstPort(); }     // TCP/UDP, first fragment
 * if (ip.hasIcmpId()) { int id = ip.icmpId(); }                              // ICMP echo & co
 * }</pre>
 *
 * <h2>NAT (nf_nat_ipv4_manip_pkt)</h2>
 * {@link jnat.wire.Ipv4Packet#setSrc}/{@code setDst} fix the header checksum and the TCP/UDP checksum's
 * pseudo-header share; {@code setSrcPort}/{@code setDstPort}/{@code setIcmpId} fix the transport
 * checksum; {@code decrementTtl} fixes the header checksum. UDP's "no checksum" 0 stays 0.
 *
 * <h2>ICMP errors (nf_nat_icmp_reply_translation)</h2>
 * <pre>{@code
 * IcmpPacket icmp = new IcmpPacket(); Ipv4Packet inner = new Ipv4Packet();
 * icmp.wrap(buf, ip.payloadOffset(), ip.payloadLength());
 * if (icmp.isError() && icmp.quoted(inner) == WireError.OK) {   // quoted: total length may exceed what is there
 *     inner.setDst(x); inner.setDstPort(p);    // the ICMP checksum follows every write through inner
 *     ip.setSrc(y);                            // then the outer header
 * }
 * }</pre>
 *
 * <h2>Packets the host sends (static writers, no allocation)</h2>
 * <pre>{@code
 * int t = o + Ipv4Packet.MIN_HEADER_LENGTH;                  // a RST, as nf_reject_ip_tcphdr_put
 * Ipv4Packet.writeHeader(b, o, 0, 40, 0, Ipv4Packet.FLAG_DF, 64, IpProtocol.TCP, src, dst);  // checksum filled
 * TcpSegment.writeHeader(b, t, sport, dport, 0, ack, TcpSegment.RST | TcpSegment.ACK, 0);
 * TcpSegment.fillChecksum(b, t, TcpSegment.MIN_HEADER_LENGTH, src, dst);
 * }</pre>
 * Header fields have one owner: the {@code OFF_*} constants of their view ({@link jnat.wire.Ipv4Packet#OFF_TTL}, ...),
 * named after the kernel's {@code struct iphdr}, {@code tcphdr}, {@code udphdr}, {@code icmphdr}, {@code ethhdr},
 * {@code arphdr}; byte order is {@link jnat.wire.Bytes}.
 *
 * <h2>Building packets (tests, tools)</h2>
 * <pre>{@code
 * byte[] frame = EthernetRepr.of("02:42:ac:11:00:02", "02:42:7b:9a:3c:01")
 *         .frame(Ipv4Repr.of("172.17.0.2", "8.8.8.8"), TcpRepr.of(40000, 80).withFlags(TcpSegment.SYN).withLinuxSynOptions(1));
 * byte[] ping = Ipv4Repr.of("172.17.0.2", "8.8.8.8").packet(IcmpRepr.echoRequest(0x1c, 1, new byte[56]));
 * Ipv4Repr back = Ipv4Repr.parse(ping); TransportRepr l4 = TransportRepr.parse(view);
 * }</pre>
 *
 * <h2>IPv6</h2>
 * {@link jnat.wire.Ipv6Packet} walks the extension headers at wrap as {@code ipv6_skip_exthdr} does
 * ({@link jnat.wire.Ipv6ExtHeaders}; a chain that does not walk is {@code extHeaderError()}, not a failed
 * wrap) and gives {@code upperProtocol()}/{@code upperOffset()}; the same ports, ids and NAT66 setters
 * as IPv4 ({@code setSrc(hi, lo)}, ...) keep the TCP/UDP/ICMPv6 checksum right over the IPv6 pseudo-header.
 * {@link jnat.wire.Icmpv6Packet} (with {@link jnat.wire.NdiscOptions}) reads ICMPv6 and NDP;
 * {@link jnat.wire.Ipv6Repr}/{@link jnat.wire.Icmpv6Repr} build ({@code Ipv6Repr.of("2001:db8::1", "2001:db8::2").packet(tcp)}).
 *
 * Addresses are {@code int} (IPv4, see {@link jnat.wire.Ipv4Address}), two {@code long}s hi/lo (IPv6, see
 * {@link jnat.wire.Ipv6Address}) and {@code long} (MAC, see {@link jnat.wire.MacAddress}); ports and 16-bit fields are {@code int} 0..65535; sequence numbers {@code int}.
 */
package jnat.wire;
