package jnat.rules;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static jnat.rules.RealIptables.cmd;
import static jnat.rules.RealIptables.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packet-field and connection-mark modules of issue 14 (limit, connmark/CONNMARK, ttl/TTL,
 * tos/TOS, dscp/DSCP, ecn/ECN, tcpmss/TCPMSS, pkttype, mac, CHECKSUM), loaded into the real
 * iptables and ip6tables 1.8.9 and into jnat: -S, -L, -L -n, -nvL and the save are compared byte
 * for byte, and every bad rule is refused with iptables' own message and exit code.
 */
class ExtensionModulesTest {
    /** Rules for the filter table's INPUT (and FORWARD for what must see a route). */
    static final List<String> FILTER = List.of(
            "-A INPUT -m limit --limit 1/sec",
            "-A INPUT -m limit --limit 7/sec --limit-burst 3",
            "-A INPUT -m limit --limit 1/min",
            "-A INPUT -m limit --limit 1000/hour",
            "-A INPUT -m limit --limit 1000/day",
            "-A INPUT -m limit --limit 3/h",
            "-A INPUT -m limit --limit 13",
            "-A INPUT -m limit --limit 10000/s",
            "-A INPUT -m limit --limit 333/m",
            "-A INPUT -m limit --limit 5/d --limit-burst 10000",
            "-A INPUT -m limit --limit-burst 0",
            "-A INPUT -m limit",
            "-A INPUT -m statistic --mode random --probability 1",
            "-A INPUT -m statistic --mode random ! --probability 1.0",
            "-A INPUT -m statistic --mode random --probability 0.99999999",
            "-A INPUT -m tos --tos 0x10",
            "-A INPUT -m tos ! --tos Minimize-Cost",
            "-A INPUT -m tos --tos 0x0f/0x0f -j DROP",
            "-A INPUT -m dscp --dscp 10",
            "-A INPUT -m dscp ! --dscp-class AF41",
            "-A INPUT -m dscp --dscp-class ef",
            "-A INPUT -p tcp -m ecn --ecn-tcp-cwr",
            "-A INPUT -p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr ! --ecn-ip-ect 2",
            "-A INPUT -m ecn --ecn-ip-ect 1",
            "-A INPUT -p tcp -m tcpmss --mss 42:12345",
            "-A INPUT -p tcp -m tcpmss ! --mss 1400",
            "-A INPUT -m pkttype --pkt-type broadcast",
            "-A INPUT -m pkttype ! --pkt-type multicast",
            "-A INPUT -m pkttype --pkt-type host",
            "-A INPUT -m mac --mac-source 42:01:02:03:04:05",
            "-A INPUT -m mac ! --mac-source 42:01:02:03:04:0A -j ACCEPT",
            "-A INPUT -m connmark --mark 0x1/0xff",
            "-A INPUT -m connmark ! --mark 7",
            "-A INPUT -m connmark --mark 0xffffffff/0x0",
            "-A INPUT -m recent --set",
            "-A INPUT -m recent --rcheck --seconds 60 --hitcount 4 --name SSH --rdest",
            "-A INPUT -m recent ! --update --seconds 5 --reap --rttl",
            "-A INPUT -m recent --remove --name x",
            "-A INPUT -m recent --update --seconds 3000000000 --name big",
            "-A INPUT -p tcp --dport 22 -m recent --rcheck --seconds 600 --hitcount 255 --name ssh --rsource -j DROP",
            "-A INPUT -m conntrack --ctproto tcp --ctstatus ASSURED,CONFIRMED",
            "-A INPUT -m conntrack ! --ctstatus SEEN_REPLY --ctexpire 10:20",
            "-A INPUT -m conntrack --ctstatus NONE ! --ctexpire 5 --ctdir REPLY",
            "-A INPUT -m conntrack ! --ctproto 17 --ctstate NEW --ctorigsrcport 5:6",
            "-A INPUT -m conntrack --ctstatus e,s,a,c",
            "-A INPUT -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5",
            "-A INPUT -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6",
            "-A INPUT -m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7",
            "-A INPUT -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name r3 --hashlimit-rate-match --hashlimit-rate-interval 10",
            "-A INPUT -m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name r4 --hashlimit-rate-match",
            "-A INPUT -m hashlimit --hashlimit-above 1/min --hashlimit-burst 5 --hashlimit-name m1 --hashlimit-srcmask 24 --hashlimit-mode srcip,dstport",
            "-A INPUT -m hashlimit ! --hashlimit-upto 7/h --hashlimit-name m2 --hashlimit-mode dstip|srcport --hashlimit-dstmask 0",
            "-A INPUT -m hashlimit ! --hashlimit-above 3/d --hashlimit-burst 2k --hashlimit-name m3 --hashlimit-htable-size 64 --hashlimit-htable-max 10 --hashlimit-htable-gcinterval 500 --hashlimit-htable-expire 9",
            "-A INPUT -m hashlimit --hashlimit 333/m --hashlimit-name m4 --hashlimit-dstmask 16",
            "-A INPUT -p udp --dport 1 -j NFQUEUE",
            "-A INPUT -j NFLOG",
            "-A INPUT -j NFLOG --nflog-group 65535 --nflog-prefix abc --nflog-size 0 --nflog-threshold 7",
            "-A INPUT -j NFLOG --nflog-range 5 --nflog-group 0",
            "-A INPUT -j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "-A INPUT -j NFLOG --nflog-prefix yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
            "-A INPUT -p udp --dport 2 -j NFQUEUE --queue-num 65535 --queue-bypass",
            "-A INPUT -p udp --dport 3 -j NFQUEUE --queue-bypass --queue-balance 0:6 --queue-cpu-fanout",
            "-A INPUT -p udp --dport 4 -j NFQUEUE --queue-balance 10:11",
            "-A INPUT -m policy --dir in --pol none",
            "-A FORWARD -m policy --dir out --pol ipsec ! --proto ah ! --mode transport",
            "-A FORWARD -m policy --dir out --pol ipsec --proto 108 ! --spi 4294967295",
            "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
            "-A FORWARD -p tcp -j TCPMSS --set-mss 1400",
            "-A INPUT -p esp -m esp --espspi 7",
            "-A INPUT -p esp -m esp ! --espspi 0:4294967294",
            "-A INPUT -p esp -m esp --espspi :32",
            "-A INPUT -p esp -m esp",
            "-A INPUT -m quota --quota 18446744073709551615",
            "-A INPUT -m quota ! --quota 0x10",
            "-A INPUT -p sctp --sport 22 --dport 80:90 --chunk-types any DATA:Be,INIT",
            "-A INPUT -p sctp ! --chunk-types only ABORT:t,SHUTDOWN_COMPLETE:T,I_DATA:I",
            "-A INPUT -p sctp -m sctp --chunk-types all ALL",
            "-A INPUT -p sctp -m sctp --chunk-types all NONE",
            "-A INPUT -p sctp -m sctp ! --sport 1:2 ! --dport 3 --chunk-types all DATA:-",
            "-A INPUT -p dccp --sport 1024: ! --dport 22 --dccp-types REQUEST,INVALID,DATA ! --dccp-option 4",
            "-A INPUT -p dccp -m dccp --sport 5:3 ! --dccp-types ACK",
            "-A INPUT -p dccp -m dccp --dccp-types SYNCACK,RESET,CLOSE",
            "-A INPUT -m string --algo bm --string a\"b\\ --icase --from 3",
            "-A INPUT -m string --algo kmp ! --hex-string |0001|ab|7c|",
            "-A INPUT -m string --algo kmp --string héllo",
            "-A INPUT -m string --algo bm --hex-string ab|",
            "-A INPUT -m string --string test --algo bm --to 100",
            "-A INPUT -m u32 --u32 0x0=0x0&&0x0=0x1",
            "-A INPUT -m u32 ! --u32 0>>22&0x3C@12>>26&0x3C@0=0x4745",
            "-A INPUT -m u32 --u32 6&0xFF=1,17:20&&4&0x3FFF=0",
            "-A INPUT -m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir original",
            "-A INPUT -m connbytes ! --connbytes 5 --connbytes-mode avgpkt --connbytes-dir both",
            "-A INPUT -m connbytes ! --connbytes 5:10 --connbytes-mode bytes --connbytes-dir reply",
            "-A INPUT -m connbytes --connbytes :7 --connbytes-mode bytes --connbytes-dir reply",
            "-A INPUT -m connbytes --connbytes 0:18446744073709551615 --connbytes-mode bytes --connbytes-dir reply",
            "-A INPUT -m connlimit --connlimit-upto 0",
            "-A INPUT -m connlimit ! --connlimit-upto 3 --connlimit-mask 0",
            "-A INPUT -m connlimit --connlimit-above 10 --connlimit-saddr",
            "-A INPUT -p ipcomp -m ipcomp --ipcompspi 18 -j DROP",
            "-A INPUT -p ipcomp -m ipcomp ! --ipcompspi 18:20 --compres",
            "-A INPUT -p ipcomp -m ipcomp",
            "-A INPUT -p 108 -m ipcomp --ipcompspi :7",
            "-A INPUT -p udplite",
            "-A INPUT -m connlabel --label 40",
            "-A INPUT -m connlabel ! --label 41 --set",
            "-A INPUT -m connlabel --label 0x7f --set",
            "-A INPUT -m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz",
            "-A INPUT -m time --weekdays 1,7,Tu ! --monthdays 31,22,3",
            "-A INPUT -m time --timestart 23:00 --timestop 01:00 --contiguous --utc",
            "-A INPUT -m time --datestart 2020 --datestop 2021-02",
            "-A INPUT -m time --datestop 2020-02-31T1",
            "-A INPUT -m time ! --weekdays Sat",
            "-A INPUT -m time",
            "-A INPUT ! -p sctp");

