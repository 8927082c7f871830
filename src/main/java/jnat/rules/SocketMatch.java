package jnat.rules;

/**
 * -m socket [--transparent] [--nowildcard] [--restore-skmark] (xt_socket.c socket_mt4_v1_v2_v3 and
 * socket_mt6_v1_v2_v3, libxt_socket.c): the packet belongs to one of the host's sockets, its
 * skb->sk (a TPROXY assignment) or what nf_sk_lookup_slow_v4/v6 finds (a connection's socket, then
 * a listener); a socket bound to the wildcard address does not count unless --nowildcard, one
 * without IP_TRANSPARENT not under --transparent; --restore-skmark copies a counted socket's
 * SO_MARK to the packet. PREROUTING and INPUT only.
 */
public final class SocketMatch implements Match {
    /** XT_SOCKET_TRANSPARENT, XT_SOCKET_NOWILDCARD, XT_SOCKET_RESTORESKMARK. */
    public static final int TRANSPARENT = 1, NOWILDCARD = 2, RESTORESKMARK = 4;

    public final int flags;

    SocketMatch(int flags) {
        this.flags = flags;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing but the packet. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "socket";
    }

    @Override
    public int hooks() {
        return Hook.PREROUTING.bit() | Hook.INPUT.bit();
    }

    /** socket_match. */
    @Override
    public boolean matches(PacketContext ctx) {
        long found = ctx.socketLookup();
        if (found == 0) return false;
        int f = (int) found;
        boolean wildcard = (flags & NOWILDCARD) == 0 && (f & PacketContext.SK_WILDCARD) != 0;
        boolean transparent = (flags & TRANSPARENT) == 0 || (f & PacketContext.SK_TRANSPARENT) != 0;
        if ((flags & RESTORESKMARK) != 0 && !wildcard && transparent) ctx.setMark((int) (found >>> 32));
        return !wildcard && transparent;
    }

    private void options(StringBuilder out) {
        if ((flags & TRANSPARENT) != 0) out.append(" --transparent");
        if ((flags & NOWILDCARD) != 0) out.append(" --nowildcard");
        if ((flags & RESTORESKMARK) != 0) out.append(" --restore-skmark");
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(" socket");
        options(out);
    }

    @Override
    public void save(StringBuilder out) {
        options(out);
    }

    static final class Parser extends ModuleParser {
        int flags;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            int bit = switch (opt) {
                case "--transparent" -> TRANSPARENT;
                case "--nowildcard" -> NOWILDCARD;
                case "--restore-skmark" -> RESTORESKMARK;
                default -> 0;
            };
            if (bit == 0) return false;
            noInvert("socket", opt, invert);
            flags |= bit;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            return new SocketMatch(flags);
        }
    }
}
