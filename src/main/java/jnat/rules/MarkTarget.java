package jnat.rules;

/** -j MARK revision 2 (xt_mark.c mark_tg, libxt_MARK.c): mark = (mark & ~mask) ^ value. */
public final class MarkTarget extends Target {
    public final int mark, mask;

    MarkTarget(int mark, int mask) {
        this.mark = mark;
        this.mask = mask;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "MARK";
    }

    @Override
    public boolean apply(PacketContext ctx) {
        ctx.setMark((ctx.mark() & ~mask) ^ mark);
        return true;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        if (mark == 0) out.append(" MARK and 0x").append(Integer.toHexString(~mask));
        else if (mark == mask) out.append(" MARK or 0x").append(Integer.toHexString(mark));
        else if (mask == 0) out.append(" MARK xor 0x").append(Integer.toHexString(mark));
        else if (mask == -1) out.append(" MARK set 0x").append(Integer.toHexString(mark));
        else out.append(" MARK xset 0x").append(Integer.toHexString(mark)).append("/0x").append(Integer.toHexString(mask));
    }

    @Override
    public void save(StringBuilder out) {
        out.append(" --set-xmark 0x").append(Integer.toHexString(mark)).append("/0x").append(Integer.toHexString(mask));
    }

    static final class Parser extends ModuleParser {
        int mark, mask;
        boolean given;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark" -> {
                    noInvert("MARK", opt, invert);
                    if (given) throw new RuleError("MARK target: Can't specify --set-mark twice");
                    given = true;
                    String v = args.value(opt);
                    int[] mm = MarkMatch.parseMarkMask(v);
                    boolean hasMask = v.contains("/");
                    switch (opt) {
                        case "--set-xmark" -> {
                            mark = mm[0];
                            mask = mm[1];
                        }
                        case "--set-mark" -> {
                            mark = mm[0];
                            mask = mm[0] | mm[1];
                        }
                        default -> {
                            if (hasMask) throw new RuleError("MARK: bad value for option \"" + opt + "\"");
                            switch (opt) {
                                case "--and-mark" -> {
                                    mark = 0;
                                    mask = ~mm[0];
                                }
                                case "--or-mark" -> {
                                    mark = mm[0];
                                    mask = mm[0];
                                }
                                default -> {
                                    mark = mm[0];
                                    mask = 0;
                                }
                            }
                        }
                    }
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }

        @Override
        Object finish(RuleSpec spec) {
            if (!given) throw new RuleError("MARK target: Parameter --set/and/or/xor-mark is required");
            return new MarkTarget(mark, mask);
        }
    }
}
