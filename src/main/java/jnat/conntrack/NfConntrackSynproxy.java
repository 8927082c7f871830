package jnat.conntrack;

import java.util.Arrays;

/**
 * nf_conntrack_synproxy.h: struct nf_conn_synproxy, the extension a connection made through
 * SYNPROXY carries: isn (the cookie the client was given as the server's ISN), its (the
 * timestamp the cookie SYN/ACK sent) and tsoff (the server's timestamp clock minus that one).
 * Kept by id in a side array made with the first such connection; whether the extension is
 * there is {@link #has} (nfct_synproxy != NULL).
 */
public final class NfConntrackSynproxy {
    private static final int PRESENT = 0, ISN = 1, ITS = 2, TSOFF = 3, PER_ID = 4;

    private int[] ext;

    /** nfct_synproxy_ext_add, from the synproxy template the connection was made with. */
    void add(int id, int capacity) {
        if (ext == null) ext = new int[capacity * PER_ID];
        Arrays.fill(ext, id * PER_ID, (id + 1) * PER_ID, 0);
        ext[id * PER_ID + PRESENT] = 1;
    }

    public boolean has(int id) {
        return ext != null && ext[id * PER_ID + PRESENT] != 0;
    }

    public int isn(int id) { return ext[id * PER_ID + ISN]; }
    public void setIsn(int id, int v) { ext[id * PER_ID + ISN] = v; }
    public int its(int id) { return ext[id * PER_ID + ITS]; }
    public void setIts(int id, int v) { ext[id * PER_ID + ITS] = v; }
    public int tsoff(int id) { return ext[id * PER_ID + TSOFF]; }
    public void setTsoff(int id, int v) { ext[id * PER_ID + TSOFF] = v; }

    void clear(int id) {
        if (ext != null) Arrays.fill(ext, id * PER_ID, (id + 1) * PER_ID, 0);
    }

    void grow(int capacity) {
        if (ext != null) ext = Arrays.copyOf(ext, capacity * PER_ID);
    }
}
