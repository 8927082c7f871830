package jnat.conntrack;

import java.util.Arrays;

/**
 * nf_conn_nat's masq_index (the ifindex of the device a connection was masqueraded to, for
 * nf_nat_oif_changed and the device-down cleanup), kept in a row as a 6-bit slot
 * ({@link NfConn#masqSlot}): slots 1 to 62 name the masquerading devices in the order the table
 * met them; a connection to a device past them has slot 63 and its ifindex here by id, in an array
 * made with the first one. A host masquerades through a handful of devices, so rows pay 6 bits.
 */
final class NfConnNatMasq {
    private static final int OVERFLOW = NfConn.MASQ_MASK;

    private final int[] slots = new int[OVERFLOW - 1];
    private int[] overflow;

    /** The ifindex row slot {@code slot} of connection {@code id} names (0: not masqueraded). */
    int ifindex(int id, int slot) {
        return slot == 0 ? 0 : slot < OVERFLOW ? slots[slot - 1] : overflow[id];
    }

    /** The slot for {@code ifindex} (a new device gets the next free one, or the overflow array by id). */
    int slotFor(int id, int ifindex, int capacity) {
        if (ifindex == 0) return 0;
        int slot = 1;
        while (slot < OVERFLOW && slots[slot - 1] != ifindex && slots[slot - 1] != 0) slot++;
        if (slot < OVERFLOW) {
            slots[slot - 1] = ifindex;
            return slot;
        }
        if (overflow == null) overflow = new int[capacity];
        overflow[id] = ifindex;
        return OVERFLOW;
    }

    void grow(int capacity) {
        if (overflow != null) overflow = Arrays.copyOf(overflow, capacity);
    }

    boolean overflowAllocated() {
        return overflow != null;
    }
}
