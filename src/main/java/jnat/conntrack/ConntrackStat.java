package jnat.conntrack;

/**
 * struct ip_conntrack_stat (include/linux/netfilter/nf_conntrack_common.h): the per-net counters
 * {@code conntrack -S} prints, incremented where nf_conntrack_core.c increments them. Since
 * kernel 4.10 the fast path counts nothing: a lookup that finds its entry and a confirm that
 * inserts one leave these alone; only the exceptional events count.
 */
public final class ConntrackStat {
    /** nf_conntrack_tuple_taken found the tuple in use (NAT tried another): each taken candidate. */
    long found;
    /** The packet passed without a connection: no tuple (nf_ct_get_tuple failed), or the tracker refused it. */
    long invalid;
    /** ctnetlink inserted an entry (nf_conntrack_hash_check_insert); the packet path never counts here. */
    long insert;
    /** A new entry's tuple was in the table already when its packet left (the clash NAT loses). */
    long insertFailed;
    /** Dropped by conntrack: the table full with nothing to early-drop, a lost clash, a tracker's drop. */
    long drop;
    /** Entries early_drop evicted to make room for a new one (the gc worker's kills above 95% are not counted). */
    long earlyDrop;
    /** icmp_error / icmpv6_error refused an ICMP message (truncated, bad checksum, no connection quoted). */
    long error;
    /** A lookup restarted after a concurrent move; a single-threaded table never restarts. */
    long searchRestart;
    /** A clash resolved by taking the winner's entry (UDP's allow_clash). */
    long clashResolve;
    /** A hash chain longer than the insert limit refused the entry. */
    long chainTooLong;
    /** Not a kernel counter: entries the gc evicted because the table was above 95% (gc_worker's early drop). */
    long gcEarlyDrop;

    public long found() { return found; }
    public long invalid() { return invalid; }
    public long insertFailed() { return insertFailed; }
    public long drop() { return drop; }
    public long earlyDrop() { return earlyDrop; }
    public long error() { return error; }
    public long clashResolve() { return clashResolve; }
    public long gcEarlyDrop() { return gcEarlyDrop; }

    /** The packet passed untracked: an ICMP or ICMPv6 packet icmp_error refused counts error, others invalid. */
    public void untracked(boolean icmp) {
        if (icmp) error++;
        else invalid++;
    }

    /** One line of {@code conntrack -S}, as conntrack-tools 1.4.7 prints it for {@code cpu}. */
    public String line(int cpu) {
        return String.format("cpu=%-4d\tfound=%d invalid=%d insert=%d insert_failed=%d drop=%d early_drop=%d error=%d "
                        + "search_restart=%d clash_resolve=%d chaintoolong=%d ",
                cpu, found, invalid, insert, insertFailed, drop, earlyDrop, error, searchRestart, clashResolve, chainTooLong);
    }

    /** The per-cpu counters (net->ct.stat, alloc_percpu): one set per CPU, and the one counting now. */
    static final class PerCpu {
        private ConntrackStat[] cpus = {new ConntrackStat()};
        ConntrackStat counting = cpus[0];

        /** Keeps {@code n} sets of counters; the counts so far stay with CPU 0, which counts next. */
        void setCpus(int n) {
            if (n < 1) throw new IllegalArgumentException("at least one CPU");
            ConntrackStat[] c = java.util.Arrays.copyOf(cpus, n);
            for (int i = cpus.length; i < n; i++) c[i] = new ConntrackStat();
            cpus = c;
            counting = c[0];
        }

        int cpus() { return cpus.length; }

        ConntrackStat cpu(int cpu) { return cpus[cpu]; }

        long earlyDrops() {
            long n = 0;
            for (ConntrackStat s : cpus) n += s.earlyDrop + s.gcEarlyDrop;
            return n;
        }
    }
}
