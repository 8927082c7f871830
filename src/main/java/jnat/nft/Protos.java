package jnat.nft;

/**
 * Protocol and service names as nft resolves them: getprotobynumber/getprotobyname over Debian's
 * /etc/protocols (inet_protocol_type_print), and the service names of /etc/services nft accepts for ports
 * (it prints ports as numbers).
 */
final class Protos {
    private Protos() {}

    private static final String[] NAMES = {"ip", "hopopt", "icmp", "igmp", "ggp", "ipencap", "st", "tcp", "egp", "igp",
        "pup", "udp", "hmp", "xns-idp", "rdp", "iso-tp4", "dccp", "xtp", "ddp", "idpr-cmtp", "ipv6", "ipv6-route",
        "ipv6-frag", "idrp", "rsvp", "gre", "esp", "ah", "skip", "ipv6-icmp", "ipv6-nonxt", "ipv6-opts", "rspf", "vmtp",
        "eigrp", "ospf", "ax.25", "ipip", "etherip", "encap", "pim", "ipcomp", "vrrp", "l2tp", "isis", "sctp", "fc",
        "mobility-header", "udplite", "mpls-in-ip", "manet", "hip", "shim6", "wesp", "rohc", "ethernet"};
    private static final int[] NUMBERS = {0, 0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 17, 20, 22, 27, 29, 33, 36, 37, 38, 41, 43,
        44, 45, 46, 47, 50, 51, 57, 58, 59, 60, 73, 81, 88, 89, 93, 94, 97, 98, 103, 108, 112, 115, 124, 132, 133, 135,
        136, 137, 138, 139, 140, 141, 142, 143};

    private static final String[] SERVICES = {"ftp-data", "ftp", "ssh", "telnet", "smtp", "domain", "bootps", "bootpc",
        "tftp", "http", "pop3", "sunrpc", "ntp", "imap2", "snmp", "bgp", "ldap", "https", "syslog", "submission",
        "ldaps", "imaps", "pop3s", "openvpn", "mysql", "postgresql", "http-alt", "microsoft-ds", "kerberos"};
    private static final int[] PORTS = {20, 21, 22, 23, 25, 53, 67, 68, 69, 80, 110, 111, 123, 143, 161, 179, 389,
        443, 514, 587, 636, 993, 995, 1194, 3306, 5432, 8080, 445, 88};

    /** getprotobynumber's official name, or null. */
    static String name(int proto) {
        if (proto == 0) return "ip";
        for (int i = 0; i < NAMES.length; i++) if (NUMBERS[i] == proto) return NAMES[i];
        return null;
    }

    /** A protocol name (nft's keywords icmpv6 and the like included), or -1. */
    static int number(String s) {
        if (s.equals("icmpv6")) return 58;
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(s)) return NUMBERS[i];
        return -1;
    }

    static int service(String s) {
        for (int i = 0; i < SERVICES.length; i++) if (SERVICES[i].equals(s)) return PORTS[i];
        return -1;
    }
}
