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
        ArpPacket.write(buf, off, operation, senderMac, senderIp, targetMac, targetIp);
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