    static final List<String> FILTER4 = List.of(
            "-A INPUT -m ttl --ttl-eq 0",
            "-A INPUT -m ttl ! --ttl-eq 5",
            "-A INPUT -m ttl --ttl-lt 5",
            "-A INPUT -m ttl --ttl-gt 5",
            "-A INPUT -p ah -m ah ! --ahspi 3:4",
            "-A INPUT -p ah -m ah --ahspi 7",
            "-A INPUT -p ah -m ah",
            "-A INPUT -m recent --set --mask 255.255.255.0 --name m4",
            "-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2",
            "-A INPUT -m hashlimit --hashlimit 333/m --hashlimit-name m6 --hashlimit-srcmask 255.255.0.0",
            "-A INPUT -m hashlimit --hashlimit 33/m --hashlimit-name m7 --hashlimit-srcmask 4294967295",
            "-A INPUT -m conntrack --ctorigsrc 10.0.0.0/8 --ctreplsrc 1.2.3.4 --ctstatus EXPECTED",
            "-A INPUT -m connlimit ! --connlimit-above 4294967295 --connlimit-mask 24 --connlimit-daddr",
            "-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 33",
            "-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 255.255.0.0");

    static final List<String> FILTER6 = List.of(
            "-A INPUT -m recent --set --mask ffff:ffff:: --name m6",
            "-A INPUT -m policy --dir in --pol ipsec --strict --proto esp --mode tunnel --tunnel-dst 2001:db8::/32 --tunnel-src ::1 --next --reqid 2",
            "-A INPUT -m connlimit --connlimit-above 3 --connlimit-mask 64 --connlimit-daddr",
            "-A INPUT -m connlimit --connlimit-above 3 --connlimit-mask ffff::",
            "-A INPUT -m srh --srh-next-hdr 17 --srh-segs-left-eq 1 --srh-last-entry-eq 4 --srh-tag 0",
            "-A INPUT -m srh ! --srh-next-hdr 17 ! --srh-segs-left-eq 0 --srh-tag 0",
            "-A INPUT -m srh --srh-psid a::1/64 --srh-nsid b::/128 --srh-lsid c::/0",
            "-A INPUT -m srh ! --srh-psid a::/64 ! --srh-nsid b::/ffff:: ! --srh-lsid c::",
            "-A INPUT -m srh --srh-hdr-len-eq 8 --srh-hdr-len-gt 4 ! --srh-last-entry-lt 3",
            "-A INPUT -m srh --srh-psid a::/ff00:ff::",
            "-A INPUT -m srh");

