package jnat.gateway;

import jnat.conntrack.ConnRowExport;
import jnat.conntrack.ConnTable;
import jnat.conntrack.Tuple;
import jnat.nat.NatEngine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The conntrack table in a file, so a restarted gateway keeps its connections (what conntrackd
 * does for the kernel across a failover). Each row is {@link ConnRowExport#exportRow}'s: both tuples,
 * status bits, mark, counters, the TCP state and window tracking, the NAT data (MASQUERADE's
 * interface index) and the time left, not an absolute expiry: the engine's clock is
 * {@link System#nanoTime()}, which means nothing in another process. The by-source NAT index is
 * not stored; {@link NatEngine#restoreConnection} rebuilds it. Interface indexes in the rows are
 * those of the host file: restore with the same host file.
 *
 * <p>Format (big-endian): the 8 bytes {@code "JNATCT1\n"}, the row's long and int counts (10 and
 * 23, the IPv4 row's), the number of rows, then each row's longs and ints; an IPv6 connection's
 * row (the family bit in its tuples, {@link ConnRowExport#ipv6}) is followed by its four
 * addresses, 8 more longs ({@link ConnRowExport#LONGS_IPV6}). A table without IPv6 connections
 * is written byte for byte as before; a jnat that predates IPv6 rows refuses a file with some (its
 * size no longer matches the row count) rather than misreading it. Written to a temporary file,
 * forced to disk and renamed over the old one, so a reader sees the old table or the new one,
 * never half of one.
 */
public final class ConntrackState {
    private static final byte[] MAGIC = "JNATCT1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Longs an IPv6 row adds after its IPv4-length row: its four addresses. */
    private static final int ADDR6_LONGS = ConnRowExport.LONGS_IPV6 - ConnRowExport.LONGS;

    /**
     * Rows copied out of the engine, to be written without holding it: row {@code k}'s longs at
     * {@code k * ConnRowExport.LONGS}, its ints at {@code k * ConnRowExport.INTS}; the addresses of the IPv6 rows,
     * 8 longs each, in {@code addr6} in row order (kept apart so that an IPv4 table
     * costs what it did).
     */
    public record Snapshot(int rows, long[] longs, int[] ints, long[] addr6) {
        /** How many of the rows are IPv6 connections'. */
        public int ipv6Rows() {
            return addr6.length / ADDR6_LONGS;
        }
    }

    private ConntrackState() {}

    /** Copies every confirmed, live connection, with times relative to {@code now} (hold the engine). */
    public static Snapshot snapshot(NatEngine engine, long now) {
        ConnTable t = engine.connections();
        int n = 0, n6 = 0;
        for (int id = t.nextConfirmed(0); id >= 0; id = t.nextConfirmed(id + 1)) {
            if (t.expired(id, now)) continue;
            n++;
            if (t.ipv6(id)) n6++;
        }
        long[] l = new long[n * ConnRowExport.LONGS];
        int[] i = new int[n * ConnRowExport.INTS];
        long[] a6 = new long[n6 * ADDR6_LONGS];
        long[] rowL = new long[ConnRowExport.LONGS_IPV6]; // room for an IPv6 row's addresses
        int[] rowI = new int[ConnRowExport.INTS];
        int k = 0, k6 = 0; // the table does not change under the engine's lock: n and n6 hold
        for (int id = t.nextConfirmed(0); id >= 0 && k < n; id = t.nextConfirmed(id + 1)) {
            if (t.expired(id, now)) continue;
            ConnRowExport.exportRow(t, id, now, rowL, rowI);
            if (ConnRowExport.ipv6(rowL)) System.arraycopy(rowL, ConnRowExport.LONGS, a6, k6++ * ADDR6_LONGS, ADDR6_LONGS);
            System.arraycopy(rowL, 0, l, k * ConnRowExport.LONGS, ConnRowExport.LONGS);
            System.arraycopy(rowI, 0, i, k * ConnRowExport.INTS, ConnRowExport.INTS);
            k++;
        }
        return new Snapshot(k, l, i, a6);
    }

    /** Writes the snapshot to {@code file} atomically (temporary file, fsync, rename). */
    public static void write(Path file, Snapshot s) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(ConnRowExport.LONGS);
                out.writeInt(ConnRowExport.INTS);
                out.writeInt(s.rows());
                long[] rowL = new long[ConnRowExport.LONGS];
                int k6 = 0;
                for (int k = 0; k < s.rows(); k++) {
                    System.arraycopy(s.longs(), k * ConnRowExport.LONGS, rowL, 0, ConnRowExport.LONGS);
                    for (long v : rowL) out.writeLong(v);
                    for (int j = 0; j < ConnRowExport.INTS; j++) out.writeInt(s.ints()[k * ConnRowExport.INTS + j]);
                    if (ConnRowExport.ipv6(rowL)) {
                        for (int j = 0; j < ADDR6_LONGS; j++) out.writeLong(s.addr6()[k6 * ADDR6_LONGS + j]);
                        k6++;
                    }
                }
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a state file; a file that is not one, is cut short or has a row that cannot be a
     * connection's (tuples of two families, IPv6 addresses that are not the tuple's) is an
     * IOException saying so, and nothing else is thrown.
     */
    public static Snapshot read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a jnat conntrack state file");
            int nl = in.readInt(), ni = in.readInt(), rows = in.readInt();
            if (nl != ConnRowExport.LONGS || ni != ConnRowExport.INTS) {
                throw new IOException(file + ": rows of " + nl + " longs and " + ni + " ints, this jnat writes "
                        + ConnRowExport.LONGS + " and " + ConnRowExport.INTS);
            }
            // Every row is the IPv4 row's bytes, an IPv6 one 64 more: the size gives the IPv6 rows'
            // count before anything is allocated, so a bad count cannot ask for a huge array.
            long size = Files.size(file), body = size - MAGIC.length - 12, rowBytes = nl * 8L + ni * 4L;
            long extra = body - rows * rowBytes;
            if (rows < 0 || extra < 0 || extra % (ADDR6_LONGS * 8L) != 0 || extra / (ADDR6_LONGS * 8L) > rows
                    || (long) rows * ni > Integer.MAX_VALUE) {
                throw new IOException(file + ": " + rows + " rows announced, file size " + size + " does not match");
            }
            int n6 = (int) (extra / (ADDR6_LONGS * 8L));
            long[] l = new long[rows * nl];
            int[] i = new int[rows * ni];
            long[] a6 = new long[n6 * ADDR6_LONGS];
            long[] rowL = new long[ConnRowExport.LONGS_IPV6];
            int k6 = 0;
            for (int k = 0; k < rows; k++) {
                for (int j = 0; j < nl; j++) rowL[j] = in.readLong();
                for (int j = 0; j < ni; j++) i[k * ni + j] = in.readInt();
                System.arraycopy(rowL, 0, l, k * nl, nl);
                if (!ConnRowExport.ipv6(rowL)) {
                    if (ipv6Tuple(rowL, ConnTable.REPLY)) throw badRow(file, k, rows, "an IPv4 tuple with an IPv6 reply");
                    continue;
                }
                if (k6 == n6) throw badRow(file, k, rows, "an IPv6 row without its addresses (cut short)");
                for (int j = 0; j < ADDR6_LONGS; j++) rowL[nl + j] = in.readLong();
                String wrong = ipv6RowError(rowL);
                if (wrong != null) throw badRow(file, k, rows, wrong);
                System.arraycopy(rowL, nl, a6, k6++ * ADDR6_LONGS, ADDR6_LONGS);
            }
            if (k6 != n6) {
                throw new IOException(file + ": " + n6 + " IPv6 rows by the file's size, " + k6 + " by their tuples");
            }
            return new Snapshot(rows, l, i, a6);
        } catch (EOFException e) {
            throw new IOException(file + ": cut short");
        }
    }

    private static IOException badRow(Path file, int k, int rows, String what) {
        return new IOException(file + ": row " + (k + 1) + " of " + rows + ": " + what);
    }

    /** Whether the packed l4 of direction {@code dir} in an exported row has the IPv6 bit. */
    private static boolean ipv6Tuple(long[] rowL, int dir) {
        return (rowL[2 * dir + 1] >>> 32 & Tuple.L4_IPV6) != 0;
    }

    /**
     * Why an IPv6 row (its addresses in place) is no connection's, or null: the reply must be IPv6
     * too and each tuple's address folds those of its addresses, which a flipped bit breaks.
     */
    private static String ipv6RowError(long[] rowL) {
        if (!ipv6Tuple(rowL, ConnTable.REPLY)) return "an IPv6 tuple with an IPv4 reply";
        for (int d = 0; d < 2; d++) {
            int x = ConnRowExport.LONGS + 4 * d;
            long addrs = rowL[2 * d];
            int src = Tuple.fold(rowL[x], rowL[x + 1]), dst = Tuple.fold(rowL[x + 2], rowL[x + 3]);
            if ((int) (addrs >>> 32) != src || (int) addrs != dst) {
                return "the " + (d == ConnTable.ORIGINAL ? "original" : "reply") + " tuple's IPv6 addresses do not match its folds";
            }
        }
        return null;
    }

    /** Puts the snapshot's rows into the engine (hold it); returns how many it took (expired rows are skipped). */
    public static int restore(NatEngine engine, Snapshot s, long now) {
        long[] rowL = new long[ConnRowExport.LONGS_IPV6];
        int[] rowI = new int[ConnRowExport.INTS];
        int taken = 0, k6 = 0;
        for (int k = 0; k < s.rows(); k++) {
            System.arraycopy(s.longs(), k * ConnRowExport.LONGS, rowL, 0, ConnRowExport.LONGS);
            System.arraycopy(s.ints(), k * ConnRowExport.INTS, rowI, 0, ConnRowExport.INTS);
            if (ConnRowExport.ipv6(rowL)) {
                if (k6 == s.ipv6Rows()) continue; // a hand-made snapshot short of addresses: skip, never throw
                System.arraycopy(s.addr6(), k6++ * ADDR6_LONGS, rowL, ConnRowExport.LONGS, ADDR6_LONGS);
            }
            if (engine.restoreConnection(rowL, rowI, now) >= 0) taken++;
        }
        return taken;
    }
}
