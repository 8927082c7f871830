package jnat.host;

import java.util.ArrayList;
import java.util.List;

/**
 * The host's own TCP and UDP sockets, as far as netfilter and the receive path see them: the
 * bound and listening ones a user names ({@code --listen tcp:22}: inet_hashtables.c's listening
 * hash, udp.c's udptable) and the connected ones the host's own traffic opened (the established
 * hash). jnat runs no protocol on them: a socket decides only whether a packet for the host finds
 * one (else the kernel answers with a RST or a port unreachable), who owns it (-m owner), and what
 * -m socket and TPROXY find. Lookups never allocate.
 */
public final class LocalSockets {
    public static final int TCP = 6, UDP = 17;

    /** One socket: its protocol, family (4 or 6), bound address (0 / :: is the wildcard), port, owner, options. */
    public static final class Sock {
        public final int protocol, family;
        public final int addr;
        public final long addrHi, addrLo;
        public final int port;
        public final int uid, gid;
        /** IP_TRANSPARENT (-m socket --transparent, TPROXY's listener). */
        public final boolean transparent;
        /** SO_MARK (-m socket --restore-skmark). */
        public final int mark;
        /** The peer of a connected socket; the port is -1 for a bound or listening one. */
        final int raddr;
        final long raddrHi, raddrLo;
        final int rport;

        Sock(int protocol, int family, int addr, long addrHi, long addrLo, int port, int uid, int gid, boolean transparent,
             int mark, int raddr, long raddrHi, long raddrLo, int rport) {
            this.protocol = protocol;
            this.family = family;
            this.addr = addr;
            this.addrHi = addrHi;
            this.addrLo = addrLo;
            this.port = port;
            this.uid = uid;
            this.gid = gid;
            this.transparent = transparent;
            this.mark = mark;
            this.raddr = raddr;
            this.raddrHi = raddrHi;
            this.raddrLo = raddrLo;
            this.rport = rport;
        }

        public boolean connected() {
            return rport >= 0;
        }

        /** Bound to the wildcard address (INADDR_ANY or ::). */
        public boolean wildcard() {
            return family == 4 ? addr == 0 : (addrHi | addrLo) == 0;
        }

        /** As {@code --listen} takes it. */
        @Override
        public String toString() {
            String a = family == 4 ? (addr == 0 ? "0.0.0.0" : IpFormat.formatAddress(addr))
                    : "[" + IpFormat6.formatAddress(addrHi, addrLo) + "]";
            return (protocol == TCP ? "tcp:" : "udp:") + a + ":" + port + ",uid=" + uid + ",gid=" + gid
                    + (transparent ? ",transparent" : "") + (mark != 0 ? ",mark=0x" + Integer.toHexString(mark) : "");
        }
    }

    /** IPPROTO_RAW: a raw socket's protocol (SOCK_RAW, IP_HDRINCL). */
    public static final int RAW = 255;

    /** A raw socket of {@code uid} and {@code gid}, bound to nothing: the sender of packets written whole. */
    public static Sock raw(int uid, int gid) {
        return new Sock(RAW, 0, 0, 0, 0, 0, uid, gid, false, 0, 0, 0, 0, -1);
    }

    private final List<Sock> bound = new ArrayList<>();
    /** Connected sockets, open addressing by their four-tuple's hash; never shrinks. */
    private Sock[] connected = new Sock[64];
    private int connectedCount;

    /** The bound and listening sockets, in the order given. */
    public List<Sock> bound() {
        return List.copyOf(bound);
    }

    public int connectedCount() {
        return connectedCount;
    }

