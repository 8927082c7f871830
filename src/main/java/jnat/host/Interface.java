package jnat.host;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A network device (struct net_device with its in_device): name, index, link-layer address, MTU,
 * up/down, its IPv4 addresses in the kernel's list order (primaries before secondaries) and its
 * IPv6 addresses (its inet6_dev).
 * A device without a MAC is layer 3 only (a TUN device): frames on it are bare IP packets.
 */
public final class Interface {
    /** The value of {@link #macBits()} for a device with no link-layer address. */
    public static final long NO_MAC = -1L;

    private final int index;
    private final String name;
    private final String type;
    long mac = NO_MAC;
    int mtu;
    boolean up;
    final List<InterfaceAddress> addresses = new ArrayList<>();
    /** inet6_dev's addr_list: wider scope first, the newest first within a scope. */
    final List<InterfaceAddress6> addresses6 = new ArrayList<>();
    boolean addrGenEui64 = true;
    /** net_device.group: ip link's "group", 0 ("default") unless set. */
    int group;

    Interface(int index, String name, String type, int mtu) {
        this.index = index;
        this.name = name;
        this.type = type;
        this.mtu = mtu;
    }

    /** The ifindex; lo is 1, others count up in creation order as in a fresh network namespace. */
    public int index() { return index; }

    public String name() { return name; }

    /** The device type it was made as: loopback, dummy, veth, bridge, tun, or "none" (implicit). */
    public String type() { return type; }

    public int mtu() { return mtu; }

    public boolean isUp() { return up; }

    /** The device group (ip link set DEV group N), 0 by default. */
    public int group() { return group; }

    public boolean isLoopback() { return "loopback".equals(type); }

    /** True when frames on this device carry an Ethernet header (it has a MAC). */
    public boolean hasMac() { return mac != NO_MAC; }

    /** The MAC in the low 48 bits, or {@link #NO_MAC}. */
    public long macBits() { return mac; }

    /** Writes the 6-byte MAC into {@code dst} at {@code off}; no-op (returns false) without one. */
    public boolean copyMacTo(byte[] dst, int off) {
        if (mac == NO_MAC) return false;
        for (int i = 0; i < 6; i++) dst[off + i] = (byte) (mac >>> (40 - 8 * i));
        return true;
    }

    /** The MAC as aa:bb:cc:dd:ee:ff, or null for a layer-3-only device. */
    public String macString() {
        return mac == NO_MAC ? null : Inet4.formatMac(mac);
    }

    /** Whether {@code addr} is one of this device's IPv4 addresses (the address itself), without allocating. */
    public boolean hasLocal(int addr) {
        for (int i = 0, n = addresses.size(); i < n; i++) if (addresses.get(i).local() == addr) return true;
        return false;
    }

    /** The IPv4 addresses, primaries first, in the kernel's order (ip addr show prints this order). */
    public List<InterfaceAddress> addresses() {
        return Collections.unmodifiableList(addresses);
    }

    /** The IPv6 addresses in the kernel's list order (what ip -6 addr show prints). */
    public List<InterfaceAddress6> addresses6() {
        return Collections.unmodifiableList(addresses6);
    }

    /** True unless ip link set DEV addrgenmode none turned off link-local generation. */
    public boolean addrGenEui64() { return addrGenEui64; }

    /** The first primary address, or null (0 is not used as "none" since 0.0.0.0 never is an address). */
    public InterfaceAddress primaryAddress() {
        for (InterfaceAddress a : addresses) if (!a.isSecondary()) return a;
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
