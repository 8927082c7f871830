package jnat.nft;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A rule's kernel expressions printed back as nft 1.0.6 prints them (src/netlink_delinearize.c and its
 * rule_postprocess, statement.c and expression.c's printers): what each register holds, comparisons as
 * matches (ranges, prefixes from shortened loads or masks, flags from bitwise tests), lookups as sets,
 * verdict maps, the protocol context a match gives the transport header (tcp dport rather than th dport),
 * and the dependencies nft removes again (meta l4proto or ip protocol before a transport field, meta
 * nfproto before a network one in inet tables).
 */
final class Delinearize {
    private final NftTable table;
    private final Printer.Options o;
    private final List<String> out = new ArrayList<>();
    private final Reg[] regs = new Reg[32];
    private final List<Integer> loads = new ArrayList<>(); // registers loaded and not yet used, in order
    private int l4proto = -1, l4dep = -1, nfproto, nfdep = -1, lldep = -1;
    private int lastStatement = -1; // where the last statement other than a match was printed

    /** What a register holds: a load (with the bitwise applied to it) or an immediate. */
    private static final class Reg {
        Lhs lhs;
        String text;
        int truncatedBits = -1; // a payload load shorter than its field: a prefix of it
        byte[] mask, xor;
        byte[] imm;
        boolean network, transport;
    }

    Delinearize(NftTable table, Printer.Options o) {
        this.table = table;
        this.o = o;
        this.nfproto = table.family == 2 || table.family == 10 ? table.family : 0;
    }

    String rule(NftRule r) {
        List<Expr> ex = r.exprs;
        for (int i = 0; i < ex.size(); i++) {
            Expr e = ex.get(i);
            switch (e) {
                case Expr.Payload p -> load(p.dreg(), payload(p));
                case Expr.Meta m -> {
                    MetaKeys.Key k = MetaKeys.meta(m.key());
                    Reg g = new Reg();
                    g.lhs = LhsParser.meta(k, null, null);
                    g.text = metaName(k.name());
                    load(m.dreg(), g);
                }
                case Expr.Ct c -> {
                    MetaKeys.Key k = MetaKeys.ct(c.key());
                    Reg g = new Reg();
                    g.lhs = new Lhs(k.type(), k.bits(), (k.bits() + 7) / 8, k.hostOrder(), c, null, 0, null, null, null, null);
                    g.text = "ct " + (c.dir() == 0 ? "original " : c.dir() == 1 ? "reply " : "") + k.name();
                    load(c.dreg(), g);
                }
                case Expr.Numgen n -> {
                    Reg g = new Reg();
                    g.lhs = new Lhs(Datatype.INTEGER, 32, 4, true, n, null, 0, null, null, null, null);
                    g.text = "numgen " + (n.type() == 1 ? "random" : "inc") + " mod " + n.modulus()
                            + (n.offset() != 0 ? " offset " + n.offset() : "");
                    load(n.dreg(), g);
                }
                case Expr.Fib f -> load(f.dreg(), fib(f));
                case Expr.Byteorder bo -> {
                    Reg g = regs[bo.sreg()];
                    if (g != null && g.lhs != null) {
                        g.lhs = g.lhs.inNetworkOrder();
                        regs[bo.dreg()] = g;
                    }
                }
                case Expr.Bitwise b -> {
                    Reg g = regs[b.sreg()];
                    if (g != null) {
                        g.mask = b.mask();
                        g.xor = b.xor();
                        regs[b.dreg()] = g;
                    }
                }
                case Expr.Cmp c -> {
                    if (c.op() == 5 && i + 1 < ex.size() && ex.get(i + 1) instanceof Expr.Cmp c2 && c2.op() == 3
                            && c2.sreg() == c.sreg()) {
                        Reg g = use(c.sreg());
                        out.add(g.text + " " + value(g, c.data()) + "-" + value(g, c2.data()));
                        i++;
                    } else {
                        cmp(c);
                    }
                }
                case Expr.Range rg -> {
                    Reg g = use(rg.sreg());
                    out.add(g.text + " " + (rg.op() == 1 ? "!= " : "") + value(g, rg.from()) + "-" + value(g, rg.to()));
                }
                case Expr.Lookup l -> lookup(l);
                case Expr.Immediate im -> {
                    if (im.verdict() != null) {
                        out.add(Printer.verdict(im.verdict()));
                    } else {
                        Reg g = new Reg();
                        g.imm = im.data();
                        regs[im.dreg()] = g;
                    }
                }
                case Expr.Counter c -> statement(o.stateless() ? "counter" : "counter packets " + c.packets() + " bytes " + c.bytes());
                case Expr.Limit l -> statement(limit(l));
                case Expr.Quota q -> statement(quota(q));
                case Expr.Log l -> statement(log(l));
                case Expr.Notrack n -> statement("notrack");
                case Expr.Reject rj -> reject(rj);
                case Expr.Nat n -> out.add(nat(n));
                case Expr.Masq m -> out.add("masquerade" + ports(m.regProtoMin(), m.regProtoMax(), m.flags()));
                case Expr.Redir rd -> out.add("redirect" + ports(rd.regProtoMin(), rd.regProtoMax(), rd.flags()));
                case Expr.MetaSet ms -> {
                    MetaKeys.Key k = MetaKeys.meta(ms.key());
                    statement("meta " + k.name() + " set " + source(ms.sreg(), LhsParser.meta(k, null, null)));
                }
                case Expr.CtSet cs -> {
                    MetaKeys.Key k = MetaKeys.ct(cs.key());
                    Lhs t = new Lhs(k.type(), k.bits(), (k.bits() + 7) / 8, k.hostOrder(), null, null, 0, null, null, null, null);
                    statement("ct " + k.name() + " set " + source(cs.sreg(), t));
                }
                case Expr.Dynset d -> {
                    NftSet s = table.set(d.set());
                    String key = keyText(d.sregKey(), s == null ? 1 : s.keyTypes.size());
                    statement((d.op() == 0 ? "add" : d.op() == 1 ? "update" : "delete") + " @" + d.set() + " { " + key
                            + (d.timeout() != 0 ? " timeout " + Values.timeString(d.timeout()) : "") + " }");
                }
                default -> out.add("[" + e + "]");
            }
        }
        return join();
    }

