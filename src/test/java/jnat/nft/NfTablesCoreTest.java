package jnat.nft;

import jnat.rules.PacketContext;
import jnat.wire.Ipv4Address;
import jnat.wire.Ipv4Repr;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nft_do_chain over real IPv4 packets (bytes laid out by jnat.wire), rules loaded through jnat nft. */
class NfTablesCoreTest {
    /** A PacketContext over an IPv4 packet's bytes: what the engine's PacketState answers from its views. */
    static final class Wire implements PacketContext {
        final byte[] p;
        String in = "eth0", out = "";
        int mark, ctMark, ctState = CT_NEW, pktType = PACKET_HOST;
        int[] local = {};
        /** The lane walking the packet (PacketContext.cpu). */
        int cpu;

        Wire(byte[] p) {
            this.p = p;
        }

        int ihl() { return (p[0] & 0x0f) * 4; }
        int u16(int o) { return (p[o] & 0xff) << 8 | p[o + 1] & 0xff; }
        int u32(int o) { return u16(o) << 16 | u16(o + 2); }
        @Override public int cpu() { return cpu; }
        @Override public String inInterface() { return in; }
        @Override public String outInterface() { return out; }
        @Override public int srcAddress() { return u32(12); }
        @Override public int dstAddress() { return u32(16); }
        @Override public int protocol() { return p[9] & 0xff; }
        @Override public boolean nonFirstFragment() { return (u16(6) & 0x1fff) != 0; }
        @Override public int srcPort() { return u16(ihl()); }
        @Override public int dstPort() { return u16(ihl() + 2); }
        @Override public int tcpFlags() { return p[ihl() + 13] & 0xff; }
        @Override public int icmpType() { return p[ihl()] & 0xff; }
        @Override public int icmpCode() { return p[ihl() + 1] & 0xff; }
        @Override public int length() { return u16(2); }
        @Override public int mark() { return mark; }
        @Override public void setMark(int m) { mark = m; }
        @Override public int ctState() { return ctState; }
        @Override public boolean hasConnection() { return (ctState & (CT_INVALID | CT_UNTRACKED)) == 0; }
        @Override public int ctMark() { return ctMark; }
        @Override public void setCtMark(int m) { ctMark = m; }
        @Override public int pktType() { return pktType; }
        @Override public int ctDirection() { return DIR_ORIGINAL; }
        @Override public int ctOrigSrc() { return srcAddress(); }
        @Override public int ctOrigDst() { return dstAddress(); }
        @Override public int ctOrigSrcPort() { return srcPort(); }
        @Override public int ctOrigDstPort() { return dstPort(); }
        @Override public int ctReplySrc() { return dstAddress(); }
        @Override public int ctReplyDst() { return srcAddress(); }
        @Override public int ctReplySrcPort() { return dstPort(); }
        @Override public int ctReplyDstPort() { return srcPort(); }
        @Override public int networkByte(int off) { return off < p.length ? p[off] & 0xff : -1; }
        @Override public int addressType(int addr, String iface) {
            for (int l : local) if (l == addr) return RTN_LOCAL;
            return RTN_UNICAST;
        }
    }

    static byte[] tcp(String src, int sport, String dst, int dport, int flags) {
        byte[] h = new byte[20];
        h[0] = (byte) (sport >>> 8); h[1] = (byte) sport; h[2] = (byte) (dport >>> 8); h[3] = (byte) dport;
        h[12] = 0x50; h[13] = (byte) flags; h[14] = (byte) 0xff; h[15] = (byte) 0xff;
        return Ipv4Repr.of(src, dst).withProtocol(6).packet(h);
    }

    static byte[] udp(String src, int sport, String dst, int dport) {
        byte[] h = {(byte) (sport >>> 8), (byte) sport, (byte) (dport >>> 8), (byte) dport, 0, 8, 0, 0};
        return Ipv4Repr.of(src, dst).withProtocol(17).packet(h);
    }

    static NfTablesCore load(String text) {
        NftRuleset rs = new NftRuleset();
        Nft.Result r = Nft.transaction(rs, "test.nft", text, new Printer.Options(false, false, false), false, false);
        assertEquals("", r.err());
        return new NfTablesCore(rs.tables.get(0));
    }

