package jnat.host;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import jnat.wire.Ipv6Address;

import java.util.ArrayList;
import java.util.List;

/**
 * A host file written from a real host's {@code ip -j} output ({@code jnat host capture}): its
 * links (MAC, MTU, up), addresses, the routes of every table that are not the kernel's own
 * (those follow from the addresses, as {@link Host} derives them), its neighbours and its policy
 * routing rules. An IPv6 link-local address is written only when the kernel's is not the EUI-64 one
 * jnat derives from the MAC.
 *
 * <p>The inputs are the JSON texts of {@code ip -j -d link show}, {@code ip -j addr show},
 * {@code ip -j -4 route show table all}, {@code ip -j -6 route show table all},
 * {@code ip -j neigh show} and {@code ip -j rule show}, {@code ip -j -6 rule show} (the policy
 * routing rules, defaults left out).
 */
public final class HostCapture {
    private HostCapture() {}

    /** The inputs, each the JSON ip printed (or "" when it was not captured). */
    public record IpJson(String links, String addresses, String routes4, String routes6, String neighbours,
                         String rules4, String rules6) {
        public IpJson(String links, String addresses, String routes4, String routes6, String neighbours) {
            this(links, addresses, routes4, routes6, neighbours, "", "");
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
        for (JsonElement e : array(ip.routes4())) route(e.getAsJsonObject(), false, out);
        for (JsonElement e : array(ip.routes6())) route(e.getAsJsonObject(), true, out);
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
        if ("loopback".equals(type)) return; // lo is every host's
        String kind = l.has("linkinfo") ? str(l.getAsJsonObject("linkinfo"), "info_kind") : null;
        boolean up = has(l.getAsJsonArray("flags"), "UP");
        int mtu = l.has("mtu") ? l.get("mtu").getAsInt() : 1500;
        if ("none".equals(type) || "tun".equals(kind)) { // a layer-3 device: no MAC, no neighbours
            out.append("tuntap add dev ").append(name).append(" mode tun\n");
            out.append("link set dev ").append(name).append(mtu != 1500 ? " mtu " + mtu : "").append(up ? " up" : "").append('\n');
            return;
        }
        if ("bridge".equals(kind) || "dummy".equals(kind)) out.append("link add ").append(name).append(" type ").append(kind).append('\n');
        out.append("link set dev ").append(name);
        String mac = str(l, "address");
        if (mac != null) out.append(" address ").append(mac);
        out.append(" mtu ").append(mtu);
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

    private static void route(JsonObject r, boolean ipv6, StringBuilder out) {
        if ("kernel".equals(str(r, "protocol"))) return; // a prefix route of an address: the host derives it
        String type = str(r, "type"), dst = str(r, "dst");
        if (ipv6 && dst.startsWith("fe80::/64")) return;
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
}
