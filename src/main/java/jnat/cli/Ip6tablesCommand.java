package jnat.cli;

import picocli.CommandLine.Command;

/** {@code jnat ip6tables --rules FILE | --control SOCKET <ip6tables arguments>}: ip6tables 1.8 against a rules file or a running gateway. */
@Command(name = "ip6tables",
        description = {"Run an ip6tables command (ip6tables 1.8 arguments, unchanged) against a rules file in "
                + "ip6tables-save format (changes replace the file atomically) or against a running jnat gateway's IPv6 "
                + "ruleset (changes replace it atomically, between two packets).",
            "Example: jnat ip6tables --rules nat6.rules -t nat -A POSTROUTING -s fd49:efd7:54aa::/64 ! -o br0 -j MASQUERADE"})
public final class Ip6tablesCommand extends IptablesCommand {
    @Override
    boolean ipv6() {
        return true;
    }
}