    static final List<String> MANGLE = List.of(
            "-A PREROUTING -j CONNMARK --save-mark --mask 0xff --left-shift-mark 8",
            "-A PREROUTING -j CONNMARK --restore-mark --right-shift-mark 4",
            "-A PREROUTING -j CONNMARK --set-xmark 0x1/0x1 --left-shift-mark 2",
            "-A PREROUTING -j CONNMARK --save-mark --nfmask 0xf0 --ctmask 0xff00 --right-shift-mark 31",
            "-A PREROUTING -j CONNMARK --or-mark 0x4 --left-shift-mark 0",
            "-A PREROUTING -m rpfilter",
            "-A PREROUTING -m rpfilter --loose --validmark --accept-local --invert -j DROP",
            "-A PREROUTING -m rpfilter --invert --accept-local",
            "-A POSTROUTING -j CONNMARK --set-xmark 0x1/0xff",
            "-A POSTROUTING -j CONNMARK --set-mark 0x1/0xff",
            "-A POSTROUTING -j CONNMARK --set-mark 5",
            "-A POSTROUTING -j CONNMARK --and-mark 0xf0",
            "-A POSTROUTING -j CONNMARK --or-mark 0x4",
            "-A POSTROUTING -j CONNMARK --xor-mark 0x4",
            "-A POSTROUTING -j CONNMARK --save-mark",
            "-A POSTROUTING -j CONNMARK --save-mark --mask 0xff",
            "-A POSTROUTING -j CONNMARK --restore-mark --mask 0xff00",
            "-A POSTROUTING -j CONNMARK --restore-mark --nfmask 0xf --ctmask 0xf0",
            "-A POSTROUTING -j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff",
            "-A POSTROUTING -j CONNMARK --set-xmark 0x0/0xffffffff",
            "-A POSTROUTING -j CONNMARK --set-mark 1 --mask 3",
            "-A POSTROUTING -j TOS --set-tos 0x1f",
            "-A POSTROUTING -j TOS --set-tos Minimize-Delay",
            "-A POSTROUTING -j TOS --and-tos 0x12",
            "-A POSTROUTING -j TOS --or-tos 0x12",
            "-A POSTROUTING -j TOS --xor-tos 0x12",
            "-A POSTROUTING -j TOS --set-tos 0/0xff",
            "-A POSTROUTING -j DSCP --set-dscp 0x2e",
            "-A POSTROUTING -j DSCP --set-dscp-class af41",
            "-A POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400",
            "-A POSTROUTING -j CHECKSUM --checksum-fill",
            "-A POSTROUTING -j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-rnd 0xfeed --hmark-mod 10 --hmark-offset 100",
            "-A POSTROUTING -j HMARK --hmark-tuple s,d,sp,dp,p --hmark-rnd 1 --hmark-mod 3 --hmark-sport 5 --hmark-dport 6",
            "-A POSTROUTING -j HMARK --hmark-tuple spi --hmark-rnd 1 --hmark-mod 3 --hmark-spi 7",
            "-A POSTROUTING -j HMARK --hmark-src-prefix 0 --hmark-dst-prefix 24 --hmark-rnd 1 --hmark-mod 3 --hmark-tuple ct",
            "-A POSTROUTING -p tcp -j TCPOPTSTRIP --strip-options mss,md5,timestamp,200",
            "-A POSTROUTING -p tcp -j TCPOPTSTRIP",
            "-A FORWARD -j TRACE",
            "-A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe",
            "-A PREROUTING -m cluster --cluster-total-nodes 32 ! --cluster-local-nodemask 0x7 --cluster-hash-seed 1");