    /**
     * Adds the sockets of one {@code --listen} value: {@code PROTO:PORT} (the wildcard of both
     * families, as a server's two sockets), {@code PROTO:ADDR:PORT} or {@code PROTO:[ADDR6]:PORT},
     * then comma-separated {@code uid=N}, {@code gid=N}, {@code transparent}, {@code mark=N}.
     */
    public void listen(String spec) {
        String[] parts = spec.split(",");
        String main = parts[0];
        int colon = main.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("--listen " + spec + ": expected PROTO:[ADDR:]PORT");
        int protocol = switch (main.substring(0, colon)) {
            case "tcp" -> TCP;
            case "udp" -> UDP;
            default -> throw new IllegalArgumentException("--listen " + spec + ": protocol must be tcp or udp");
        };
        String rest = main.substring(colon + 1);
        String addr = null, port;
        if (rest.startsWith("[")) {
            int end = rest.indexOf("]:");
            if (end < 0) throw new IllegalArgumentException("--listen " + spec + ": expected [ADDR6]:PORT");
            addr = rest.substring(1, end);
            port = rest.substring(end + 2);
        } else if (rest.indexOf(':') >= 0) {
            addr = rest.substring(0, rest.lastIndexOf(':'));
            port = rest.substring(rest.lastIndexOf(':') + 1);
        } else {
            port = rest;
        }
        int p = number(spec, port);
        if (p < 1 || p > 65535) throw new IllegalArgumentException("--listen " + spec + ": port must be 1-65535");
        int uid = 0, gid = 0, mark = 0;
        boolean transparent = false;
        for (int i = 1; i < parts.length; i++) {
            String o = parts[i];
            if (o.startsWith("uid=")) uid = number(spec, o.substring(4));
            else if (o.startsWith("gid=")) gid = number(spec, o.substring(4));
            else if (o.startsWith("mark=")) mark = number(spec, o.substring(5));
            else if (o.equals("transparent")) transparent = true;
            else throw new IllegalArgumentException("--listen " + spec + ": unknown option '" + o + "' (uid=, gid=, mark=, transparent)");
        }
        if (addr == null) {
            bound.add(new Sock(protocol, 4, 0, 0, 0, p, uid, gid, transparent, mark, 0, 0, 0, -1));
            bound.add(new Sock(protocol, 6, 0, 0, 0, p, uid, gid, transparent, mark, 0, 0, 0, -1));
        } else if (addr.indexOf(':') >= 0) {
            long[] a = IpFormat6.parseAddress(addr);
            bound.add(new Sock(protocol, 6, 0, a[0], a[1], p, uid, gid, transparent, mark, 0, 0, 0, -1));
        } else {
            bound.add(new Sock(protocol, 4, IpFormat.parseAddress(addr), 0, 0, p, uid, gid, transparent, mark, 0, 0, 0, -1));
        }
    }

    private static int number(String spec, String s) {
        try {
            return s.startsWith("0x") ? (int) Long.parseLong(s.substring(2), 16) : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen " + spec + ": '" + s + "' is not a number");
        }
    }

    /**
     * __inet_lookup_listener / __udp4_lib_lookup's unconnected half: the bound socket for
     * {@code daddr:dport}, one bound to that address before one bound to the wildcard
     * (compute_score), or null.
     */
    public Sock lookupBound4(int protocol, int daddr, int dport) {
        Sock wild = null;
        for (int i = 0, n = bound.size(); i < n; i++) {
            Sock s = bound.get(i);
            if (s.protocol != protocol || s.family != 4 || s.port != dport) continue;
            if (s.addr == daddr) return s;
            if (s.addr == 0 && wild == null) wild = s;
        }
        return wild;
    }

    /** The IPv6 twin of {@link #lookupBound4} (inet6_lookup_listener, __udp6_lib_lookup). */
    public Sock lookupBound6(int protocol, long dhi, long dlo, int dport) {
        Sock wild = null;
        for (int i = 0, n = bound.size(); i < n; i++) {
            Sock s = bound.get(i);
            if (s.protocol != protocol || s.family != 6 || s.port != dport) continue;
            if (s.addrHi == dhi && s.addrLo == dlo) return s;
            if ((s.addrHi | s.addrLo) == 0 && wild == null) wild = s;
        }
        return wild;
    }

    /**
     * The socket a packet from {@code saddr:sport} to {@code daddr:dport} is for: the connected
     * one of that four-tuple (__inet_lookup_established), else the bound one; null when none is.
     */
    public Sock lookup4(int protocol, int saddr, int sport, int daddr, int dport) {
        if (connectedCount > 0) {
            Sock s = established(protocol, 4, daddr, 0, 0, dport, saddr, 0, 0, sport);
            if (s != null) return s;
        }
        return lookupBound4(protocol, daddr, dport);
    }

