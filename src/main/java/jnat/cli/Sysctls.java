package jnat.cli;

import jnat.nat.IcmpConfig;
import jnat.nat.IpDefrag;
import jnat.nat.NfCtFrag6;

import java.util.List;

/**
 * --sysctl NAME=VALUE options: the kernel's ICMP, ICMPv6 and reassembly sysctls the engine has
 * (IcmpConfig, IpDefrag.Config, NfCtFrag6.Config).
 */
final class Sysctls {
    private Sysctls() {}

    static final String HELP = "a kernel sysctl the engine has, as sysctl -w takes it (repeatable): "
            + "net.ipv4.icmp_echo_ignore_all, icmp_echo_ignore_broadcasts, icmp_errors_use_inbound_ifaddr, "
            + "icmp_ratelimit (ms), icmp_ratemask, icmp_msgs_per_sec, icmp_msgs_burst, net.ipv4.route.error_cost, "
            + "error_burst (ms), net.ipv4.ipfrag_time (s), ipfrag_high_thresh (bytes), net.ipv6.icmp.ratelimit (ms), "
            + "net.netfilter.nf_conntrack_frag6_timeout (s), nf_conntrack_frag6_high_thresh (bytes); default the kernel's";

    /** The engine's sysctls a list of --sysctl options sets, each on the kernel's defaults. */
    record Settings(IcmpConfig icmp, IpDefrag.Config defrag, NfCtFrag6.Config defrag6) {}

    static Settings parse(List<String> settings) {
        IcmpConfig icmp = IcmpConfig.defaults();
        IpDefrag.Config defrag = IpDefrag.Config.defaults();
        NfCtFrag6.Config defrag6 = NfCtFrag6.Config.defaults();
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new UsageError("--sysctl wants NAME=VALUE, not " + s, 2);
            String name = s.substring(0, eq).strip(), value = s.substring(eq + 1);
            try {
                if (IpDefrag.Config.names(name)) defrag = defrag.with(name, value);
                else if (NfCtFrag6.Config.names(name)) defrag6 = defrag6.with(name, value);
                else icmp = icmp.with(name, value);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage(), 2);
            }
        }
        return new Settings(icmp, defrag, defrag6);
    }
}