    static final List<String> MANGLE4 = List.of(
            "-A POSTROUTING -p tcp -j ECN --ecn-tcp-remove",
            "-A POSTROUTING -p tcp -j ECN --ecn-tcp-ece 1 --ecn-ip-ect 2",
            "-A POSTROUTING -p tcp -j ECN --ecn-ip-ect 1 --ecn-tcp-remove",
            "-A POSTROUTING -p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 3",
            "-A POSTROUTING -j TTL --ttl-set 42",
            "-A POSTROUTING -j TTL --ttl-inc 1",
            "-A POSTROUTING -j TTL --ttl-dec 1");

    static final List<String> RAW = List.of(
            "-A PREROUTING -j CT --notrack",
            "-A PREROUTING -j CT",
            "-A PREROUTING -j NOTRACK",
            "-A OUTPUT -j CT --ctevents new,related,destroy,reply,assured,protoinfo,helper,mark,natseqinfo,secmark",
            "-A OUTPUT -j CT --expevents new --ctevents assured,new",
            "-A OUTPUT -j CT --zone 0",
            "-A OUTPUT -j CT --notrack --zone 7",
            "-A OUTPUT -p udp -j CT --zone 65535",
            "-A OUTPUT -p tcp -j CT --zone-orig 6 --ctevents new",
            "-A PREROUTING -j CT --zone-reply mark",
            "-A PREROUTING -p udp -j CT --zone mark",
            "-A OUTPUT -j CT --notrack --helper ftp",
            "-A PREROUTING -p tcp -j TRACE",
            "-A OUTPUT -j TRACE");

    static final List<List<String>> LISTINGS = List.of(List.of("-S"), List.of("-L"), List.of("-L", "-n"), List.of("-nvL"));


