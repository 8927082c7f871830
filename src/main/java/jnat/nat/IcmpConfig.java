package jnat.nat;

import java.util.Locale;

/**
 * The sysctls that shape the packets the kernel's own ICMP code sends (net/ipv4/icmp.c,
 * route.c's ip_error), with the kernel's defaults. Times are milliseconds (the kernel's jiffies
 * at HZ=1000).
 *
 * @param echoIgnoreAll          net.ipv4.icmp_echo_ignore_all: answer no echo request
 * @param echoIgnoreBroadcasts   net.ipv4.icmp_echo_ignore_broadcasts: answer none sent to a broadcast or multicast address
 * @param errorsUseInboundIfaddr net.ipv4.icmp_errors_use_inbound_ifaddr: an error about a forwarded packet comes from
 *                               the address of the device it came in on (else: the source the route back picks)
 * @param ratelimitMs            net.ipv4.icmp_ratelimit: per destination, one rate-limited message per this many ms
 *                               (a token bucket of 6 of them: inet_peer_xrlim_allow); 0: no per-destination limit
 * @param ratemask               net.ipv4.icmp_ratemask: the types the limits apply to (bit 1 &lt;&lt; type);
 *                               fragmentation needed is never limited
 * @param msgsPerSec             net.ipv4.icmp_msgs_per_sec: the host-wide limit's rate (icmp_global_allow)
 * @param msgsBurst              net.ipv4.icmp_msgs_burst: the host-wide limit's bucket
 * @param routeErrorCostMs       net.ipv4.route.error_cost: ip_error's per-source cost of an unreachable
 * @param routeErrorBurstMs      net.ipv4.route.error_burst: ip_error's per-source bucket
 * @param ratelimit6Ms           net.ipv6.icmp.ratelimit: icmpv6_xrlim_allow's per-destination limit, ms
 *                               (100 since kernel 6.18.y's 0201eedb69b2, 1000 before); 0: none
 */
public record IcmpConfig(boolean echoIgnoreAll, boolean echoIgnoreBroadcasts, boolean errorsUseInboundIfaddr,
                         int ratelimitMs, int ratemask, int msgsPerSec, int msgsBurst,
                         int routeErrorCostMs, int routeErrorBurstMs, int ratelimit6Ms) {

    public static IcmpConfig defaults() {
        return new IcmpConfig(false, true, false, 1000, 6168, 1000, 50, 1000, 5000, 100);
    }

    /** The sysctl names {@link #with} takes. */
    public static final String[] NAMES = {
        "net.ipv4.icmp_echo_ignore_all", "net.ipv4.icmp_echo_ignore_broadcasts",
        "net.ipv4.icmp_errors_use_inbound_ifaddr", "net.ipv4.icmp_ratelimit", "net.ipv4.icmp_ratemask",
        "net.ipv4.icmp_msgs_per_sec", "net.ipv4.icmp_msgs_burst", "net.ipv4.route.error_cost",
        "net.ipv4.route.error_burst", "net.ipv6.icmp.ratelimit",
    };

    /**
     * This configuration with one sysctl changed, as {@code sysctl -w NAME=VALUE} would (the name with
     * dots or slashes). Throws IllegalArgumentException naming the problem for an unknown name or a
     * value out of the kernel's range.
     */
    public IcmpConfig with(String name, String value) {
        String key = name.replace('/', '.').toLowerCase(Locale.ROOT);
        int v;
        try {
            v = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sysctl " + name + ": not a number: " + value);
        }
        if (v < 0) throw new IllegalArgumentException("sysctl " + name + ": must not be negative: " + value);
        boolean b = v != 0;
        return switch (key) {
            case "net.ipv4.icmp_echo_ignore_all" -> bool(key, v, new IcmpConfig(b, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, msgsPerSec, msgsBurst, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms));
            case "net.ipv4.icmp_echo_ignore_broadcasts" -> bool(key, v, new IcmpConfig(echoIgnoreAll, b, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, msgsPerSec, msgsBurst, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms));
            case "net.ipv4.icmp_errors_use_inbound_ifaddr" -> bool(key, v, new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, b,
                    ratelimitMs, ratemask, msgsPerSec, msgsBurst, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms));
            case "net.ipv4.icmp_ratelimit" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    v, ratemask, msgsPerSec, msgsBurst, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms);
            case "net.ipv4.icmp_ratemask" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, v, msgsPerSec, msgsBurst, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms);
            case "net.ipv4.icmp_msgs_per_sec" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, v, msgsBurst, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms);
            case "net.ipv4.icmp_msgs_burst" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, msgsPerSec, v, routeErrorCostMs, routeErrorBurstMs, ratelimit6Ms);
            case "net.ipv4.route.error_cost" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, msgsPerSec, msgsBurst, v, routeErrorBurstMs, ratelimit6Ms);
            case "net.ipv4.route.error_burst" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, msgsPerSec, msgsBurst, routeErrorCostMs, v, ratelimit6Ms);
            case "net.ipv6.icmp.ratelimit" -> new IcmpConfig(echoIgnoreAll, echoIgnoreBroadcasts, errorsUseInboundIfaddr,
                    ratelimitMs, ratemask, msgsPerSec, msgsBurst, routeErrorCostMs, routeErrorBurstMs, v);
            default -> throw new IllegalArgumentException("sysctl " + name + ": not one jnat has (it knows "
                    + String.join(", ", NAMES) + ")");
        };
    }

    private static IcmpConfig bool(String key, int v, IcmpConfig c) {
        if (v > 1) throw new IllegalArgumentException("sysctl " + key + ": 0 or 1, not " + v);
        return c;
    }
}
