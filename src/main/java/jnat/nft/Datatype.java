package jnat.nft;

import jnat.wire.Ipv6Address;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * nft's data types (src/datatype.c, meta.c, ct.c, proto.c): how a constant of a type is parsed from a
 * symbol and printed. Values are carried big-endian ("mpz" order), as many bytes as the type is long;
 * the expression that loads them says whether the register holds them in host order.
 */
final class Datatype {
    enum Kind { INTEGER, STRING, IPV4, IPV6, ETHER, SYMBOLIC, BITMASK, VERDICT, MARK, INET_SERVICE, INET_PROTO }

    final String name;
    final int id; // enum datatypes' number: a concatenation's key type is built from these (TYPE_BITS apart)
    final Kind kind;
    final int bits; // 0: as long as the expression using it
    final String desc;
    private final Map<String, Long> symbols;

    /** An iproute2 table's names print quoted (symbolic_constant_print with quotes, devgroup and realm). */
    private final boolean quoted;

    private Datatype(String name, int id, Kind kind, int bits, String desc, Map<String, Long> symbols) {
        this(name, id, kind, bits, desc, symbols, false);
    }

    private Datatype(String name, int id, Kind kind, int bits, String desc, Map<String, Long> symbols, boolean quoted) {
        this.quoted = quoted;
        this.name = name;
        this.id = id;
        this.kind = kind;
        this.bits = bits;
        this.desc = desc;
        this.symbols = symbols;
    }

    int bytes() {
        return (bits + 7) / 8;
    }

