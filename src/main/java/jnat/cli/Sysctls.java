package jnat.cli;

import jnat.nat.IcmpConfig;
import jnat.nat.IpDefrag;
import jnat.nat.NfCtFrag6;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * --sysctl NAME=VALUE options and --sysctl-file FILE: the kernel's ICMP, ICMPv6, reassembly and
 * conntrack sysctls the engine has (IcmpConfig, IpDefrag.Config, NfCtFrag6.Config, nf_conntrack_max,
 * nf_conntrack_checksum).
 */
final class Sysctls {
    private Sysctls() {}

    static final String HELP = "a kernel sysctl the engine has, as sysctl -w takes it (repeatable): "
            + "net.ipv4.icmp_echo_ignore_all, icmp_echo_ignore_broadcasts, icmp_errors_use_inbound_ifaddr, "
            + "icmp_ratelimit (ms), icmp_ratemask, icmp_msgs_per_sec, icmp_msgs_burst, net.ipv4.route.error_cost, "
            + "error_burst (ms), net.ipv4.ipfrag_time (s), ipfrag_high_thresh (bytes), net.ipv6.icmp.ratelimit (ms), "
            + "net.netfilter.nf_conntrack_frag6_timeout (s), nf_conntrack_frag6_high_thresh (bytes), "
            + "nf_conntrack_max, nf_conntrack_checksum; default the kernel's";

    static final String CONNTRACK_MAX = "net.netfilter.nf_conntrack_max", CONNTRACK_CHECKSUM = "net.netfilter.nf_conntrack_checksum";

    /** Every sysctl the engine has: what {@code jnat host capture} reads from a host for DIR/sysctl.conf. */
    static List<String> names() {
        List<String> out = new ArrayList<>(List.of(IcmpConfig.NAMES));
        out.addAll(List.of("net.ipv4.ipfrag_time", "net.ipv4.ipfrag_high_thresh", "net.netfilter.nf_conntrack_frag6_timeout",
                "net.netfilter.nf_conntrack_frag6_high_thresh", CONNTRACK_MAX, CONNTRACK_CHECKSUM));
        return out;
    }

    /**
     * What jnat's host is and no sysctl changes: it forwards both families, filters no reverse path,
     * routes no 127/8 off lo, and its conntrack has the kernel's default timeouts and TCP window
     * tracking (tcp_timeouts[], udp_timeouts[], nf_ct_icmp_timeout). A captured host with another
     * value behaves otherwise.
     */
    static Map<String, String> assumed(List<String> devices) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("net.ipv4.ip_forward", "1");
        m.put("net.ipv6.conf.all.forwarding", "1");
        m.put("net.ipv4.conf.all.rp_filter", "0");
        m.put("net.ipv4.conf.all.route_localnet", "0");
        for (String dev : devices) {
            m.put("net.ipv4.conf." + dev + ".rp_filter", "0");
            m.put("net.ipv4.conf." + dev + ".route_localnet", "0");
        }
        String ct = "net.netfilter.nf_conntrack_";
        String[][] conntrack = {{"tcp_timeout_syn_sent", "120"}, {"tcp_timeout_syn_recv", "60"},
            {"tcp_timeout_established", "432000"}, {"tcp_timeout_fin_wait", "120"}, {"tcp_timeout_close_wait", "60"},
            {"tcp_timeout_last_ack", "30"}, {"tcp_timeout_time_wait", "120"}, {"tcp_timeout_close", "10"},
            {"tcp_timeout_max_retrans", "300"}, {"tcp_timeout_unacknowledged", "300"}, {"tcp_loose", "1"},
            {"tcp_be_liberal", "0"}, {"tcp_max_retrans", "3"}, {"udp_timeout", "30"}, {"udp_timeout_stream", "120"},
            {"icmp_timeout", "30"}, {"icmpv6_timeout", "30"}};
        for (String[] c : conntrack) m.put(ct + c[0], c[1]);
        return m;
    }

    /**
     * The engine's sysctls a list of settings sets, each on the kernel's defaults. {@code conntrackMax}
     * and {@code conntrackChecksum} are -1 when no setting names them.
     */
    record Settings(IcmpConfig icmp, IpDefrag.Config defrag, NfCtFrag6.Config defrag6, int conntrackMax, int conntrackChecksum) {}

    static Settings parse(List<String> settings) {
        IcmpConfig icmp = IcmpConfig.defaults();
        IpDefrag.Config defrag = IpDefrag.Config.defaults();
        NfCtFrag6.Config defrag6 = NfCtFrag6.Config.defaults();
        int max = -1, checksum = -1;
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new UsageError("--sysctl wants NAME=VALUE, not " + s, 2);
            String name = s.substring(0, eq).strip(), value = s.substring(eq + 1).strip();
            String key = name.replace('/', '.');
            try {
                if (IpDefrag.Config.names(name)) defrag = defrag.with(name, value);
                else if (NfCtFrag6.Config.names(name)) defrag6 = defrag6.with(name, value);
                else if (key.equals(CONNTRACK_MAX)) max = number(key, value, 1);
                else if (key.equals(CONNTRACK_CHECKSUM)) checksum = number(key, value, 0) != 0 ? 1 : 0;
                else icmp = icmp.with(name, value);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage(), 2);
            }
        }
        return new Settings(icmp, defrag, defrag6, max, checksum);
    }

    private static int number(String key, String value, int min) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min) return v;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("sysctl: setting key \"" + key + "\": Invalid argument");
    }

    /**
     * The settings of a file as {@code sysctl -p} reads it: {@code NAME = VALUE} a line, blank lines
     * and lines starting with # or ; left out.
     */
    static List<String> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new UsageError(file + ": No such file or directory");
        } catch (IOException e) {
            throw new UsageError(file + ": " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) continue;
            int eq = l.indexOf('=');
            if (eq <= 0) throw new UsageError(file + ":" + (i + 1) + ": expected NAME = VALUE, not " + l, 2);
            out.add(l.substring(0, eq).strip() + "=" + l.substring(eq + 1).strip());
        }
        return out;
    }
}
