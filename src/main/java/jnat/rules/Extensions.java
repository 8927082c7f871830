package jnat.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The extensions jnat has, per family (xtables.c's registry: xtables_find_match and
 * xtables_find_target over the libxt_* modules of both families and the libipt_* or libip6t_*
 * modules of one), and each one's long options for getopt_long's abbreviations.
 */
final class Extensions {
    private Extensions() {}

    /** Both families' match modules (libxt_*). */
    private static final Map<String, Supplier<ModuleParser>> COMMON_MATCHES = Map.ofEntries(
            Map.entry("tcp", () -> new PortMatch.Parser(true)),
            Map.entry("udp", () -> new PortMatch.Parser(false)),
            Map.entry("multiport", MultiportMatch.Parser::new),
            Map.entry("addrtype", AddrtypeMatch.Parser::new),
            Map.entry("comment", CommentMatch.Parser::new),
            Map.entry("mark", MarkMatch.Parser::new),
            Map.entry("conntrack", ConntrackMatch.Parser::new),
            Map.entry("statistic", StatisticMatch.Parser::new),
            Map.entry("iprange", IprangeMatch.Parser::new),
            Map.entry("state", StateMatch.Parser::new),
            Map.entry("length", LengthMatch.Parser::new),
            Map.entry("limit", LimitMatch.Parser::new),
            Map.entry("connmark", ConnmarkMatch.Parser::new),
            Map.entry("tos", TosMatch.Parser::new),
            Map.entry("dscp", DscpMatch.Parser::new),
            Map.entry("ecn", EcnMatch.Parser::new),
            Map.entry("tcpmss", TcpmssMatch.Parser::new),
            Map.entry("pkttype", PkttypeMatch.Parser::new),
            Map.entry("mac", MacMatch.Parser::new),
            Map.entry("recent", RecentMatch.Parser::new),
            Map.entry("hashlimit", HashlimitMatch.Parser::new),
            Map.entry("rpfilter", RpfilterMatch.Parser::new),
            Map.entry("policy", PolicyMatch.Parser::new),
            Map.entry("esp", EspMatch.Parser::new),
            Map.entry("quota", QuotaMatch.Parser::new),
            Map.entry("sctp", SctpMatch.Parser::new),
            Map.entry("dccp", DccpMatch.Parser::new),
            Map.entry("string", StringMatch.Parser::new),
            Map.entry("u32", U32Match.Parser::new),
            Map.entry("connbytes", ConnbytesMatch.Parser::new),
            Map.entry("ipcomp", IpcompMatch.Parser::new),
            Map.entry("time", TimeMatch.Parser::new),
            Map.entry("bpf", BpfMatch.Parser::new),
            Map.entry("connlabel", ConnlabelMatch.Parser::new),
            Map.entry("cluster", ClusterMatch.Parser::new),
            Map.entry("set", SetMatch.Parser::new),
            Map.entry("owner", OwnerMatch.Parser::new),
            Map.entry("socket", SocketMatch.Parser::new),
            Map.entry("nfacct", NfacctMatch.Parser::new),
            Map.entry("devgroup", DevgroupMatch.Parser::new),
            Map.entry("rateest", RateestMatch.Parser::new));
    // connlimit's mask is the family's prefix length: registered per family below

    /** ip6tables' own (libip6t_*). */
    private static final Map<String, Supplier<ModuleParser>> IP6_MATCHES = Map.ofEntries(
            Map.entry("icmp6", Icmp6Match.Parser::new),
            Map.entry("frag", FragMatch.Parser::new),
            Map.entry("hbh", () -> new OptsMatch.Parser(false)),
            Map.entry("dst", () -> new OptsMatch.Parser(true)),
            Map.entry("rt", RtMatch.Parser::new),
            Map.entry("ipv6header", Ipv6headerMatch.Parser::new),
            Map.entry("ah", AhMatch.Parser::new),
            Map.entry("mh", MhMatch.Parser::new),
            Map.entry("eui64", Eui64Match.Parser::new),
            Map.entry("hl", () -> new HlMatch.Parser(true)));