    public Sock lookup6(int protocol, long shi, long slo, int sport, long dhi, long dlo, int dport) {
        if (connectedCount > 0) {
            Sock s = established(protocol, 6, 0, dhi, dlo, dport, 0, shi, slo, sport);
            if (s != null) return s;
        }
        return lookupBound6(protocol, dhi, dlo, dport);
    }

    /** The connected socket of a four-tuple seen from the host (local, then remote), or null. */
    public Sock established(int protocol, int family, int laddr, long lhi, long llo, int lport,
                            int raddr, long rhi, long rlo, int rport) {
        Sock[] t = connected;
        int mask = t.length - 1;
        for (int i = hash(protocol, laddr, lhi, llo, lport, raddr, rhi, rlo, rport) & mask; ; i = (i + 1) & mask) {
            Sock s = t[i];
            if (s == null) return null;
            if (s.protocol == protocol && s.family == family && s.port == lport && s.rport == rport && s.addr == laddr
                    && s.raddr == raddr && s.addrHi == lhi && s.addrLo == llo && s.raddrHi == rhi && s.raddrLo == rlo) {
                return s;
            }
        }
    }

    /**
     * The host's own socket that sent a packet from {@code laddr:lport} to {@code raddr:rport}
     * (connect(2)): replies find it. Kept until the table is cleared, as jnat does not follow the
     * socket's close. Returns the socket (the existing one for a four-tuple seen before).
     */
    public Sock connect(int protocol, int family, int laddr, long lhi, long llo, int lport,
                        int raddr, long rhi, long rlo, int rport, int uid, int gid) {
        Sock s = established(protocol, family, laddr, lhi, llo, lport, raddr, rhi, rlo, rport);
        if (s != null) return s;
        if ((connectedCount + 1) * 2 > connected.length) grow();
        s = new Sock(protocol, family, laddr, lhi, llo, lport, uid, gid, false, 0, raddr, rhi, rlo, rport);
        put(connected, s);
        connectedCount++;
        return s;
    }

    /**
     * A SYN taken by {@code listener}: the connection's own socket (inet_reqsk, then the child
     * inet_csk_clone_lock makes), bound to the address and port the SYN was sent to, with the
     * listener's owner, IP_TRANSPARENT and SO_MARK; later segments and -m socket find it.
     */
    public Sock accept(Sock listener, int laddr, long lhi, long llo, int lport, int raddr, long rhi, long rlo, int rport) {
        Sock s = established(listener.protocol, listener.family, laddr, lhi, llo, lport, raddr, rhi, rlo, rport);
        if (s != null) return s;
        if ((connectedCount + 1) * 2 > connected.length) grow();
        s = new Sock(listener.protocol, listener.family, laddr, lhi, llo, lport, listener.uid, listener.gid,
                listener.transparent, listener.mark, raddr, rhi, rlo, rport);
        put(connected, s);
        connectedCount++;
        return s;
    }

    private void grow() {
        Sock[] old = connected;
        connected = new Sock[old.length * 2];
        for (Sock s : old) if (s != null) put(connected, s);
    }

    private static void put(Sock[] t, Sock s) {
        int mask = t.length - 1;
        int i = hash(s.protocol, s.addr, s.addrHi, s.addrLo, s.port, s.raddr, s.raddrHi, s.raddrLo, s.rport) & mask;
        while (t[i] != null) i = (i + 1) & mask;
        t[i] = s;
    }

    private static int hash(int protocol, int laddr, long lhi, long llo, int lport, int raddr, long rhi, long rlo, int rport) {
        long h = protocol * 31L + laddr;
        h = h * 0x9e3779b97f4a7c15L + (lhi ^ llo * 31);
        h = h * 0x9e3779b97f4a7c15L + ((long) lport << 16 | rport);
        h = h * 0x9e3779b97f4a7c15L + raddr;
        h = h * 0x9e3779b97f4a7c15L + (rhi ^ rlo * 31);
        return (int) (h ^ h >>> 29);
    }

    /** Forgets the connected sockets (the bound ones stay). */
    public void clearConnected() {
        connected = new Sock[64];
        connectedCount = 0;
    }
}
