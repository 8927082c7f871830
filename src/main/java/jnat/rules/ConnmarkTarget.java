package jnat.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * -j CONNMARK (xt_connmark.c connmark_tg, libxt_CONNMARK.c): the connection's mark set from a
 * value (--set-xmark and its spellings), from the packet's mark (--save-mark) or into the packet's
 * mark (--restore-mark), each under its masks, and (revision 2, connmark_tg_shift) the new bits
 * shifted by --left-shift-mark or --right-shift-mark. A packet without a connection goes on untouched.
 */
public final class ConnmarkTarget extends Target {
    public static final int SET = 0, SAVE = 1, RESTORE = 2;

    public final int mode, ctmark, ctmask, nfmask;
    /** D_SHIFT_LEFT or D_SHIFT_RIGHT, and by how many bits (0: none). */
    final boolean shiftRight;
    final int shiftBits;

    ConnmarkTarget(int mode, int ctmark, int ctmask, int nfmask) {
        this(mode, ctmark, ctmask, nfmask, false, 0);
    }

    ConnmarkTarget(int mode, int ctmark, int ctmask, int nfmask, boolean shiftRight, int shiftBits) {
        this.mode = mode;
        this.ctmark = ctmark;
        this.ctmask = ctmask;
        this.nfmask = nfmask;
        this.shiftRight = shiftRight;
        this.shiftBits = shiftBits;
    }

    private int shifted(int v) {
        return shiftRight ? v >>> shiftBits : v << shiftBits;
    }

    @Override
    public String name() {
        return "CONNMARK";
    }

    @Override
    public boolean apply(PacketContext ctx) {
        if (!ctx.hasConnection()) return true;
        switch (mode) {
            case SET -> ctx.setCtMark(shifted((ctx.ctMark() & ~ctmask) ^ ctmark));
            case SAVE -> ctx.setCtMark((ctx.ctMark() & ~ctmask) ^ shifted(ctx.mark() & nfmask));
            default -> ctx.setMark((ctx.mark() & ~nfmask) ^ shifted(ctx.ctMark() & ctmask));
        }
        return true;
    }

    private static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** connmark_tg_print. */
    @Override
    public void print(StringBuilder out, boolean numeric) {
        switch (mode) {
            case SET -> {
                if (ctmark == 0) out.append(" CONNMARK and ").append(hex(~ctmask));
                else if (ctmark == ctmask) out.append(" CONNMARK or ").append(hex(ctmark));
                else if (ctmask == 0) out.append(" CONNMARK xor ").append(hex(ctmark));
                else if (ctmask == -1) out.append(" CONNMARK set ").append(hex(ctmark));
                else out.append(" CONNMARK xset ").append(hex(ctmark)).append('/').append(hex(ctmask));
            }
            case SAVE -> {
                if (nfmask == -1 && ctmask == -1) out.append(" CONNMARK save");
                else if (nfmask == ctmask) out.append(" CONNMARK save mask ").append(hex(nfmask));
                else out.append(" CONNMARK save nfmask ").append(hex(nfmask)).append(" ctmask ~").append(hex(ctmask));
            }
            default -> {
                if (nfmask == -1 && ctmask == -1) out.append(" CONNMARK restore");
                else if (nfmask == ctmask) out.append(" CONNMARK restore mask ").append(hex(ctmask));
                else out.append(" CONNMARK restore ctmask ").append(hex(ctmask)).append(" nfmask ~").append(hex(nfmask));
            }
        }
        if (shiftBits != 0) out.append(shiftRight ? " right-shift-mark " : " left-shift-mark ").append(shiftBits);
    }

    @Override
    public void save(StringBuilder out) {
        switch (mode) {
            case SET -> out.append(" --set-xmark ").append(hex(ctmark)).append('/').append(hex(ctmask));
            case SAVE -> out.append(" --save-mark --nfmask ").append(hex(nfmask)).append(" --ctmask ").append(hex(ctmask));
            default -> out.append(" --restore-mark --nfmask ").append(hex(nfmask)).append(" --ctmask ").append(hex(ctmask));
        }
        if (shiftBits != 0) out.append(shiftRight ? " --right-shift-mark " : " --left-shift-mark ").append(shiftBits);
    }

    static final class Parser extends ModuleParser {
        static final List<String> MODES = List.of("--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark",
                "--save-mark", "--restore-mark");
        int mode = -1, ctmark, ctmask = -1, nfmask = -1, shiftBits;
        boolean shiftRight;
        final List<String> given = new ArrayList<>();

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (opt.equals("--left-shift-mark") || opt.equals("--right-shift-mark")) {
                noInvert("CONNMARK", opt, invert);
                shiftRight = opt.equals("--right-shift-mark");
                shiftBits = (int) number("CONNMARK", opt, args.value(opt), 32);
                return true;
            }
            if (!MODES.contains(opt) && !List.of("--mask", "--ctmask", "--nfmask").contains(opt)) return false;
            noInvert("CONNMARK", opt, invert);
            given.add(opt);
            switch (opt) {
                case "--save-mark" -> mode = SAVE;
                case "--restore-mark" -> mode = RESTORE;
                default -> {
                    String v = args.value(opt);
                    int[] mm = ConnmarkMatch.markMask("CONNMARK", opt, v);
                    boolean hasMask = v.contains("/");
                    if (hasMask && List.of("--and-mark", "--or-mark", "--xor-mark", "--mask", "--ctmask", "--nfmask").contains(opt)) {
                        throw new RuleError("CONNMARK: bad integer value for option \"" + opt + "\", or out of range.");
                    }
                    switch (opt) {
                        case "--set-xmark" -> set(mm[0], mm[1]);
                        case "--set-mark" -> set(mm[0], mm[0] | mm[1]);
                        case "--and-mark" -> set(0, ~mm[0]);
                        case "--or-mark" -> set(mm[0], mm[0]);
                        case "--xor-mark" -> set(mm[0], 0);
                        case "--mask" -> nfmask = ctmask = mm[0];
                        case "--ctmask" -> ctmask = mm[0];
                        default -> nfmask = mm[0];
                    }
                }
            }
            return true;
        }

        private void set(int mark, int mask) {
            mode = SET;
            ctmark = mark;
            ctmask = mask;
        }

        @Override
        Object finish(RuleSpec spec) {
            exclusive("CONNMARK", MODES, given);
            exclusive("CONNMARK", List.of("--ctmask", "--mask"), given);
            exclusive("CONNMARK", List.of("--nfmask", "--mask"), given);
            if (mode < 0) throw new RuleError("CONNMARK target: No operation specified");
            if (shiftBits >= 32) throw kernelRefuses(); // connmark_tg_check: shift_bits >= 32
            return new ConnmarkTarget(mode, ctmark, ctmask, nfmask, shiftRight, shiftBits);
        }
    }

    @Override
    public boolean usesConntrack() {
        return true;
    }
}
