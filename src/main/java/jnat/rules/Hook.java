package jnat.rules;

/** The netfilter IPv4 hooks, in NF_INET_* order; built-in chains carry the hook's name. */
public enum Hook {
    PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING;

    public int bit() {
        return 1 << ordinal();
    }

    /** The hook of a built-in chain name, or null for a user chain. */
    public static Hook of(String chain) {
        for (Hook h : values()) if (h.name().equals(chain)) return h;
        return null;
    }
}