    private static void compare(boolean ipv6, List<String> filter, List<String> mangle) {
        compare(ipv6, filter, mangle, RAW);
    }

    /** Loads the rules into the real tool in a namespace and into jnat; every listing and the save must be byte-identical. */
    static void compare(boolean ipv6, List<String> filter, List<String> mangle, List<String> raw) {
        String tool = ipv6 ? "ip6tables" : "iptables";
        Tools.require(tool);
        Ruleset ours = new Ruleset(ipv6);
        try (Netns ns = Netns.create("ext-mods")) {
            for (String table : List.of("filter", "mangle", "raw")) {
                for (String r : table.equals("filter") ? filter : table.equals("raw") ? raw : mangle) {
                    List<String> a = words("-t " + table + " " + r);
                    ns.exec(cmd(tool, a)).checked();
                    Iptables.run(ours, a);
                }
                for (List<String> l : LISTINGS) {
                    List<String> a = new ArrayList<>(List.of("-t", table));
                    a.addAll(l);
                    assertEquals(Dumps.normaliseProt(ns.exec(cmd(tool, a)).checked().stdout()),
                            Dumps.normaliseProt(Dumps.run(ours, a.toArray(String[]::new))), tool + " " + a);
                }
                assertEquals(Dumps.withoutComments(ns.exec(tool + "-save", "-t", table).checked().stdout()),
                        Dumps.withoutComments(ours.save(table, false, true)), tool + "-save -t " + table);
            }
        }
    }

    @Test
    void iptablesListsAndSavesTheModulesAsIptables189() {
        List<String> f = new ArrayList<>(FILTER), m = new ArrayList<>(MANGLE);
        f.addAll(FILTER4);
        m.addAll(MANGLE4);
        compare(false, f, m);
    }

    @Test
    void ip6tablesListsAndSavesTheModulesAsIp6tables189() {
        List<String> f = new ArrayList<>(FILTER);
        f.addAll(FILTER6);
        compare(true, f, MANGLE);
    }

