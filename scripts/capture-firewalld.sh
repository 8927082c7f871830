#!/usr/bin/env bash
# Captures firewalld's real ruleset for RealRulesetsTest: firewalld (Debian's package) with
# FirewallBackend=iptables runs in a network namespace of its own, with a private /etc/firewalld
# and a private system dbus, and what iptables-save and ip6tables-save print there is written to
#   src/test/resources/rulesets/real/firewalld.rules   and   firewalld.rules6
# Run as root:  scripts/capture-firewalld.sh [OUTDIR]
# Nothing outside the namespace is touched: the namespace's mount namespace is private
# (unshare -m), so the bind mounts over /etc/firewalld and /run/firewalld end with it, and the
# machine's own netfilter tables are never read or written.
#
# What is added to the default configuration (zone public, services ssh and dhcpv6-client):
#   firewall-cmd --zone=public --add-interface=fw0     (the namespace's veth end)
#   firewall-cmd --zone=public --add-service=http
#   firewall-cmd --zone=public --add-masquerade
#   firewall-cmd --zone=public --add-forward-port=port=8080:proto=tcp:toport=80
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "${1:-}" != "--inside" ]; then
  out="${1:-$here/../src/test/resources/rulesets/real}"
  out="$(cd "$out" && pwd)"
  [ "$(id -u)" = 0 ] || { echo "capture-firewalld: run as root" >&2; exit 1; }
  command -v firewalld >/dev/null || { echo "capture-firewalld: apt-get install firewalld" >&2; exit 1; }
  ns="jnatfw$$"
  work="$(mktemp -d /tmp/capture-firewalld.XXXXXX)"
  cleanup() {
    ip netns del "$ns" 2>/dev/null || true
    echo "capture-firewalld: firewalld's log is $work/firewalld.log" >&2
  }
  trap cleanup EXIT
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # a veth pair inside the namespace: fw0 goes into zone public, fw1 is its peer
  ip -n "$ns" link add fw0 type veth peer name fw1
  ip -n "$ns" addr add 203.0.113.1/24 dev fw0
  ip -n "$ns" addr add 2001:db8:f::1/64 dev fw0
  ip -n "$ns" link set fw0 up
  ip -n "$ns" link set fw1 up
  ip netns exec "$ns" unshare -m --propagation private "$0" --inside "$work" "$out"
  exit $?
fi

# --- inside the namespace, in a private mount namespace ---
work="$2"
out="$3"

# firewalld's configuration: the package's /etc/firewalld with the iptables backend, the other
# settings at their defaults (as the package ships them)
cp -a /etc/firewalld "$work/etc-firewalld"
conf="$work/etc-firewalld/firewalld.conf"
sed -i -e 's/^FirewallBackend=.*/FirewallBackend=iptables/' "$conf"
grep -q '^FirewallBackend=iptables$' "$conf"
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
firewall-cmd --get-default-zone >&2
firewall-cmd --zone=public --add-interface=fw0 >&2
firewall-cmd --zone=public --add-service=http >&2
firewall-cmd --zone=public --add-masquerade >&2
firewall-cmd --zone=public --add-forward-port=port=8080:proto=tcp:toport=80 >&2
if grep -E 'ERROR|WARNING' "$work/firewalld.log" >&2; then
  echo "capture-firewalld: firewalld logged the errors above" >&2
fi
iptables-save > "$out/firewalld.rules"
ip6tables-save > "$out/firewalld.rules6"
echo "capture-firewalld: firewalld $(dpkg-query -W -f '${Version}' firewalld), $(iptables -V):" \
  "$(grep -c '^-A' "$out/firewalld.rules") IPv4 rules, $(grep -c '^-A' "$out/firewalld.rules6") IPv6 rules" >&2