    private String join() {
        StringBuilder sb = new StringBuilder();
        for (String s : out) {
            if (s == null) continue;
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(s);
        }
        return sb.toString();
    }

    /** A statement that is not a match: a dependency before it is no longer one nft removes for reject. */
    private void statement(String s) {
        out.add(s);
        lastStatement = out.size() - 1;
    }

    private static String metaName(String key) {
        return switch (key) {
            case "iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup" -> key;
            default -> "meta " + key;
        };
    }

    private void load(int dreg, Reg g) {
        regs[dreg] = g;
        loads.add(dreg);
        // payload_dependency_kill: a header the dependency was only there for
        if (g.lhs != null && g.lhs.proto() == Proto.ETHER && lldep >= 0) {
            out.set(lldep, null);
            lldep = -1;
        }
        if (g.network && nfdep >= 0) {
            out.set(nfdep, null);
            nfdep = -1;
        }
        if (g.transport && l4dep >= 0) {
            out.set(l4dep, null);
            l4dep = -1;
        }
    }

    private Reg use(int sreg) {
        loads.remove((Integer) sreg);
        Reg g = regs[sreg];
        if (g == null) {
            g = new Reg();
            g.text = "reg" + sreg;
            g.lhs = new Lhs(Datatype.INTEGER, 32, 4, false, null, null, 0, null, null, null, null);
        }
        return g;
    }

