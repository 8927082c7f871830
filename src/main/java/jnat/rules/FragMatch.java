package jnat.rules;

/** -m frag (libip6t_frag.c; the kernel's ip6t_frag.c): the fragment header's id, flags and reserved bits. */
public final class FragMatch implements Match {
    // IP6T_FRAG_* flags and invflags
    static final int IDS = 1, LEN = 2, RES = 4, FST = 8, MF = 0x10, NMF = 0x20;
    static final int INV_IDS = 1, INV_LEN = 2;
    private static final long U32 = 0xFFFFFFFFL;

    public final long idMin, idMax;
    public final long hdrlen;
    public final int flags, invflags;

    FragMatch(long idMin, long idMax, long hdrlen, int flags, int invflags) {
        this.idMin = idMin;
        this.idMax = idMax;
        this.hdrlen = hdrlen;
        this.flags = flags;
        this.invflags = invflags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "frag";
    }

    /** frag_mt6: the first fragment header; --fraglen is parsed but not checked (the kernel never did). */
    @Override
    public boolean matches(PacketContext ctx) {
        int p = ctx.ipv6FindHeader(44);
        if (p < 0 || ctx.networkByte(p + 7) < 0) return false;
        int reserved = ctx.networkByte(p + 1);
        int fragOff = ctx.networkByte(p + 2) << 8 | ctx.networkByte(p + 3);
        long id = (long) ctx.networkByte(p + 4) << 24 | ctx.networkByte(p + 5) << 16 | ctx.networkByte(p + 6) << 8
                | ctx.networkByte(p + 7);
        if ((id >= idMin && id <= idMax) == ((invflags & INV_IDS) != 0)) return false;
        if ((flags & RES) != 0 && (reserved != 0 || (fragOff & 0x6) != 0)) return false;
        if ((flags & FST) != 0 && (fragOff & ~0x7) != 0) return false;
        if ((flags & MF) != 0 && (fragOff & 1) == 0) return false;
        return (flags & NMF) == 0 || (fragOff & 1) == 0;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" frag ");
        ModuleParser.printRange(out, "id", idMin, idMax, U32, (invflags & INV_IDS) != 0);
        if ((flags & LEN) != 0) out.append(" length:").append((invflags & INV_LEN) != 0 ? "!" : "").append(hdrlen);
        flagWords(out, " reserved", " first", " more", " last");
    }

    private void flagWords(StringBuilder out, String res, String fst, String mf, String nmf) {
        if ((flags & RES) != 0) out.append(res);
        if ((flags & FST) != 0) out.append(fst);
        if ((flags & MF) != 0) out.append(mf);
        if ((flags & NMF) != 0) out.append(nmf);
    }

    @Override
    public void save(StringBuilder out) {
        ModuleParser.saveRange(out, "--fragid", idMin, idMax, U32, (invflags & INV_IDS) != 0);
        if ((flags & LEN) != 0) out.append((invflags & INV_LEN) != 0 ? " !" : "").append(" --fraglen ").append(hdrlen);
        flagWords(out, " --fragres", " --fragfirst", " --fragmore", " --fraglast");
    }

    static final class Parser extends ModuleParser {
        long min = 0, max = U32;
        long hdrlen;
        int flags, inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            switch (opt) {
                case "--fragid" -> {
                    once(IDS);
                    long[] r = range("frag", opt, args.value(opt), U32);
                    min = r[0];
                    max = r[1];
                    if (invert) inv |= INV_IDS;
                }
                case "--fraglen" -> {
                    once(LEN);
                    hdrlen = number("frag", opt, args.value(opt), U32);
                    if (invert) inv |= INV_LEN;
                }
                case "--fragres" -> flag("--fragres", invert, RES);
                case "--fragfirst" -> flag("--fragfirst", invert, FST);
                case "--fragmore" -> flag("--fragmore", invert, MF);
                case "--fraglast" -> flag("--fraglast", invert, NMF);
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void once(int f) {
            if ((flags & f) != 0) throw new RuleError("frag: option may only be specified once");
            flags |= f;
        }

        private void flag(String opt, boolean invert, int f) {
            noInvert("frag", opt, invert);
            once(f);
        }

        @Override
        Object finish(RuleSpec spec) {
            java.util.List<String> given = new java.util.ArrayList<>();
            if ((flags & MF) != 0) given.add("--fragmore");
            if ((flags & NMF) != 0) given.add("--fraglast");
            exclusive("frag", java.util.List.of("--fragmore", "--fraglast"), given);
            return new FragMatch(min, max, hdrlen, flags, inv);
        }
    }
}
