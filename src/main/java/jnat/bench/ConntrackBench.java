package jnat.bench;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Tuple;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Conntrack with a full table: the lookup of an established connection's tuple among
 * {@code entries} connections, and a whole nf_conntrack_in for an in-window TCP ACK on one; of
 * IPv4 or IPv6 connections ({@code family}).
 * Lookups cycle through 4096 random established connections so caches do not flatter the table.
 *
 * <pre>java -cp target/jnat.jar org.openjdk.jmh.Main ConntrackBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class ConntrackBench {
    private static final long SEC = 1_000_000_000L;
    private static final int PROBES = 4096;
    private static final int SERVER = 0xc6336408; // 198.51.100.8
    private static final long CLIENT6_HI = 0xfd49efd754aa0000L, SERVER6_HI = 0x20010db800080000L, SERVER6_LO = 8;
    private final Tuple[] probes6 = new Tuple[PROBES];
    private boolean ipv6;

    @Param({"1000000"})
    public int entries;

    /** ipv4: 172.16.0.0/16 clients to 198.51.100.8; ipv6: fd49:efd7:54aa::/64 clients to 2001:db8:8::8 (the folds and full addresses compared). */
    @Param({"ipv4", "ipv6"})
    public String family;

    private ConnTable table;
    private Conntrack conntrack;
    private final CtPacket packet = new CtPacket();
    private long[] addrs;
    private long[] l4;
    private int[] client;
    private int[] port;
    private int[] seq;
    private int[] ack;
    private int next;
    private final long now = 1000 * SEC;

    @Setup(Level.Trial)
    public void fill() {
        table = new ConnTable(entries, entries, 42);
        conntrack = new Conntrack(table);
        SplittableRandom rnd = new SplittableRandom(7);
        addrs = new long[PROBES];
        l4 = new long[PROBES];
        client = new int[PROBES];
        port = new int[PROBES];
        seq = new int[PROBES];
        ack = new int[PROBES];
        CtPacket p = new CtPacket();
        ipv6 = family.equals("ipv6");
        for (int i = 0; i < entries; i++) {
            int c = 0xac100000 | (i >>> 14);          // 172.16.x.y, or fd49:efd7:54aa::x:y
            int sp = 1024 + (i & 0x3fff);
            int cs = rnd.nextInt(), ss = rnd.nextInt();
            // A real handshake, so every entry is ESTABLISHED and ASSURED.
            p.reset();
            original(p.tuple, c, sp);
            p.tcp(CtPacket.SYN, cs, 0, 64240, 0);
            conntrack.in(p, now);
            table.confirm(p.id, now);
            p.reset();
            reply(p.tuple, c, sp);
            p.tcp(CtPacket.SYN | CtPacket.ACK, ss, cs + 1, 65160, 0);
            conntrack.in(p, now);
            p.reset();
            original(p.tuple, c, sp);
            p.tcp(CtPacket.ACK, cs + 1, ss + 1, 502, 0);
            conntrack.in(p, now);
            if (i % (entries / PROBES) == 0 && i / (entries / PROBES) < PROBES) {
                int k = i / (entries / PROBES);
                Tuple t = reply(new Tuple(), c, sp); // the reply direction
                probes6[k] = t;
                addrs[k] = t.addrs();
                l4[k] = t.l4();
                client[k] = c;
                port[k] = sp;
                seq[k] = cs + 1;
                ack[k] = ss + 1;
            }
        }
        if (table.count() != entries) throw new IllegalStateException("filled " + table.count());
    }

    /** Client {@code c}'s connection from port {@code sp}, client to server. */
    private Tuple original(Tuple t, int c, int sp) {
        return ipv6 ? t.set6(Tuple.IPPROTO_TCP, CLIENT6_HI, c & 0xffffffffL, SERVER6_HI, SERVER6_LO, sp, 443)
                : t.set(Tuple.IPPROTO_TCP, c, SERVER, sp, 443);
    }

    /** Its reply direction, server to client. */
    private Tuple reply(Tuple t, int c, int sp) {
        return ipv6 ? t.set6(Tuple.IPPROTO_TCP, SERVER6_HI, SERVER6_LO, CLIENT6_HI, c & 0xffffffffL, 443, sp)
                : t.set(Tuple.IPPROTO_TCP, SERVER, c, 443, sp);
    }

    @Benchmark
    public int lookupEstablished() {
        int k = next++ & (PROBES - 1);
        return ipv6 ? table.find(probes6[k], now) : table.find(addrs[k], l4[k], now);
    }

    @Benchmark
    public int trackEstablishedAck() {
        int k = next++ & (PROBES - 1);
        CtPacket p = packet;
        original(p.tuple, client[k], port[k]);
        p.tcp(CtPacket.ACK, seq[k], ack[k], 502, 0);
        p.ipLength = ipv6 ? 60 : 40;
        return conntrack.in(p, now);
    }
}
