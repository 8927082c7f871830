package jnat.rules;

/**
 * SNAT, DNAT, MASQUERADE, REDIRECT and NETMAP (libxt_NAT.c, libxt_MASQUERADE.c,
 * libxt_REDIRECT.c, libxt_NETMAP.c): terminal targets that carry their parsed range for the
 * engine to apply (nf_nat_setup_info). NETMAP's range holds the network: minAddr..maxAddr.
 */
public final class NatTarget extends Target {
    public enum Kind { SNAT, DNAT, MASQUERADE, REDIRECT, NETMAP }

    public final Kind kind;
    public final NatRange range;

    NatTarget(Kind kind, NatRange range) {
        this.kind = kind;
        this.range = range;
    }

    @Override
    public String name() {
        return kind.name();
    }

    /** nf_nat_setup_info's answer: the rule's verdict is NF_ACCEPT (nft's nat expression). */
    @Override
    public int nfVerdict() {
        return NfTablesTrace.NF_ACCEPT;
    }

    @Override
    public String table() {
        return "nat";
    }

    @Override
    public int hooks() {
        int pre = Hook.PREROUTING.bit(), in = Hook.INPUT.bit(), out = Hook.OUTPUT.bit(), post = Hook.POSTROUTING.bit();
        return switch (kind) {
            case SNAT -> post | in;
            case DNAT, REDIRECT -> pre | out;
            case MASQUERADE -> post;
            case NETMAP -> pre | in | out | post;
        };
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        switch (kind) {
            case SNAT, DNAT -> {
                out.append(" to:");
                range.appendRange(out);
                range.appendFlags(out, "", true);
            }
            case MASQUERADE -> {
                if (range.has(NatRange.PROTO_SPECIFIED)) {
                    out.append(" masq ports: ");
                    range.appendPorts(out);
                }
                range.appendFlags(out, "", false);
            }
            case REDIRECT -> {
                if (range.has(NatRange.PROTO_SPECIFIED)) {
                    out.append(" redir ports ");
                    range.appendPorts(out);
                }
                range.appendFlags(out, "", false);
            }
            case NETMAP -> {
                out.append(" to:");
                range.appendNetwork(out);
            }
        }
    }

    @Override
    public void save(StringBuilder out) {
        switch (kind) {
            case SNAT, DNAT -> {
                out.append(kind == Kind.SNAT ? " --to-source " : " --to-destination ");
                range.appendRange(out);
                range.appendFlags(out, "--", true);
            }
            case MASQUERADE, REDIRECT -> {
                if (range.has(NatRange.PROTO_SPECIFIED)) {
                    out.append(" --to-ports ");
                    range.appendPorts(out);
                }
                range.appendFlags(out, "--", false);
            }
            case NETMAP -> {
                out.append(" --to ");
                range.appendNetwork(out);
            }
        }
    }

    static final class Parser extends ModuleParser {
        final Kind kind;
        /** ip6tables' targets (libip6t_SNAT.c and friends in 1.8.9): IPv6 addresses, "[addr]:port". */
        final boolean ipv6;
        int flags, minAddr, maxAddr, minPort, maxPort, basePort;
        final long[] addr6 = new long[4];
        boolean given;

        Parser(Kind kind) {
            this(kind, false);
        }

