package jnat.conntrack;

import java.util.Arrays;

/**
 * nf_conntrack_zones.h: the zone of each connection, part of its identity (a lookup matches a
 * tuple only in its zone, and the zone's id is hashed with the tuple). A zone is an id and the
 * directions it applies to (CT --zone-orig, --zone-reply; both by default); a direction it does
 * not apply to is in the default zone, 0. Kept by id in a side array allocated with the first
 * connection outside the default zone, as rows do not grow for what few rulesets use.
 */
public final class NfConntrackZones {
    /** NF_CT_ZONE_DIR_ORIG, NF_CT_ZONE_DIR_REPL: bits of the directions, 1 << dir. */
    static final int DIR_ORIG = 1, DIR_REPL = 2, DIR_BOTH = DIR_ORIG | DIR_REPL;

    private int[] zones;

    /** A zone as one int: the id in the low 16 bits, the directions above; 0 is the default zone. */
    public static int pack(int id, int dirs) {
        return (id & 0xFFFF) == 0 ? 0 : dirs << 16 | id & 0xFFFF;
    }

    /** nf_ct_zone_id: the zone's id in direction {@code dir}, 0 where it does not apply. */
    public static int id(int zone, int dir) {
        return (zone >>> 16 & 1 << dir) != 0 ? zone & 0xFFFF : 0;
    }

    /** The packed zone of connection {@code id}. */
    int get(int id) {
        int[] z = zones;
        return z == null ? 0 : z[id];
    }

    /** nf_ct_zone_equal for direction {@code dir}: connection {@code id}'s zone id there is {@code zone}'s. */
    boolean matches(int id, int dir, int zone) {
        int[] z = zones;
        return id(z == null ? 0 : z[id], dir) == id(zone, dir);
    }

    void set(int id, int zone, int capacity) {
        if (zones == null) {
            if (zone == 0) return;
            zones = new int[capacity];
        }
        zones[id] = zone;
    }

    void clear(int id) {
        if (zones != null) zones[id] = 0;
    }

    void grow(int capacity) {
        if (zones != null) zones = Arrays.copyOf(zones, capacity);
    }

    /** Whether any connection was ever outside the default zone (the side array exists). */
    boolean used() {
        return zones != null;
    }
}