    static final String FILTER = """
            table ip t {
            	set allowed { type inet_service; elements = { 22, 443 } }
            	set blocked { type ipv4_addr; flags interval; elements = { 198.51.100.0/24, 203.0.113.9 } }
            	map svc { type ipv4_addr . inet_proto . inet_service : verdict; elements = { 203.0.113.1 . tcp . 80 : jump web, 203.0.113.1 . udp . 53 : accept } }
            	chain in {
            		type filter hook input priority filter; policy drop;
            		ct state established,related accept
            		ip saddr @blocked counter drop
            		ip daddr . meta l4proto . th dport vmap @svc
            		tcp dport @allowed accept
            		tcp flags syn tcp dport 8000-8100 meta mark set meta mark | 0x4000
            		meta mark & 0x4000 == 0x4000 accept
            		fib daddr type local udp dport 5353 accept
            	}
            	chain web {
            		iifname "eth*" counter return
            		accept
            	}
            }
            """;

    @Test
    void anEstablishedPacketIsAcceptedByTheFirstRule() {
        Wire w = new Wire(tcp("198.51.100.7", 40000, "203.0.113.1", 9999, 0x10));
        w.ctState = PacketContext.CT_ESTABLISHED;
        assertEquals(NfTablesCore.NF_ACCEPT, load(FILTER).doChain("in", w));
    }

    @Test
    void aSourceInAnIntervalSetIsDroppedAndCounted() {
        NfTablesCore core = load(FILTER);
        byte[] p = tcp("198.51.100.200", 40000, "203.0.113.1", 22, 0x02);
        assertEquals(NfTablesCore.NF_DROP, core.doChain("in", new Wire(p)));
        assertArrayEquals(new long[] {1, p.length}, core.counter("in", 1));
    }

    @Test
    void aPortInTheSetIsAcceptedAndOneOutsideFallsToThePolicy() {
        NfTablesCore core = load(FILTER);
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", new Wire(tcp("192.0.0.8", 40000, "203.0.113.1", 443, 0x02))));
        assertEquals(NfTablesCore.NF_DROP, core.doChain("in", new Wire(tcp("192.0.0.8", 40000, "203.0.113.1", 444, 0x02))));
    }

    @Test
    void aConcatenatedVerdictMapJumpsAndReturnComesBack() {
        NfTablesCore core = load(FILTER);
        // 203.0.113.1 . tcp . 80 jumps to web; from eth0 web returns, the rest of in drops it (policy)
        assertEquals(NfTablesCore.NF_DROP, core.doChain("in", new Wire(tcp("192.0.0.8", 40000, "203.0.113.1", 80, 0x02))));
        Wire lo = new Wire(tcp("192.0.0.8", 40000, "203.0.113.1", 80, 0x02));
        lo.in = "lo";
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", lo));
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", new Wire(udp("192.0.0.8", 5000, "203.0.113.1", 53))));
    }

    @Test
    void markSetThenMatchedByALaterRule() {
        Wire w = new Wire(tcp("192.0.0.8", 40000, "203.0.113.2", 8080, 0x02));
        assertEquals(NfTablesCore.NF_ACCEPT, load(FILTER).doChain("in", w));
        assertEquals(0x4000, w.mark);
        Wire ack = new Wire(tcp("192.0.0.8", 40000, "203.0.113.2", 8080, 0x10));
        assertEquals(NfTablesCore.NF_DROP, load(FILTER).doChain("in", ack));
        assertEquals(0, ack.mark);
    }

    @Test
    void fibAddressTypeMatchesTheHostsLocalAddresses() {
        Wire w = new Wire(udp("192.0.0.8", 5000, "203.0.113.5", 5353));
        assertEquals(NfTablesCore.NF_DROP, load(FILTER).doChain("in", w));
        w.local = new int[] {Ipv4Address.parse("203.0.113.5")};
        assertEquals(NfTablesCore.NF_ACCEPT, load(FILTER).doChain("in", w));
    }

