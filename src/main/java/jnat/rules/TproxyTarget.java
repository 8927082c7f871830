package jnat.rules;

/**
 * -j TPROXY (xt_TPROXY.c, libxt_TPROXY.c revision 1, both families): a TCP or UDP packet in mangle
 * PREROUTING is given to a transparent socket of the host, its connection's if it has one, else
 * the listener on --on-ip (default: the input device's first address) and --on-port (0: the
 * packet's own port), and its mark set under --tproxy-mark's mask, so that policy routing
 * delivers it locally; without such a socket it is dropped. The packet keeps its addresses.
 */
public final class TproxyTarget extends Target {
    public final int port, markValue, markMask;
    /** --on-ip: an IPv4 address, or for ip6tables the IPv6 one in hi/lo; 0 (::) means none. */
    public final int addr;
    public final long addrHi, addrLo;
    public final boolean ipv6;

    TproxyTarget(int port, int addr, long addrHi, long addrLo, int markValue, int markMask, boolean ipv6) {
        this.port = port;
        this.addr = addr;
        this.addrHi = addrHi;
        this.addrLo = addrLo;
        this.markValue = markValue;
        this.markMask = markMask;
        this.ipv6 = ipv6;
    }

    @Override
    public String name() {
        return "TPROXY";
    }

    @Override
    public String table() {
        return "mangle";
    }

    @Override
    public int hooks() {
        return Hook.PREROUTING.bit();
    }

    @Override
    public boolean hooksCheckedByKernel() {
        return true;
    }

    /**
     * tproxy_tg4_v1 / tproxy_tg6_v1, run by the hook's walk on this (terminal) verdict: true is
     * NF_ACCEPT with the socket assigned and the mark set, false NF_DROP.
     */
    public boolean assign(PacketContext ctx) {
        return ctx.tproxy(addr, addrHi, addrLo, port, markMask, markValue);
    }

    private String address() {
        return ipv6 ? Inet6.format(addrHi, addrLo) : Inet.format(addr);
    }

    private static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** tproxy_tg_print4 / tproxy_tg_print6. */
    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" TPROXY redirect ").append(address()).append(':').append(port)
                .append(" mark ").append(hex(markValue)).append('/').append(hex(markMask));
    }

    /** tproxy_tg_save4 / tproxy_tg_save6. */
    @Override
    public void save(StringBuilder out) {
        out.append(" --on-port ").append(port).append(" --on-ip ").append(address())
                .append(" --tproxy-mark ").append(hex(markValue)).append('/').append(hex(markMask));
    }

    static final class Parser extends ModuleParser {
        final boolean ipv6;
        int port = -1, markValue, markMask;
        int addr;
        long addrHi, addrLo;
        boolean addrGiven, markGiven;

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--on-port" -> {
                    if (port >= 0) throw once(opt);
                    port = Inet.parsePort(args.value(opt), null);
                }
                case "--on-ip" -> {
                    if (addrGiven) throw once(opt);
                    String v = args.value(opt);
                    if (ipv6) {
                        long[] a = Inet6.parseAddress(v);
                        addrHi = a[0];
                        addrLo = a[1];
                    } else {
                        addr = Inet.parseAddress(v);
                    }
                    addrGiven = true;
                }
                case "--tproxy-mark" -> {
                    if (markGiven) throw once(opt);
                    String v = args.value(opt);
                    int slash = v.indexOf('/');
                    long value = strtoul(slash < 0 ? v : v.substring(0, slash), 0xffffffffL);
                    long mask = slash < 0 ? 0xffffffffL : strtoul(v.substring(slash + 1), 0xffffffffL);
                    if (value < 0 || mask < 0) {
                        throw new RuleError("TPROXY: bad integer value for option \"--tproxy-mark\", or out of range.");
                    }
                    markValue = (int) value;
                    markMask = (int) mask;
                    markGiven = true;
                }
                default -> {
                    return false;
                }
            }
            noInvert("TPROXY", opt, invert);
            return true;
        }

        private static RuleError once(String opt) {
            return new RuleError("TPROXY: option \"" + opt + "\" can only be used once.");
        }

        @Override
        Object finish(RuleSpec spec) {
            if (port < 0) throw new RuleError("TPROXY: option \"--on-port\" must be specified");
            // tproxy_tg4_check: "Can be used only with -p tcp or -p udp"
            if ((spec.proto != 6 && spec.proto != 17) || spec.protoInverted()) throw kernelRefuses();
            return new TproxyTarget(port, addr, addrHi, addrLo, markValue, markMask, ipv6);
        }
    }
}
