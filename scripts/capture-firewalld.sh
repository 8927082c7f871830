#!/usr/bin/env bash
# Captures firewalld's real rulesets for RealRulesetsTest: firewalld (Debian's package) with
# FirewallBackend=iptables runs in a network namespace of its own, with a private /etc/firewalld
# and a private system dbus, and what iptables-save and ip6tables-save print there is written to
# src/test/resources/rulesets/real (or OUTDIR):
#   firewalld.rules, firewalld.rules6             the package's configuration, plus (at run time)
#       firewall-cmd --zone=public --add-interface=fw0     (the namespace's veth end)
#       firewall-cmd --zone=public --add-service=http
#       firewall-cmd --zone=public --add-masquerade
#       firewall-cmd --zone=public --add-forward-port=port=8080:proto=tcp:toport=80
#   firewalld-rich.rules, firewalld-rich.rules6   LogDenied=unicast and a permanent configuration
#       with ipsets (hash:net, hash:ip,port, hash:net,port; this kernel has no hash:mac), zones by
#       interface and by source, ports, protocols, icmp blocks, forward ports, intra-zone
#       forwarding, rich rules (log, limit, nflog, mark, reject, priority, mac, NOT, masquerade,
#       forward-port) and a policy (see rich_config below), without the services that need a
#       conntrack helper (jnat refuses `-j CT --helper`); the ipsets firewalld made, as `ipset save` prints them, become the
#       ipset commands of firewalld-rich.rules.cmds and firewalld-rich.rules6.cmds (RealRulesetsTest
#       runs a NAME.cmds before NAME)
# Run as root:  scripts/capture-firewalld.sh [OUTDIR]
# Nothing outside the namespaces is touched: each namespace's mount namespace is private
# (unshare -m), so the bind mounts over /etc/firewalld and /run/firewalld end with it, and the
# machine's own netfilter tables are never read or written.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "${1:-}" != "--inside" ]; then
  out="${1:-$here/../src/test/resources/rulesets/real}"
  out="$(cd "$out" && pwd)"
  [ "$(id -u)" = 0 ] || { echo "capture-firewalld: run as root" >&2; exit 1; }
  command -v firewalld >/dev/null || { echo "capture-firewalld: apt-get install firewalld" >&2; exit 1; }
  ns=""
  cleanup() { [ -z "$ns" ] || ip netns del "$ns" 2>/dev/null || true; }
  trap cleanup EXIT
  for variant in firewalld firewalld-rich; do
    ns="jnatfw$$"
    work="$(mktemp -d /tmp/capture-firewalld.XXXXXX)"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # veth pairs inside the namespace: fw0 goes into zone public, fw1 (its peer) into trusted in
    # firewalld-rich, fw2 into block (fw3 is its peer)
    ip -n "$ns" link add fw0 type veth peer name fw1
    ip -n "$ns" addr add 203.0.113.1/24 dev fw0
    ip -n "$ns" addr add 2001:db8:f::1/64 dev fw0
    ip -n "$ns" link set fw0 up
    ip -n "$ns" link set fw1 up
    ip -n "$ns" link add fw2 type veth peer name fw3
    ip -n "$ns" link set fw2 up
    ip -n "$ns" link set fw3 up
    ip netns exec "$ns" unshare -m --propagation private "$0" --inside "$variant" "$work" "$out"
    echo "capture-firewalld: $variant: firewalld's log is $work/firewalld.log" >&2
    ip netns del "$ns"
    ns=""
  done
  exit 0
fi

# --- inside the namespace, in a private mount namespace ---
variant="$2"
work="$3"
out="$4"

# firewalld's configuration: the package's /etc/firewalld with the iptables backend, the other
# settings at their defaults (as the package ships them)
cp -a /etc/firewalld "$work/etc-firewalld"
conf="$work/etc-firewalld/firewalld.conf"
sed -i -e 's/^FirewallBackend=.*/FirewallBackend=iptables/' "$conf"
grep -q '^FirewallBackend=iptables$' "$conf"
if [ "$variant" = firewalld-rich ]; then
  sed -i -e 's/^LogDenied=.*/LogDenied=unicast/' "$conf"
  grep -q '^LogDenied=unicast$' "$conf"
fi
mount --bind "$work/etc-firewalld" /etc/firewalld
mkdir -p "$work/run-firewalld" /run/firewalld
mount --bind "$work/run-firewalld" /run/firewalld

# a private system bus: system.conf with its own socket, no fork, no pid file, no syslog, no
# user switch and no service activation (firewalld asks for polkit, which is not there: it then
# lets root do everything); its includes (system.d, where FirewallD.conf lets root own
# org.fedoraproject.FirewallD1) stay
sock="$work/system_bus_socket"
sed -e "s|<listen>.*</listen>|<listen>unix:path=$sock</listen>|" \
    -e 's|<fork/>||' -e 's|<pidfile>.*</pidfile>||' -e 's|<syslog/>||' -e 's|<user>messagebus</user>||' \
    -e 's|<standard_system_servicedirs/>||' -e 's|<servicehelper>.*</servicehelper>||' \
    /usr/share/dbus-1/system.conf > "$work/system.conf"
# system.conf includes system.d relative to its own directory: name both directories explicitly
sed -i -e "s|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>|" "$work/system.conf"
dbus-daemon --config-file="$work/system.conf" --nofork --nopidfile --nosyslog >"$work/dbus.log" 2>&1 &
dbus=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$sock"

firewalld --nofork --nopid --debug=1 --log-target file --log-file "$work/firewalld.log" &
fw=$!
stop() {
  kill "$fw" 2>/dev/null && wait "$fw" 2>/dev/null || true
  kill "$dbus" 2>/dev/null && wait "$dbus" 2>/dev/null || true
}
trap stop EXIT
state=""
for _ in $(seq 120); do
  state="$(firewall-cmd --state 2>/dev/null || true)"
  [ "$state" = running ] && break
  kill -0 "$fw" 2>/dev/null || break
  sleep 0.5
