package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * -m policy (xt_policy.c, libxt_policy.c): the IPsec policy that decapsulated the packet (--dir
 * in: its sec_path) or will encapsulate it (--dir out: its route's xfrm). jnat has no IPsec, so no
 * packet has either: as policy_mt answers then, --pol none matches every packet and --pol ipsec
 * none, whatever its elements say. The elements are parsed, listed and saved as iptables does.
 */
public final class PolicyMatch implements Match {
    // XT_POLICY_MATCH_* flags, XT_POLICY_MODE_*
    static final int MATCH_IN = 1, MATCH_OUT = 2, MATCH_NONE = 4, MATCH_STRICT = 8;
    static final int MODE_TRANSPORT = 0, MODE_TUNNEL = 1;
    static final int MAX_ELEM = 4;

    /** struct xt_policy_elem: each field with its match and invert bits. */
    static final class Elem {
        boolean mReqid, mSpi, mSaddr, mDaddr, mProto, mMode;
        boolean iReqid, iSpi, iSaddr, iDaddr, iProto, iMode;
        long reqid, spi;
        int proto, mode;
        String saddr, daddr;
    }

    final int flags;
    final List<Elem> elems;
    final boolean ipv6;

    PolicyMatch(int flags, List<Elem> elems, boolean ipv6) {
        this.flags = flags;
        this.elems = elems;
        this.ipv6 = ipv6;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public int hooks() {
        // policy_mt_check: input policies not in POSTROUTING/OUTPUT, output ones not in PREROUTING/INPUT
        return (flags & MATCH_IN) != 0 ? Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()
                : Hook.POSTROUTING.bit() | Hook.OUTPUT.bit() | Hook.FORWARD.bit();
    }

    /** policy_mt without a sec_path or xfrm (match_policy_in/out answer -1). */
    @Override
    public boolean matches(PacketContext ctx) {
        return (flags & MATCH_NONE) != 0;
    }

    private void flags(StringBuilder out, String p) {
        out.append(' ').append(p).append((flags & MATCH_IN) != 0 ? "dir in" : "dir out");
        out.append(' ').append(p).append((flags & MATCH_NONE) != 0 ? "pol none" : "pol ipsec");
        if ((flags & MATCH_STRICT) != 0) out.append(' ').append(p).append("strict");
    }

    private static void entry(StringBuilder out, String p, Elem e, boolean numeric) {
        if (e.mReqid) out.append(e.iReqid ? " !" : "").append(' ').append(p).append("reqid ").append(e.reqid);
        if (e.mSpi) out.append(e.iSpi ? " !" : "").append(' ').append(p).append("spi 0x").append(Long.toHexString(e.spi));
        if (e.mProto) {
            String n = numeric ? null : Services.protocolName(e.proto);
            out.append(e.iProto ? " !" : "").append(' ').append(p).append("proto ").append(n != null ? n : Integer.toString(e.proto));
        }
        if (e.mMode) {
            out.append(e.iMode ? " !" : "").append(' ').append(p).append("mode ")
                    .append(e.mode == MODE_TRANSPORT ? "transport" : e.mode == MODE_TUNNEL ? "tunnel" : "???");
        }
        if (e.mDaddr) out.append(e.iDaddr ? " !" : "").append(' ').append(p).append("tunnel-dst ").append(e.daddr);
        if (e.mSaddr) out.append(e.iSaddr ? " !" : "").append(' ').append(p).append("tunnel-src ").append(e.saddr);
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" policy match");
        flags(out, "");
        for (int i = 0; i < elems.size(); i++) {
            if (elems.size() > 1) out.append(" [").append(i).append(']');
            entry(out, "", elems.get(i), numeric);
        }
    }

    @Override
    public void save(StringBuilder out) {
        flags(out, "--");
        for (int i = 0; i < elems.size(); i++) {
            entry(out, "--", elems.get(i), false);
            if (i + 1 < elems.size()) out.append(" --next");
        }
    }

    static final class Parser extends ModuleParser {
        private static final int O_DIRECTION = 0, O_POLICY = 1, O_STRICT = 2, O_REQID = 3, O_SPI = 4, O_PROTO = 5,
                O_MODE = 6, O_TUNNELSRC = 7, O_TUNNELDST = 8, O_NEXT = 9;
        private final XtOptions opts = new XtOptions("policy",
                XtOptions.entry("dir", O_DIRECTION),
                XtOptions.entry("pol", O_POLICY),
                XtOptions.entry("strict", O_STRICT),
                new XtOptions.Entry("reqid", O_REQID, true, 0, 0, true),
                new XtOptions.Entry("spi", O_SPI, true, 0, 0, true),
                new XtOptions.Entry("tunnel-src", O_TUNNELSRC, true, 0, 0, true),
                new XtOptions.Entry("tunnel-dst", O_TUNNELDST, true, 0, 0, true),
                new XtOptions.Entry("proto", O_PROTO, true, 0, 0, true),
                new XtOptions.Entry("mode", O_MODE, true, 0, 0, true),
                new XtOptions.Entry("next", O_NEXT, false, 0, 1 << O_STRICT, true));
        int flags;
        final List<Elem> elems = new ArrayList<>(List.of(new Elem()));

        @Override
        boolean option(String opt, boolean inv, Args args, RuleSpec spec) {
            XtOptions.Entry en = opts.find(opt);
            if (en == null) return false;
            String v = en.id() == O_STRICT || en.id() == O_NEXT ? null : args.value(opt);
            opts.parse(en, inv);
            Elem e = elems.getLast();
            switch (en.id()) {
                case O_DIRECTION -> flags |= switch (v) {
                    case "in" -> MATCH_IN;
                    case "out" -> MATCH_OUT;
                    default -> throw new RuleError("policy_match: invalid dir \"" + v + "\"");
                };
                case O_POLICY -> flags |= switch (v) {
                    case "none" -> MATCH_NONE;
                    case "ipsec" -> 0;
                    default -> throw new RuleError("policy match: invalid policy \"" + v + "\"");
                };
                case O_STRICT -> flags |= MATCH_STRICT;
                case O_REQID -> {
                    if (e.mReqid) throw new RuleError("policy match: double --reqid option");
                    e.mReqid = true;
                    e.iReqid = inv;
                    e.reqid = number("policy", opt, v, 0xFFFFFFFFL);
                }
                case O_SPI -> {
                    if (e.mSpi) throw new RuleError("policy match: double --spi option");
                    e.mSpi = true;
                    e.iSpi = inv;
                    e.spi = number("policy", opt, v, 0xFFFFFFFFL);
                }
                case O_TUNNELSRC, O_TUNNELDST -> {
                    boolean src = en.id() == O_TUNNELSRC;
                    if (src ? e.mSaddr : e.mDaddr) throw new RuleError("policy match: double --" + en.name() + " option");
                    String text;
                    if (spec.ipv6) {
                        long[] n = Inet6.parseNetwork(v);
                        text = Inet6.format(n[0], n[1]) + Inet6.maskSuffix(n[2], n[3]);
                    } else {
                        int[] n = Inet.parseNetwork(v);
                        text = Inet.format(n[0]) + Inet.maskSuffix(n[1]);
                    }
                    if (src) {
                        e.mSaddr = true;
                        e.iSaddr = inv;
                        e.saddr = text;
                    } else {
                        e.mDaddr = true;
                        e.iDaddr = inv;
                        e.daddr = text;
                    }
                }
                case O_PROTO -> {
                    if (e.mProto) throw new RuleError("policy match: double --proto option");
                    e.proto = Protocols.parse(v);
                    if (e.proto != 51 && e.proto != 50 && e.proto != 108) {
                        throw new RuleError("policy match: protocol must be ah/esp/ipcomp");
                    }
                    e.mProto = true;
                    e.iProto = inv;
                }
                case O_MODE -> {
                    if (e.mMode) throw new RuleError("policy match: double --mode option");
                    e.mMode = true;
                    e.iMode = inv;
                    e.mode = switch (v) {
                        case "transport" -> MODE_TRANSPORT;
                        case "tunnel" -> MODE_TUNNEL;
                        default -> throw new RuleError("policy match: invalid mode \"" + v + "\"");
                    };
                }
                case O_NEXT -> {
                    if (elems.size() == MAX_ELEM) throw new RuleError("policy match: maximum policy depth reached");
                    elems.add(new Elem());
                }
                default -> throw new IllegalStateException();
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            // policy_check (x6_fcheck), then the option table's
            if ((flags & (MATCH_IN | MATCH_OUT)) == 0) {
                throw new RuleError("policy match: neither --dir in nor --dir out specified");
            }
            List<Elem> list = elems;
            if ((flags & MATCH_NONE) != 0) {
                if ((flags & MATCH_STRICT) != 0) throw new RuleError("policy match: policy none but --strict given");
                if (elems.size() > 1) throw new RuleError("policy match: policy none but policy given");
                list = List.of(); // len stays 0: an element given without --next is not kept (as iptables)
            }
            for (int i = 0; i < list.size(); i++) {
                Elem e = list.get(i);
                if ((flags & MATCH_STRICT) != 0 && !(e.mReqid || e.mSpi || e.mSaddr || e.mDaddr || e.mProto || e.mMode)) {
                    throw new RuleError("policy match: empty policy element " + i + ". --strict is in effect, but at least one of "
                            + "reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.");
                }
                if ((e.mSaddr || e.mDaddr) && (e.mode == MODE_TUNNEL && e.iMode || e.mode == MODE_TRANSPORT && !e.iMode)) {
                    throw new RuleError("policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode");
                }
            }
            opts.fcheck();
            return new PolicyMatch(flags, List.copyOf(list), spec.ipv6);
        }
    }
}
