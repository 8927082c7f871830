package jnat.wire;

/** An Ethernet/IPv4 ARP packet as plain values; MACs as in {@link MacAddress}, addresses as in {@link Ipv4Address}. */
public record ArpRepr(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {

    /** "who-has targetIp tell senderIp": target MAC zero, as Linux sends it. */
    public static ArpRepr request(String senderMac, String senderIp, String targetIp) {
        return new ArpRepr(ArpPacket.REQUEST, MacAddress.parse(senderMac), Ipv4Address.parse(senderIp), 0L,
                Ipv4Address.parse(targetIp));
    }

    /** "senderIp is-at senderMac", to the asker. */
    public static ArpRepr reply(String senderMac, String senderIp, String targetMac, String targetIp) {
        return new ArpRepr(ArpPacket.REPLY, MacAddress.parse(senderMac), Ipv4Address.parse(senderIp),
                MacAddress.parse(targetMac), Ipv4Address.parse(targetIp));
    }

    public int length() { return ArpPacket.LENGTH; }

    public void emit(byte[] buf, int off) {
        Bytes.put16(buf, off, 1);
        Bytes.put16(buf, off + 2, EtherType.IPV4);
        Bytes.put8(buf, off + 4, 6);
        Bytes.put8(buf, off + 5, 4);
        Bytes.put16(buf, off + 6, operation);
        Bytes.put48(buf, off + 8, senderMac);
        Bytes.put32(buf, off + 14, senderIp);
        Bytes.put48(buf, off + 18, targetMac);
        Bytes.put32(buf, off + 24, targetIp);
    }

    public byte[] bytes() {
        byte[] out = new byte[ArpPacket.LENGTH];
        emit(out, 0);
        return out;
    }

    public static ArpRepr parse(ArpPacket a) {
        return new ArpRepr(a.operation(), a.senderMac(), a.senderIp(), a.targetMac(), a.targetIp());
    }

    @Override
    public String toString() {
        return "ArpRepr[op " + operation + " " + MacAddress.format(senderMac) + " " + Ipv4Address.format(senderIp)
                + " > " + MacAddress.format(targetMac) + " " + Ipv4Address.format(targetIp) + "]";
    }
}