        Parser(Kind kind, boolean ipv6) {
            this.kind = kind;
            this.ipv6 = ipv6;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            String name = kind.name();
            switch (opt) {
                case "--to-source", "--to-destination" -> {
                    if (!opt.equals(kind == Kind.SNAT ? "--to-source" : "--to-destination")
                            || (kind != Kind.SNAT && kind != Kind.DNAT)) {
                        return false;
                    }
                    noInvert(name, opt, invert);
                    if (given) throw new RuleError("Multiple " + opt + " not supported");
                    if (ipv6) parseTo6(args.value(opt), spec);
                    else parseRange(args.value(opt), spec);
                    given = true;
                }
                case "--to-ports" -> {
                    if (kind != Kind.MASQUERADE && kind != Kind.REDIRECT) return false;
                    noInvert(name, opt, invert);
                    if (ipv6) {
                        parsePorts6(args.value(opt), spec);
                    } else {
                        requirePortProto(spec);
                        parsePorts(args.value(opt));
                    }
                }
                case "--to" -> {
                    if (kind != Kind.NETMAP) return false;
                    noInvert(name, opt, invert);
                    if (ipv6) {
                        long[] n = Inet6.parseNetwork(args.value(opt));
                        addr6[0] = n[0];
                        addr6[1] = n[1];
                        addr6[2] = n[0] | ~n[2];
                        addr6[3] = n[1] | ~n[3];
                    } else {
                        int[] n = Inet.parseNetwork(args.value(opt));
                        minAddr = n[0];
                        maxAddr = n[0] | ~n[1];
                    }
                    flags |= NatRange.MAP_IPS;
                    given = true;
                }
                case "--random" -> {
                    if (kind == Kind.NETMAP) return false;
                    flags |= NatRange.PROTO_RANDOM;
                }
                case "--random-fully" -> {
                    if (kind == Kind.NETMAP) return false;
                    flags |= NatRange.PROTO_RANDOM_FULLY;
                }
                case "--persistent" -> {
                    if (kind != Kind.SNAT && kind != Kind.DNAT) return false;
                    flags |= NatRange.PERSISTENT;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private static void requirePortProto(RuleSpec spec) {
            String p = spec.protoName();
            if (p == null || p.equals("icmp") || p.equals("icmp6") || p.equals("udplite") || spec.protoInverted()) {
                throw new RuleError("Need TCP, UDP, SCTP or DCCP with port specification");
            }
        }

        /** iptables 1.8.9 parses IPv4's ports with libxt_NAT's parse_ports too (numbers or service names). */
        private void parsePorts(String v) {
            ports(v);
        }

        private void parseRange(String v, RuleSpec spec) {
            int colon = v.indexOf(':');
            String addrs = colon < 0 ? v : v.substring(0, colon);
            if (colon >= 0) {
                requirePortProto(spec);
                parsePorts(v.substring(colon + 1));
            }
            if (colon < 0 && addrs.isEmpty()) throw new RuleError("Bad IP address \"\""); // ":PORT" alone is fine
            if (!addrs.isEmpty()) {
                int dash = addrs.indexOf('-');
                minAddr = Inet.parseAddress(dash < 0 ? addrs : addrs.substring(0, dash));
                maxAddr = dash < 0 ? minAddr : Inet.parseAddress(addrs.substring(dash + 1));
                if (Integer.compareUnsigned(maxAddr, minAddr) < 0) throw new RuleError("Bad IP range \"" + addrs + "\"");
                flags |= NatRange.MAP_IPS;
            }
        }

        /** parse_to of ip6tables 1.8.9: "[a[-b]]:p[-q]", or "a[-b]" alone (one colon alone is a port). */
        private void parseTo6(String arg, RuleSpec spec) {
            String start;
            int colon; // in arg, or -1
            int open = arg.indexOf('[');
            int startAt;
            if (open < 0) {
                startAt = 0;
                colon = arg.indexOf(':');
                if (colon >= 0 && arg.indexOf(':', colon + 1) >= 0) colon = -1;
            } else {
                startAt = open + 1;
                int end = arg.indexOf(']', startAt);
                if (end < 0) throw new RuleError("Invalid address format");
                colon = arg.indexOf(':', end + 1);
                arg = arg.substring(0, end) + '\0' + arg.substring(end + 1); // *end = '\0'
            }
            if (colon >= 0) {
                parsePorts6(cString(arg, colon + 1), spec);
                if (colon == 0 || colon == 2) return; // ":port" or "[]:port": no address
                arg = arg.substring(0, colon);
            }
            flags |= NatRange.MAP_IPS;
            start = cString(arg, startAt);
            int dash = start.indexOf('-');
            String lo = dash < 0 ? start : start.substring(0, dash);
            long[] a = Inet6.tryParse(lo);
            if (a == null) throw new RuleError("Bad IP address \"" + lo + "\"");
            long[] b = a;
            if (dash >= 0) {
                b = Inet6.tryParse(start.substring(dash + 1));
                if (b == null) throw new RuleError("Bad IP address \"" + start.substring(dash + 1) + "\"");
            }
            addr6[0] = a[0];
            addr6[1] = a[1];
            addr6[2] = b[0];
            addr6[3] = b[1];
        }

        /**
         * libxt_NAT's parse_ports (ip6tables 1.8.9): "p[-q]", numbers or service names; "/base"
         * (a shifted range, NF_NAT_RANGE_PROTO_OFFSET) is refused: jnat's NAT has no port offset.
         */
        private void parsePorts6(String arg, RuleSpec spec) {
            if (!portOk6(spec)) throw new RuleError("Need TCP, UDP, SCTP or DCCP with port specification");
            ports(arg);
        }

        private void ports(String arg) {
            flags |= NatRange.PROTO_SPECIFIED;
            int[] end = new int[1];
            long port = strtouiPrefix(arg, end);
            if (port < 0) {
                port = service(arg);
                if (port < 0) throw new RuleError("Port `" + arg + "' not valid");
                end[0] = arg.length();
            }
            minPort = maxPort = (int) port;
            if (end[0] == arg.length()) return;
            char c = arg.charAt(end[0]);
            if (c == ':') throw new RuleError("Invalid port:port syntax - use dash");
            if (c != '-') throw new RuleError("Garbage after port value: `" + arg.substring(end[0]) + "'");
            String rest = arg.substring(end[0] + 1);
            long max = strtouiPrefix(rest, end);
            if (max < 0) throw new RuleError("Port `" + rest + "' not valid");
            if (max < port) throw new RuleError("Port range `" + rest + "' funky");
            maxPort = (int) max;
            if (end[0] == rest.length()) return;
            if (rest.charAt(end[0]) == '/') {
                if (kind != Kind.DNAT) {
                    throw new RuleError(name() + ": shifted port ranges (\"/" + rest.substring(end[0] + 1)
                            + "\") are not supported by jnat");
                }
                String b = rest.substring(end[0] + 1);
                long base = strtouiPrefix(b, end);
                if (base < 1) base = service(b); // xtables_strtoui(arg, &end, 1, 65535) takes the leading number, else a name
                if (base < 0) throw new RuleError("Port `" + b + "' not valid");
                flags |= NatRange.PROTO_OFFSET;
                basePort = (int) base;
                return;
            }
            throw new RuleError("Garbage after port range: `" + rest.substring(end[0]) + "'");
        }

        private String name() {
            return kind.name();
        }

        /** xtables_strtoui with an end pointer: the leading number (base 0) in 0..65535, or -1. */
        private static long strtouiPrefix(String s, int[] end) {
            int i = 0, n = s.length();
            while (i < n && Character.isWhitespace(s.charAt(i))) i++;
            int radix = 10, start = i;
            if (i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
                radix = 16;
                start = i += 2;
            } else if (i < n && s.charAt(i) == '0') {
                radix = 8;
            }
            long v = 0;
            while (i < n && Character.digit(s.charAt(i), radix) >= 0 && v <= 65535) v = v * radix + Character.digit(s.charAt(i++), radix);
            if (i == start || v > 65535) return -1;
            end[0] = i;
            return v;
        }

        /** xtables_service_to_port(name, NULL): the first /etc/services entry of that name. */
        private static int service(String name) {
            int p = Services.port(name, "tcp");
            return p >= 0 ? p : Services.port(name, "udp");
        }

        /** The C string at {@code from}: up to the first NUL. */
        private static String cString(String s, int from) {
            int nul = s.indexOf('\0', from);
            return nul < 0 ? s.substring(from) : s.substring(from, nul);
        }

        private static boolean portOk6(RuleSpec spec) {
            int p = spec.proto;
            return p == 6 || p == 17 || p == 132 || p == 33 || p == 1;
        }

        @Override
        Object finish(RuleSpec spec) {
            if ((kind == Kind.SNAT || kind == Kind.DNAT) && !given) {
                throw new RuleError(kind + ": option \"" + (kind == Kind.SNAT ? "--to-source" : "--to-destination")
                        + "\" must be specified");
            }
            if (kind == Kind.NETMAP && !given) throw new RuleError("NETMAP: option \"--to\" must be specified");
            if (ipv6) return new NatTarget(kind, new NatRange(flags, addr6, minPort, maxPort, basePort));
            return new NatTarget(kind, new NatRange(flags, minAddr, maxAddr, minPort, maxPort, basePort));
        }
    }

    @Override
    public boolean usesConntrack() {
        return true;
    }
}