    private static final Map<String, Supplier<ModuleParser>> COMMON_TARGETS = Map.ofEntries(
            Map.entry("NFQUEUE", NfqueueTarget.Parser::new),
            Map.entry("NFLOG", NflogTarget.Parser::new),
            Map.entry("CONNMARK", ConnmarkTarget.Parser::new),
            Map.entry("TOS", TosTarget.Parser::new),
            Map.entry("DSCP", DscpTarget.Parser::new),
            Map.entry("CHECKSUM", ChecksumTarget.Parser::new),
            Map.entry("MARK", MarkTarget.Parser::new),
            Map.entry("LOG", LogTarget.Parser::new),
            Map.entry("CT", () -> new CtTarget.Parser(false)),
            Map.entry("NOTRACK", () -> new CtTarget.Parser(true)),
            Map.entry("TCPOPTSTRIP", TcpoptstripTarget.Parser::new),
            Map.entry("TRACE", TraceTarget.Parser::new),
            Map.entry("SET", SetTarget.Parser::new),
            Map.entry("RATEEST", RateestTarget.Parser::new),
            Map.entry("SYNPROXY", SynproxyTarget.Parser::new));

    private static Map<String, Supplier<ModuleParser>> natTargets(boolean ipv6) {
        Map<String, Supplier<ModuleParser>> m = new HashMap<>();
        for (NatTarget.Kind k : NatTarget.Kind.values()) m.put(k.name(), () -> new NatTarget.Parser(k, ipv6));
        return m;
    }

    private static final Map<String, Supplier<ModuleParser>> IP4_TARGETS = new HashMap<>(COMMON_TARGETS);
    private static final Map<String, Supplier<ModuleParser>> IP6_TARGETS = new HashMap<>(COMMON_TARGETS);
    private static final Map<String, Supplier<ModuleParser>> IP6_ALL_MATCHES = new HashMap<>(COMMON_MATCHES);
    private static final Map<String, Supplier<ModuleParser>> IP4_ALL_MATCHES = new HashMap<>(COMMON_MATCHES);

    static {
        IP4_ALL_MATCHES.put("icmp", IcmpMatch.Parser::new);
        IP4_ALL_MATCHES.put("ttl", () -> new HlMatch.Parser(false));
        IP4_ALL_MATCHES.put("ah", Ah4Match.Parser::new);
        IP4_ALL_MATCHES.put("realm", RealmMatch.Parser::new);
        IP4_ALL_MATCHES.put("connlimit", () -> new ConnlimitMatch.Parser(false));
        IP6_ALL_MATCHES.put("connlimit", () -> new ConnlimitMatch.Parser(true));
        IP6_ALL_MATCHES.put("srh", SrhMatch.Parser::new);
        IP4_TARGETS.put("HMARK", () -> new HmarkTarget.Parser(false));
        IP6_TARGETS.put("HMARK", () -> new HmarkTarget.Parser(true));
        IP4_TARGETS.put("TTL", () -> new HlTarget.Parser(false));
        IP4_TARGETS.put("ECN", EcnTarget.Parser::new);
        IP4_TARGETS.put("TCPMSS", () -> new TcpmssTarget.Parser(false));
        IP6_TARGETS.put("TCPMSS", () -> new TcpmssTarget.Parser(true));
        IP6_ALL_MATCHES.putAll(IP6_MATCHES);
        IP4_TARGETS.putAll(natTargets(false));
        IP4_TARGETS.put("REJECT", RejectTarget.Parser::new);
        IP4_TARGETS.put("TPROXY", () -> new TproxyTarget.Parser(false));
        IP6_TARGETS.put("TPROXY", () -> new TproxyTarget.Parser(true));
        IP4_TARGETS.put("TEE", () -> new TeeTarget.Parser(false));
        IP6_TARGETS.put("TEE", () -> new TeeTarget.Parser(true));
        IP6_TARGETS.putAll(natTargets(true));
        IP6_TARGETS.put("REJECT", () -> new RejectTarget.Parser(true));
        IP6_TARGETS.put("HL", () -> new HlTarget.Parser(true));
        IP6_TARGETS.put("SNPT", () -> new NptTarget.Parser(true));
        IP6_TARGETS.put("DNPT", () -> new NptTarget.Parser(false));
    }

    /** The parser of match {@code name}, or null when the family has no such module in jnat. */
    static ModuleParser match(String name, boolean ipv6) {
        Supplier<ModuleParser> s = (ipv6 ? IP6_ALL_MATCHES : IP4_ALL_MATCHES).get(name);
        return s == null ? null : s.get();
    }

    static boolean hasMatch(String name, boolean ipv6) {
        return (ipv6 ? IP6_ALL_MATCHES : IP4_ALL_MATCHES).containsKey(name);
    }

    static ModuleParser target(String name, boolean ipv6) {
        Supplier<ModuleParser> s = (ipv6 ? IP6_TARGETS : IP4_TARGETS).get(name);
        return s == null ? null : s.get();
    }