    @Test
    void ctMarkTakesThePacketMarkAndBroadcastsAreDropped() {
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook prerouting priority 0; policy accept;
                		meta pkttype broadcast drop
                		meta mark set 0x00000007
                		ct mark set meta mark
                		ct mark 0x00000007 accept
                		drop
                	}
                }
                """);
        Wire w = new Wire(udp("192.0.0.8", 68, "255.255.255.255", 67));
        w.pktType = PacketContext.PACKET_BROADCAST;
        assertEquals(NfTablesCore.NF_DROP, core.doChain("in", w));
        assertEquals(0, w.ctMark);
        Wire u = new Wire(udp("192.0.0.8", 5000, "203.0.113.5", 53));
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", u));
        assertEquals(7, u.ctMark);
    }

    @Test
    void anOrderedComparisonOfAHostOrderKeyTurnsTheRegisterToNetworkOrder() {
        // meta length is a host-order u32: without nft's byteorder hton, 28 (1c 00 00 00) would not be below 256 (00 01 00 00)
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook prerouting priority 0; policy accept;
                		meta length < 256 accept
                		drop
                	}
                }
                """);
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", new Wire(udp("192.0.0.8", 5000, "203.0.113.5", 53))));
    }

    @Test
    void aRangeOfAHostOrderKeyComparesInNetworkOrder() {
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook prerouting priority 0; policy accept;
                		meta length 20-255 accept
                		drop
                	}
                }
                """);
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", new Wire(udp("192.0.0.8", 5000, "203.0.113.5", 53))));
    }

    @Test
    void ctKeysOtherThanTheStateDoNotMatchAnUntrackedPacket() {
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook prerouting priority 0; policy accept;
                		ct mark 0 drop
                		ct state untracked accept
                	}
                }
                """);
        Wire w = new Wire(udp("192.0.0.8", 5000, "203.0.113.5", 53));
        w.ctState = PacketContext.CT_UNTRACKED;
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("in", w));
        w.ctState = PacketContext.CT_NEW;
        assertEquals(NfTablesCore.NF_DROP, core.doChain("in", w));
    }

    @Test
    void deviceGroupKeysDoNotMatchWhereTheDeviceIsMissing() {
        NfTablesCore core = load("""
                table ip t {
                	chain out {
                		type filter hook output priority 0; policy accept;
                		iifgroup 0 drop
                		oifgroup 0 drop
                	}
                }
                """);
        Wire w = new Wire(udp("192.0.0.8", 5000, "203.0.113.5", 53)); // the fake has no ifindex: neither device
        assertEquals(NfTablesCore.NF_ACCEPT, core.doChain("out", w));
    }

    @Test
    void gotoDoesNotComeBack() {
        NfTablesCore core = load("""
                table ip t {
                	chain in {
                		type filter hook input priority 0; policy accept;
                		jump a
                		drop
                	}
                	chain a {
                		tcp dport 1 goto b
                	}
                	chain b {
                		counter
                	}
                }
                """);
        // jump a, goto b, b ends: back to in after "jump a", which drops
        assertEquals(NfTablesCore.NF_DROP, core.doChain("in", new Wire(tcp("192.0.0.8", 1, "203.0.113.5", 1, 2))));
    }

    @Test
    void mobysRulesetIsAllRunnable() throws Exception {
        NftRuleset rs = new NftRuleset();
        String text = Files.readString(Path.of("src/test/resources/nft/moby/usernet-portmap.nft"))
                .replace("hook output priority dstnat;", "hook output priority -100;");
        Nft.transaction(rs, "moby.nft", text, new Printer.Options(false, false, false), false, false);
        assertEquals(List.of(), NfTablesCore.refused(rs));
    }

    @Test
    void whatItCannotRunIsNamedWithItsRule() {
        NftRuleset rs = Nft.parse("t.nft", "table ip t {\n\tchain in { type filter hook input priority 0; udp dport 9 log accept; }\n}\n");
        assertEquals(List.of("table ip t chain in handle 2: log (the engine's statements are not wired yet)"), NfTablesCore.refused(rs));
    }
}
