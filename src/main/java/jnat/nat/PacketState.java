package jnat.nat;

import jnat.conntrack.ConnTable;
import jnat.conntrack.Conntrack;
import jnat.conntrack.CtPacket;
import jnat.conntrack.Status;
import jnat.host.Host;
import jnat.host.Interface;
import jnat.rules.PacketContext;
import jnat.wire.IpProtocol;
import jnat.wire.Ipv4Packet;

/**
 * One packet on its way through the hooks (the parts of an sk_buff and nf_hook_state that rules
 * and NAT read): the IPv4 view, the interfaces, the conntrack result. Reused for every packet;
 * it is what the nat table's matches see.
 */
final class PacketState implements PacketContext {
    final Ipv4Packet ip = new Ipv4Packet();
    final Ipv4Packet inner = new Ipv4Packet();
    final CtPacket ct = new CtPacket();

    private final Host host;
    private final ConnTable table;

    Interface in;
    Interface out;
    /** The route's next hop (rt_nexthop), for MASQUERADE and layer 2. */
    int nexthop;
    int mark;
    /** Set by NOTRACK in the raw table (IP_CT_UNTRACKED): conntrack skips the packet, NAT does not apply. */
    boolean untracked;

    PacketState(Host host, ConnTable table) {
        this.host = host;
        this.table = table;
    }

    void reset(Interface in) {
        this.in = in;
        this.out = null;
        this.nexthop = 0;
        this.mark = 0;
        this.untracked = false;
        this.ct.id = -1; // the raw table runs before conntrack: no connection of an earlier packet
    }

    boolean tracked() {
        return ct.id >= 0;
    }

    @Override
    public String inInterface() {
        return in == null ? "" : in.name();
    }

    @Override
    public String outInterface() {
        return out == null ? "" : out.name();
    }

    @Override
    public int srcAddress() {
        return ip.src();
    }

    @Override
    public int dstAddress() {
        return ip.dst();
    }

    @Override
    public int protocol() {
        return ip.protocol();
    }

    @Override
    public boolean nonFirstFragment() {
        return ip.fragmentOffset() != 0;
    }

    @Override
    public int srcPort() {
        return ip.hasPorts() ? ip.srcPort() : 0;
    }

    @Override
    public int dstPort() {
        return ip.hasPorts() ? ip.dstPort() : 0;
    }

    @Override
    public int tcpFlags() {
        if (ip.protocol() != IpProtocol.TCP || ip.fragmentOffset() != 0 || ip.payloadLength() < 14) return 0;
        return ip.buffer()[ip.payloadOffset() + 13] & 0xff;
    }

    @Override
    public int icmpType() {
        return ip.protocol() == IpProtocol.ICMP && ip.payloadLength() >= 1 ? ip.icmpType() : -1;
    }

    @Override
    public int icmpCode() {
        return ip.protocol() == IpProtocol.ICMP && ip.payloadLength() >= 2 ? ip.icmpCode() : -1;
    }

    @Override
    public int length() {
        return ip.totalLength();
    }

    @Override
    public int mark() {
        return mark;
    }

    @Override
    public void setMark(int mark) {
        this.mark = mark;
    }

    @Override
    public void notrack() {
        if (!tracked()) untracked = true; // xt_CT: a packet with a connection attached keeps it
    }

    @Override
    public int ctState() {
        if (untracked) return CT_UNTRACKED;
        if (!tracked()) return CT_INVALID;
        int ctinfo = ct.ctinfo;
        // XT_CONNTRACK_STATE_BIT(ctinfo): 1 << (ctinfo % IP_CT_IS_REPLY + 1)
        int state = 1 << (ctinfo % Conntrack.IP_CT_IS_REPLY + 1);
        int status = table.status(ct.id);
        if ((status & Status.SRC_NAT) != 0) state |= CT_SNAT;
        if ((status & Status.DST_NAT) != 0) state |= CT_DNAT;
        return state;
    }

    @Override
    public int ctDirection() {
        return tracked() ? ct.dir : DIR_ORIGINAL;
    }

    @Override
    public int ctOrigSrc() {
        return tracked() ? table.srcAddr(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctOrigDst() {
        return tracked() ? table.dstAddr(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctOrigSrcPort() {
        return tracked() ? table.srcPort(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctOrigDstPort() {
        return tracked() ? table.dstPort(ct.id, ConnTable.ORIGINAL) : 0;
    }

    @Override
    public int ctReplySrc() {
        return tracked() ? table.srcAddr(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int ctReplyDst() {
        return tracked() ? table.dstAddr(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int ctReplySrcPort() {
        return tracked() ? table.srcPort(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int ctReplyDstPort() {
        return tracked() ? table.dstPort(ct.id, ConnTable.REPLY) : 0;
    }

    @Override
    public int addressType(int addr, String limitIface) {
        Interface limit = limitIface == null ? null : host.device(limitIface);
        return 1 << host.addressType(addr, limit).ordinal();
    }
}
