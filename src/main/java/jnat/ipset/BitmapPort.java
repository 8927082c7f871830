package jnat.ipset;

/**
 * ip_set_bitmap_port.c over ip_set_bitmap_gen.h ({@link BitmapGen}): one bit per port of the
 * range, family unspec (both families' rules use it), TCP and UDP packets only. Memory is
 * mtype_memsize's with struct bitmap_port's 72 bytes (x86_64, measured).
 */
final class BitmapPort extends BitmapGen {
    /** sizeof(struct bitmap_port) on x86_64 Linux 6.18, measured. */
    private static final int MAP_SIZE = 72;

    final int first, last;

    BitmapPort(String name, Create o) {
        super(name, "bitmap:port", 3, unspec(o), o.from < 0 ? 0 : Math.abs(o.to - o.from) + 1, MAP_SIZE, 0);
        if (o.from < 0) throw new IpSetError("Mandatory option `range' is missing");
        first = Math.min(o.from, o.to);
        last = Math.max(o.from, o.to);
    }

    private static Create unspec(Create o) {
        o.family = 0;
        return o;
    }

    @Override
    public int dimension() {
        return 1;
    }

    @Override
    public String header() {
        StringBuilder b = new StringBuilder("range ").append(first).append('-').append(last);
        appendExtensions(b);
        return b.toString();
    }

    /** "[proto:]port[-port]", the protocol ignored. */
    private int[] range(String element) {
        if (element.startsWith("icmp:")) throw new IpSetError("jnat: ICMP in a bitmap:port element is not supported (ports of tcp, udp, sctp and udplite are)");
        int[] pp = Parse.protoPort(element);
        if (pp[1] < first || pp[2] > last) throw new IpSetError("Element is out of the range of the set");
        return new int[] {pp[1] - first, pp[2] - first};
    }

    @Override
    public void add(String element, IpSetExt ext, boolean exist) {
        checkExt(ext);
        int[] r = range(element);
        for (int id = r[0]; id <= r[1]; id++) add(id, -1, ext, exist, true);
    }

    @Override
    public void del(String element, boolean exist) {
        int[] r = range(element);
        for (int id = r[0]; id <= r[1]; id++) del(id, exist, true);
    }

    @Override
    public boolean test(String element) {
        if (element.indexOf('-') >= 0) {
            throw new IpSetError("FROM-TO port range is not allowed in command test with set type bitmap:port and family unspec");
        }
        if (element.startsWith("icmp:")) range(element);
        int port = Parse.protoPort(element)[1];
        // ip_set_utest turns the range error of bitmap_port_uadt into "is NOT in set", as for any test
        return port >= first && port <= last && live(port - first);
    }

    /** bitmap_port_kadt: the packet's TCP or UDP port of the dimension's side, in the range. */
    @Override
    public int kadt(IpSetAdt opt, int adt) {
        if (!opt.portsValid || opt.proto != 6 && opt.proto != 17) return 0;
        int port = opt.port(1);
        if (port < first || port > last) return 0;
        return kadtElement(port - first, opt, adt);
    }

    @Override
    String format(int id) {
        return String.valueOf(first + id);
    }

    @Override
    boolean sameSet(IpSet o) {
        return o instanceof BitmapPort b && b.first == first && b.last == last && b.timeout == timeout && b.extensions() == extensions();
    }
}
