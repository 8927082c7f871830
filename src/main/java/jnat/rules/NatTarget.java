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
            case NETMAP -> out.append(" to:").append(Inet.format(range.minAddr))
                    .append(Inet.saveMask(~(range.minAddr ^ range.maxAddr)));
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
            case NETMAP -> out.append(" --to ").append(Inet.format(range.minAddr))
                    .append(Inet.saveMask(~(range.minAddr ^ range.maxAddr)));
        }
    }

    static final class Parser extends ModuleParser {
        final Kind kind;
        int flags, minAddr, maxAddr, minPort, maxPort;
        boolean given;

        Parser(Kind kind) {
            this.kind = kind;
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
                    parseRange(args.value(opt), spec);
                    given = true;
                }
                case "--to-ports" -> {
                    if (kind != Kind.MASQUERADE && kind != Kind.REDIRECT) return false;
                    noInvert(name, opt, invert);
                    requirePortProto(spec);
                    parsePorts(args.value(opt));
                }
                case "--to" -> {
                    if (kind != Kind.NETMAP) return false;
                    noInvert(name, opt, invert);
                    int[] n = Inet.parseNetwork(args.value(opt));
                    minAddr = n[0];
                    maxAddr = n[0] | ~n[1];
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
            if (p == null || p.equals("icmp") || p.equals("udplite") || spec.protoInverted()) {
                throw new RuleError("Need TCP, UDP, SCTP or DCCP with port specification");
            }
        }

        private void parsePorts(String v) {
            int dash = v.indexOf('-');
            minPort = port(dash < 0 ? v : v.substring(0, dash));
            maxPort = dash < 0 ? minPort : port(v.substring(dash + 1));
            if (maxPort < minPort) throw new RuleError("Port range `" + v + "' invalid");
            flags |= NatRange.PROTO_SPECIFIED;
        }

        private static int port(String s) {
            try {
                int p = Integer.parseInt(s);
                if (p >= 0 && p <= 65535) return p;
            } catch (NumberFormatException ignored) {
                // fall through
            }
            throw new RuleError("Port `" + s + "' not valid");
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

        @Override
        Object finish(RuleSpec spec) {
            if ((kind == Kind.SNAT || kind == Kind.DNAT) && !given) {
                throw new RuleError(kind + ": option \"" + (kind == Kind.SNAT ? "--to-source" : "--to-destination")
                        + "\" must be specified");
            }
            if (kind == Kind.NETMAP && !given) throw new RuleError("NETMAP: option \"--to\" must be specified");
            return new NatTarget(kind, new NatRange(flags, minAddr, maxAddr, minPort, maxPort));
        }
    }
}
