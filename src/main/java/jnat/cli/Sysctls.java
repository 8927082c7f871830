package jnat.cli;

import jnat.nat.IcmpConfig;
import jnat.nat.IpDefrag;

import java.util.List;

/** --sysctl NAME=VALUE options: the kernel's ICMP and IPv4 reassembly sysctls the engine has (IcmpConfig, IpDefrag.Config). */
final class Sysctls {
    private Sysctls() {}

    static final String HELP = "a kernel sysctl the engine has, as sysctl -w takes it (repeatable): "
            + "net.ipv4.icmp_echo_ignore_all, icmp_echo_ignore_broadcasts, icmp_errors_use_inbound_ifaddr, "
            + "icmp_ratelimit (ms), icmp_ratemask, icmp_msgs_per_sec, icmp_msgs_burst, net.ipv4.route.error_cost, "
            + "error_burst (ms), net.ipv4.ipfrag_time (s), ipfrag_high_thresh (bytes); default the kernel's";

    static IcmpConfig icmp(List<String> settings) {
        IcmpConfig c = IcmpConfig.defaults();
        for (String s : settings) {
            int eq = equals(s);
            if (IpDefrag.Config.names(s.substring(0, eq))) continue;
            try {
                c = c.with(s.substring(0, eq).strip(), s.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage(), 2);
            }
        }
        return c;
    }

    static IpDefrag.Config defrag(List<String> settings) {
        IpDefrag.Config c = IpDefrag.Config.defaults();
        for (String s : settings) {
            int eq = equals(s);
            if (!IpDefrag.Config.names(s.substring(0, eq))) continue;
            try {
                c = c.with(s.substring(0, eq), s.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage(), 2);
            }
        }
        return c;
    }

    private static int equals(String setting) {
        int eq = setting.indexOf('=');
        if (eq <= 0) throw new UsageError("--sysctl wants NAME=VALUE, not " + setting, 2);
        return eq;
    }
}
