#!/usr/bin/env bash
# Captures Shorewall's real ruleset for RealRulesetsTest: `shorewall start` (Debian's shorewall
# package) with the two-interfaces sample (scripts/shorewall/two-interfaces: the sample's files
# and the package's conntrack, with the changes listed there in README.jnat) runs in a network
# namespace of its own whose interfaces are the sample's eth0 (net) and eth1 (loc), with a private
# /etc/shorewall, /var/lib/shorewall and /var/log; what iptables-save prints then is written to
#   src/test/resources/rulesets/real/shorewall.rules   (or OUTDIR/shorewall.rules)
# Run as root:  scripts/capture-shorewall.sh [OUTDIR]
# Nothing outside the namespace is touched: its mount namespace is private (unshare -m), so the
# bind mounts end with it, and the machine's own netfilter tables are never read or written.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "${1:-}" != "--inside" ]; then
  out="${1:-$here/../src/test/resources/rulesets/real}"
  out="$(cd "$out" && pwd)"
  [ "$(id -u)" = 0 ] || { echo "capture-shorewall: run as root" >&2; exit 1; }
  command -v shorewall >/dev/null || { echo "capture-shorewall: apt-get install shorewall" >&2; exit 1; }
  ns="jnatsw$$"
  work="$(mktemp -d /tmp/capture-shorewall.XXXXXX)"
  cleanup() {
    ip netns del "$ns" 2>/dev/null || true
    echo "capture-shorewall: shorewall's output is in $work" >&2
  }
  trap cleanup EXIT
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # eth0 faces the internet (zone net), eth1 the local network (zone loc); their peers stay in the namespace
  ip -n "$ns" link add eth0 type veth peer name net-peer
  ip -n "$ns" link add eth1 type veth peer name loc-peer
  ip -n "$ns" addr add 203.0.113.1/24 dev eth0
  ip -n "$ns" addr add 198.51.100.1/24 dev eth1
  for i in eth0 eth1 net-peer loc-peer; do ip -n "$ns" link set "$i" up; done
  ip -n "$ns" route add default via 203.0.113.254
  ip netns exec "$ns" unshare -m --propagation private "$0" --inside "$work" "$out"
  exit $?
fi

# --- inside the namespace, in a private mount namespace ---
work="$2"
out="$3"
mkdir -p "$work/etc-shorewall" "$work/var-lib-shorewall" "$work/var-log"
cp "$here"/shorewall/two-interfaces/* "$work/etc-shorewall/"
rm -f "$work/etc-shorewall/README.txt" "$work/etc-shorewall/README.jnat"
mount --bind "$work/etc-shorewall" /etc/shorewall
mount --bind "$work/var-lib-shorewall" /var/lib/shorewall
mount --bind "$work/var-log" /var/log

shorewall start > "$work/start.log" 2>&1 || { cat "$work/start.log" >&2; exit 1; }
cat "$work/start.log" >&2
iptables-save > "$out/shorewall.rules"
shorewall clear > "$work/clear.log" 2>&1 || true
echo "capture-shorewall: shorewall $(shorewall version), $(iptables -V): $(grep -c '^-A' "$out/shorewall.rules") rules" >&2
