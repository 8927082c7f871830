package jnat.ipset;

import java.util.ArrayList;
import java.util.List;

/** libipset's parse.c for what does not depend on a set's family: protocols and ports; and the kernel's ip_set_range_to_cidr. */
final class Parse {
    private Parse() {}

    /** "[tcp|udp|sctp|udplite:]port[-port]" (tcp when no protocol is named): {proto, from, to}. */
    static int[] protoPort(String s) {
        int proto = 6;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            proto = switch (s.substring(0, colon)) {
                case "tcp" -> 6;
                case "udp" -> 17;
                case "sctp" -> 132;
                case "udplite" -> 136;
                case "icmp" -> 1;
                default -> throw new IpSetError("jnat: protocol " + s.substring(0, colon)
                        + " in an ipset element is not supported (tcp, udp, sctp and udplite are)");
            };
            s = s.substring(colon + 1);
            if (proto == 1) {
                int tc = icmp(s);
                return new int[] {1, tc, tc};
            }
        }
        int dash = s.indexOf('-');
        String name = protoName(proto);
        int from = port(dash < 0 ? s : s.substring(0, dash), name), to = dash < 0 ? from : port(s.substring(dash + 1), name);
        if (to < from) {
            int t = from;
            from = to;
            to = t;
        }
        return new int[] {proto, from, to};
    }

    /** ipset_parse_port: a number (a service name would be looked up; jnat has no services file), with libipset's three messages. */
    static int port(String s, String proto) {
        String first;
        try {
            long p = Long.parseLong(s);
            if (p >= 0 && p <= 65535 && !s.startsWith("+")) return (int) p;
            first = "Syntax error: '" + s + "' is out of range 0-65535";
        } catch (NumberFormatException e) {
            first = "Syntax error: '" + s + "' is invalid as number";
        }
        throw new IpSetError(first + "\nSyntax error: '" + proto + "' is invalid as number\ncannot parse '" + s + "' as a " + proto + " port");
    }

    /** ipset_parse_proto_port for a set of the family: ICMP "ports" only in an inet set (icmpv6 is not supported yet). */
    static int[] protoPort(String s, boolean inet6) {
        if (s.startsWith("icmp:") && inet6) throw new IpSetError("Syntax error: Protocol ICMP can be used with family inet only");
        return protoPort(s);
    }

    /** icmp.c's name_to_icmp / ipset_parse_icmp: a name or "type/code", keyed type<<8|code as the kernel keys ICMP "ports". */
    static int icmp(String s) {
        for (Object[] t : ICMP) if (((String) t[0]).equalsIgnoreCase(s)) return (int) t[1] << 8 | (int) t[2];
        int slash = s.indexOf('/');
        if (slash < 0) throw new IpSetError("Cannot parse " + s + " as an ICMP type/code.");
        return u8(s.substring(0, slash)) << 8 | u8(s.substring(slash + 1));
    }

    private static int u8(String s) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= 255 && !s.startsWith("+")) return (int) v;
            throw new IpSetError("Syntax error: '" + s + "' is out of range 0-255");
        } catch (NumberFormatException e) {
            throw new IpSetError("Syntax error: '" + s + "' is invalid as number");
        }
    }

    /** icmp.c's icmp_to_name, else "type/code". */
    static String icmpName(int port) {
        for (Object[] t : ICMP) if (((int) t[1] << 8 | (int) t[2]) == port) return (String) t[0];
        return (port >> 8) + "/" + (port & 0xFF);
    }

    /** "proto:port" as ipset prints an element's port. */
    static String protoPort(int proto, int port) {
        return proto == 1 ? "icmp:" + icmpName(port) : protoName(proto) + ":" + port;
    }

    /** ipset's lib/icmp.c icmp_typecodes, in its order (the first name of a type/code is printed). */
    private static final Object[][] ICMP = {
        {"echo-reply", 0, 0}, {"pong", 0, 0}, {"network-unreachable", 3, 0}, {"host-unreachable", 3, 1},
        {"protocol-unreachable", 3, 2}, {"port-unreachable", 3, 3}, {"fragmentation-needed", 3, 4},
        {"source-route-failed", 3, 5}, {"network-unknown", 3, 6}, {"host-unknown", 3, 7},
        {"network-prohibited", 3, 9}, {"host-prohibited", 3, 10}, {"TOS-network-unreachable", 3, 11},
        {"TOS-host-unreachable", 3, 12}, {"communication-prohibited", 3, 13}, {"host-precedence-violation", 3, 14},
        {"precedence-cutoff", 3, 15}, {"source-quench", 4, 0}, {"network-redirect", 5, 0}, {"host-redirect", 5, 1},
        {"TOS-network-redirect", 5, 2}, {"TOS-host-redirect", 5, 3}, {"echo-request", 8, 0}, {"ping", 8, 0},
        {"router-advertisement", 9, 0}, {"router-solicitation", 10, 0}, {"ttl-zero-during-transit", 11, 0},
        {"ttl-zero-during-reassembly", 11, 1}, {"ip-header-bad", 12, 0}, {"required-option-missing", 12, 1},
        {"timestamp-request", 13, 0}, {"timestamp-reply", 14, 0}, {"address-mask-request", 17, 0},
        {"address-mask-reply", 18, 0},
    };

    static String protoName(int proto) {
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> String.valueOf(proto);
        };
    }

    /** ip_set_range_to_cidr: an IPv4 range as the largest aligned prefixes covering it. */
    static List<long[]> rangeToCidrs(long from, long to) {
        List<long[]> out = new ArrayList<>();
        long ip = from;
        while (ip <= to) {
            int cidr = 32;
            while (cidr > 1) {
                long size = 1L << (33 - cidr);
                if ((ip & size - 1) != 0 || ip + size - 1 > to) break;
                cidr--;
            }
            out.add(new long[] {ip, cidr});
            ip += 1L << (32 - cidr);
        }
        return out;
    }
}