    static final Datatype VERDICT_T = new Datatype("verdict", 1, Kind.VERDICT, 0, "netfilter verdict", Map.of());
    static final Datatype NFPROTO = sym("nf_proto", 2, 8, "netfilter protocol", ordered("ipv4", 2, "ipv6", 10));
    static final Datatype BITMASK_T = new Datatype("bitmask", 3, Kind.BITMASK, 0, "bitmask", Map.of());
    static final Datatype INTEGER = new Datatype("integer", 4, Kind.INTEGER, 0, "integer", Map.of());
    static final Datatype STRING = new Datatype("string", 5, Kind.STRING, 0, "string", Map.of());
    static final Datatype LLADDR = new Datatype("ll_addr", 6, Kind.ETHER, 0, "link layer address", Map.of());
    static final Datatype IPV4_ADDR = new Datatype("ipv4_addr", 7, Kind.IPV4, 32, "IPv4 address", Map.of());
    static final Datatype IPV6_ADDR = new Datatype("ipv6_addr", 8, Kind.IPV6, 128, "IPv6 address", Map.of());
    static final Datatype ETHER_ADDR = new Datatype("ether_addr", 9, Kind.ETHER, 48, "Ethernet address", Map.of());
    static final Datatype ETHERTYPE = sym("ether_type", 10, 16, "Ethernet protocol",
            ordered("ip", 0x0800, "arp", 0x0806, "ip6", 0x86dd, "8021q", 0x8100, "8021ad", 0x88a8, "vlan", 0x8100));
    static final Datatype INET_PROTO = new Datatype("inet_proto", 12, Kind.INET_PROTO, 8, "Internet protocol", Map.of());
    static final Datatype INET_SERVICE = new Datatype("inet_service", 13, Kind.INET_SERVICE, 16, "internet network service", Map.of());
    static final Datatype ICMP_TYPE = sym("icmp_type", 14, 8, "ICMP type", ordered(
            "echo-reply", 0, "destination-unreachable", 3, "source-quench", 4, "redirect", 5, "echo-request", 8,
            "router-advertisement", 9, "router-solicitation", 10, "time-exceeded", 11, "parameter-problem", 12,
            "timestamp-request", 13, "timestamp-reply", 14, "info-request", 15, "info-reply", 16,
            "address-mask-request", 17, "address-mask-reply", 18));
    static final Datatype TCP_FLAG = bits("tcp_flag", 15, 8, "TCP flag", ordered(
            "fin", 1, "syn", 2, "rst", 4, "psh", 8, "ack", 16, "urg", 32, "ecn", 64, "cwr", 128));
    static final Datatype MARK = new Datatype("mark", 19, Kind.MARK, 32, "packet mark", Map.of());
    static final Datatype IFINDEX = new Datatype("iface_index", 20, Kind.INTEGER, 32, "network interface index", Map.of());
    static final Datatype ARPHRD = sym("iface_type", 21, 16, "network interface type",
            ordered("ether", 1, "ppp", 512, "ipip", 768, "ipip6", 769, "loopback", 772, "sit", 776, "ipgre", 778));
    static final Datatype PKTTYPE = sym("pkt_type", 23, 8, "packet type",
            ordered("host", 0, "unicast", 0, "broadcast", 1, "multicast", 2, "other", 3));
    static final Datatype ICMP6_TYPE = sym("icmpv6_type", 29, 8, "ICMPv6 type", ordered(
            "destination-unreachable", 1, "packet-too-big", 2, "time-exceeded", 3, "parameter-problem", 4,
            "echo-request", 128, "echo-reply", 129, "mld-listener-query", 130, "mld-listener-report", 131,
            "mld-listener-done", 132, "mld-listener-reduction", 132, "nd-router-solicit", 133,
            "nd-router-advert", 134, "nd-neighbor-solicit", 135, "nd-neighbor-advert", 136, "nd-redirect", 137,
            "router-renumbering", 138, "ind-neighbor-solicit", 141, "ind-neighbor-advert", 142,
            "mld2-listener-report", 143));
    static final Datatype CT_STATE = bits("ct_state", 30, 32, "conntrack state", ordered(
            "invalid", 1, "established", 2, "related", 4, "new", 8, "untracked", 64));
    static final Datatype CT_DIR = sym("ct_dir", 31, 8, "conntrack direction", ordered("original", 0, "reply", 1));
    static final Datatype CT_STATUS = bits("ct_status", 32, 32, "conntrack status", ordered(
            "expected", 1, "seen-reply", 2, "assured", 4, "confirmed", 8, "snat", 16, "dnat", 32, "dying", 512));
    static final Datatype ICMPX_CODE = sym("icmpx_code", 36, 8, "icmpx code", ordered(
            "no-route", 0, "port-unreachable", 1, "host-unreachable", 2, "admin-prohibited", 3));
    static final Datatype ICMP_CODE = sym("icmp_code", 34, 8, "icmp code", ordered(
            "net-unreachable", 0, "host-unreachable", 1, "prot-unreachable", 2, "port-unreachable", 3,
            "frag-needed", 4, "net-prohibited", 9, "host-prohibited", 10, "admin-prohibited", 13));
    static final Datatype ICMPV6_CODE = sym("icmpv6_code", 35, 8, "icmpv6 code", ordered(
            "no-route", 0, "admin-prohibited", 1, "addr-unreachable", 3, "port-unreachable", 4,
            "policy-fail", 5, "reject-route", 6));
    static final Datatype IFNAME = new Datatype("ifname", 41, Kind.STRING, 16 * 8, "network interface name", Map.of());
    static final Datatype FIB_ADDRTYPE = sym("fib_addrtype", 44, 32, "fib address type", ordered(
            "unspec", 0, "unicast", 1, "local", 2, "broadcast", 3, "anycast", 4, "multicast", 5, "blackhole", 6,
            "unreachable", 7, "prohibit", 8));
    static final Datatype BOOLEAN = sym("boolean", 45, 1, "boolean type", ordered("exists", 1, "missing", 0));
    static final Datatype DSCP = sym("dscp", 43, 6, "Differentiated Services Code Point", ordered(
            "cs0", 0, "cs1", 8, "cs2", 16, "cs3", 24, "cs4", 32, "cs5", 40, "cs6", 48, "cs7", 56, "df", 0, "be", 0,
            "lephb", 1, "af11", 10, "af12", 12, "af13", 14, "af21", 18, "af22", 20, "af23", 22, "af31", 26,
            "af32", 28, "af33", 30, "af41", 34, "af42", 36, "af43", 38, "va", 44, "ef", 46));
    static final Datatype ECN = sym("ecn", 42, 2, "Explicit Congestion Notification",
            ordered("not-ect", 0, "ect1", 1, "ect0", 2, "ce", 3));

