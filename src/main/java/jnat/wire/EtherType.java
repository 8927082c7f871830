package jnat.wire;

/** Ethernet II type field values, as in {@code <linux/if_ether.h>}. */
public final class EtherType {
    private EtherType() {}

    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    /** 802.1Q VLAN tag. */
    public static final int VLAN = 0x8100;
    /** 802.1ad service tag (QinQ outer tag). */
    public static final int QINQ = 0x88a8;
    public static final int IPV6 = 0x86dd;
    public static final int MPLS = 0x8847;
}
