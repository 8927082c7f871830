package jnat.host;

/**
 * The host file's neighbours by (device, address), as neigh_lookup finds them in the table's hash
 * buckets: an open-addressed table of positions in the host's list (an IPv4 address is {@code lo}
 * with {@code hi} 0), so a host with tens of thousands of permanent entries (containers on a bridge)
 * finds one in a probe or two. Rebuilt when entries are removed; allocates nothing on lookup.
 */
final class NeighbourIndex {
    private Interface[] devs = new Interface[16];
    private long[] his = new long[16], los = new long[16];
    private int[] positions = new int[16];
    private int size;

    /** The position of (dev, hi, lo) in the list, or -1. */
    int find(Interface dev, long hi, long lo) {
        int mask = devs.length - 1;
        for (int i = hash(dev, hi, lo) & mask; ; i = (i + 1) & mask) {
            Interface d = devs[i];
            if (d == null) return -1;
            if (d == dev && his[i] == hi && los[i] == lo) return positions[i];
        }
    }

    /** Records a new entry at {@code position} (the caller found none for its key). */
    void add(Interface dev, long hi, long lo, int position) {
        if (2 * (size + 1) > devs.length) grow();
        put(dev, hi, lo, position);
        size++;
    }

    void clear() {
        java.util.Arrays.fill(devs, null);
        size = 0;
    }

    private void put(Interface dev, long hi, long lo, int position) {
        int mask = devs.length - 1;
        int i = hash(dev, hi, lo) & mask;
        while (devs[i] != null) i = (i + 1) & mask;
        devs[i] = dev;
        his[i] = hi;
        los[i] = lo;
        positions[i] = position;
    }

    private void grow() {
        Interface[] d = devs;
        long[] h = his, l = los;
        int[] p = positions;
        devs = new Interface[d.length * 2];
        his = new long[d.length * 2];
        los = new long[d.length * 2];
        positions = new int[d.length * 2];
        for (int i = 0; i < d.length; i++) if (d[i] != null) put(d[i], h[i], l[i], p[i]);
    }

    private static int hash(Interface dev, long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL) ^ dev.index();
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }
}
