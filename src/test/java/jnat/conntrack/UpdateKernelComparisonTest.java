package jnat.conntrack;

import jnat.testing.Netns;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static jnat.conntrack.Flow.SEC;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code conntrack -U} against the kernel: the same three UDP entries made with {@code conntrack -I}
 * in a namespace and tracked by jnat's table, then the same -U command lines through the real
 * conntrack 1.4.7 and through {@link ConntrackTool}. Exit codes and stderr must be equal, as must the
 * number of lines printed and the table afterwards ({@code -L}, sorted; timeouts left out: the kernel's
 * clock runs on while jnat's stands). The lines themselves are compared where one entry is updated
 * (with three the kernel prints the first of its hash order, jnat the first of its id order).
 */
class UpdateKernelComparisonTest {
    static final int A = Tuple.parseIp("10.0.0.1"), B = Tuple.parseIp("10.0.0.2");

    /** Each step: the -U command line, and whether its printed line is compared as well as counted. */
    static final List<List<String>> STEPS = List.of(
            List.of("-U", "-m", "1"),                       // no family: EOPNOTSUPP
            List.of("-U", "-f", "ipv4", "-m", "1"),         // three updated, 1.4.7 prints one
            List.of("-U", "-f", "ipv4", "-m", "1"),         // unchanged: none
            List.of("-U", "-s", "10.0.0.1", "-p", "udp", "--sport", "1001", "-m", "0x5/0xf"),
            List.of("-U", "-f", "ipv4", "-p", "udp", "-t", "50"),
            List.of("-U", "-f", "ipv4", "-p", "tcp", "-m", "3"),
            List.of("-U", "--src-nat", "-f", "ipv4", "-m", "9"),
            List.of("-U", "-d", "10.0.0.2", "-m", "0x10/0x10"));

    @Test
    void updatesPrintCountAndLeaveTheTableAsTheKernelsConntrackDoes() {
        Tools.require("conntrack");
        try (Netns ns = Netns.create("ctupd")) {
            ConnTable table = new ConnTable(64);
            Conntrack ct = new Conntrack(table);
            long now = 1_000 * SEC;
            for (int sport = 1000; sport <= 1002; sport++) {
                ns.exec("conntrack", "-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "" + sport,
                        "--dport", "2000", "-t", "30").checked();
                CtPacket p = new CtPacket();
                p.tuple.set(Tuple.IPPROTO_UDP, A, B, sport, 2000);
                assertEquals(Conntrack.IP_CT_NEW, ct.in(p, now));
                assertTrue(table.confirm(p.id, now));
            }
            for (List<String> step : STEPS) {
                List<String> cmd = new java.util.ArrayList<>(List.of("conntrack"));
                cmd.addAll(step);
                Tools.Result kernel = ns.exec(cmd.toArray(String[]::new));
                ConntrackTool.Result ours = ConntrackTool.run(table, step, now);
                String what = String.join(" ", step);
                assertEquals(kernel.exitCode(), ours.exitCode(), what + ": " + kernel.stderr());
                assertEquals(kernel.stderr(), ours.stderr(), what);
                List<String> k = lines(kernel.stdout()), o = lines(ours.stdout());
                assertEquals(k.size(), o.size(), what + "\nkernel: " + k + "\nours: " + o);
                if (step.contains("--sport")) assertEquals(k, o, what);
                assertEquals(sorted(lines(ns.exec("conntrack", "-L").stdout())),
                        sorted(lines(ConntrackTool.run(table, List.of("-L"), now).stdout())), "-L after " + what);
            }
        }
    }

    /** The output's lines with the timeout (the field after the protocol number) left out. */
    static List<String> lines(String out) {
        return out.lines().map(l -> l.replaceFirst("^(udp +17 )\\d+ ", "$1T ")).toList();
    }

    static List<String> sorted(List<String> l) {
        String[] a = l.toArray(String[]::new);
        Arrays.sort(a);
        return List.of(a);
    }
}
