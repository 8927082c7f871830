package jnat.host;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jnat.wire.Ipv6Address;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host file written from a real host's {@code ip -j} output ({@code jnat host capture}): its
 * links (MAC, MTU, up), addresses, the routes of every table that are not the kernel's own
 * (those follow from the addresses, as {@link Host} derives them), its neighbours (each as a
 * permanent one: the copy never forgets or resolves one) and its policy routing rules. An IPv6 link-local address
 * is written only when the kernel's is not the EUI-64 one jnat derives from the MAC.
 *
 * <p>The inputs are the JSON texts of {@code ip -j -d link show}, {@code ip -j addr show},
 * {@code ip -j -4 route show table all} (or {@code table main}), {@code ip -j -6 route show table all},
 * {@code ip -j neigh show}, the local tables' ({@code ip -j -4|-6 route show table local}) and the
 * policy rules ({@code ip -j -4|-6 rule show}: copied but the defaults; one with a selector jnat's
 * rules lack is a warning, {@link #ruleWarnings}).
 *
 * <p>Beside it: the host's sysctls the engine has ({@link #sysctls}) and its native nf_tables tables
 * ({@link #nftRuleset}); the rules iptables-save and ip6tables-save print are copied as they are.
 */
public final class HostCapture {
    private HostCapture() {}

    /**
     * The inputs, each the JSON ip printed (or "" when it was not captured): links, addresses, the main
     * and local tables' routes of each family, neighbours and the policy rules of each family.
     */
    public record IpJson(String links, String addresses, String routes4, String routes6, String neighbours,
                         String local4, String local6, String rules4, String rules6) {
        /** Without the local tables and the rules. */
        public IpJson(String links, String addresses, String routes4, String routes6, String neighbours) {
            this(links, addresses, routes4, routes6, neighbours, "", "", "", "");
        }
    }

    /** The host file for {@code ip}'s output, with {@code header} as its comment lines. */
    public static String hostFile(IpJson ip, String header) {
        StringBuilder out = new StringBuilder();
        for (String h : header.split("\n")) out.append("# ").append(h).append('\n');
        List<String[]> linkLocal = new ArrayList<>();
        StringBuilder addrs = new StringBuilder();
        for (JsonElement e : array(ip.addresses())) addresses(e.getAsJsonObject(), addrs, linkLocal);
        for (JsonElement e : array(ip.links())) link(e.getAsJsonObject(), out, linkLocal);
        out.append(addrs);
        for (JsonElement e : array(ip.routes4())) route(e.getAsJsonObject(), false, false, out);
        for (JsonElement e : array(ip.routes6())) route(e.getAsJsonObject(), true, false, out);
        // the local table's own routes (a local address, broadcast, ff00::/8) follow from the addresses too;
        // one added by hand (ip route add local 198.51.100.0/24 dev lo: AnyIP) is copied
        for (JsonElement e : array(ip.local4())) route(e.getAsJsonObject(), false, true, out);
        for (JsonElement e : array(ip.local6())) route(e.getAsJsonObject(), true, true, out);
        rules(array(ip.rules4()), false, out);
        rules(array(ip.rules6()), true, out);
        for (JsonElement e : array(ip.neighbours())) neighbour(e.getAsJsonObject(), out);
        // addrconf derives fe80::/64 with the EUI-64 of a MAC: only a link-local address it would not derive is written
        Host derived = Host.parse(out.toString(), "capture");
        StringBuilder extra = new StringBuilder();
        for (String[] ll : linkLocal) {
            Interface dev = derived.device(ll[0]);
            byte[] a = Ipv6Address.parse(ll[1]);
            long hi = Ipv6Address.readHi(a, 0), lo = Ipv6Address.readLo(a, 0);
            boolean has = dev != null && dev.addresses6().stream().anyMatch(x -> x.hi() == hi && x.lo() == lo);
            if (!has) extra.append("addr add ").append(ll[1]).append('/').append(ll[2]).append(" dev ").append(ll[0]).append('\n');
        }
        return out.append(extra).toString();
    }

    /** The names of the host's links but lo, in ip's order. */
    public static List<String> deviceNames(IpJson ip) {
        List<String> names = new ArrayList<>();
        for (JsonElement e : array(ip.links())) {
            String name = str(e.getAsJsonObject(), "ifname");
            if (name != null && !name.equals("lo")) names.add(name);
        }
        return names;
    }

    private static JsonArray array(String json) {
        if (json == null || json.isBlank()) return new JsonArray();
        return JsonParser.parseString(json).getAsJsonArray();
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static boolean has(JsonArray a, String value) {
        if (a == null) return false;
        for (JsonElement e : a) if (e.getAsString().equals(value)) return true;
        return false;
    }

    /**
     * A device that is up with a MAC but no link-local address has IPv6 off or addrgenmode none in
     * the kernel: written with addrgenmode none, so jnat makes none either.
     */
    private static void link(JsonObject l, StringBuilder out, List<String[]> linkLocal) {
        String name = str(l, "ifname"), type = str(l, "link_type");
        String group = str(l, "group");
        String groupOption = group == null || "default".equals(group) ? "" : " group " + group;
        if ("loopback".equals(type)) { // lo is every host's, with perhaps a group of its own
            if (!groupOption.isEmpty()) out.append("link set dev ").append(name).append(groupOption).append('\n');
            return;
        }
        String kind = l.has("linkinfo") ? str(l.getAsJsonObject("linkinfo"), "info_kind") : null;
        boolean up = has(l.getAsJsonArray("flags"), "UP");
        int mtu = l.has("mtu") ? l.get("mtu").getAsInt() : 1500;
        if ("none".equals(type) || "tun".equals(kind)) { // a layer-3 device: no MAC, no neighbours
            out.append("tuntap add dev ").append(name).append(" mode tun\n");
            out.append("link set dev ").append(name).append(mtu != 1500 ? " mtu " + mtu : "").append(groupOption)
                    .append(up ? " up" : "").append('\n');
            return;
        }
        if ("bridge".equals(kind) || "dummy".equals(kind)) out.append("link add ").append(name).append(" type ").append(kind).append('\n');
        out.append("link set dev ").append(name);
        String mac = str(l, "address");
        if (mac != null) out.append(" address ").append(mac);
        out.append(" mtu ").append(mtu).append(groupOption);
        if (up && mac != null && linkLocal.stream().noneMatch(ll -> ll[0].equals(name))) out.append(" addrgenmode none");
        out.append(up ? " up" : "").append('\n');
    }

    private static void addresses(JsonObject l, StringBuilder out, List<String[]> linkLocal) {
        String dev = str(l, "ifname");
        if (!l.has("addr_info") || "lo".equals(dev)) return;
        for (JsonElement e : l.getAsJsonArray("addr_info")) {
            JsonObject a = e.getAsJsonObject();
            String family = str(a, "family"), local = str(a, "local"), scope = str(a, "scope");
            int plen = a.get("prefixlen").getAsInt();
            if ("inet6".equals(family) && local.toLowerCase().startsWith("fe80:") && "link".equals(scope)) {
                linkLocal.add(new String[] {dev, local, Integer.toString(plen)});
                continue;
            }
            out.append("addr add ").append(local).append('/').append(plen);
            String brd = str(a, "broadcast");
            if (brd != null) out.append(" brd ").append(brd);
            if (scope != null && !"global".equals(scope)) out.append(" scope ").append(scope);
            if (a.has("noprefixroute") && a.get("noprefixroute").getAsBoolean()) out.append(" noprefixroute");
            out.append(" dev ").append(dev).append('\n');
        }
    }

    private static void route(JsonObject r, boolean ipv6, boolean localTable, StringBuilder out) {
        if ("kernel".equals(str(r, "protocol"))) return; // a prefix route of an address: the host derives it
        if (!localTable && "local".equals(str(r, "table"))) return; // a table-all dump's: the local pass copies it
        String type = str(r, "type"), dst = str(r, "dst");
        if (ipv6 && dst.startsWith("fe80::/64")) return;
        if (r.has("nexthops")) {
            throw new HostException("route " + dst + " has " + r.getAsJsonArray("nexthops").size()
                    + " nexthops: jnat's host has no multipath routes, so it cannot be copied");
        }
        // types local, broadcast, nat and anycast go to the local table by default, any other to main
        boolean named = localTable && !List.of("local", "broadcast", "nat", "anycast").contains(type == null ? "unicast" : type);
        out.append(ipv6 ? "-6 route add " : "route add ");
        if (type != null && !"unicast".equals(type)) out.append(type).append(' ');
        out.append(dst);
        String via = str(r, "gateway"), dev = str(r, "dev"), src = str(r, "prefsrc"), proto = str(r, "protocol"), scope = str(r, "scope");
        if (via != null) out.append(" via ").append(via);
        if (dev != null) out.append(" dev ").append(dev);
        if (src != null) out.append(" src ").append(src);
        String table = str(r, "table");
        if (table != null && !"main".equals(table)) out.append(" table ").append(table);
        if (proto != null && !"boot".equals(proto)) out.append(" proto ").append(proto);
        if (scope != null && !"global".equals(scope)) out.append(" scope ").append(scope);
        if (r.has("metric")) {
            int metric = r.get("metric").getAsInt();
            if (metric != (ipv6 ? 1024 : 0)) out.append(" metric ").append(metric);
        }
        if (r.has("flow")) { // RTA_FLOW as ip -j prints it: the realms, by name or number
            JsonObject f = r.getAsJsonObject("flow");
            String from = str(f, "from"), to = str(f, "to");
            out.append(from != null ? " realms " + from + "/" + (to != null ? to : "") : " realm " + to);
        }
        if (named) out.append(" table local");
        out.append('\n');
    }

    /**
     * ip -j rule show: every rule but the kernel's defaults as rule add lines with their priority;
     * a default the host lacks as rule del.
     */
    private static void rules(JsonArray rules, boolean ipv6, StringBuilder out) {
        if (rules.isEmpty()) return;
        String cmd = ipv6 ? "-6 rule " : "rule ";
        List<String> defaults = new ArrayList<>(ipv6 ? List.of("0 local", "32766 main") : List.of("0 local", "32766 main", "32767 default"));
        StringBuilder adds = new StringBuilder();
        for (JsonElement e : rules) {
            JsonObject r = e.getAsJsonObject();
            String prio = str(r, "priority"), table = str(r, "table");
            if (r.keySet().equals(java.util.Set.of("priority", "src", "table")) && "all".equals(str(r, "src"))
                    && defaults.remove(prio + " " + table)) continue;
            if (!RULE_KEYS.containsAll(r.keySet())) continue; // a warning (ruleWarnings): not copied
            adds.append(cmd).append("add");
            if (r.has("not")) adds.append(" not");
            String src = str(r, "src"), dst = str(r, "dst");
            if (src != null && !"all".equals(src)) adds.append(" from ").append(src).append(r.has("srclen") ? "/" + str(r, "srclen") : "");
            if (dst != null) adds.append(" to ").append(dst).append(r.has("dstlen") ? "/" + str(r, "dstlen") : "");
            if (r.has("fwmark")) adds.append(" fwmark ").append(str(r, "fwmark")).append(r.has("fwmask") ? "/" + str(r, "fwmask") : "");
            if (r.has("iif")) adds.append(" iif ").append(str(r, "iif"));
            if (r.has("oif")) adds.append(" oif ").append(str(r, "oif"));
            if (table != null) adds.append(" lookup ").append(table);
            if (r.has("goto")) adds.append(" goto ").append(str(r, "goto"));
            if (r.has("nop")) adds.append(" nop");
            if (r.has("action")) adds.append(' ').append(str(r, "action"));
            adds.append(" pref ").append(prio).append('\n');
        }
        for (String d : defaults) out.append(cmd).append("del pref ").append(d, 0, d.indexOf(' ')).append('\n');
        out.append(adds);
    }

    private static void neighbour(JsonObject n, StringBuilder out) {
        String mac = str(n, "lladdr"), dst = str(n, "dst"), dev = str(n, "dev");
        JsonArray state = n.getAsJsonArray("state");
        if (mac == null || dst == null || has(state, "FAILED") || has(state, "INCOMPLETE") || has(state, "NOARP")) return;
        out.append("neigh add ").append(dst).append(" lladdr ").append(mac).append(" dev ").append(dev).append('\n');
    }

    /** What ip -j rule show says that a host file's rule line can say (HostFile.ruleModify). */
    private static final Set<String> RULE_KEYS = Set.of("priority", "not", "src", "srclen", "dst", "dstlen", "fwmark", "fwmask",
            "iif", "iif_detached", "oif", "oif_detached", "table", "goto", "nop", "action");

    /**
     * A warning for each policy rule of {@code ip -j rule show} (either family) with a selector or
     * an action jnat's rules lack (uidrange, sport/dport, ipproto, tos, l3mdev, suppress_prefixlength,
     * ...): it is not copied, so the copy routes as if it were not there.
     */
    public static List<String> ruleWarnings(IpJson ip) {
        List<String> out = new ArrayList<>();
        for (String[] family : new String[][] {{"", ip.rules4()}, {"-6 ", ip.rules6()}}) {
            for (JsonElement e : array(family[1])) {
                JsonObject r = e.getAsJsonObject();
                if (RULE_KEYS.containsAll(r.keySet())) continue;
                List<String> extra = r.keySet().stream().filter(k -> !RULE_KEYS.contains(k)).toList();
                out.add("ip " + family[0] + "rule " + r + ": jnat's rules have no " + String.join(", ", extra)
                        + ", so the copy routes as without it");
            }
        }
        return out;
    }

    /** DIR/sockets.args's {@code --listen} specs, and a warning for each socket they cannot say all of. */
    public record Sockets(List<String> listen, List<String> warnings) {}

    /**
     * The host's bound UDP and listening TCP sockets of {@code ss -Hlntue} output, as replay's
     * {@code --listen PROTO:[ADDR:]PORT[,uid=N]}: an IPv6 wildcard that is not v6only ({@code *:PORT})
     * takes both families, as the kernel's does; an IPv4-mapped address is that IPv4 address. A socket
     * bound to a device ({@code %eth0}) is copied without the device, with a warning: jnat's sockets
     * have none.
     */
    public static Sockets sockets(String ss) {
        List<String> listen = new ArrayList<>(), warnings = new ArrayList<>();
        for (String line : ss.split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length < 6 || !(w[0].equals("udp") || w[0].equals("tcp"))) continue;
            String local = w[4], uid = null;
            for (int i = 6; i < w.length; i++) if (w[i].startsWith("uid:")) uid = w[i].substring(4);
            int colon = local.lastIndexOf(':');
            String addr = local.substring(0, colon), port = local.substring(colon + 1);
            int pct = addr.indexOf('%');
            if (pct >= 0) {
                warnings.add(w[0] + " " + local + ": bound to device " + addr.substring(pct + 1).replace("]", "")
                        + ", copied as bound to none (jnat's sockets have no device)");
                addr = addr.substring(0, pct);
                if (addr.startsWith("[") && !addr.endsWith("]")) addr += "]"; // [fe80::1%eth0] as well as [::]%eth0
            }
            if (addr.startsWith("[::ffff:") && addr.indexOf('.') > 0) addr = addr.substring(8, addr.length() - 1);
            String spec = w[0] + ":" + (addr.equals("*") ? "" : addr + ":") + port + (uid != null ? ",uid=" + uid : "");
            if (!listen.contains(spec)) listen.add(spec);
        }
        return new Sockets(listen, warnings);
    }

    /** DIR/sysctl.conf's text, and a warning for each sysctl whose value jnat's host cannot take. */
    public record Sysctls(String file, List<String> warnings) {}

    /**
     * The sysctls for {@code jnat replay --sysctl-file}: of {@code sysctl -e} output ({@code NAME = VALUE}
     * lines), those the engine has ({@code engine}), in that order; a sysctl of {@code assumed} (what
     * jnat's host always is) with another value becomes a warning and a comment, since the copy
     * behaves as the assumed value says. Names the host has not (a sysctl another namespace lacks,
     * such as net.ipv4.route.*, which only the initial one has) are left out.
     */
    public static Sysctls sysctls(String sysctlOutput, List<String> engine, Map<String, String> assumed, String header) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : sysctlOutput.split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) seen.put(line.substring(0, eq).strip(), line.substring(eq + 3).strip());
        }
        StringBuilder out = new StringBuilder();
        for (String h : header.split("\n")) out.append("# ").append(h).append('\n');
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, String> a : assumed.entrySet()) {
            String v = seen.get(a.getKey());
            if (v == null || v.equals(a.getValue())) continue;
            String w = a.getKey() + " = " + v + ": jnat's host has " + a.getValue() + ", so the copy behaves as with "
                    + a.getValue();
            warnings.add(w);
            out.append("# not copied: ").append(w).append('\n');
        }
        for (String name : engine) {
            String v = seen.get(name);
            if (v != null) out.append(name).append(" = ").append(v).append('\n');
        }
        return new Sysctls(out.toString(), warnings);
    }

    /** The tables iptables-nft and ip6tables-nft make, which iptables-save and ip6tables-save print. */
    private static final Set<String> XTABLES = Set.of("filter", "nat", "mangle", "raw", "security");

    /**
     * The native nf_tables tables of {@code nft list ruleset}'s output, for {@code jnat replay --nft}:
     * every table but those of families ip and ip6 named as iptables-nft names its tables (their
     * rules are in rules.v4 and rules.v6, from iptables-save); "" when none is left. nft prints each
     * table as {@code table FAMILY NAME {} ... a {@code }} line, both in the first column.
     */
    public static String nftRuleset(String listRuleset) {
        StringBuilder out = new StringBuilder();
        boolean keep = false;
        for (String line : listRuleset.split("\n", -1)) {
            if (line.startsWith("table ")) {
                String[] w = line.split(" ");
                keep = !(w.length >= 3 && (w[1].equals("ip") || w[1].equals("ip6")) && XTABLES.contains(w[2]));
            }
            if (keep) out.append(line).append('\n');
            if (line.equals("}")) keep = false;
        }
        return out.toString().strip().isEmpty() ? "" : out.toString();
    }
}
