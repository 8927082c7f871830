package jnat.host;

/** An IPv6 neighbour entry (struct neighbour in nd_tbl): next hop address on a device and its MAC. */
public record Neighbour6(long hi, long lo, long mac, Interface device, String state) {
    public String macString() {
        return Inet4.formatMac(mac);
    }

    /** Writes the 6-byte MAC into {@code dst} at {@code off}. */
    public void copyMacTo(byte[] dst, int off) {
        for (int i = 0; i < 6; i++) dst[off + i] = (byte) (mac >>> (40 - 8 * i));
    }
}
