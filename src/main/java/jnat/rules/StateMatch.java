package jnat.rules;

import java.util.Arrays;

/**
 * -m state --state LIST (xt_state.c, libxt_state.c as iptables 1.8.9 keeps it): the packet's
 * conntrack state (INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED) is one of LIST. ufw and most
 * hand-written firewalls still write it for what -m conntrack --ctstate says now.
 */
public final class StateMatch implements Match {
    /** The states -m state knows: conntrack's without SNAT and DNAT. */
    private static final int NAMES = 5;
    private static final int ALL = PacketContext.CT_INVALID | PacketContext.CT_NEW | PacketContext.CT_RELATED
            | PacketContext.CT_ESTABLISHED | PacketContext.CT_UNTRACKED;

    public final int stateMask;
    public final boolean invert;

    StateMatch(int stateMask, boolean invert) {
        this.stateMask = stateMask;
        this.invert = invert;
    }

    /** It reads the packet (and its connection, through the context) and its own options; it writes nothing. */
    @Override
    public boolean concurrentSafe() {
        return true;
    }

    @Override
    public String name() {
        return "state";
    }

    /** state_mt: the state bit of the packet (UNTRACKED, INVALID without a connection, else ctinfo's) in the mask. */
    @Override
    public boolean matches(PacketContext ctx) {
        return ((ctx.ctState() & ALL & stateMask) != 0) != invert;
    }

    private void states(StringBuilder out) {
        String sep = "";
        for (int i = 0; i < NAMES; i++) {
            if ((stateMask & ConntrackMatch.STATE_BITS[i]) == 0) continue;
            out.append(sep).append(ConntrackMatch.STATE_NAMES[i]);
            sep = ",";
        }
    }

    @Override
    public void print(StringBuilder out, boolean numeric) {
        out.append(invert ? " ! state " : " state ");
        states(out);
    }

    @Override
    public void save(StringBuilder out) {
        out.append(invert ? " ! --state " : " --state ");
        states(out);
    }

    static final class Parser extends ModuleParser {
        int states = -1;
        boolean inv;

        @Override
        boolean option(String opt, boolean invert, Args args, RuleSpec spec) {
            if (!opt.equals("--state")) return false;
            int s = 0;
            for (String name : args.value(opt).split(",")) {
                int i = Arrays.asList(ConntrackMatch.STATE_NAMES).subList(0, NAMES).indexOf(name.toUpperCase());
                if (i < 0) throw new RuleError("Bad state \"" + name + "\"");
                s |= ConntrackMatch.STATE_BITS[i];
            }
            states = s;
            inv = invert;
            return true;
        }

        @Override
        Object finish(RuleSpec spec) {
            if (states < 0) throw new RuleError("state: option \"--state\" must be specified");
            return new StateMatch(states, inv);
        }
    }

    @Override
    public boolean usesConntrack() {
        return true;
    }
}
