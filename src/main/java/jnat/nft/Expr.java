package jnat.nft;

import java.util.List;

/**
 * A rule's expressions as the kernel holds them (include/uapi/linux/netfilter/nf_tables.h, one record per
 * net/netfilter/nft_*.c): loads into registers, comparisons of registers with data, and statements. nft
 * linearizes its language into these (netlink_linearize.c) and prints them back (netlink_delinearize.c);
 * so does jnat ({@link Linearize}, {@link Delinearize}). Data is in register order: big-endian for
 * payload, host order (little-endian) for meta and ct keys. Registers: 0 is the verdict, 1-4 the 16-byte
 * registers, 8-23 the 4-byte ones (NFT_REG32_00 = 8).
 */
sealed interface Expr {
    int NFT_REG_VERDICT = 0;
    int NFT_REG_1 = 1;
    int NFT_REG32_00 = 8;

    /** nft_payload.c: NFT_PAYLOAD_LL_HEADER 0, NETWORK_HEADER 1, TRANSPORT_HEADER 2. */
    record Payload(int base, int offset, int len, int dreg) implements Expr {}

    /** nft_payload.c's set form: write sreg at base/offset, fixing checksums (csumType, csumOffset). */
    record PayloadSet(int base, int offset, int len, int sreg, int csumType, int csumOffset, int csumFlags) implements Expr {}

    /** nft_meta.c's get (NFT_META_*). */
    record Meta(int key, int dreg) implements Expr {}

    record MetaSet(int key, int sreg) implements Expr {}

    /** nft_ct.c's get: key, direction (-1: none). */
    record Ct(int key, int dir, int dreg) implements Expr {}

    record CtSet(int key, int dir, int sreg) implements Expr {}

    /** nft_cmp.c: NFT_CMP_EQ 0, NEQ 1, LT 2, LTE 3, GT 4, GTE 5. */
    record Cmp(int sreg, int op, byte[] data) implements Expr {}

    /** nft_range.c: NFT_RANGE_EQ 0, NFT_RANGE_NEQ 1. */
    record Range(int sreg, int op, byte[] from, byte[] to) implements Expr {}

    /** nft_bitwise.c: NFT_BITWISE_BOOL (dreg = (sreg & mask) ^ xor), LSHIFT 1, RSHIFT 2 by data. */
    record Bitwise(int sreg, int dreg, int len, int op, byte[] mask, byte[] xor, int shift) implements Expr {}

    /** nft_byteorder.c: NFT_BYTEORDER_NTOH 0, HTON 1. */
    record Byteorder(int sreg, int dreg, int op, int len, int size) implements Expr {
        static final int NTOH = 0, HTON = 1;
    }

    /** nft_lookup.c: dreg -1 for a set, 0 for a verdict map, else the map's data register; NFT_LOOKUP_F_INV 1. */
    record Lookup(int sreg, String set, int dreg, int flags) implements Expr {}

    /** nft_immediate.c: data into dreg, or a verdict into register 0. */
    record Immediate(int dreg, byte[] data, Verdict verdict) implements Expr {}

    /** A verdict (NF_DROP 0, NF_ACCEPT 1, NF_QUEUE 3, NFT_CONTINUE -1, NFT_BREAK -2, NFT_JUMP -3, NFT_GOTO -4, NFT_RETURN -5). */
    record Verdict(int code, String chain) {
        static final int DROP = 0, ACCEPT = 1, QUEUE = 3, CONTINUE = -1, BREAK = -2, JUMP = -3, GOTO = -4, RETURN = -5;
    }

    /**
     * nft_counter.c: the packets and bytes are the expression's own state (struct nft_counter_percpu_priv),
     * counted by {@link NfTablesCore} and listed by {@link Delinearize}. A transaction's copy shares the
     * object with the live ruleset, so a rule the transaction leaves in place keeps counting, and a rule
     * flushed and added again is a new object from zero (or from the packets and bytes its text gives), as
     * nf_tables keeps a surviving rule's expressions and builds a new rule's afresh.
     */
    final class Counter implements Expr {
        /** Lane 0's packets and bytes (and what the rule's text gave). */
        private long packets, bytes;
        /**
         * The other lanes' (nft_counter_percpu_priv's per-CPU counters): lane k's packets at
         * {@code (k - 1) * STRIDE}, its bytes after them, a cache line per lane so that two lanes
         * counting do not share one. Null with one lane.
         */
        private long[] lanes;
        private static final int STRIDE = 8;

        Counter(long packets, long bytes) {
            this.packets = packets;
            this.bytes = bytes;
        }