    /** Rules iptables refuses, each with its message: jnat gives the same message (its first words) and exit code. */
    static final List<String> BAD = List.of(
            "-A INPUT -m limit --limit 0/sec",
            "-A INPUT -m limit --limit 1/week",
            "-A INPUT -m limit --limit 20000/sec",
            "-A INPUT -m limit --limit-burst 10001",
            "-A INPUT -m limit ! --limit 1/sec",
            "-A INPUT -m limit --limit 1/",
            "-A INPUT -m connmark",
            "-A INPUT -m recent",
            "-A INPUT -m recent --set --rcheck",
            "-A INPUT -m recent --set --set",
            "-A INPUT -m recent --set --rttl",
            "-A INPUT -m recent --set --seconds 5",
            "-A INPUT -m recent --remove --hitcount 5",
            "-A INPUT -m recent --rcheck --reap",
            "-A INPUT -m recent --rcheck --seconds 0",
            "-A INPUT -m recent --rcheck --hitcount 65536",
            "-A INPUT -m recent --rcheck ! --name x",
            "-A INPUT -m recent --rcheck --mask ::1",
            "-A INPUT -m recent --reap",
            "-A INPUT -m hashlimit",
            "-A INPUT -j NFLOG --nflog-group 65536",
            "-t raw -A OUTPUT -j CT --zone 65536",
            "-t raw -A OUTPUT -j CT --zone -1",
            "-t raw -A OUTPUT -j CT --ctevents new,old",
            "-t raw -A OUTPUT -j CT --expevents",
            "-t raw -A OUTPUT -j CT --notrack --notrack",
            "-t raw -A OUTPUT -j CT ! --notrack",
            "-A INPUT -j NFLOG --nflog-size -1",
            "-A INPUT -j NFLOG --nflog-threshold 65536",
            "-A INPUT -j NFLOG ! --nflog-group 1",
            "-A INPUT -j NFQUEUE --queue-num 65536",
            "-A INPUT -j NFQUEUE --queue-num -1",
            "-A INPUT -j NFQUEUE --queue-balance 0:65535",
            "-A INPUT -j NFQUEUE --queue-balance 0:65536",
            "-A INPUT -j NFQUEUE --queue-balance 5:5",
            "-A INPUT -j NFQUEUE --queue-balance 5",
            "-A INPUT -j NFQUEUE --queue-num 1 --queue-balance 1:2",
            "-A INPUT -j NFQUEUE --queue-cpu-fanout",
            "-A INPUT -j NFQUEUE ! --queue-bypass",
            "-A INPUT -m rpfilter",
            "-t mangle -A INPUT -m rpfilter",
            "-t mangle -A PREROUTING -m rpfilter --loose --loose",
            "-A INPUT -m policy",
            "-A INPUT -m policy --dir sideways",
            "-A INPUT -m policy --dir in --pol maybe",
            "-A INPUT -m policy --dir in --pol none --strict",
            "-A INPUT -m policy --dir in --pol ipsec --strict",
            "-A INPUT -m policy --dir in --pol ipsec --next",
            "-A INPUT -m policy --dir in --pol ipsec --proto tcp",
            "-A INPUT -m policy --dir in --pol ipsec --reqid 1 --reqid 2",
            "-A INPUT -m policy --dir in --pol ipsec --tunnel-src 1.2.3.4",
            "-A INPUT -m policy --dir in --pol ipsec --mode sideways",
            "-A OUTPUT -m policy --dir in --pol none",
            "-A INPUT -m policy --dir out --pol none",
            "-A INPUT -m hashlimit --hashlimit-upto 13 --hashlimit-name m5 --hashlimit-srcmask 255.0.255.0",
            "-A INPUT -m hashlimit --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-above 1/sec --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/week --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 0/sec --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 2000000/sec --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 0 --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1000001 --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2000k --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1mb/s --hashlimit-burst 1k --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-mode foo --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-srcmask 33 --hashlimit-name x",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-htable-expire 0",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-htable-gcinterval 0",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-rate-interval 0",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a/b",
            "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x ! --hashlimit-mode srcip",
            "-A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1000000 --hashlimit-name x",
            "-A INPUT -m conntrack --ctstatus FOO",
            "-A INPUT -m conntrack --ctstatus ASSURED,",
            "-A INPUT -m conntrack --ctstatus ,ASSURED",
            "-A INPUT -m conntrack --ctexpire 42949672956",
            "-A INPUT -m conntrack --ctexpire -1",
            "-A INPUT -m conntrack --ctexpire 1:2:3",
            "-A INPUT -m conntrack --ctexpire 5x",
            "-A INPUT -m conntrack --ctexpire 5:y",
            "-A INPUT -m conntrack --ctproto foo",
            "-A INPUT -m conntrack ! --ctstatus NONE --ctproto all",
            "-A INPUT -m connmark --mark 0xfffffffff",
            "-A INPUT -m connmark --mark -1",
            "-t mangle -A INPUT -j CONNMARK",
            "-t mangle -A INPUT -j CONNMARK --set-mark 1 --save-mark",
            "-t mangle -A INPUT -j CONNMARK --save-mark --ctmask 1 --mask 2",
            "-t mangle -A INPUT -j CONNMARK ! --set-mark 1",
            "-A INPUT -m tos --tos wrong",
            "-A INPUT -m tos",
            "-A INPUT -m tos --tos 0x100",
            "-A INPUT -m dscp --dscp 0x40",
            "-A INPUT -m dscp --dscp -1",
            "-A INPUT -m dscp --dscp 0x3f --dscp-class CS0",
            "-A INPUT -m dscp --dscp-class XX",
            "-A INPUT -m dscp",
            "-A INPUT -m ecn --ecn-tcp-cwr",
            "-A INPUT -p tcp -m ecn --ecn-ip-ect 4",
            "-A INPUT -p tcp -m ecn",
            "-A INPUT -m tcpmss --mss 42",
            "-A INPUT -p tcp -m tcpmss --mss 42:65536",
            "-A INPUT -p tcp -m tcpmss --mss 65535:1000",
            "-A INPUT -p tcp -m tcpmss",
            "-A INPUT -m pkttype --pkt-type wrong",
            "-A INPUT -m pkttype",
            "-A INPUT -m mac --mac-source 42:01:02:03:04",
            "-A INPUT -m mac",
            "-A OUTPUT -m mac --mac-source 42:01:02:03:04:05",
            "-A INPUT -m ttl --ttl-eq 256",
            "-A INPUT -m ttl --ttl-eq -1",
            "-A INPUT -m ttl",
            "-A INPUT -m ttl --ttl-eq 1 --ttl-lt 2",
            "-A INPUT -m ttl ! --ttl-lt 2",
            "-t mangle -A INPUT -j TTL --ttl-set 256",
            "-t mangle -A INPUT -j TTL --ttl-inc 0",
            "-t mangle -A INPUT -j TTL --ttl-dec 1 --ttl-inc 1",
            "-t mangle -A INPUT -j TTL",
            "-A INPUT -j TTL --ttl-set 1",
            "-t mangle -A INPUT -j TOS",
            "-t mangle -A INPUT -j TOS --set-tos 0x100",
            "-t mangle -A INPUT -j TOS --set-tos 1 --and-tos 2",
            "-A INPUT -j TOS --set-tos 1",
            "-t mangle -A INPUT -j DSCP --set-dscp 0x40",
            "-t mangle -A INPUT -j DSCP --set-dscp 0x3f --set-dscp-class CS0",
            "-t mangle -A INPUT -j DSCP",
            "-A INPUT -j DSCP --set-dscp 1",
            "-t mangle -A INPUT -j ECN",
            "-t mangle -A INPUT -p tcp -j ECN",
            "-t mangle -A INPUT -j ECN --ecn-tcp-remove",
            "-A INPUT -p tcp -j ECN --ecn-tcp-remove",
            "-t mangle -A INPUT -j TCPMSS --set-mss 1",
            "-t mangle -A FORWARD -p tcp -j TCPMSS",
            "-t mangle -A PREROUTING -p tcp -j TCPMSS --clamp-mss-to-pmtu",
            "-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 65536",
            "-t mangle -A INPUT -j CHECKSUM",
            "-A INPUT -j CHECKSUM --checksum-fill",
            "-t mangle -A PREROUTING -j CONNMARK --save-mark --left-shift-mark 32",
            "-t mangle -A PREROUTING -j CONNMARK --save-mark --right-shift-mark 33",
            "-t mangle -A PREROUTING -j CONNMARK --left-shift-mark 3",
            "-A INPUT -p dccp --dccp-option 0",
            "-A INPUT -p dccp --dccp-types BOGUS",
            "-A INPUT -p sctp --chunk-types some DATA",
            "-A INPUT -p sctp --chunk-types any DATA:X",
            "-A INPUT -p sctp --chunk-types any BOGUS",
            "-A INPUT -p sctp --chunk-types any",
            "-A INPUT -m sctp --sport 1",
            "-A INPUT -m ah --ahspi 1",
            "-A INPUT -p ah -m ah --ahspi 3:x",
            "-A INPUT -m string --algo wrong --string x",
            "-A INPUT -m string --algo bm --string x --from 10 --to 5",
            "-A INPUT -m string --algo bm --string x --to 65536",
            "-A INPUT -m string --algo bm --string x --hex-string |00|",
            "-A INPUT -m string --algo bm --hex-string |zz|",
            "-A INPUT -m string --algo bm --hex-string |0|",
            "-A INPUT -m string --algo bm",
            "-A INPUT -m string --string x",
            "-A INPUT -m u32 --u32 =1",
            "-A INPUT -m u32 --u32 1<2=3",
            "-A INPUT -m u32 --u32 1=",
            "-A INPUT -m u32 --u32 1=2&3",
            "-A INPUT -m u32 --u32 1=-1",
            "-A INPUT -m u32 --u32 1&1&1&1&1&1&1&1&1&1&1=2",
            "-A INPUT -m u32",
            "-A INPUT -m connbytes --connbytes 0:18446744073709551616 --connbytes-mode bytes --connbytes-dir reply",
            "-A INPUT -m connbytes --connbytes 9:3 --connbytes-mode bytes --connbytes-dir reply",
            "-A INPUT -m connbytes --connbytes 0x10 --connbytes-mode bytes --connbytes-dir x",
            "-A INPUT -m connbytes --connbytes 1:2:3 --connbytes-mode bytes --connbytes-dir both",
            "-A INPUT -m connbytes --connbytes 1x --connbytes-mode bytes --connbytes-dir both",
            "-A INPUT -m connbytes --connbytes 1 --connbytes-dir both",
            "-A INPUT -m connbytes",
            "-A INPUT -m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr",
            "-A INPUT -m connlimit --connlimit-upto 4294967296",
            "-A INPUT -m connlimit --connlimit-mask 8",
            "-A INPUT -m connlimit --connlimit-above 1 --connlimit-mask x",
            "-A INPUT -m connlimit --connlimit-upto 1 --connlimit-above 2",
            "-A INPUT -m ipcomp --ipcompspi 1",
            "-A INPUT -m connlabel --label 2048",
            "-A INPUT -m connlabel --set",
            "-A INPUT -m time --timestart 24:00",
            "-A INPUT -m time --timestart 1:60",
            "-A INPUT -m time --weekdays 0",
            "-A INPUT -m time --weekdays Xy",
            "-A INPUT -m time --monthdays 32",
            "-A INPUT -m time --datestart 1969",
            "-A INPUT -m time --timestart 1:00 --timestop 2:00 --contiguous",
            "-A INPUT -m time --utc --kerneltz",
            "-A INPUT -p ipcomp -m ipcomp --ipcompspi 1:2:3",
            "-t mangle -A PREROUTING -j HMARK",
            "-t mangle -A PREROUTING -j HMARK --hmark-mod 3 --hmark-tuple ct",
            "-t mangle -A PREROUTING -j HMARK --hmark-mod 3 --hmark-rnd 1",
            "-t mangle -A PREROUTING -j HMARK --hmark-mod 0 --hmark-rnd 1 --hmark-tuple ct",
            "-t mangle -A PREROUTING -j HMARK --hmark-tuple src,,dst --hmark-rnd 1 --hmark-mod 3",
            "-t mangle -A PREROUTING -j HMARK --hmark-tuple spi,sport --hmark-rnd 1 --hmark-mod 3",
            "-t mangle -A PREROUTING -j HMARK --hmark-tuple ct --hmark-rnd 1 --hmark-mod 3 --hmark-spi 1 --hmark-sport 2",
            "-t mangle -A OUTPUT -j TCPOPTSTRIP",
            "-t mangle -A OUTPUT -p tcp -j TCPOPTSTRIP --strip-options 1",
            "-t mangle -A OUTPUT -p tcp -j TCPOPTSTRIP --strip-options 2,mss",
            "-A INPUT -m string",
            "-A INPUT -m connlimit --connlimit-saddr --connlimit-daddr",
            "-t mangle -A PREROUTING -m cluster",
            "-t mangle -A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed 1",
            "-t mangle -A PREROUTING -m cluster --cluster-total-nodes 33 --cluster-local-node 1 --cluster-hash-seed 1",
            "-t mangle -A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-nodemask 4 --cluster-hash-seed 1",
            "-t mangle -A PREROUTING -m cluster --cluster-local-node 1 --cluster-hash-seed 1");

