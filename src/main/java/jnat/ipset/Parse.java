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
                default -> throw new IpSetError("jnat: protocol " + s.substring(0, colon)
                        + " in an ipset element is not supported (tcp, udp, sctp and udplite are)");
            };
            s = s.substring(colon + 1);
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
