package jnat.rules;

/**
 * -j TEE (xt_TEE.c, libxt_TEE.c revision 1, both families): the packet is copied and the copy sent
 * to --gateway (nf_dup_ipv4 / nf_dup_ipv6, which the engine runs through {@link PacketContext#dup});
 * the original goes on with the next rule (XT_CONTINUE). Any table and hook; the kernel refuses the
 * gateway 0.0.0.0 / :: (tee_tg_check: EINVAL). --oif names the device the copy's route must use; a
 * name no device has means no device, as the kernel's priv->oif of -1.
 */
public final class TeeTarget extends Target {
    public final boolean ipv6;
    /** --gateway: an IPv4 address, or for ip6tables the IPv6 one in hi/lo. */
    public final int gw;
    public final long gwHi, gwLo;
    /** --oif, at most IFNAMSIZ - 1 characters; "" for none. */
    public final String oif;

    TeeTarget(boolean ipv6, int gw, long gwHi, long gwLo, String oif) {
        this.ipv6 = ipv6;
        this.gw = gw;
        this.gwHi = gwHi;
        this.gwLo = gwLo;
        this.oif = oif;
    }

    @Override
    public String name() {
        return "TEE";
    }

    /** tee_tg4 / tee_tg6: nf_dup_ipv4 / nf_dup_ipv6, then XT_CONTINUE. */
    @Override
    public boolean apply(PacketContext ctx) {
        ctx.dup(this);
        return true;
    }

    private String address(boolean numeric) {
        if (ipv6) return numeric ? Inet6.format(gwHi, gwLo) : Services.anyName6(gwHi, gwLo);
        return numeric ? Inet.format(gw) : Services.anyName(gw);
    }

    /** tee_tg_print / tee_tg6_print. */
    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" TEE gw:").append(address(numeric));
        if (!oif.isEmpty()) out.append(" oif=").append(oif);
    }

    /** tee_tg_save / tee_tg6_save. */
    @Override
    public void save(StringBuilder out) {
        out.append(" --gateway ").append(address(true));
        if (!oif.isEmpty()) out.append(" --oif ").append(oif);
    }

    static final class Parser extends ModuleParser {
        private static final int O_GATEWAY = 0, O_OIF = 1;
        private final XtOptions opts = new XtOptions("TEE", XtOptions.entry("gateway", O_GATEWAY), XtOptions.entry("oif", O_OIF));
        private final boolean ipv6;
        private int gw;
        private long gwHi, gwLo;
        private String oif = "";

        Parser(boolean ipv6) {
            this.ipv6 = ipv6;
            opts.mandatory = 1 << O_GATEWAY;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            if (e.id() == O_OIF) {
                oif = v.length() > 15 ? v.substring(0, 15) : v; // XTOPT_PUT into oif[IFNAMSIZ]
                return true;
            }
            // XTTYPE_HOST: getaddrinfo in the family (jnat resolves no names)
            if (ipv6) {
                long[] a = Inet6.tryParse(v);
                if (a == null) {
                    throw new RuleError("getaddrinfo: " + (v.matches("[0-9.]+") ? "Address family for hostname not supported"
                            : "Name or service not known"));
                }
                gwHi = a[0];
                gwLo = a[1];
            } else {
                if (v.contains(":")) throw new RuleError("getaddrinfo: Address family for hostname not supported");
                try {
                    gw = Inet.parseAddress(v);
                } catch (RuleError x) {
                    throw new RuleError("getaddrinfo: Name or service not known");
                }
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            opts.fcheck();
            if (ipv6 ? gwHi == 0 && gwLo == 0 : gw == 0) throw kernelRefuses(); // tee_tg_check: 0.0.0.0 and :: not allowed
            return new TeeTarget(ipv6, gw, gwHi, gwLo, oif);
        }
    }
}