    static boolean hasTarget(String name, boolean ipv6) {
        return (ipv6 ? IP6_TARGETS : IP4_TARGETS).containsKey(name);
    }

    /** Modules Linux has and jnat lacks: refused by name rather than "Couldn't load". */
    static final List<String> KNOWN_UNSUPPORTED_MATCHES = List.of("state", "limit", "hashlimit", "set",
            "physdev", "owner", "tos", "dscp", "length", "ttl", "recent", "string", "connmark", "connlimit", "mac",
            "pkttype", "policy", "socket", "u32", "bpf", "cgroup", "sctp", "dccp", "esp", "ah", "helper",
            "realm", "rpfilter", "time", "quota", "connbytes", "devgroup", "ipvs", "nfacct", "osf", "cpu", "cluster",
            "ecn", "ipcomp", "connlabel", "rateest", "tcpmss", "srh");
    static final List<String> KNOWN_UNSUPPORTED_TARGETS = List.of("CONNMARK", "TPROXY",
            "NFQUEUE", "NFLOG", "TCPMSS", "TOS", "DSCP", "TTL", "CLASSIFY", "CHECKSUM", "SET", "TRACE",
            "AUDIT", "SECMARK", "CONNSECMARK", "HMARK", "IDLETIMER", "LED", "TEE", "SYNPROXY", "ULOG", "QUEUE",
            "RATEEST", "TCPOPTSTRIP");

    /**
     * Why a module is refused, where the reason is what jnat models rather than work not done yet:
     * the facts these modules read (a socket, its owner, a cgroup, a security context, an IPsec
     * state or a userspace program) do not exist in jnat's host. Empty for the others.
     */
    static String why(String module) {
        return switch (module) {
            case "cgroup" -> ": jnat models no processes or cgroups";
            case "SECMARK", "CONNSECMARK" -> ": jnat models no SELinux security contexts";
            case "ipvs" -> ": jnat has no IPVS";
            case "physdev" -> ": jnat models no bridges, so no packet has a bridge port";
            case "helper" -> ": jnat assigns no conntrack helpers, so no connection has one";
            case "osf" -> ": jnat has no OS fingerprints loaded (nfnl_osf)";
            case "cpu" -> ": jnat's packets run on no fixed CPU (one engine, whichever worker holds it)";
            case "CLASSIFY" -> ": jnat has no qdiscs (tc classes) for skb->priority to select";
            case "AUDIT" -> ": jnat has no kernel audit log to write to";
            case "IDLETIMER" -> ": jnat has no sysfs idle timers (/sys/class/xt_idletimer) to expose";
            case "LED" -> ": jnat has no LED triggers";
            default -> "";
        };
    }

    /** Whether a module Linux has and jnat lacks for the family: refused as "not supported by jnat". */
    static boolean unsupportedMatch(String name, boolean ipv6) {
        if (ipv6 && name.equals("icmp")) return false; // ip6tables has no icmp match: "Couldn't load"
        return KNOWN_UNSUPPORTED_MATCHES.contains(name) && !hasMatch(name, ipv6);
    }

    static boolean unsupportedTarget(String name, boolean ipv6) {
        return KNOWN_UNSUPPORTED_TARGETS.contains(name) && !hasTarget(name, ipv6);
    }