        /** nft_counter_do_eval on lane {@code cpu}'s counter. */
        void add(int cpu, int length) {
            if (cpu == 0) {
                packets++;
                bytes += length;
            } else {
                long[] l = lanes;
                int o = (cpu - 1) * STRIDE;
                l[o]++;
                l[o + 1] += length;
            }
        }

        /** Room for {@code n} lanes' counts (set while no packet runs, as lanes are). */
        void setCpus(int n) {
            int need = (n - 1) * STRIDE;
            if (need > 0 && (lanes == null || lanes.length < need)) lanes = lanes == null ? new long[need] : java.util.Arrays.copyOf(lanes, need);
        }

        /** The packets of every lane, summed as nft_counter_fetch sums the CPUs'. */
        public long packets() {
            long n = packets;
            if (lanes != null) for (int o = 0; o < lanes.length; o += STRIDE) n += lanes[o];
            return n;
        }

        public long bytes() {
            long n = bytes;
            if (lanes != null) for (int o = 1; o < lanes.length; o += STRIDE) n += lanes[o];
            return n;
        }

        @Override
        public String toString() {
            return "Counter[packets=" + packets() + ", bytes=" + bytes() + "]";
        }
    }

    /**
     * nft_limit.c: rate per unit seconds, burst, NFT_LIMIT_PKTS 0 or PKT_BYTES 1, NFT_LIMIT_F_INV 1; and the
     * bucket (struct nft_limit: tokens and last, in nanoseconds), which a surviving rule keeps as
     * {@link Counter}'s state is kept. {@code last} is -1 until the first packet: the kernel fills the bucket
     * at load (nft_limit_init), jnat at the first packet's time, the clock a replay runs on.
     */
    final class Limit implements Expr {
        final long rate, unit;
        final int burst, type, flags;
        long tokens, last = -1;

        Limit(long rate, long unit, int burst, int type, int flags) {
            this.rate = rate;
            this.unit = unit;
            this.burst = burst;
            this.type = type;
            this.flags = flags;
        }

        public long rate() {
            return rate;
        }

        public long unit() {
            return unit;
        }

        public int burst() {
            return burst;
        }

        public int type() {
            return type;
        }

        public int flags() {
            return flags;
        }
    }

    /** nft_quota.c: the quota in bytes, what it consumed (its state, listed as "used"), NFT_QUOTA_F_INV 1. */
    final class Quota implements Expr {
        final long bytes;
        final int flags;
        long consumed;

        Quota(long bytes, long consumed, int flags) {
            this.bytes = bytes;
            this.consumed = consumed;
            this.flags = flags;
        }

        public long bytes() {
            return bytes;
        }

        public long consumed() {
            return consumed;
        }

        public int flags() {
            return flags;
        }
    }

    /** nft_log.c: group -1 without one; level -1 without one (the default, warn). */
    record Log(String prefix, int group, int snaplen, int qthreshold, int level, int flags) implements Expr {}

    /** nft_nat.c: NFT_NAT_SNAT 0, DNAT 1; registers 0 when absent; NF_NAT_RANGE_* flags. */
    record Nat(int type, int family, int regAddrMin, int regAddrMax, int regProtoMin, int regProtoMax, int flags)
            implements Expr {}

    /** nft_masq.c. */
    record Masq(int flags, int regProtoMin, int regProtoMax) implements Expr {}

    /** nft_redir.c. */
    record Redir(int flags, int regProtoMin, int regProtoMax) implements Expr {}

    /** nft_reject.c: NFT_REJECT_ICMP_UNREACH 0, TCP_RST 1, ICMPX_UNREACH 2. */
    record Reject(int type, int code) implements Expr {}

    /** nft_numgen.c: NFT_NG_INCREMENTAL 0, NFT_NG_RANDOM 1. */
    record Numgen(int dreg, int modulus, int type, int offset) implements Expr {}

    /** nft_fib.c: result NFT_FIB_RESULT_OIF 1, OIFNAME 2, ADDRTYPE 3; NFTA_FIB_F_* flags. */
    record Fib(int dreg, int result, int flags) implements Expr {}

    /** nft_ct.c's notrack. */
    record Notrack() implements Expr {}

    /** nft_dynset.c: NFT_DYNSET_OP_ADD 0, UPDATE 1, DELETE 2; timeout in ms (0: the set's). */
    record Dynset(int op, int sregKey, int sregData, String set, long timeout, List<Expr> exprs) implements Expr {}

    /** nft_exthdr.c over TCP options (NFT_EXTHDR_OP_TCPOPT 1): a load or, with sreg, a write. */
    record Exthdr(int op, int type, int offset, int len, int dreg, int sreg, int flags) implements Expr {}

    /** nft_queue.c. */
    record Queue(int num, int total, int flags) implements Expr {}
}
