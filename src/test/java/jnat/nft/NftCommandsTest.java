package jnat.nft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Command sequences (one nft call each) give what the real nft gives: outputs, errors, handles, listings. */
class NftCommandsTest {
    private static void sameAsNft(List<String> commands, String... list) {
        assertEquals(NftRun.realCommands(commands, list), NftRun.jnatCommands(commands, list));
    }

    @Test
    void rulesGoWhereAddInsertReplaceAndHandlesPutThem() {
        sameAsNft(List.of(
                "add table inet t",
                "add chain inet t c { type filter hook forward priority filter + 3; policy drop; }",
                "add rule inet t c tcp dport 22 accept",
                "add rule inet t c udp dport 53 accept",
                "insert rule inet t c ct state established,related accept",
                "insert rule inet t c handle 3 ip saddr 198.51.100.1 drop",
                "add rule inet t c handle 3 ip6 saddr 2001:db8::1 drop",
                "add rule inet t c position 2 counter",
                "insert rule inet t c index 1 iifname \"lo\" accept",
                "add rule inet t c index 0 oifname \"eth0\" accept",
                "replace rule inet t c handle 2 tcp dport { 22, 2222 } accept",
                "delete rule inet t c handle 4",
                "add rule inet t c meta l4proto tcp counter packets 12 bytes 3400 reject with tcp reset",
                "list chain inet t c"), "-a", "list", "ruleset");
    }

    @Test
    void handlesMoveOnAcrossDeletesAndFlushes() {
        sameAsNft(List.of(
                "add table ip a",
                "add chain ip a x",
                "add rule ip a x tcp dport { 80, 443 } accept",
                "add rule ip a x jump y",
                "add chain ip a y",
                "add rule ip a x jump y",
                "delete chain ip a y",
                "flush chain ip a x",
                "delete chain ip a y",
                "add chain ip a y",
                "add table ip6 b",
                "flush table ip a",
                "delete table ip a",
                "flush ruleset",
                "add table ip a",
                "add chain ip a x",
                "add rule ip a x drop"), "-a", "list", "ruleset");
    }

    @Test
    void setElementsComeAndGoAndListSorted() {
        sameAsNft(List.of(
                "add table ip t",
                "add set ip t s { type ipv4_addr; flags interval; }",
                "add element ip t s { 203.0.113.0/24, 198.51.100.7, 10.0.0.0/8 }",
                "add element ip t s { 192.168.0.1-192.168.0.9 }",
                "delete element ip t s { 198.51.100.7 }",
                "add map ip t m { type inet_service : mark; }",
                "add element ip t m { 443 : 0x2, 80 : 0x1, 8080 : 0x3 }",
                "add set ip t p { type ifname; elements = { \"eth1\", \"eth0\", \"wlan0\", \"br-1\" }; }",
                "create element ip t p { \"eth0\" }",
                "list set ip t s",
                "list map ip t m",
                "flush set ip t s",
                "list sets",
                "list tables",
                "list maps",
                "list chains",
                "list table ip t"), "list", "ruleset");
    }

    @Test
    void anElementGivenTwiceOrAddedAgainIsOneElement() {
        sameAsNft(List.of(
                "add table ip t",
                "add set ip t s { type ipv4_addr; }",
                "add element ip t s { 198.51.100.7, 203.0.113.9, 198.51.100.7 }",
                "add element ip t s { 203.0.113.9, 203.0.113.10 }",
                "add map ip t m { type ipv4_addr . inet_service : verdict; }",
                "add element ip t m { 10.96.0.1 . 80 : accept, 10.96.0.1 . 443 : drop, 10.96.0.1 . 80 : accept }",
                "list table ip t"), "list", "ruleset");
    }

    @Test
    void optionsNumericAndStatelessChangeTheListing() {
        List<String> cmds = List.of(
                "add table ip t",
                "add chain ip t c { type nat hook postrouting priority 100; }",
                "add rule ip t c meta l4proto tcp counter packets 7 bytes 420 masquerade",
                "add rule ip t c ip protocol udp quota 5 mbytes used 1 mbytes accept");
        sameAsNft(cmds, "-s", "list", "ruleset");
        sameAsNft(cmds, "-n", "list", "ruleset");
        sameAsNft(cmds, "-a", "-n", "-s", "list", "ruleset");
    }
}