    static final Datatype REALM = new Datatype("realm", 22, Kind.SYMBOLIC, 32, "routing realm",
            rtSymbols(java.nio.file.Path.of("/etc/iproute2/rt_realms")), true);
    static final Datatype DEVGROUP = new Datatype("devgroup", 35, Kind.SYMBOLIC, 32, "devgroup name",
            rtSymbols(java.nio.file.Path.of("/etc/iproute2/group")), true);

    /**
     * rt_symbol_table_init: an iproute2 table's "0xV NAME" or "V NAME" lines ('#' comments), read once as nft
     * reads them at start; no file, no names. A line that is neither ends the table, as nft stops at it.
     */
    static Map<String, Long> rtSymbols(java.nio.file.Path file) {
        var m = new java.util.LinkedHashMap<String, Long>();
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(file);
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
        for (String line : lines) {
            String t = line.stripLeading();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] f = t.split("[ \t]+", 3);
            if (f.length < 2) break;
            long v;
            try {
                v = f[0].startsWith("0x") ? Long.parseLong(f[0].substring(2), 16) : Long.parseLong(f[0]);
            } catch (NumberFormatException e) {
                break;
            }
            if (v > 0xFFFFFFFFL) break;
            m.putIfAbsent(f[1], v);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The types a set declaration's "type" may name (datatype_lookup_byname). */
    static final List<Datatype> NAMED = List.of(VERDICT_T, NFPROTO, INTEGER, STRING, LLADDR, IPV4_ADDR, IPV6_ADDR,
            ETHER_ADDR, ETHERTYPE, INET_PROTO, INET_SERVICE, ICMP_TYPE, TCP_FLAG, MARK, IFINDEX, ARPHRD, PKTTYPE,
            ICMP6_TYPE, CT_STATE, CT_DIR, CT_STATUS, IFNAME, FIB_ADDRTYPE, BOOLEAN, DSCP, ECN, ICMPX_CODE,
            ICMP_CODE, ICMPV6_CODE, REALM, DEVGROUP);

    static Datatype byName(String name) {
        for (Datatype t : NAMED) if (t.name.equals(name)) return t;
        return null;
    }

    /** A concatenation's type: its parts' types, id shifted as concat_type_alloc does. */
    static int concatId(List<Datatype> parts) {
        int id = 0;
        for (Datatype t : parts) id = id << 6 | t.id;
        return id;
    }

    private static Datatype sym(String name, int id, int bits, String desc, Map<String, Long> m) {
        return new Datatype(name, id, Kind.SYMBOLIC, bits, desc, m);
    }

    private static Datatype bits(String name, int id, int bits, String desc, Map<String, Long> m) {
        return new Datatype(name, id, Kind.BITMASK, bits, desc, m);
    }

    private static Map<String, Long> ordered(Object... kv) {
        var m = new java.util.LinkedHashMap<String, Long>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Integer) kv[i + 1]).longValue());
        return java.util.Collections.unmodifiableMap(m);
    }

    boolean isBitmask() {
        return kind == Kind.BITMASK;
    }

    Long symbol(String s) {
        return symbols.get(s);
    }

    /** The first name of a value (symbol tables list the printed name first). */
    String symbolName(long v) {
        for (var e : symbols.entrySet()) if (e.getValue() == v) return e.getKey();
        return null;
    }

    Iterable<Map.Entry<String, Long>> symbolEntries() {
        return symbols.entrySet();
    }

    // --- values -------------------------------------------------------------------------------------

    static byte[] ofLong(long v, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = bytes - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    static long toLong(byte[] b) {
        long v = 0;
        for (byte x : b) v = v << 8 | (x & 0xff);
        return v;
    }

    static BigInteger big(byte[] b) {
        return new BigInteger(1, b);
    }

    /** Prints a value of this type as nft does without -n (numeric services and protocols names). */
    String print(byte[] v, boolean numeric) {
        switch (kind) {
            case IPV4:
                return (v[0] & 0xff) + "." + (v[1] & 0xff) + "." + (v[2] & 0xff) + "." + (v[3] & 0xff);
            case IPV6:
                return Ipv6Address.format(v, 0);
            case ETHER: {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ":").append(String.format("%02x", v[i] & 0xff));
                return sb.toString();
            }
            case STRING: {
                int n = 0;
                while (n < v.length && v[n] != 0) n++;
                return "\"" + new String(v, 0, n, java.nio.charset.StandardCharsets.UTF_8) + "\"";
            }
            case MARK:
                return String.format("0x%08x", toLong(v));
            case INET_PROTO: {
                int p = v[0] & 0xff;
                String n = numeric ? null : Protos.name(p);
                return n != null ? n : Integer.toString(p);
            }
            case INET_SERVICE:
                return Long.toString(toLong(v));
            case SYMBOLIC: {
                String n = symbolName(toLong(v));
                if (n != null && !numeric) return quoted ? "\"" + n + "\"" : n;
                return Long.toString(toLong(v));
            }
            case BITMASK: {
                long x = toLong(v);
                if (x == 0) return "0x0";
                List<String> names = new ArrayList<>();
                for (var e : symbols.entrySet()) {
                    if ((x & e.getValue()) != 0 && Long.bitCount(e.getValue()) == 1) {
                        names.add(e.getKey());
                        x &= ~e.getValue();
                    }
                }
                if (x != 0) names.add(String.format("0x%x", x));
                return String.join(" | ", names);
            }
            default:
                BigInteger b = big(v);
                return b.toString();
        }
    }

    /** Parses a symbol or number of this type into {@code bytes} big-endian bytes, or null when it is not one. */
    byte[] parse(String s, int bytes) {
        switch (kind) {
            case IPV4: {
                String[] p = s.split("\\.", -1);
                if (p.length != 4) return null;
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    if (!p[i].matches("[0-9]{1,3}")) return null;
                    int x = Integer.parseInt(p[i]);
                    if (x > 255) return null;
                    b[i] = (byte) x;
                }
                return b;
            }
            case IPV6: {
                if (!s.contains(":")) return null;
                try {
                    return Ipv6Address.parse(s);
                } catch (RuntimeException e) {
                    return null;
                }
            }
            case ETHER: {
                String[] p = s.split(":", -1);
                if (p.length != bytes) return null;
                byte[] b = new byte[bytes];
                for (int i = 0; i < bytes; i++) {
                    if (!p[i].matches("[0-9a-fA-F]{1,2}")) return null;
                    b[i] = (byte) Integer.parseInt(p[i], 16);
                }
                return b;
            }
            case STRING: {
                byte[] raw = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (raw.length > bytes) return null;
                byte[] b = new byte[bytes];
                System.arraycopy(raw, 0, b, 0, raw.length);
                return b;
            }
            case INET_PROTO: {
                int p = Protos.number(s);
                if (p >= 0) return new byte[] {(byte) p};
                return number(s, bytes);
            }
            case INET_SERVICE: {
                byte[] n = number(s, bytes);
                if (n != null) return n;
                int port = Protos.service(s);
                return port < 0 ? null : ofLong(port, bytes);
            }
            case SYMBOLIC:
            case BITMASK: {
                Long v = symbols.get(s);
                if (v != null) return ofLong(v, bytes);
                return number(s, bytes);
            }
            default:
                return number(s, bytes);
        }
    }

    /** A decimal or 0x number that fits in {@code bytes} (integer_type_parse). */
    static byte[] number(String s, int bytes) {
        BigInteger v;
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) v = new BigInteger(s.substring(2), 16);
            else if (s.matches("[0-9]+")) v = new BigInteger(s);
            else return null;
        } catch (NumberFormatException e) {
            return null;
        }
        if (v.bitLength() > bytes * 8) return new byte[0]; // too large: the caller reports it
        byte[] b = new byte[bytes];
        byte[] r = v.toByteArray();
        int n = Math.min(r.length, bytes);
        System.arraycopy(r, r.length - n, b, bytes - n, n);
        return b;
    }

    @Override
    public String toString() {
        return name;
    }
}