    private Reg payload(Expr.Payload p) {
        Proto proto;
        Reg g = new Reg();
        if (p.base() == Proto.NETWORK) {
            proto = nfproto == 10 ? Proto.IP6 : Proto.IP;
            g.network = true;
        } else if (p.base() == Proto.TRANSPORT) {
            Proto t = l4proto >= 0 ? Proto.transport(l4proto) : null;
            proto = t != null ? t : Proto.TH;
            g.transport = t != null;
        } else {
            proto = Proto.ETHER;
        }
        Proto.Field f = proto.fieldAt(p.offset() * 8, p.len() * 8);
        if (f == null) {
            for (Proto.Field x : proto.fields)
                if (x.offset() == p.offset() * 8 && x.bits() > p.len() * 8 && x.bits() % 8 == 0) {
                    f = x;
                    g.truncatedBits = p.len() * 8;
                    break;
                }
        }
        if (f == null) {
            // a sub-byte field: the bitwise that follows says which; until then the bytes as loaded
            g.lhs = new Lhs(Datatype.INTEGER, p.len() * 8, p.len(), false, p, null, 0, null, proto, null, null);
            g.text = proto.name;
            return g;
        }
        g.lhs = LhsParser.payload(proto, f, null, null);
        g.text = proto.name + " " + f.name();
        return g;
    }

    private Reg fib(Expr.Fib f) {
        Reg g = new Reg();
        List<String> flags = new ArrayList<>();
        String[] names = {"saddr", "daddr", "mark", "iif", "oif"};
        for (int b = 0; b < names.length; b++) if ((f.flags() & (1 << b)) != 0) flags.add(names[b]);
        String result = switch (f.result()) {
            case 1 -> "oif";
            case 2 -> "oifname";
            default -> "type";
        };
        g.text = "fib " + String.join(" . ", flags) + " " + result;
        g.lhs = switch (f.result()) {
            case 1 -> new Lhs(Datatype.IFINDEX, 32, 4, true, f, null, 0, null, null, null, null);
            case 2 -> new Lhs(Datatype.IFNAME, 128, 16, false, f, null, 0, null, null, null, null);
            default -> new Lhs(Datatype.FIB_ADDRTYPE, 32, 4, true, f, null, 0, null, null, null, null);
        };
        return g;
    }

    private String value(Reg g, byte[] reg) {
        byte[] v = g.lhs.fromRegister(pad(reg, g.lhs.len()));
        return g.lhs.type().print(v, o.numeric());
    }

    private static byte[] pad(byte[] reg, int len) {
        if (reg.length == len) return reg;
        return Arrays.copyOf(reg, len);
    }

    private static final String[] OPS = {"", "!= ", "< ", "<= ", "> ", ">= "};

