package jnat.nft;

/** The meta and ct keys nft knows (src/meta.c meta_templates, src/ct.c ct_templates): number, type, length, order. */
final class MetaKeys {
    private MetaKeys() {}

    record Key(String name, int key, Datatype type, int bits, boolean hostOrder) {}

    static final Key[] META = {
        new Key("length", 0, Datatype.INTEGER, 32, true),
        new Key("protocol", 1, Datatype.ETHERTYPE, 16, false),
        new Key("priority", 2, Datatype.INTEGER, 32, true),
        new Key("mark", 3, Datatype.MARK, 32, true),
        new Key("iif", 4, Datatype.IFINDEX, 32, true),
        new Key("oif", 5, Datatype.IFINDEX, 32, true),
        new Key("iifname", 6, Datatype.IFNAME, 128, true),
        new Key("oifname", 7, Datatype.IFNAME, 128, true),
        new Key("iiftype", 8, Datatype.ARPHRD, 16, true),
        new Key("oiftype", 9, Datatype.ARPHRD, 16, true),
        new Key("skuid", 10, Datatype.INTEGER, 32, true),
        new Key("skgid", 11, Datatype.INTEGER, 32, true),
        new Key("nftrace", 12, Datatype.INTEGER, 8, true),
        new Key("rtclassid", 13, Datatype.REALM, 32, true),
        new Key("nfproto", 15, Datatype.NFPROTO, 8, true),
        new Key("l4proto", 16, Datatype.INET_PROTO, 8, true),
        new Key("pkttype", 19, Datatype.PKTTYPE, 8, true),
        new Key("cpu", 20, Datatype.INTEGER, 32, true),
        new Key("iifgroup", 21, Datatype.DEVGROUP, 32, true),
        new Key("oifgroup", 22, Datatype.DEVGROUP, 32, true),
        new Key("random", 24, Datatype.INTEGER, 32, false),
    };

    static final Key[] CT = {
        new Key("state", 0, Datatype.CT_STATE, 32, true),
        new Key("direction", 1, Datatype.CT_DIR, 8, true),
        new Key("status", 2, Datatype.CT_STATUS, 32, true),
        new Key("mark", 3, Datatype.MARK, 32, true),
        new Key("expiration", 5, Datatype.INTEGER, 32, true),
        new Key("l3proto", 7, Datatype.NFPROTO, 8, true),
        new Key("protocol", 10, Datatype.INET_PROTO, 8, true),
        new Key("proto-src", 11, Datatype.INET_SERVICE, 16, false),
        new Key("proto-dst", 12, Datatype.INET_SERVICE, 16, false),
        new Key("packets", 14, Datatype.INTEGER, 64, true),
        new Key("bytes", 15, Datatype.INTEGER, 64, true),
        new Key("zone", 17, Datatype.INTEGER, 16, true),
        new Key("ip saddr", 19, Datatype.IPV4_ADDR, 32, false),
        new Key("ip daddr", 20, Datatype.IPV4_ADDR, 32, false),
        new Key("ip6 saddr", 21, Datatype.IPV6_ADDR, 128, false),
        new Key("ip6 daddr", 22, Datatype.IPV6_ADDR, 128, false),
        new Key("id", 23, Datatype.INTEGER, 32, false),
    };

    /** Keys that may stand alone, without "meta" before them (meta_key_unqualified). */
    static final java.util.Set<String> UNQUALIFIED = java.util.Set.of("mark", "iif", "oif", "iifname", "oifname",
            "iiftype", "oiftype", "skuid", "skgid", "nftrace", "rtclassid", "priority", "pkttype", "cpu", "iifgroup", "oifgroup");

    static Key meta(String n) {
        for (Key k : META) if (k.name.equals(n)) return k;
        return null;
    }

    static Key meta(int key) {
        for (Key k : META) if (k.key == key) return k;
        return null;
    }

    static Key ct(String n) {
        for (Key k : CT) if (k.name.equals(n)) return k;
        return null;
    }

    static Key ct(int key) {
        for (Key k : CT) if (k.key == key) return k;
        return null;
    }
}