    /** Each module's long options, for getopt_long's unique-prefix abbreviations ("--to" for --to-destination). */
    static final Map<String, List<String>> MODULE_OPTIONS = Map.ofEntries(
            Map.entry("tcp", List.of("--sport", "--source-port", "--dport", "--destination-port", "--tcp-flags", "--syn")),
            Map.entry("udp", List.of("--sport", "--source-port", "--dport", "--destination-port")),
            Map.entry("icmp", List.of("--icmp-type")),
            Map.entry("icmp6", List.of("--icmpv6-type")),
            Map.entry("multiport", List.of("--sports", "--source-ports", "--dports", "--destination-ports", "--ports")),
            Map.entry("addrtype", List.of("--src-type", "--dst-type", "--limit-iface-in", "--limit-iface-out")),
            Map.entry("comment", List.of("--comment")),
            Map.entry("mark", List.of("--mark")),
            Map.entry("conntrack", List.of("--ctstate", "--ctproto", "--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst",
                    "--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport", "--ctstatus", "--ctexpire", "--ctdir")),
            Map.entry("statistic", List.of("--mode", "--probability", "--every", "--packet")),
            Map.entry("iprange", List.of("--src-range", "--dst-range")),
            Map.entry("state", List.of("--state")),
            Map.entry("length", List.of("--length")),
            Map.entry("limit", List.of("--limit", "--limit-burst")),
            Map.entry("connmark", List.of("--mark")),
            Map.entry("tos", List.of("--tos")),
            Map.entry("dscp", List.of("--dscp", "--dscp-class")),
            Map.entry("ecn", List.of("--ecn-tcp-cwr", "--ecn-tcp-ece", "--ecn-ip-ect")),
            Map.entry("tcpmss", List.of("--mss")),
            Map.entry("pkttype", List.of("--pkt-type")),
            Map.entry("mac", List.of("--mac-source")),
            Map.entry("recent", List.of("--set", "--rcheck", "--update", "--remove", "--seconds", "--reap", "--hitcount",
                    "--rttl", "--name", "--rsource", "--rdest", "--mask")),
            Map.entry("hashlimit", List.of("--hashlimit-upto", "--hashlimit-above", "--hashlimit", "--hashlimit-srcmask",
                    "--hashlimit-dstmask", "--hashlimit-burst", "--hashlimit-htable-size", "--hashlimit-htable-max",
                    "--hashlimit-htable-gcinterval", "--hashlimit-htable-expire", "--hashlimit-mode", "--hashlimit-name",
                    "--hashlimit-rate-match", "--hashlimit-rate-interval")),
            Map.entry("rpfilter", List.of("--loose", "--validmark", "--accept-local", "--invert")),
            Map.entry("policy", List.of("--dir", "--pol", "--strict", "--reqid", "--spi", "--tunnel-src", "--tunnel-dst",
                    "--proto", "--mode", "--next")),
            Map.entry("ttl", List.of("--ttl-eq", "--ttl-lt", "--ttl-gt", "--ttl")),
            Map.entry("CONNMARK", List.of("--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark",
                    "--save-mark", "--restore-mark", "--ctmask", "--nfmask", "--mask")),
            Map.entry("TOS", List.of("--set-tos", "--and-tos", "--or-tos", "--xor-tos")),
            Map.entry("DSCP", List.of("--set-dscp", "--set-dscp-class")),
            Map.entry("CHECKSUM", List.of("--checksum-fill")),
            Map.entry("NFLOG", List.of("--nflog-group", "--nflog-prefix", "--nflog-range", "--nflog-size", "--nflog-threshold")),
            Map.entry("NFQUEUE", List.of("--queue-num", "--queue-balance", "--queue-bypass", "--queue-cpu-fanout")),
            Map.entry("TTL", List.of("--ttl-set", "--ttl-dec", "--ttl-inc")),
            Map.entry("ECN", List.of("--ecn-tcp-remove", "--ecn-tcp-cwr", "--ecn-tcp-ece", "--ecn-ip-ect")),
            Map.entry("TCPMSS", List.of("--set-mss", "--clamp-mss-to-pmtu")),
            Map.entry("frag", List.of("--fragid", "--fraglen", "--fragres", "--fragfirst", "--fragmore", "--fraglast")),
            Map.entry("hbh", List.of("--hbh-len", "--hbh-opts")),
            Map.entry("dst", List.of("--dst-len", "--dst-opts")),
            Map.entry("rt", List.of("--rt-type", "--rt-segsleft", "--rt-len", "--rt-0-res", "--rt-0-addrs",
                    "--rt-0-not-strict")),
            Map.entry("ipv6header", List.of("--header", "--soft")),
            Map.entry("ah", List.of("--ahspi", "--ahlen", "--ahres")),
            Map.entry("esp", List.of("--espspi")),
            Map.entry("quota", List.of("--quota")),
            Map.entry("nfacct", List.of("--nfacct-name")),
            Map.entry("devgroup", List.of("--src-group", "--dst-group")),
            Map.entry("realm", List.of("--realm")),
            Map.entry("RATEEST", List.of("--rateest-name", "--rateest-interval", "--rateest-ewmalog")),
            Map.entry("rateest", List.of("--rateest1", "--rateest", "--rateest2", "--rateest-bps1", "--rateest-pps1",
                    "--rateest-bps2", "--rateest-pps2", "--rateest-bps", "--rateest-pps", "--rateest-delta", "--rateest-lt",
                    "--rateest-gt", "--rateest-eq")),
            Map.entry("owner", List.of("--uid-owner", "--gid-owner", "--socket-exists", "--suppl-groups")),
            Map.entry("socket", List.of("--transparent", "--nowildcard", "--restore-skmark")),
            Map.entry("TPROXY", List.of("--on-port", "--on-ip", "--tproxy-mark")),
            Map.entry("TEE", List.of("--gateway", "--oif")),
            Map.entry("SYNPROXY", List.of("--sack-perm", "--timestamp", "--wscale", "--mss", "--ecn")),
            Map.entry("sctp", List.of("--source-port", "--sport", "--destination-port", "--dport", "--chunk-types")),
            Map.entry("string", List.of("--from", "--to", "--algo", "--icase", "--string", "--hex-string")),
            Map.entry("u32", List.of("--u32")),
            Map.entry("ipcomp", List.of("--ipcompspi", "--compres")),
            Map.entry("bpf", List.of("--bytecode", "--object-pinned")),
            Map.entry("TCPOPTSTRIP", List.of("--strip-options")),
            Map.entry("cluster", List.of("--cluster-total-nodes", "--cluster-local-node", "--cluster-local-nodemask",
                    "--cluster-hash-seed")),
            Map.entry("HMARK", List.of("--hmark-tuple", "--hmark-src-prefix", "--hmark-dst-prefix", "--hmark-sport-mask",
                    "--hmark-dport-mask", "--hmark-spi-mask", "--hmark-sport", "--hmark-dport", "--hmark-spi", "--hmark-proto-mask",
                    "--hmark-rnd", "--hmark-mod", "--hmark-offset")),
            Map.entry("connlabel", List.of("--label", "--set")),
            Map.entry("time", List.of("--datestart", "--datestop", "--timestart", "--timestop", "--contiguous", "--weekdays",
                    "--monthdays", "--localtz", "--utc", "--kerneltz")),
            Map.entry("srh", List.of("--srh-next-hdr", "--srh-hdr-len-eq", "--srh-hdr-len-gt", "--srh-hdr-len-lt",
                    "--srh-segs-left-eq", "--srh-segs-left-gt", "--srh-segs-left-lt", "--srh-last-entry-eq",
                    "--srh-last-entry-gt", "--srh-last-entry-lt", "--srh-tag", "--srh-psid", "--srh-nsid", "--srh-lsid")),
            Map.entry("connlimit", List.of("--connlimit-upto", "--connlimit-above", "--connlimit-mask", "--connlimit-saddr",
                    "--connlimit-daddr")),
            Map.entry("connbytes", List.of("--connbytes", "--connbytes-dir", "--connbytes-mode")),
            Map.entry("dccp", List.of("--source-port", "--sport", "--destination-port", "--dport", "--dccp-types", "--dccp-option")),
            Map.entry("set", List.of("--match-set", "--set", "--return-nomatch", "--update-counters", "--packets-eq",
                    "--packets-lt", "--packets-gt", "--bytes-eq", "--bytes-lt", "--bytes-gt", "--update-subcounters")),
            Map.entry("SET", List.of("--add-set", "--del-set", "--exist", "--timeout", "--map-set", "--map-mark", "--map-prio",
                    "--map-queue")),
            Map.entry("mh", List.of("--mh-type")),
            Map.entry("hl", List.of("--hl-eq", "--hl-lt", "--hl-gt", "--hl")),
            Map.entry("SNAT", List.of("--to-source", "--random", "--random-fully", "--persistent")),
            Map.entry("DNAT", List.of("--to-destination", "--random", "--random-fully", "--persistent")),
            Map.entry("MASQUERADE", List.of("--to-ports", "--random", "--random-fully")),
            Map.entry("REDIRECT", List.of("--to-ports", "--random")),
            Map.entry("NETMAP", List.of("--to")),
            Map.entry("REJECT", List.of("--reject-with")),
            Map.entry("HL", List.of("--hl-set", "--hl-dec", "--hl-inc")),
            Map.entry("SNPT", List.of("--src-pfx", "--dst-pfx")),
            Map.entry("DNPT", List.of("--src-pfx", "--dst-pfx")),
            Map.entry("CT", List.of("--notrack", "--helper", "--ctevents", "--expevents", "--zone", "--zone-orig",
                    "--zone-reply", "--timeout")),
            Map.entry("MARK", List.of("--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark")),
            Map.entry("LOG", List.of("--log-level", "--log-prefix", "--log-tcp-sequence", "--log-tcp-options",
                    "--log-ip-options", "--log-uid", "--log-macdecode")));
}
