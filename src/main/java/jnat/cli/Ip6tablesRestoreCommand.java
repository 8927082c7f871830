package jnat.cli;

import picocli.CommandLine.Command;

/** {@code jnat ip6tables-restore --rules FILE | --control SOCKET [flags] < dump}: loads an ip6tables-save dump, all or nothing. */
@Command(name = "ip6tables-restore", description = "Load an ip6tables-save dump (stdin or FILE) into the rules file "
        + "(--rules) or a running jnat gateway's IPv6 ruleset (--control, atomically: each packet sees the old ruleset or "
        + "the new one); lines for IPv4 only (-4) are skipped, as ip6tables-restore skips them; on any error nothing changes.")
public final class Ip6tablesRestoreCommand extends IptablesRestoreCommand {
    @Override
    boolean ipv6() {
        return true;
    }
}
