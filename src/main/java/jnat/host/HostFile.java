package jnat.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The host-file reader: one ip(8) command a line without the leading {@code ip} ({@code link},
 * {@code addr}, {@code route}, {@code neigh}, {@code tuntap}), {@code #} starts a comment. Objects and
 * commands may be abbreviated as ip(8) allows ({@code a}, {@code r}, {@code n}, {@code l}). IPv6
 * lines are told apart as ip(8) tells them: {@code -6} (or {@code -f inet6}) before the object, else
 * the first address of the line holding a ':'. Every error is a {@link HostFileException}
 * "FILE:LINE: reason".
 */
final class HostFile {
    /** ip(8)'s object table in its order: an abbreviation means the first object it starts. */
    private static final String[] OBJECTS = {
        "address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl",
        "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "tap", "token", "tcpmetrics", "monitor",
        "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "stats",
    };
    private static final List<String> LINK_TYPES = List.of("dummy", "veth", "bridge", "tun");

    private final Host host = new Host();
    private List<String> words;
    private int pos;
    /** The line's address family: 0 until -4/-6 or its first address says (rtm_family), else 4 or 6. */
    private int family;

    private HostFile() {}

    static Host parse(String text, String fileName) {
        HostFile f = new HostFile();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            List<String> words = tokenize(lines[i]);
            if (words.isEmpty()) continue;
            try {
                f.command(words);
            } catch (HostException | IllegalArgumentException e) {
                throw new HostFileException(fileName, i + 1, e.getMessage());
            }
        }
        return f.host;
    }

    private static List<String> tokenize(String line) {
        List<String> words = new ArrayList<>();
        for (String w : line.trim().split("\\s+")) {
            if (w.startsWith("#")) break;
            if (!w.isEmpty()) words.add(w);
        }
        return words;
    }

    // ---- word cursor --------------------------------------------------------------------------

    private boolean more() { return pos < words.size(); }

    private String next() { return words.get(pos++); }

    /** The argument of keyword {@code key}, as ip's NEXT_ARG() demands. */
    private String arg(String key) {
        if (!more()) throw new HostException("Command line is not complete. Try option \"help\" (\"" + key + "\" needs an argument)");
        return next();
    }

    /** iproute2's matches(): {@code word} is a non-empty prefix of {@code full}. */
    private static boolean matches(String word, String full) {
        return !word.isEmpty() && full.startsWith(word);
    }

    private void command(List<String> w) {
        words = w;
        pos = 0;
        if (next().equals("ip")) {
            if (!more()) throw new HostException("missing object after \"ip\"");
        } else {
            pos = 0;
        }
        family = 0;
        String word = next();
        while (word.startsWith("-")) { // ip's global options
            switch (word) {
                case "-6" -> family = 6;
                case "-4" -> family = 4;
                case "-f", "-family" -> {
                    String f = arg(word);
                    family = switch (f) {
                        case "inet6" -> 6;
                        case "inet" -> 4;
                        default -> throw new HostException("Error: argument \"" + f + "\" is wrong: invalid protocol family (inet or inet6)");
                    };
                }
                default -> throw new HostException("Option \"" + word + "\" is unknown, try \"ip -help\".");
            }
            if (!more()) throw new HostException("missing object after \"" + word + "\"");
            word = next();
        }
        String object = null;
        for (String o : OBJECTS) {
            if (matches(word, o)) { object = o; break; }
        }
        if (object == null) throw new HostException("Object \"" + word + "\" is unknown, try \"ip help\".");
        if (!more()) throw new HostException("missing command after \"" + object + "\"");
        String cmd = next();
        switch (object) {
            case "link" -> {
                if (matches(cmd, "add")) linkAdd();
                else if (matches(cmd, "set") || matches(cmd, "change")) linkSet();
                else throw unsupported("link", cmd);
            }
            case "address" -> {
                if (matches(cmd, "add")) addrAdd();
                else throw unsupported("address", cmd);
            }
            case "route" -> {
                if (matches(cmd, "add")) routeAdd(Host.RouteMode.ADD);
                else if (matches(cmd, "replace")) routeAdd(Host.RouteMode.REPLACE);
                else if (matches(cmd, "append")) routeAdd(Host.RouteMode.APPEND);
                else throw unsupported("route", cmd);
            }
            case "neighbor", "neighbour" -> {
                if (matches(cmd, "add")) neighAdd(false);
                else if (matches(cmd, "replace") || matches(cmd, "change") || cmd.equals("chg")) neighAdd(true);
                else throw unsupported("neigh", cmd);
            }
            case "rule" -> {
                if (matches(cmd, "add")) ruleModify(true);
                else if (matches(cmd, "delete")) ruleModify(false);
                else throw unsupported("rule", cmd);
            }
            case "tuntap", "tap" -> {
                if (matches(cmd, "add")) tuntapAdd();
                else throw unsupported("tuntap", cmd);
            }
            default -> throw new HostException("ip " + object + " is not supported in a host file"
                    + " (use link, addr, route, rule, neigh, tuntap)");
        }
    }

    private static HostException unsupported(String object, String cmd) {
        return new HostException("Command \"" + cmd + "\" is unknown or not supported for \"ip " + object + "\" in a host file");
    }

    private Interface device(String name) {
        Interface dev = host.device(name);
        if (dev == null) throw new HostException("Cannot find device \"" + name + "\"");
        return dev;
    }

    // ---- link -------------------------------------------------------------------------------

    /** link add [name|dev] NAME [address MAC] [mtu N] [up] type dummy|veth|bridge|tun [peer [name] P] */
    private void linkAdd() {
        String name = null, type = null, peer = null;
        LinkChanges changes = new LinkChanges();
        while (more()) {
            String w = next();
            if (type != null) {
                if (type.equals("veth") && w.equals("peer")) {
                    String p = arg("peer");
                    peer = p.equals("name") ? arg("name") : p;
                    continue;
                }
                throw new HostException("unknown option \"" + w + "\" for type " + type);
            }
            switch (w) {
                case "type" -> {
                    type = arg("type");
                    if (!LINK_TYPES.contains(type)) throw new HostException("Error: Unknown device type \"" + type + "\" (supported: " + String.join(", ", LINK_TYPES) + ")");
                }
                case "name", "dev" -> name = dupCheck(name, "name", arg(w));
                default -> {
                    if (!changes.option(w)) name = dupCheck(name, "name", w);
                }
            }
        }
        if (name == null) throw new HostException("Not enough information: \"dev\" argument is required.");
        if (type == null) throw new HostException("Not enough information: \"type\" argument is required.");
        Interface dev = host.addLink(name, type);
        if (peer != null) host.addLink(peer, "veth");
        changes.apply(dev);
    }

    /** link set [dev] X [address MAC] [mtu N] [group G] [up|down]; an unknown X is created (layer 3 only until it gets a MAC). */
    private void linkSet() {
        String name = null;
        LinkChanges changes = new LinkChanges();
        while (more()) {
            String w = next();
            if (w.equals("dev")) name = dupCheck(name, "dev", arg("dev"));
            else if (!changes.option(w)) name = dupCheck(name, "dev", w);
        }
        if (name == null) throw new HostException("Not enough information: \"dev\" argument is required.");
        Interface dev = host.device(name);
        if (dev == null) dev = host.addLink(name, "none");
        changes.apply(dev);
    }

    private static String dupCheck(String old, String key, String value) {
        if (old != null) throw new HostException("Error: either \"" + key + "\" is duplicate, or \"" + value + "\" is a garbage.");
        return value;
    }

    /** The settings of a link add/set line, applied in the kernel's order: MTU, address, then flags. */
    private final class LinkChanges {
        long mac = Interface.NO_MAC;
        int mtu = -1;
        Boolean up;
        Boolean eui64;
        int group = -1;

        /** Consumes a known option, false if {@code w} is not one. */
        boolean option(String w) {
            switch (w) {
                case "address" -> {
                    String s = arg("address");
                    try { mac = Inet4.parseMac(s); }
                    catch (IllegalArgumentException e) { throw new HostException("\"" + s + "\" is invalid lladdr."); }
                }
                case "mtu" -> {
                    String s = arg("mtu");
                    mtu = Scope.parseNumber(s, Integer.MAX_VALUE);
                    if (mtu < 0) throw new HostException("Invalid \"mtu\" value \"" + s + "\"");
                }
                case "up" -> up = true;
                case "down" -> up = false;
                case "group" -> group = parseGroup(arg("group"));
                case "addrgenmode" -> {
                    String m = arg("addrgenmode");
                    eui64 = switch (m) {
                        case "eui64" -> true;
                        case "none" -> false;
                        case "stable_secret", "random" -> throw new HostException("addrgenmode " + m
                                + " is not supported in a host file (its link-local address cannot be predicted)");
                        default -> throw new HostException("Error: argument \"" + m + "\" is wrong: Invalid address generation mode");
                    };
                }
                default -> {
                    if (List.of("arp", "multicast", "allmulticast", "promisc", "txqueuelen", "qlen", "alias",
                            "netns", "master", "nomaster", "state", "mode", "broadcast", "brd",
                            "peer", "vf", "xdp", "link").contains(w)) {
                        throw new HostException("link option \"" + w + "\" is not supported in a host file");
                    }
                    return false;
                }
            }
            return true;
        }

        void apply(Interface dev) {
            if (mtu >= 0) host.setMtu(dev, mtu);
            if (mac != Interface.NO_MAC) host.setMac(dev, mac);
            if (group >= 0) host.setGroup(dev, group);
            if (eui64 != null) host.setAddrGenMode(dev, eui64); // IFLA_AF_SPEC goes before the flags
            if (up != null) host.setUp(dev, up);
        }
    }

    /**
     * rtnl_group_a2n: "default" (the one name of Debian's /etc/iproute2/group) or a number
     * (strtol, base 0) from 0 to INT_MAX.
     */
    static int parseGroup(String s) {
        if (s.equals("default")) return 0;
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16)
                    : s.length() > 1 && s.startsWith("0") ? Long.parseLong(s.substring(1), 8) : Long.parseLong(s);
            if (v >= 0 && v <= Integer.MAX_VALUE && !s.startsWith("+") && !s.startsWith("-")) return (int) v;
        } catch (NumberFormatException e) {
            // as below
        }
        throw new HostException("Error: argument \"" + s + "\" is wrong: Invalid \"group\" value");
    }

    /** tuntap add [dev] NAME mode tun */
    private void tuntapAdd() {
        String name = null, mode = null;
        while (more()) {
            String w = next();
            switch (w) {
                case "dev", "name" -> name = dupCheck(name, "dev", arg(w));
                case "mode" -> mode = arg("mode");
                case "tun", "tap" -> mode = w;
                default -> name = dupCheck(name, "dev", w);
            }
        }
        if (name == null) throw new HostException("Not enough information: \"dev\" argument is required.");
        if (!"tun".equals(mode)) throw new HostException("only \"mode tun\" is supported");
        host.addLink(name, "tun");
    }

    // ---- address ----------------------------------------------------------------------------

    /** addr add A[/P] [brd B|+|-] dev X [scope S] [label L] [noprefixroute] [nodad] [metric N] */
    private void addrAdd() {
        int local = 0, plen = -1, brd = 0, scope = -1, metric = 0;
        long[] local6 = null;
        boolean haveLocal = false, noPrefixRoute = false, nodad = false;
        String brdArg = null, dev = null, label = null;
        while (more()) {
            String w = next();
            switch (w) {
                case "broadcast", "brd" -> brdArg = dupCheck(brdArg, "broadcast", arg(w));
                case "scope" -> scope = Scope.parse(arg("scope"));
                case "dev" -> dev = dupCheck(dev, "dev", arg("dev"));
                case "label" -> label = dupCheck(label, "label", arg("label"));
                case "noprefixroute" -> noPrefixRoute = true;
                case "metric", "priority" -> metric = number(arg(w), "metric");
                case "valid_lft", "preferred_lft" -> {
                    String v = arg(w);
                    if (!v.equals("forever")) throw new HostException(w + " other than \"forever\" is not supported in a host file");
                }
                case "nodad" -> nodad = true;
                case "peer", "remote", "anycast", "home", "mngtmpaddr", "optimistic", "autojoin" ->
                        throw new HostException("address option \"" + w + "\" is not supported in a host file");
                default -> {
                    String a = w.equals("local") ? arg("local") : w;
                    if (haveLocal) throw new HostException("Error: either \"local\" is duplicate, or \"" + a + "\" is a garbage.");
                    int slash = a.indexOf('/');
                    if (isIpv6(a)) {
                        local6 = prefix6(a);
                        plen = (int) local6[2];
                    } else {
                        local = address(slash < 0 ? a : a.substring(0, slash));
                        plen = slash < 0 ? 32 : prefixLength(a.substring(slash + 1), a);
                    }
                    haveLocal = true;
                }
            }
        }
        if (dev == null) throw new HostException("Not enough information: \"dev\" argument is required.");
        if (!haveLocal) throw new HostException("Not enough information: address is required.");
        if (label != null && !label.equals(dev) && !label.startsWith(dev + ":")) {
            throw new HostException("\"label\" (" + label + ") must match \"dev\" (" + dev + ") or be prefixed by \"dev\" with a colon.");
        }
        if (local6 != null) {
            if (brdArg != null) throw new HostException("Broadcast can be set only for IPv4 addresses");
            // inet6_addr_add takes the scope from the address (ipv6_addr_scope), not from "scope"; a label is ignored
            host.addAddress6(device(dev), local6[0], local6[1], plen, nodad, noPrefixRoute, metric);
            return;
        }
        if (nodad) throw new HostException("address option \"nodad\" is not supported in a host file");
        if (brdArg != null) {
            if (brdArg.equals("+") || brdArg.equals("-")) {
                // ip computes it only for prefixes up to /30
                if (plen <= 30) brd = brdArg.equals("+") ? local | ~Inet4.mask(plen) : local & Inet4.mask(plen);
            } else {
                brd = address(brdArg);
            }
        }
        if (scope < 0) scope = Inet4.isLoopback(local) ? Scope.HOST : Scope.UNIVERSE; // ip's default_scope()
        Interface d = device(dev);
        host.addAddress(new InterfaceAddress(d, local, plen, brd, scope, label, noPrefixRoute, metric));
    }

    // ---- route ------------------------------------------------------------------------------

    /** route add [TYPE] PREFIX|default [via GW] [dev X] [src S] [metric N] [proto P] [scope S] [table T] [onlink] [realm[s] [S/]D] */
    private void routeAdd(Host.RouteMode mode) {
        RouteType type = RouteType.UNICAST;
        boolean haveType = false, haveDst = false, onlink = false;
        int dst = 0, plen = 0, gw = 0, src = 0, metric = 0, proto = Route.PROTO_BOOT, scope = -1, table = -1;
        long realms = 0;
        long[] dst6 = {0, 0, 0}, gw6 = {0, 0}, src6 = {0, 0};
        boolean anyGateway6 = false;
        String dev = null;
        while (more()) {
            String w = next();
            switch (w) {
                case "via" -> {
                    String g = arg("via");
                    if (g.equals("inet") || g.equals("inet6")) g = arg("via");
                    if (isIpv6(g)) {
                        gw6 = address6(g);
                        anyGateway6 |= (gw6[0] | gw6[1]) == 0;
                    } else {
                        gw = address4(g);
                    }
                }
                case "dev", "oif" -> dev = dupCheck(dev, "dev", arg(w));
                case "src" -> {
                    String a = arg("src");
                    if (isIpv6(a)) src6 = address6(a);
                    else src = address4(a);
                }
                case "metric", "priority", "preference" -> metric = number(arg(w), "metric");
                case "proto", "protocol" -> {
                    String p = arg(w);
                    proto = Route.parseProtocol(p);
                    if (proto < 0) throw new HostException("Error: \"protocol\" value is invalid: \"" + p + "\"");
                }
                case "scope" -> scope = Scope.parse(arg("scope"));
                case "table" -> {
                    String t = arg("table");
                    table = Route.parseTable(t);
                    if (table < 0) throw new HostException("Error: argument \"" + t + "\" is wrong: \"table\" value is invalid");
                }
                case "onlink" -> onlink = true;
                case "realm", "realms" -> {
                    String v = arg(w);
                    realms = RtRealms.parse(v);
                    if (realms < 0) throw new HostException("Error: argument \"" + v + "\" is wrong: \"realm\" value is invalid");
                }
                case "nexthop", "nhid", "encap", "mtu", "advmss", "tos", "dsfield", "from", "iif" ->
                        throw new HostException("route option \"" + w + "\" is not supported in a host file");
                default -> {
                    String d = w.equals("to") ? arg("to") : w;
                    RouteType t = haveDst || haveType || Character.isDigit(d.charAt(0)) ? null : RouteType.parse(d);
                    if (t != null && !d.equals("default")) {
                        type = t;
                        haveType = true;
                        continue;
                    }
                    if (haveDst) throw new HostException("Error: either \"to\" is duplicate, or \"" + d + "\" is a garbage.");
                    haveDst = true;
                    if (d.equals("default") || d.equals("all") || d.equals("any")) {
                        dst = 0;
                        plen = 0;
                    } else if (isIpv6(d)) {
                        dst6 = prefix6(d);
                        plen = (int) dst6[2];
                    } else {
                        int slash = d.indexOf('/');
                        dst = address(slash < 0 ? d : d.substring(0, slash));
                        plen = slash < 0 ? 32 : prefixLength(d.substring(slash + 1), d);
                        if (family == 0) family = 4;
                    }
                }
            }
        }
        if (!haveDst) throw new HostException("Not enough information: destination prefix is required.");
        if (table < 0) {
            table = switch (type) {
                case LOCAL, BROADCAST, NAT, ANYCAST -> Route.TABLE_LOCAL;
                default -> Route.TABLE_MAIN;
            };
        }
        if (family == 6) {
            if (type == RouteType.BROADCAST || type == RouteType.NAT || type == RouteType.MULTICAST || type == RouteType.XRESOLVE) {
                throw new HostException("route type " + type.ipName() + " is not supported for IPv6 in a host file");
            }
            if (realms != 0) throw new HostException("route option \"realm\" is not supported for IPv6 in a host file");
            // IPv6 routes have no scope (the kernel reports universe for all of them): "scope" is ignored
            Interface d = dev == null ? null : device(dev);
            if (anyGateway6) throw new HostException("Error: Invalid gateway address."); // ip6_validate_gw: :: is no unicast
            host.addRoute6(new Route6(table, type, dst6[0], dst6[1], plen, gw6[0], gw6[1], d, src6[0], src6[1], metric, proto, onlink), mode);
            return;
        }
        if (scope < 0) { // iproute_modify's defaults
            scope = switch (type) {
                case LOCAL, NAT -> Scope.HOST;
                case BROADCAST, MULTICAST, ANYCAST -> Scope.LINK;
                case UNICAST -> gw == 0 ? Scope.LINK : Scope.UNIVERSE;
                default -> Scope.UNIVERSE;
            };
        }
        Interface d = dev == null ? null : device(dev);
        Route r = new Route(table, type, dst, plen, gw, d, src, metric, proto, scope, onlink);
        r.realms = (int) realms;
        host.addRoute(r, mode);
    }

    // ---- rule -------------------------------------------------------------------------------

    /**
     * rule add|del [not] [from P] [to P] [pref N] [fwmark M[/MASK]] [iif|dev D] [oif D] [lookup|table T]
     * [goto N | nop | blackhole | unreachable | prohibit] (iprule_modify); the family from -6 or the
     * first address, IPv4 otherwise.
     */
    private void ruleModify(boolean add) {
        boolean invert = false, prioGiven = false, selectors = false;
        int prio = 0, mark = 0, mask = 0, table = 0, action = FibRule.TO_TBL, target = 0;
        boolean markGiven = false, maskGiven = false;
        long[] src = {0, 0, 0}, dst = {0, 0, 0};
        String iif = null, oif = null;
        while (more()) {
            String w = next();
            switch (w) {
                case "not" -> { invert = true; selectors = true; }
                case "from", "to" -> {
                    String a = arg(w);
                    long[] pfx = rulePrefix(a);
                    if (w.equals("from")) src = pfx;
                    else dst = pfx;
                    selectors = true;
                }
                case "fwmark" -> {
                    String v = arg("fwmark");
                    int slash = v.indexOf('/');
                    mark = u32(slash < 0 ? v : v.substring(0, slash), "fwmark");
                    markGiven = true;
                    if (slash >= 0) {
                        mask = u32(v.substring(slash + 1), "fwmask");
                        maskGiven = true;
                    }
                    selectors = true;
                }
                case "iif", "dev" -> { iif = arg(w); selectors = true; }
                case "oif" -> { oif = arg(w); selectors = true; }
                case "table", "lookup" -> {
                    String t = arg(w);
                    table = Route.parseTable(t);
                    if (table < 0) throw new HostException("Error: argument \"" + t + "\" is wrong: invalid table ID");
                    selectors = true;
                }
                case "goto" -> {
                    target = u32(arg("goto"), "target");
                    action = FibRule.GOTO;
                    selectors = true;
                }
                case "nop" -> { action = FibRule.NOP; selectors = true; }
                case "blackhole" -> { action = FibRule.BLACKHOLE; selectors = true; }
                case "unreachable" -> { action = FibRule.UNREACHABLE; selectors = true; }
                case "prohibit" -> { action = FibRule.PROHIBIT; selectors = true; }
                case "tos", "dsfield", "realms", "suppress_prefixlength", "suppress_ifgroup", "l3mdev", "uidrange",
                     "sport", "dport", "ipproto", "protocol", "nat", "map-to", "tun_id", "type" ->
                        throw new HostException("rule option \"" + w + "\" is not supported in a host file");
                default -> {
                    if (matches(w, "preference") || matches(w, "order") || matches(w, "priority")) {
                        prio = u32(arg(w), "preference");
                        prioGiven = true;
                    } else {
                        throw new HostException("Error: argument \"" + w + "\" is wrong: Failed to parse rule type");
                    }
                }
            }
        }
        if (add && action == FibRule.TO_TBL && table == 0) table = Route.TABLE_MAIN; // iprule_modify's default, for add only
        if (markGiven && !maskGiven && mark != 0) mask = -1; // fib_nl2rule: a mark alone compares every bit
        int fam = family == 6 ? 6 : 4;
        int bits = fam == 6 ? 128 : 32;
        if (src[2] > bits || dst[2] > bits) throw new HostException("Error: an inet prefix is expected.");
        FibRule r = new FibRule(fam, prio, invert, (int) (fam == 4 ? src[1] : 0), fam == 6 ? src[0] : 0, fam == 6 ? src[1] : 0,
                (int) src[2], (int) (fam == 4 ? dst[1] : 0), fam == 6 ? dst[0] : 0, fam == 6 ? dst[1] : 0, (int) dst[2],
                mark, mask, iif, oif, table, action, target);
        if (add) host.addRule(r, prioGiven);
        else host.deleteRule(r, prioGiven, selectors);
    }

    /** A rule's from/to: all (any, default) or an address with an optional length; {hi, lo, len}, IPv4 in lo. */
    private long[] rulePrefix(String a) {
        if (a.equals("all") || a.equals("any") || a.equals("default")) return new long[] {0, 0, 0};
        if (isIpv6(a)) return prefix6(a);
        int slash = a.indexOf('/');
        int v = address4(slash < 0 ? a : a.substring(0, slash));
        int plen = slash < 0 ? 32 : prefixLength(a.substring(slash + 1), a);
        return new long[] {0, v, plen};
    }

    private static int u32(String s, String what) {
        long v;
        try {
            v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0 || v > 0xffffffffL) throw new HostException("Error: argument \"" + s + "\" is wrong: " + what + " value is invalid");
        return (int) v;
    }

    // ---- neighbour --------------------------------------------------------------------------

    /** neigh add|replace [to] A lladdr MAC dev X [nud permanent|noarp|reachable|stale] */
    private void neighAdd(boolean replace) {
        int addr = 0;
        long[] addr6 = null;
        boolean haveAddr = false;
        long mac = Interface.NO_MAC;
        String dev = null, state = "PERMANENT";
        while (more()) {
            String w = next();
            switch (w) {
                case "lladdr" -> {
                    String s = arg("lladdr");
                    try { mac = Inet4.parseMac(s); }
                    catch (IllegalArgumentException e) { throw new HostException("\"" + s + "\" is invalid lladdr."); }
                }
                case "dev" -> dev = dupCheck(dev, "dev", arg("dev"));
                case "nud" -> {
                    String s = arg("nud").toLowerCase(Locale.ROOT);
                    if (!List.of("permanent", "noarp", "reachable", "stale").contains(s)) {
                        throw new HostException("nud state \"" + s + "\" is not supported (permanent, noarp, reachable, stale)");
                    }
                    state = s.toUpperCase(Locale.ROOT);
                }
                case "router", "proxy", "extern_learn", "use", "managed" ->
                        throw new HostException("neigh option \"" + w + "\" is not supported in a host file");
                default -> {
                    String a = w.equals("to") ? arg("to") : w;
                    if (haveAddr) throw new HostException("Error: either \"to\" is duplicate, or \"" + a + "\" is a garbage.");
                    if (isIpv6(a)) addr6 = address6(a);
                    else addr = address(a);
                    haveAddr = true;
                }
            }
        }
        if (dev == null || !haveAddr) throw new HostException("Device and destination are required arguments.");
        if (mac == Interface.NO_MAC) throw new HostException("lladdr is required (a host file has no ARP to resolve it)");
        if (addr6 != null) host.addNeighbour6(new Neighbour6(addr6[0], addr6[1], mac, device(dev), state), replace);
        else host.addNeighbour(new Neighbour(addr, mac, device(dev), state), replace);
    }

    // ---- values -----------------------------------------------------------------------------

    /** An IPv4 address as ip's get_addr_ipv4 reads it: 1 to 4 parts, missing ones zero ("10" is 10.0.0.0). */
    private static int address(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length > 4) throw new HostException("Error: an inet address is expected rather than \"" + s + "\".");
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int b = 0;
            if (i < parts.length) {
                b = Scope.parseNumber(parts[i], 255);
                if (b < 0 || parts[i].length() > 3) throw new HostException("Error: an inet address is expected rather than \"" + s + "\".");
            }
            value = (value << 8) | b;
        }
        return value;
    }

    /** An IPv4 address; the line's family is IPv4 from here on if it was open. */
    private int address4(String s) {
        int a = address(s);
        if (family == 0) family = 4;
        return a;
    }

    /** iproute2's get_addr_1: an address is IPv6 under -6, or with no family yet when it holds a ':'. */
    private boolean isIpv6(String s) {
        return family == 6 || (family == 0 && s.indexOf(':') >= 0);
    }

    /** An IPv6 address {hi, lo} (inet_pton); the line's family is IPv6 from here on. */
    private long[] address6(String s) {
        try {
            long[] a = Inet6.parse(s);
            family = 6;
            return a;
        } catch (IllegalArgumentException e) {
            throw new HostException("Error: " + familyName() + " address is expected rather than \"" + s + "\".");
        }
    }

    /** An IPv6 prefix {hi, lo, length}; no length is /128. */
    private long[] prefix6(String s) {
        int slash = s.indexOf('/');
        int plen = slash < 0 ? 128 : Scope.parseNumber(s.substring(slash + 1), 128);
        long[] a;
        try {
            a = Inet6.parse(slash < 0 ? s : s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            a = null;
        }
        if (a == null || plen < 0) throw new HostException("Error: " + familyName() + " prefix is expected rather than \"" + s + "\".");
        family = 6;
        return new long[] {a[0], a[1], plen};
    }

    private String familyName() {
        return family == 6 ? "inet6" : family == 4 ? "inet" : "any valid";
    }

    private static int prefixLength(String s, String whole) {
        int p = Scope.parseNumber(s, 32);
        if (p < 0) throw new HostException("Error: an inet prefix is expected rather than \"" + whole + "\".");
        return p;
    }

    private static int number(String s, String what) {
        long v = s.isEmpty() || s.length() > 10 ? -1 : Scope.parseNumber(s, Integer.MAX_VALUE);
        if (v < 0) {
            try { v = Long.parseLong(s); } catch (NumberFormatException e) { v = -1; }
            if (v < 0 || v > 0xffffffffL) throw new HostException("Error: \"" + what + "\" value is invalid: \"" + s + "\"");
        }
        return (int) v;
    }
}
