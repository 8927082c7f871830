#!/usr/bin/env bash
# The seed's world in network namespaces of its own, for jnat gateway:
#
#   ${P}ctr  the container: 172.17.0.2/16 on the TUN jnat-docker0, default via 172.17.0.1
#   ${P}gw   where jnat gateway runs; it creates the TUN devices jnat-docker0 and jnat-eth0 here
#   ${P}wan  the gateway's uplink router 203.0.113.1/24 on the TUN jnat-eth0, and the internet
#            server 198.51.100.8 (an address on its loopback, so wan answers for it)
#
# With --ipv6 (given to up; attach sees it) the lab is dual-stack as Docker's --ipv6 networks are:
# the container also has fd49:efd7:54aa::2/64 (default via fd49:efd7:54aa::1), the router
# 2001:db8:1::1/64 and the server 2001:db8:2::8; run the gateway with --rules6 scripts/lab6.rules.
# A TUN device is point-to-point and NOARP: the peers' kernels send no neighbour solicitations
# over it (nor do DAD), only their router solicitations and MLD reports, which jnat takes as the
# host's multicast.
#
# jnat opens the TUN devices with IFF_VNET_HDR and offloads (unless --no-offload), so the peers
# send and receive TCP segments of up to 64 KB through them, as through a veth.
# The kernel side of each TUN device is moved into the peer's namespace (its file descriptor stays
# with jnat), so every packet between ctr and wan crosses jnat. No veth leads to the root
# namespace and no namespace has a default route toward the host: nothing routes out.
#
#   scripts/lab.sh [--prefix P] up       create the namespaces (default prefix jnat-)
#   ip netns exec jnat-gw ./jnat gateway --host scripts/lab-host.ip --rules scripts/lab.rules \
#       --attach docker0=tun:jnat-docker0 --attach eth0=tun:jnat-eth0 &
#   scripts/lab.sh [--prefix P] attach   wait for the TUN devices in ${P}gw, hand them to ctr and wan
#   scripts/lab.sh [--prefix P] status   namespaces, addresses, routes
#   scripts/lab.sh [--prefix P] down     stop what runs in them, delete them (devices go with them)
#
# Options: --prefix P (namespace names ${P}ctr ...), --wait SECONDS (attach: how long to wait
# for the devices, default 30), --ctr-dev NAME / --wan-dev NAME (TUN device names), --ipv6 (up:
# IPv6 in ctr and wan beside IPv4).
set -euo pipefail

prefix=jnat- wait_s=30 ctr_dev=jnat-docker0 wan_dev=jnat-eth0 cmd= ipv6=
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a value}; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --wait) wait_s=${2:?--wait needs a value}; shift 2 ;;
    --ctr-dev) ctr_dev=${2:?--ctr-dev needs a value}; shift 2 ;;
    --wan-dev) wan_dev=${2:?--wan-dev needs a value}; shift 2 ;;
    --ipv6) ipv6=1; shift ;;
    up|attach|down|status) [ -z "$cmd" ] || usage; cmd=$1; shift ;;
    -h|--help|help) usage ;;
    *) echo "lab.sh: unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$cmd" ] || usage
if [ "$(id -u)" != 0 ]; then echo "lab.sh: needs root (network namespaces)" >&2; exit 1; fi

ctr=${prefix}ctr wan=${prefix}wan gw=${prefix}gw
namespaces=("$ctr" "$wan" "$gw")

exists() { [ -e "/var/run/netns/$1" ]; }

up() {
  for ns in "${namespaces[@]}"; do
    if exists "$ns"; then echo "lab.sh: namespace $ns exists (lab.sh --prefix $prefix down first)" >&2; exit 1; fi
  done
  for ns in "${namespaces[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # IPv4 only, as in the seed, unless --ipv6: no IPv6 router solicitations or MLD reports on the
    # TUN devices (the gateway's namespace never needs IPv6: jnat's TUN devices leave it)
    if [ -z "$ipv6" ] || [ "$ns" = "$gw" ]; then
      ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
  done
  ip -n "$wan" addr add 198.51.100.8/32 dev lo   # the internet server
  [ -z "$ipv6" ] || ip -n "$wan" addr add 2001:db8:2::8/128 dev lo
}

# True when up was given --ipv6 (IPv6 left on in the container's namespace).
dual_stack() {
  [ "$(ip netns exec "$ctr" sysctl -n net.ipv6.conf.all.disable_ipv6)" = 0 ]
}

attach() {
  for ns in "${namespaces[@]}"; do
    exists "$ns" || { echo "lab.sh: namespace $ns missing (lab.sh --prefix $prefix up first)" >&2; exit 1; }
  done
  local deadline=$((SECONDS + wait_s)) dev
  for dev in "$ctr_dev" "$wan_dev"; do
    until ip -n "$gw" link show "$dev" >/dev/null 2>&1; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "lab.sh: no device $dev in namespace $gw after ${wait_s}s (is jnat gateway running there?)" >&2
        exit 1
      fi
      sleep 0.1
    done
  done
  # Moving a device takes it down; the file descriptors stay attached to jnat in $gw.
  ip -n "$gw" link set "$ctr_dev" netns "$ctr"
  ip -n "$ctr" addr add 172.17.0.2/16 dev "$ctr_dev"
  ip -n "$ctr" link set "$ctr_dev" up
  ip -n "$ctr" route add default via 172.17.0.1 dev "$ctr_dev"
  if dual_stack; then
    ip -n "$ctr" addr add fd49:efd7:54aa::2/64 dev "$ctr_dev" nodad
    ip -n "$ctr" -6 route add default via fd49:efd7:54aa::1 dev "$ctr_dev"
  fi

  ip -n "$gw" link set "$wan_dev" netns "$wan"
  ip -n "$wan" addr add 203.0.113.1/24 dev "$wan_dev"
  ip -n "$wan" link set "$wan_dev" up
  if dual_stack; then
    ip -n "$wan" addr add 2001:db8:1::1/64 dev "$wan_dev" nodad
  fi
}

down() {
  # The gateway first: on SIGTERM jnat closes its TUN devices itself, before their namespaces go.
  local ns pids
  for ns in "$gw" "$ctr" "$wan"; do
    exists "$ns" || continue
    pids=$(ip netns pids "$ns" || true)
    [ -z "$pids" ] && continue
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
      [ -z "$(ip netns pids "$ns" 2>/dev/null || true)" ] && break
      sleep 0.1
    done
  done
  for ns in "${namespaces[@]}"; do
    exists "$ns" && ip netns del "$ns"
  done
  return 0
}

status() {
  local ns
  for ns in "${namespaces[@]}"; do
    if ! exists "$ns"; then echo "$ns: absent"; continue; fi
    echo "$ns:"
    ip -n "$ns" -br addr | sed 's/^/  /'
    ip -n "$ns" route | sed 's/^/  route /'
    ip -n "$ns" -6 route 2>/dev/null | sed 's/^/  route /'
    pids=$(ip netns pids "$ns" || true)
    [ -z "$pids" ] || echo "  pids $(echo $pids)"
  done
}

"$cmd"
