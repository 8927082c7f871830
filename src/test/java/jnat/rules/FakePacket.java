package jnat.rules;

/** A packet for matching tests: plain fields, addresses as ints. */
class FakePacket implements PacketContext {
    String in = "", out = "";
    int src, dst, proto = 6, srcPort = 40000, dstPort = 80, tcpFlags = 0x02, icmpType, icmpCode;
    boolean fragment;
    int length = 60, mark;
    int ctState = CT_NEW, ctDir = DIR_ORIGINAL;
    int origSrc, origDst, origSrcPort, origDstPort, replySrc, replyDst, replySrcPort, replyDstPort;
    /** Addresses that are local (RTN_LOCAL); everything else is unicast. */
    int[] local = {};
    /** The lane walking it (PacketContext.cpu). */
    int cpu;

    static int ip(String s) {
        return Inet.parseAddress(s);
    }

    FakePacket from(String a, int port) {
        src = ip(a);
        srcPort = port;
        origSrc = src;
        origSrcPort = port;
        return this;
    }

    FakePacket to(String a, int port) {
        dst = ip(a);
        dstPort = port;
        origDst = dst;
        origDstPort = port;
        return this;
    }

    @Override public String inInterface() { return in; }
    @Override public String outInterface() { return out; }
    @Override public int srcAddress() { return src; }
    @Override public int dstAddress() { return dst; }
    @Override public int protocol() { return proto; }
    @Override public boolean nonFirstFragment() { return fragment; }
    @Override public int srcPort() { return srcPort; }
    @Override public int dstPort() { return dstPort; }
    @Override public int tcpFlags() { return tcpFlags; }
    @Override public int icmpType() { return icmpType; }
    @Override public int icmpCode() { return icmpCode; }
    @Override public int length() { return length; }
    @Override public int cpu() { return cpu; }
    @Override public int mark() { return mark; }
    @Override public void setMark(int m) { mark = m; }
    @Override public int ctState() { return ctState; }
    @Override public int ctDirection() { return ctDir; }
    @Override public int ctOrigSrc() { return origSrc; }
    @Override public int ctOrigDst() { return origDst; }
    @Override public int ctOrigSrcPort() { return origSrcPort; }
    @Override public int ctOrigDstPort() { return origDstPort; }
    @Override public int ctReplySrc() { return replySrc; }
    @Override public int ctReplyDst() { return replyDst; }
    @Override public int ctReplySrcPort() { return replySrcPort; }
    @Override public int ctReplyDstPort() { return replyDstPort; }

    @Override
    public int addressType(int addr, String limitIface) {
        for (int l : local) if (l == addr) return RTN_LOCAL;
        if ((addr >>> 28) == 0xE) return RTN_MULTICAST;
        return RTN_UNICAST;
    }
}