    private void cmp(Expr.Cmp c) {
        Reg g = use(c.sreg());
        String op = OPS[c.op()];
        if (g.mask != null && !isZero(g.xor)) {
            out.add(g.text + " " + op + value(g, c.data()));
            return;
        }
        if (g.mask != null) {
            Lhs lhs = g.lhs;
            // a sub-byte header field: the mask says which bits
            if (lhs.load() instanceof Expr.Payload p && lhs.mask() == null) {
                BigInteger m = new BigInteger(1, g.mask);
                int len = p.len() * 8;
                int low = m.getLowestSetBit(), bits = m.bitLength() - low;
                Proto proto = lhs.proto();
                Proto.Field f = proto == null ? null : proto.fieldAt(p.offset() * 8 + len - m.bitLength(), bits);
                if (f != null && m.bitCount() == bits && f.bits() % 8 != 0) {
                    Lhs fl = LhsParser.payload(proto, f, null, null);
                    out.add(proto.name + " " + f.name() + " " + op + fl.type().print(fl.fromRegister(c.data()), o.numeric()));
                    setContext(proto.name + " " + f.name(), c, fl.fromRegister(c.data()));
                    return;
                }
            }
            Datatype t = lhs.type();
            byte[] mv = lhs.fromRegister(g.mask);
            if (t.isBitmask()) {
                if (c.op() == 1 && isZero(c.data())) {
                    out.add(g.text + " " + flagList(t, mv));
                    return;
                }
                out.add(g.text + " " + op + flagList(t, lhs.fromRegister(c.data())) + " / " + flagList(t, mv));
                return;
            }
            int plen = prefixOf(mv, lhs.bits());
            if (plen >= 0 && (t.kind == Datatype.Kind.IPV4 || t.kind == Datatype.Kind.IPV6) && (c.op() <= 1)) {
                out.add(g.text + " " + op + value(g, c.data()) + "/" + plen);
                return;
            }
            out.add(g.text + " & " + t.print(mv, o.numeric()) + " " + (c.op() == 0 ? "== " : op) + value(g, c.data()));
            return;
        }
        if (g.truncatedBits >= 0) {
            out.add(g.text + " " + op + value(g, c.data()) + "/" + g.truncatedBits);
            return;
        }
        if (g.lhs.type() == Datatype.IFNAME && c.data().length < 16 && !hasNul(c.data())) {
            out.add(g.text + " " + op + "\"" + new String(c.data(), java.nio.charset.StandardCharsets.UTF_8) + "*\"");
            return;
        }
        if (g.lhs.type().isBitmask() && c.op() == 0) op = "== ";
        byte[] v = g.lhs.fromRegister(pad(c.data(), g.lhs.len()));
        out.add(g.text + " " + op + g.lhs.type().print(v, o.numeric()));
        setContext(g.text, c, v);
    }

    /** A match that tells the transport or network protocol: the context for what follows, and maybe a dependency. */
    private void setContext(String text, Expr.Cmp c, byte[] v) {
        if (c.op() != 0) return;
        int idx = out.size() - 1;
        switch (text) {
            case "meta l4proto" -> {
                l4proto = v[0] & 0xff;
                l4dep = idx;
            }
            case "ip protocol" -> {
                l4proto = v[0] & 0xff;
                l4dep = table.family == 2 ? idx : -1;
            }
            case "ip6 nexthdr" -> {
                l4proto = v[0] & 0xff;
                l4dep = table.family == 10 ? idx : -1;
            }
            case "meta iiftype" -> lldep = idx;
            case "meta nfproto" -> {
                nfproto = v[0] & 0xff;
                nfdep = table.family == 1 ? idx : -1;
            }
            default -> { }
        }
    }

    private static boolean hasNul(byte[] b) {
        for (byte x : b) if (x == 0) return true;
        return false;
    }

