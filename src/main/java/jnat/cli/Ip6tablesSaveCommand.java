package jnat.cli;

import picocli.CommandLine.Command;

/** {@code jnat ip6tables-save --rules FILE | --control SOCKET [-c] [-t TABLE]}: prints the rules as ip6tables-save does. */
@Command(name = "ip6tables-save", description = "Print the tables of an ip6tables rules file (--rules) or of a running "
        + "jnat gateway's IPv6 ruleset (--control) as ip6tables-save prints them.")
public final class Ip6tablesSaveCommand extends IptablesSaveCommand {
    @Override
    boolean ipv6() {
        return true;
    }
}
