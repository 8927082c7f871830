package jnat.nat;

import jnat.rules.Chain;
import jnat.rules.Rule;
import jnat.testing.Tools;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel as the oracle for -m time: rules around the current real time (an hour's window
 * that holds it and one that does not, today's weekday and monthday, a date range either side),
 * the same UDP packets sent by the host in a namespace and through the engine, whose host's
 * realtime offset makes its clock the real time, as the gateway's does. Every rule's count must
 * be the kernel's. The windows are an hour wide, so the moments the two runs see agree.
 */
class TimeMatchKernelTest {
    static String hms(long secondOfDay) {
        long t = Math.floorMod(secondOfDay, 86400);
        return String.format("%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    }

    static List<String> rules(ZonedDateTime now) {
        long t = now.toLocalTime().toSecondOfDay();
        String[] days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        String today = days[now.getDayOfWeek().getValue() - 1], tomorrow = days[now.getDayOfWeek().getValue() % 7];
        String yesterday = now.minusDays(1).toLocalDate() + "T00:00:00", nextDay = now.plusDays(1).toLocalDate() + "T23:59:59";
        return List.of(
                "-p udp -m time --timestart " + hms(t - 3600) + " --timestop " + hms(t + 3600),
                "-p udp -m time --timestart " + hms(t + 3600) + " --timestop " + hms(t + 7200),
                "-p udp -m time --timestart " + hms(t + 3600) + " --timestop " + hms(t - 3600),
                "-p udp -m time --weekdays " + today,
                "-p udp -m time ! --weekdays " + today,
                "-p udp -m time --weekdays " + tomorrow,
                "-p udp -m time --monthdays " + now.getDayOfMonth(),
                "-p udp -m time ! --monthdays " + now.getDayOfMonth(),
                "-p udp -m time --datestart " + yesterday + " --datestop " + nextDay,
                "-p udp -m time --datestop " + yesterday,
                "-p udp -m time --datestart " + nextDay,
                "-p udp -m time --timestart " + hms(t - 3600) + " --timestop " + hms(t + 3600) + " --weekdays " + today
                        + " --monthdays " + now.getDayOfMonth());
    }

    @Test
    void timeMatchesTheRealTimeAsTheKernel() {
        Tools.requireRoot();
        Tools.require("iptables");
        Tools.require("python3");
        List<String> rules = rules(ZonedDateTime.now(ZoneOffset.UTC));
        List<byte[]> packets = List.of(HeaderMatchesKernelTest.udp(5000, new byte[4]), HeaderMatchesKernelTest.udp(5001, new byte[8]));
        String k = HeaderMatchesKernelTest.kernel(rules, packets);
        System.out.println("kernel's rule counts:\n" + k);

        StringBuilder rs = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (String r : rules) rs.append("-A OUTPUT ").append(r).append('\n');
        EngineRig rig = EngineRig.host("link add d0 type veth peer name d1\nlink set dev d0 up\nlink set dev d1 up\naddr add "
                + HeaderMatchesKernelTest.DST + "/24 dev d0\n").rules(rs.append("COMMIT\n").toString());
        rig.host().setRealtimeOffset(System.currentTimeMillis() * 1_000_000L - rig.now);
        for (byte[] p : packets) rig.send(p);
        StringBuilder ours = new StringBuilder();
        Chain output = rig.engine().ruleset().existing("filter").chain("OUTPUT");
        for (Rule r : output.rules()) ours.append(r.packets).append('\n');
        assertEquals(k, ours.toString(), "each rule's packets");
    }
}