    @Test
    void badRulesAreRefusedWithIptablesMessageAndExitCode() {
        Tools.require("iptables");
        List<String> wrong;
        try (Netns ns = Netns.create("ext-bad")) {
            // the kernel's EINVAL: iptables-nft names the chain only, jnat also says why
            wrong = RealIptables.refusalDifferences(ns, BAD, Ruleset::new, false);
        }
        assertEquals(List.of(), wrong);
    }

    /** Modules whose facts jnat does not model are refused with the reason, never accepted and ignored. */
    @Test
    void modulesJnatCannotModelAreRefusedSayingWhy() {
        List<String> wrong = new ArrayList<>();
        for (String[] c : new String[][] {
            {"-A INPUT -m cgroup --path /", "match `cgroup' is not supported by jnat: jnat models no processes or cgroups"},
            {"-t mangle -A INPUT -j SECMARK --selctx x", "target `SECMARK' is not supported by jnat: jnat models no SELinux security contexts"},
            {"-A INPUT -m cpu --cpu 0", "match `cpu' is not supported by jnat: jnat's packets run on no fixed CPU (one engine, whichever worker holds it)"},
            {"-t mangle -A FORWARD -j CLASSIFY --set-class 0000:ffff", "target `CLASSIFY' is not supported by jnat: jnat has no qdiscs (tc classes) for skb->priority to select"},
            {"-A INPUT -j AUDIT --type accept", "target `AUDIT' is not supported by jnat: jnat has no kernel audit log to write to"},
            {"-A INPUT -j IDLETIMER --timeout 42 --label foo", "target `IDLETIMER' is not supported by jnat: jnat has no sysfs idle timers (/sys/class/xt_idletimer) to expose"},
            {"-A INPUT -m string --algo fsm --string abcd", "match `string' is not supported by jnat with --algo fsm: ts_fsm's token patterns are not modelled"}}) {
            try {
                Iptables.run(new Ruleset(), words(c[0]));
                wrong.add(c[0] + ": accepted");
            } catch (RuleError e) {
                if (!e.getMessage().equals(c[1])) wrong.add(c[0] + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), wrong);
    }
}
