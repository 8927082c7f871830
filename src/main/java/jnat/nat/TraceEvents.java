package jnat.nat;

import jnat.host.Interface;
import jnat.rules.Chain;
import jnat.rules.Hook;
import jnat.rules.Rule;
import jnat.rules.Table;
import jnat.rules.Target;

/**
 * Each packet's walk as events, in the order the engine takes its steps: where it came in, each
 * hook it enters (nf_hook_slow), conntrack's verdict, each table's rules (the kernel's nf_trace:
 * NFT_TRACETYPE_RULE, _RETURN, _POLICY) and verdict, the NAT manipulation, the route, and where it
 * left (dev_queue_xmit), was delivered, or was dropped (kfree_skb with its reason). {@link TraceLines}
 * writes {@code --trace}'s text from these events; the report (jnat.report) draws them. Packet
 * summaries ("TCP 1.2.3.4:5 > 6.7.8.9:10 len 60") are built only while a listener is set: the engine
 * asks first, so a run without one costs a null check per step.
 *
 * <p>The host's own packets (ICMP errors, echo replies, REJECT's answers) are walked inside the
 * walk of the packet that caused them, between {@link #hostSends} and {@link #hostSent}.
 * Every method does nothing by default.
 */
public interface TraceEvents {
    /** A packet arrived on {@code in} (ip_rcv_core passed, reassembled if it was in fragments). */
    default void received(Interface in, String packet) {}

    /** A fragment waits for the rest of its datagram (nf_defrag); {@code in} null: the host's own. */
    default void fragmentQueued(Interface in, String packet) {}

    /** The fragment that completed its datagram: the datagram goes on whole. */
    default void reassembled(int fragments) {}

    /** The host sends a packet (a raw socket's: replay's {@code --in local}), routed. */
    default void localOut(String packet) {}

    /** The host sends a packet of its own because of the one being walked; its walk follows. */
    default void hostSends(String packet) {}

    /** The host's own packet begun by {@link #hostSends} has gone (sent, delivered or dropped). */
    default void hostSent() {}

    /** The packet enters a netfilter hook. */
    default void hook(Hook hook) {}

    /**
     * Conntrack at {@code hook} (PREROUTING or OUTPUT): the connection {@code id} (-1: none) and the
     * packet's state in it ("NEW", "ESTABLISHED reply", "INVALID (untracked: not NATed)").
     */
    default void conntrack(Hook hook, int id, String state) {}

    /** Rule {@code number} (1-based) of {@code chain} matched (a jump, or the target it runs). */
    default void rule(Table table, Chain chain, int number, Rule rule) {}

    /** The walk left {@code chain} at {@code number}: by RETURN or its end, or to the policy of a built-in chain. */
    default void leave(Table table, Chain chain, int number, boolean policy) {}

    /** A table's verdict at {@code hook} (ACCEPT goes on; anything else drops, REJECT answering first). */
    default void verdict(Hook hook, Table table, Target verdict) {}

    /** NAT rewrote the packet ({@code source}: SNAT, else DNAT); {@code packet} is it after. */
    default void nat(boolean source, String packet) {}

    /** The route of a forwarded packet: out of {@code out} via {@code nexthop}. */
    default void route(Interface out, String nexthop) {}

    /**
     * The packet (or, {@code fragmentOffset} >= 0, one fragment of it, {@code moreFragments} unless it
     * is the last) leaves by {@code out}.
     */
    default void transmit(Interface out, String packet, int fragmentOffset, boolean moreFragments) {}

    /** The packet is the host's (LOCAL_IN passed). */
    default void delivered(String packet) {}

    /** The packet is dropped; {@code in} is where it came in (null: the host's own). */
    default void dropped(Interface in, DropReason reason) {}
}
