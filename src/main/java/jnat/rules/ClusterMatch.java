package jnat.rules;

/**
 * -m cluster (xt_cluster.c, libxt_cluster.c): whether the connection's original source hashes
 * (jhash over the address, the seed, scaled to the node count) onto one of this node's. As the
 * kernel does, a packet sent to a multicast MAC but a unicast address becomes PACKET_HOST (the
 * cluster's shared multicast MAC trick); without a connection it never matches.
 */
public final class ClusterMatch implements Match {
    public final int totalNodes, nodeMask, hashSeed;
    public final boolean invert;

    ClusterMatch(int totalNodes, int nodeMask, int hashSeed, boolean invert) {
        this.totalNodes = totalNodes;
        this.nodeMask = nodeMask;
        this.hashSeed = hashSeed;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "cluster";
    }

    private static int rot(int x, int k) {
        return Integer.rotateLeft(x, k);
    }

    /**
     * include/linux/jhash.h's jhash over {@code n} u32 words, n being 1 (k0) or 4 (k0..k3): one
     * __jhash_mix over the first three of four, then __jhash_final with the last one added to a.
     */
    static int jhashWords(int n, int k0, int k1, int k2, int k3, int initval) {
        int a = 0xdeadbeef + (n << 2) + initval, b = a, c = a, last = k0;
        if (n == 4) {
            a += k0;
            b += k1;
            c += k2;
            a -= c; a ^= rot(c, 4); c += b;
            b -= a; b ^= rot(a, 6); a += c;
            c -= b; c ^= rot(b, 8); b += a;
            a -= c; a ^= rot(c, 16); c += b;
            b -= a; b ^= rot(a, 19); a += c;
            c -= b; c ^= rot(b, 4); b += a;
            last = k3;
        }
        a += last;
        c ^= b; c -= rot(b, 14);
        a ^= c; a -= rot(c, 11);
        b ^= a; b -= rot(a, 25);
        c ^= b; c -= rot(b, 16);
        a ^= c; a -= rot(c, 4);
        b ^= a; b -= rot(a, 14);
        c ^= b; c -= rot(b, 24);
        return c;
    }

    /** xt_cluster_mt: the original source's words as an x86 loads them (network-order bytes read little-endian). */
    @Override
    public boolean matches(PacketContext ctx) {
        boolean multicastDst = ctx.ipv6() ? (ctx.dstAddressHi() >>> 56) == 0xff : (ctx.dstAddress() >>> 28) == 0xe;
        if (!multicastDst && ctx.pktType() == PacketContext.PACKET_MULTICAST) ctx.setPktTypeHost();
        if (!ctx.hasConnection()) return false;
        int hash;
        if (ctx.ipv6()) {
            long hi = ctx.ctAddressHi(0), lo = ctx.ctAddressLo(0);
            hash = jhashWords(4, Integer.reverseBytes((int) (hi >>> 32)), Integer.reverseBytes((int) hi),
                    Integer.reverseBytes((int) (lo >>> 32)), Integer.reverseBytes((int) lo), hashSeed);
        } else {
            // jhash_1word(a, seed) is jhash over the one word
            hash = jhashWords(1, Integer.reverseBytes(ctx.ctOrigSrc()), 0, 0, 0, hashSeed);
        }
        int node = (int) (((hash & 0xffffffffL) * (totalNodes & 0xffffffffL)) >>> 32);
        return ((1L << node & Integer.toUnsignedLong(nodeMask)) != 0) != invert;
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" cluster ").append(invert ? "!" : "").append(String.format("node_mask=0x%08x", nodeMask))
                .append(String.format(" total_nodes=%d hash_seed=0x%08x", totalNodes, hashSeed));
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " !" : "").append(String.format(" --cluster-local-nodemask 0x%08x", nodeMask))
                .append(String.format(" --cluster-total-nodes %d --cluster-hash-seed 0x%08x", totalNodes, hashSeed));
    }

    static final class Parser extends ModuleParser {
        static final int O_TOTAL = 0, O_NODE = 1, O_MASK = 2, O_SEED = 3;
        private final XtOptions opts = new XtOptions("cluster",
                XtOptions.entry("cluster-total-nodes", O_TOTAL),
                new XtOptions.Entry("cluster-local-node", O_NODE, true, 1 << O_MASK, 0, false),
                new XtOptions.Entry("cluster-local-nodemask", O_MASK, true, 1 << O_NODE, 0, false),
                XtOptions.entry("cluster-hash-seed", O_SEED));
        int total, mask, seed;
        boolean inv;

        Parser() {
            opts.mandatory = 1 << O_TOTAL | 1 << O_SEED;
        }

        private static int range(String opt, String v, long min, long max) {
            long n = strtoul(v, max);
            if (n < min) throw new RuleError("cluster: bad value for option \"" + opt + "\", or out of range (" + min + "-" + max + ").");
            return (int) n;
        }

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            XtOptions.Entry e = opts.find(opt);
            if (e == null) return false;
            String v = args.value(opt);
            opts.parse(e, invert);
            switch (e.id()) {
                case O_TOTAL -> total = range(opt, v, 1, 32);
                case O_NODE -> {
                    mask = 1 << (range(opt, v, 1, 32) - 1);
                    inv |= invert;
                }
                case O_MASK -> {
                    mask = range(opt, v, 1, 32);
                    inv |= invert;
                }
                default -> seed = (int) number("cluster", opt, v, 0xFFFFFFFFL);
            }
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            // xtables_option_mfcheck: cluster_check, then the option table's checks
            int x = opts.xflags;
            int a = 1 << O_TOTAL | 1 << O_NODE | 1 << O_SEED, b = 1 << O_TOTAL | 1 << O_MASK | 1 << O_SEED;
            if ((x & a) == a) {
                if (Integer.toUnsignedLong(mask) >= 1L << total) {
                    throw new RuleError("cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'");
                }
            } else if ((x & b) == b) {
                if (Integer.toUnsignedLong(mask) >= 1L << total) {
                    throw new RuleError("cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'");
                }
            } else if ((x & (1 << O_NODE | 1 << O_MASK)) == 0) {
                throw new RuleError("cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing");
            }
            opts.fcheck();
            return new ClusterMatch(total, mask, seed, inv);
        }
    }

    /** Its checkentry takes the namespace's conntrack (nf_ct_netns_get). */
    @Override
    public boolean usesConntrack() {
        return true;
    }
}
