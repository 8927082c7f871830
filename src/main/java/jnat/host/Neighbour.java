package jnat.host;

/** A neighbour entry (struct neighbour): next hop address on a device and its link-layer address. */
public record Neighbour(int address, long mac, Interface device, String state) {
    /** The MAC as aa:bb:cc:dd:ee:ff. */
    public String macString() {
        return Inet4.formatMac(mac);
    }

    /** Writes the 6-byte MAC into {@code dst} at {@code off}. */
    public void copyMacTo(byte[] dst, int off) {
        for (int i = 0; i < 6; i++) dst[off + i] = (byte) (mac >>> (40 - 8 * i));
    }
}