    private static boolean isZero(byte[] b) {
        if (b == null) return true;
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static int prefixOf(byte[] mask, int bits) {
        BigInteger m = new BigInteger(1, mask);
        int ones = m.bitCount();
        BigInteger want = BigInteger.ONE.shiftLeft(ones).subtract(BigInteger.ONE).shiftLeft(bits - ones);
        return m.equals(want) ? ones : -1;
    }

    private String flagList(Datatype t, byte[] v) {
        long x = Datatype.toLong(v);
        List<String> names = new ArrayList<>();
        for (var e : t.symbolEntries()) {
            if ((x & e.getValue()) != 0 && Long.bitCount(e.getValue()) == 1) {
                names.add(e.getKey());
                x &= ~e.getValue();
            }
        }
        if (x != 0) names.add(String.format("0x%x", x));
        if (names.isEmpty()) return t.print(v, o.numeric());
        // nft lists flags by bit value
        names.sort((a, b) -> Long.compare(t.symbol(a) == null ? Long.MAX_VALUE : t.symbol(a),
                t.symbol(b) == null ? Long.MAX_VALUE : t.symbol(b)));
        return String.join(",", names);
    }

    /** The text of a key loaded into registers from {@code sreg}: a concatenation of the last n loads. */
    private String keyText(int sreg, int n) {
        if (n <= 1) return use(sreg).text;
        List<String> parts = new ArrayList<>();
        List<Integer> last = new ArrayList<>(loads.subList(Math.max(0, loads.size() - n), loads.size()));
        for (int r : last) parts.add(use(r).text);
        return String.join(" . ", parts);
    }

    private void lookup(Expr.Lookup l) {
        NftSet s = table.set(l.set());
        int n = s == null ? 1 : s.keyTypes.size();
        String key = keyText(l.sreg(), n);
        String set = s == null ? "@" + l.set() : s.isAnonymous() ? new Printer(o).elements(s) : "@" + s.name;
        if (l.dreg() == Expr.NFT_REG_VERDICT) out.add(key + " vmap " + set);
        else if (l.dreg() > 0) out.add(key + " map " + set);
        else out.add(key + " " + ((l.flags() & 1) != 0 ? "!= " : "") + set);
    }

    /** meta/ct set's source: an immediate of the key's type, or a load with its bitwise as | & ^. */
    private String source(int sreg, Lhs target) {
        Reg g = regs[sreg];
        if (g == null) return "reg" + sreg;
        if (g.imm != null) return target.type().print(target.fromRegister(pad(g.imm, target.len())), o.numeric());
        String text = g.text;
        if (g.mask != null) {
            byte[] m = g.mask, x = g.xor;
            boolean allOnes = true, complement = true, xorZero = isZero(x);
            for (int i = 0; i < m.length; i++) {
                allOnes &= m[i] == (byte) 0xff;
                complement &= x != null && (byte) ~m[i] == x[i];
            }
            Lhs l = g.lhs;
            if (xorZero) text += " & " + l.type().print(l.fromRegister(m), o.numeric());
            else if (allOnes) text += " ^ " + l.type().print(l.fromRegister(x), o.numeric());
            else if (complement) text += " | " + l.type().print(l.fromRegister(x), o.numeric());
        }
        loads.remove((Integer) sreg);
        return text;
    }

    private String limit(Expr.Limit l) {
        String inv = (l.flags() & 1) != 0 ? "over " : "";
        String unit = unitName(l.unit());
        if (l.type() == 0) {
            String s = "limit rate " + inv + l.rate() + "/" + unit;
            if (l.burst() != 0 && l.burst() != 5) s += " burst " + l.burst() + " packets";
            return s;
        }
        String s = "limit rate " + inv + rate(l.rate()) + "/" + unit;
        if (l.burst() != 0) s += " burst " + rate(l.burst());
        return s;
    }

    private static String unitName(long sec) {
        for (int i = 0; i < Statements.UNITS.length; i++) if (Statements.UNIT_SECONDS[i] == sec) return Statements.UNITS[i];
        return "second";
    }

    /** get_rate: the largest of bytes, kbytes, mbytes that divides the value. */
    private static String rate(long bytes) {
        String[] u = {"bytes", "kbytes", "mbytes"};
        int i = 0;
        while (i < 2 && bytes % 1024 == 0 && bytes >= 1024) {
            bytes /= 1024;
            i++;
        }
        return bytes + " " + u[i];
    }

    private String quota(Expr.Quota q) {
        String s = "quota " + ((q.flags() & 1) != 0 ? "over " : "") + rate(q.bytes());
        // nft_quota_do_dump: what it consumed, capped at the quota once depleted
        if (q.consumed() != 0 && !o.stateless()) s += " used " + rate(Math.min(q.consumed(), q.bytes()));
        return s;
    }

    private static String log(Expr.Log l) {
        StringBuilder sb = new StringBuilder("log");
        if (l.prefix() != null) sb.append(" prefix \"").append(l.prefix()).append('"');
        if (l.group() >= 0) sb.append(" group ").append(l.group());
        if (l.snaplen() != 0) sb.append(" snaplen ").append(l.snaplen());
        if (l.qthreshold() != 0) sb.append(" queue-threshold ").append(l.qthreshold());
        if (l.level() >= 0 && l.level() != 4) sb.append(" level ").append(Statements.LEVELS[l.level()]);
        if (l.flags() != 0) {
            List<String> f = new ArrayList<>();
            if ((l.flags() & 31) == 31) f.add("all");
            else {
                if ((l.flags() & 1) != 0) f.add("tcp sequence");
                if ((l.flags() & 2) != 0) f.add("tcp options");
                if ((l.flags() & 4) != 0) f.add("ip options");
                if ((l.flags() & 8) != 0) f.add("skuid");
                if ((l.flags() & 16) != 0) f.add("ether");
            }
            sb.append(" flags ").append(String.join(",", f));
        }
        return sb.toString();
    }

    private void reject(Expr.Reject r) {
        int fam = table.family;
        String s;
        if (r.type() == 1) {
            s = "reject with tcp reset";
            if (fam != 1 && l4dep >= 0 && l4dep > lastStatement) {
                out.set(l4dep, null); // implied outside inet tables
                l4dep = -1;
            }
        } else if (r.type() == 2) {
            s = r.code() == 1 ? "reject" : "reject with icmpx " + Datatype.ICMPX_CODE.print(new byte[] {(byte) r.code()}, false);
        } else {
            boolean v6 = fam == 10 || fam == 1 && nfproto == 10;
            Datatype codes = v6 ? Datatype.ICMPV6_CODE : Datatype.ICMP_CODE;
            boolean dflt = fam != 1 && (v6 ? r.code() == 4 : r.code() == 3);
            s = dflt ? "reject" : "reject with " + (v6 ? "icmpv6 " : "icmp ") + codes.print(new byte[] {(byte) r.code()}, false);
            if (nfdep >= 0) {
                out.set(nfdep, null); // the dependency reject with icmp needed in an inet table
                nfdep = -1;
            }
        }
        out.add(s);
    }

    private String nat(Expr.Nat n) {
        StringBuilder sb = new StringBuilder(n.type() == 0 ? "snat" : "dnat");
        if (table.family == 1) sb.append(n.family() == 10 ? " ip6" : " ip");
        Datatype at = n.family() == 10 ? Datatype.IPV6_ADDR : Datatype.IPV4_ADDR;
        sb.append(" to");
        String addr = "";
        if (n.regAddrMin() != 0) {
            byte[] lo = regs[n.regAddrMin()].imm;
            addr = at.print(lo, o.numeric());
            if (n.regAddrMax() != 0) {
                byte[] hi = regs[n.regAddrMax()].imm;
                int plen = Elements.prefixLength(lo, hi, at.bits);
                addr += plen >= 0 && !Arrays.equals(lo, hi) ? "/" + plen : "-" + at.print(hi, o.numeric());
            }
        }
        String ports = "";
        if (n.regProtoMin() != 0) {
            ports = ":" + Datatype.INET_SERVICE.print(regs[n.regProtoMin()].imm, true);
            if (n.regProtoMax() != 0) ports += "-" + Datatype.INET_SERVICE.print(regs[n.regProtoMax()].imm, true);
        }
        if (n.family() == 10 && !ports.isEmpty() && !addr.isEmpty()) addr = "[" + addr + "]";
        sb.append(' ').append(addr).append(ports);
        sb.append(natFlags(n.flags()));
        return sb.toString();
    }

    private String ports(int min, int max, int flags) {
        String s = "";
        if (min != 0) {
            s = " to :" + Datatype.INET_SERVICE.print(regs[min].imm, true);
            if (max != 0) s += "-" + Datatype.INET_SERVICE.print(regs[max].imm, true);
        }
        return s + natFlags(flags);
    }

    private static String natFlags(int flags) {
        List<String> f = new ArrayList<>();
        if ((flags & 4) != 0) f.add("random");
        if ((flags & 16) != 0) f.add("fully-random");
        if ((flags & 8) != 0) f.add("persistent");
        return f.isEmpty() ? "" : " " + String.join(",", f);
    }
}
