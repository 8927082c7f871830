package jnat.wire;

/**
 * An Ethernet II header as plain values: source and destination MAC (see {@link MacAddress}), ethertype,
 * and an optional 802.1Q VLAN id ({@code vlanId} -1 for none). {@link #frame(Ipv4Repr, TransportRepr)}
 * and friends build whole frames (no padding to 60 bytes, as captured on the sending host).
 */
public record EthernetRepr(long src, long dst, int etherType, int vlanId) {

    public EthernetRepr {
        Reprs.u16(etherType, "ethertype");
        if (vlanId < -1 || vlanId > 0xfff) throw new IllegalArgumentException("vlan id " + vlanId);
    }

    /** An untagged IPv4 frame header from {@code src} to {@code dst} ("02:42:ac:11:00:02"). */
    public static EthernetRepr of(String src, String dst) {
        return new EthernetRepr(MacAddress.parse(src), MacAddress.parse(dst), EtherType.IPV4, -1);
    }

    public static EthernetRepr of(long src, long dst) {
        return new EthernetRepr(src, dst, EtherType.IPV4, -1);
    }

    public EthernetRepr withSrc(long mac) { return new EthernetRepr(mac, dst, etherType, vlanId); }
    public EthernetRepr withDst(long mac) { return new EthernetRepr(src, mac, etherType, vlanId); }
    public EthernetRepr withEtherType(int t) { return new EthernetRepr(src, dst, t, vlanId); }
    public EthernetRepr withVlan(int id) { return new EthernetRepr(src, dst, etherType, id); }

    public int headerLength() {
        return EthernetFrame.HEADER_LENGTH + (vlanId >= 0 ? EthernetFrame.VLAN_TAG_LENGTH : 0);
    }

    public void emit(byte[] buf, int off) {
        if (vlanId >= 0) {
            EthernetFrame.writeVlanHeader(buf, off, dst, src, vlanId, etherType); // priority 0
        } else {
            EthernetFrame.writeHeader(buf, off, dst, src, etherType);
        }
    }

    /** This header followed by {@code payload}. */
    public byte[] frame(byte[] payload) {
        byte[] out = new byte[headerLength() + payload.length];
        emit(out, 0);
        System.arraycopy(payload, 0, out, headerLength(), payload.length);
        return out;
    }

    /** An IPv4 frame: this header (ethertype IPv4), {@code ip}, {@code l4}, all checksums right. */
    public byte[] frame(Ipv4Repr ip, TransportRepr l4) {
        return withEtherType(EtherType.IPV4).frame(ip.packet(l4));
    }

    /** An IPv6 frame: this header (ethertype IPv6), {@code ip}, {@code l4}, its checksum right. */
    public byte[] frame(Ipv6Repr ip, Transport6Repr l4) {
        return withEtherType(EtherType.IPV6).frame(ip.packet(l4));
    }

    /** An ARP frame (ethertype ARP). */
    public byte[] frame(ArpRepr arp) {
        return withEtherType(EtherType.ARP).frame(arp.bytes());
    }

    public static EthernetRepr parse(EthernetFrame f) {
        return new EthernetRepr(f.src(), f.dst(), f.etherType(), f.vlanId());
    }

    @Override
    public String toString() {
        return "EthernetRepr[" + MacAddress.format(src) + " > " + MacAddress.format(dst) + " type 0x"
                + Integer.toHexString(etherType) + (vlanId >= 0 ? " vlan " + vlanId : "") + "]";
    }
}