done
if [ "$state" != running ]; then
  echo "capture-firewalld: firewalld is not running (state '$state'); its log:" >&2
  cat "$work/firewalld.log" >&2 || true
  exit 1
fi
fc() { echo "+ firewall-cmd $*" >&2; firewall-cmd "$@" >&2; }

default_config() {
  fc --zone=public --add-interface=fw0
  fc --zone=public --add-service=http
  fc --zone=public --add-masquerade
  fc --zone=public --add-forward-port=port=8080:proto=tcp:toport=80
}

rich_config() {
  local p=--permanent
  fc $p --new-ipset=blocklist --type=hash:net
  fc $p --ipset=blocklist --add-entry=198.51.100.128/25
  fc $p --new-ipset=blocklist6 --type=hash:net --option=family=inet6
  fc $p --ipset=blocklist6 --add-entry=2001:db8:bad::/48
  fc $p --zone=drop --add-source=ipset:blocklist
  fc $p --zone=drop --add-source=ipset:blocklist6
  fc $p --zone=trusted --add-interface=fw1
  fc $p --zone=internal --add-source=203.0.113.128/25
  # services with a conntrack helper (samba-client's netbios-ns, ftp, tftp, sip, amanda, sane)
  # give `-j CT --helper NAME` in raw, which jnat refuses: its conntrack has no helpers
  fc $p --zone=internal --remove-service=samba-client
  fc $p --zone=internal --add-icmp-block-inversion
  fc $p --zone=internal --add-icmp-block=echo-request
  fc $p --zone=public --add-interface=fw0
  fc $p --zone=public --add-service=http
  fc $p --zone=public --add-port=60000-60010/udp
  fc $p --zone=public --add-protocol=gre
  fc $p --zone=public --add-source-port=5353/udp
  fc $p --zone=public --add-icmp-block=timestamp-request
  fc $p --zone=public --add-masquerade
  fc $p --zone=public --add-forward-port=port=2222:proto=tcp:toport=22:toaddr=203.0.113.9
  fc $p --zone=public --add-rich-rule='rule family="ipv4" source address="198.51.100.7" service name="ssh" log prefix="ssh-7 " level="info" limit value="3/m" accept'
  fc $p --zone=public --add-rich-rule='rule family="ipv6" source address="2001:db8:1::/48" port port="8443" protocol="tcp" reject type="icmp6-adm-prohibited"'
  fc $p --zone=public --add-rich-rule='rule family="ipv4" source address="203.0.113.0/28" mark set="0x10/0xff"'
  fc $p --zone=public --add-rich-rule='rule family="ipv4" destination address="203.0.113.50" port port="53" protocol="udp" nflog group="5" prefix="dns " queue-size="8" drop'
  fc $p --zone=public --add-rich-rule='rule priority="-10" family="ipv4" source address="198.51.100.99" drop'
  fc $p --new-ipset=svc --type=hash:ip,port
  fc $p --ipset=svc --add-entry=203.0.113.20,tcp:443
  fc $p --new-ipset=admins --type=hash:net,port
  fc $p --ipset=admins --add-entry=198.51.100.0/28,tcp:22
  fc $p --zone=public --add-rich-rule='rule source ipset="admins" accept'
  fc $p --zone=public --add-rich-rule='rule family="ipv4" destination ipset="svc" accept'
  fc $p --zone=public --add-rich-rule='rule source mac="02:00:00:00:00:02" drop'
  fc $p --zone=public --add-rich-rule='rule family="ipv4" source NOT address="203.0.113.0/24" port port="3306" protocol="tcp" log level="warning" limit value="10/h" reject type="icmp-admin-prohibited"'
  fc $p --zone=public --add-rich-rule='rule family="ipv6" destination NOT address="2001:db8:f::/64" icmp-type name="echo-request" accept limit value="5/s"'
  fc $p --zone=public --add-rich-rule='rule family="ipv4" forward-port port="4443" protocol="tcp" to-port="443" to-addr="203.0.113.20"'
  fc $p --zone=public --add-rich-rule='rule family="ipv6" source address="2001:db8:2::/48" masquerade'
  fc $p --zone=internal --add-forward
  fc $p --zone=block --add-interface=fw2
  fc $p --new-policy=int2pub
  fc $p --policy=int2pub --add-ingress-zone=internal
  fc $p --policy=int2pub --add-egress-zone=public
  fc $p --policy=int2pub --set-target=ACCEPT
  fc $p --policy=int2pub --add-rich-rule='rule tcp-mss-clamp value="pmtu"'
  fc --reload
}

if [ "$variant" = firewalld-rich ]; then rich_config; else default_config; fi
if grep -E 'ERROR|WARNING' "$work/firewalld.log" >&2; then
  echo "capture-firewalld: firewalld logged the errors above" >&2
fi
iptables-save > "$out/$variant.rules"
ip6tables-save > "$out/$variant.rules6"
if [ -n "$(ipset list -n)" ]; then
  # ipset save's lines (create NAME TYPE OPTIONS..., add NAME ENTRY) as ipset commands
  ipset save | sed -e 's/^/ipset /' > "$out/$variant.rules.cmds"
  cp "$out/$variant.rules.cmds" "$out/$variant.rules6.cmds"
fi
echo "capture-firewalld: $variant: firewalld $(dpkg-query -W -f '${Version}' firewalld), $(iptables -V):" \
  "$(grep -c '^-A' "$out/$variant.rules") IPv4 rules, $(grep -c '^-A' "$out/$variant.rules6") IPv6 rules" >&2
