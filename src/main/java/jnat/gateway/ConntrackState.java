package jnat.gateway;

import jnat.conntrack.ConnTable;
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
 * does for the kernel across a failover). Each row is {@link ConnTable#exportRow}'s: both tuples,
 * status bits, mark, counters, the TCP state and window tracking, the NAT data (MASQUERADE's
 * interface index) and the time left, not an absolute expiry: the engine's clock is
 * {@link System#nanoTime()}, which means nothing in another process. The by-source NAT index is
 * not stored; {@link NatEngine#restoreConnection} rebuilds it. Interface indexes in the rows are
 * those of the host file: restore with the same host file.
 *
 * <p>Format (big-endian): the 8 bytes {@code "JNATCT1\n"}, the row's long and int counts, the
 * number of rows, then each row's longs and ints. Written to a temporary file, forced to disk and
 * renamed over the old one, so a reader sees the old table or the new one, never half of one.
 */
public final class ConntrackState {
    private static final byte[] MAGIC = "JNATCT1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Rows copied out of the engine, to be written without holding it. */
    public record Snapshot(int rows, long[] longs, int[] ints) {}

    private ConntrackState() {}

    /** Copies every confirmed, live connection, with times relative to {@code now} (hold the engine). */
    public static Snapshot snapshot(NatEngine engine, long now) {
        ConnTable t = engine.connections();
        int n = 0;
        for (int id = t.nextConfirmed(0); id >= 0; id = t.nextConfirmed(id + 1)) if (!t.expired(id, now)) n++;
        long[] l = new long[n * ConnTable.ROW_LONGS];
        int[] i = new int[n * ConnTable.ROW_INTS];
        long[] rowL = new long[ConnTable.ROW_LONGS];
        int[] rowI = new int[ConnTable.ROW_INTS];
        int k = 0;
        for (int id = t.nextConfirmed(0); id >= 0 && k < n; id = t.nextConfirmed(id + 1)) {
            if (t.expired(id, now)) continue;
            t.exportRow(id, now, rowL, rowI);
            System.arraycopy(rowL, 0, l, k * ConnTable.ROW_LONGS, ConnTable.ROW_LONGS);
            System.arraycopy(rowI, 0, i, k * ConnTable.ROW_INTS, ConnTable.ROW_INTS);
            k++;
        }
        return new Snapshot(k, l, i);
    }

    /** Writes the snapshot to {@code file} atomically (temporary file, fsync, rename). */
    public static void write(Path file, Snapshot s) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(ConnTable.ROW_LONGS);
                out.writeInt(ConnTable.ROW_INTS);
                out.writeInt(s.rows());
                for (int k = 0; k < s.rows(); k++) {
                    for (int j = 0; j < ConnTable.ROW_LONGS; j++) out.writeLong(s.longs()[k * ConnTable.ROW_LONGS + j]);
                    for (int j = 0; j < ConnTable.ROW_INTS; j++) out.writeInt(s.ints()[k * ConnTable.ROW_INTS + j]);
                }
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a state file; a file that is not one (or is cut short) is an IOException saying so. */
    public static Snapshot read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a jnat conntrack state file");
            int nl = in.readInt(), ni = in.readInt(), rows = in.readInt();
            if (nl != ConnTable.ROW_LONGS || ni != ConnTable.ROW_INTS) {
                throw new IOException(file + ": rows of " + nl + " longs and " + ni + " ints, this jnat writes "
                        + ConnTable.ROW_LONGS + " and " + ConnTable.ROW_INTS);
            }
            long size = Files.size(file);
            if (rows < 0 || (long) rows * (nl * 8L + ni * 4L) != size - MAGIC.length - 12) {
                throw new IOException(file + ": " + rows + " rows announced, file size " + size + " does not match");
            }
            long[] l = new long[rows * nl];
            int[] i = new int[rows * ni];
            for (int k = 0; k < rows; k++) {
                for (int j = 0; j < nl; j++) l[k * nl + j] = in.readLong();
                for (int j = 0; j < ni; j++) i[k * ni + j] = in.readInt();
            }
            return new Snapshot(rows, l, i);
        } catch (EOFException e) {
            throw new IOException(file + ": cut short");
        }
    }

    /** Puts the snapshot's rows into the engine (hold it); returns how many it took (expired rows are skipped). */
    public static int restore(NatEngine engine, Snapshot s, long now) {
        long[] rowL = new long[ConnTable.ROW_LONGS];
        int[] rowI = new int[ConnTable.ROW_INTS];
        int taken = 0;
        for (int k = 0; k < s.rows(); k++) {
            System.arraycopy(s.longs(), k * ConnTable.ROW_LONGS, rowL, 0, ConnTable.ROW_LONGS);
            System.arraycopy(s.ints(), k * ConnTable.ROW_INTS, rowI, 0, ConnTable.ROW_INTS);
            if (engine.restoreConnection(rowL, rowI, now) >= 0) taken++;
        }
        return taken;
    }
}
