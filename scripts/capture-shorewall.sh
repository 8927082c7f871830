#!/usr/bin/env bash
# Captures Shorewall's real rulesets for RealRulesetsTest: `shorewall start` and `shorewall6
# start` (Debian's shorewall and shorewall6 packages) with their two-interfaces samples
# (scripts/shorewall/two-interfaces and two-interfaces6: the samples' files and the packages'
# conntrack, with the changes listed in scripts/shorewall/README.jnat) run in a network namespace
# of their own whose interfaces are the samples' eth0 (net) and eth1 (loc), with a private
# /etc/shorewall, /etc/shorewall6, /var/lib/shorewall, /var/lib/shorewall6 and /var/log; what
# iptables-save and ip6tables-save print then is written to
#   src/test/resources/rulesets/real/shorewall.rules and shorewall6.rules6   (or into OUTDIR)
# and, in a second namespace, the IPv4 sample with the rules of scripts/shorewall/two-interfaces-rules
# (the sample's own rules and the examples of its rules.annotated: DNAT, REDIRECT, RATE, USER,
# CONNLIMIT, TIME) to shorewall-rules.rules
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
  ns=""
  cleanup() { [ -z "$ns" ] || ip netns del "$ns" 2>/dev/null || true; }
  trap cleanup EXIT
  for variant in shorewall shorewall-rules; do
    ns="jnatsw$$"
    work="$(mktemp -d /tmp/capture-shorewall.XXXXXX)"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # eth0 faces the internet (zone net), eth1 the local network (zone loc); their peers stay in the namespace
    ip -n "$ns" link add eth0 type veth peer name net-peer
    ip -n "$ns" link add eth1 type veth peer name loc-peer
    ip -n "$ns" addr add 203.0.113.1/24 dev eth0
    ip -n "$ns" addr add 198.51.100.1/24 dev eth1
    ip -n "$ns" addr add 2001:db8:e0::1/64 dev eth0 nodad
    ip -n "$ns" addr add 2001:db8:e1::1/64 dev eth1 nodad
    for i in eth0 eth1 net-peer loc-peer; do ip -n "$ns" link set "$i" up; done
    ip -n "$ns" route add default via 203.0.113.254
    ip -n "$ns" -6 route add default via 2001:db8:e0::fe
    ip netns exec "$ns" unshare -m --propagation private "$0" --inside "$variant" "$work" "$out"
    echo "capture-shorewall: $variant: shorewall's output is in $work" >&2
    ip netns del "$ns"
    ns=""
  done
  exit 0
fi

# --- inside the namespace, in a private mount namespace ---
variant="$2"
work="$3"
out="$4"
for prog in shorewall shorewall6; do
  sample="$here/shorewall/two-interfaces${prog#shorewall}"
  mkdir -p "$work/etc-$prog" "$work/var-lib-$prog" "$work/var-log" "/var/lib/$prog"
  cp "$sample"/* "$work/etc-$prog/"
  rm -f "$work/etc-$prog/README.txt"
  # shorewall-rules: the sample with the rules of two-interfaces-rules (IPv4 only)
  [ "$variant$prog" != shorewall-rulesshorewall ] || cp "$here/shorewall/two-interfaces-rules/rules" "$work/etc-$prog/"
  mount --bind "$work/etc-$prog" "/etc/$prog"
  mount --bind "$work/var-lib-$prog" "/var/lib/$prog"
done
mount --bind "$work/var-log" /var/log

shorewall start > "$work/start.log" 2>&1 || { cat "$work/start.log" >&2; exit 1; }
iptables-save > "$out/$variant.rules"
if [ "$variant" = shorewall ]; then
  shorewall6 start > "$work/start6.log" 2>&1 || { cat "$work/start6.log" >&2; exit 1; }
  ip6tables-save > "$out/shorewall6.rules6"
  shorewall6 clear > "$work/clear6.log" 2>&1 || true
  echo "capture-shorewall: shorewall6 $(shorewall6 version): $(grep -c '^-A' "$out/shorewall6.rules6") IPv6 rules" >&2
fi
shorewall clear > "$work/clear.log" 2>&1 || true
echo "capture-shorewall: $variant: shorewall $(shorewall version), $(iptables -V): $(grep -c '^-A' "$out/$variant.rules") IPv4 rules" >&2
