#!/usr/bin/env bash
# iperf3 through jnat gateway and through the kernel's own NAT, on the lab's addresses and rules:
#
#   jnat:   scripts/lab.sh's namespaces; ctr and wan reach jnat over TUN devices (MTU 1500) with
#           IFF_VNET_HDR and checksum/segmentation offloads (jnat's default): TCP segments of up to
#           64 KB cross jnat whole, one read(2) and one write(2) each
#   kernel: the same three namespaces wired with veth pairs, ip_forward=1, scripts/lab.rules loaded
#           with iptables-restore in gw (veth keeps its GSO/TSO offloads: 64 KB segments)
#
#   scripts/bench-nat.sh [--ipv6] [--parallel N] [SECONDS [GATEWAY-OPTION...]]   (root; default 5 s per
#       direction; prints Mbit/s received; options go to jnat gateway, e.g. --no-offload for one packet
#       per MTU, --workers 2 for a worker per TUN queue)
#
# --parallel N: iperf3 -P N (N streams, summed) through both; the parallel case of issue 17 is
#   scripts/bench-nat.sh --parallel 4 5 --workers 2 (the kernel spreads the streams over its CPUs,
#   and over jnat's TUN queues by the same flow hash)
#
# --ipv6: iperf3 -6 from fd49:efd7:54aa::2 to 2001:db8:2::8, the same namespaces dual-stack
# (lab.sh --ipv6; jnat gateway --rules6 scripts/lab6.rules, TSO6; the kernel with ip6 forwarding
# and scripts/lab6.rules loaded with ip6tables-restore: Docker's NAT66 rules on both sides)
set -euo pipefail
cd "$(dirname "$0")/.."
ipv6=
if [ "${1:-}" = --ipv6 ]; then ipv6=1; shift; fi
parallel=1
if [ "${1:-}" = --parallel ]; then parallel=$2; shift 2; fi
secs=${1:-5}
shift $(( $# > 0 ? 1 : 0 ))
server=198.51.100.8 family=-4
[ -z "$ipv6" ] || { server=2001:db8:2::8 family=-6; }
[ "$(id -u)" = 0 ] || { echo "bench-nat.sh: needs root" >&2; exit 1; }
for t in iperf3 iptables-restore ip6tables-restore; do command -v $t >/dev/null || { echo "bench-nat.sh: needs $t" >&2; exit 1; }; done

J=jbench-j- K=jbench-k-
cleanup() {
  bash scripts/lab.sh --prefix $J down >/dev/null 2>&1 || true
  for n in ctr gw wan; do
    for p in $(ip netns pids $K$n 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    ip netns del $K$n 2>/dev/null || true
  done
}
trap cleanup EXIT

mbps() { # iperf3 client in $1-ctr (extra args after); prints receiver Mbit/s
  local ns=$1; shift
  # with -P the [SUM] receiver line comes last: the last receiver line is the total either way
  ip netns exec "${ns}ctr" iperf3 $family -c $server -t "$secs" -P "$parallel" "$@" | awk '/receiver/ {
      v=$(NF-2); u=$(NF-1); if (u ~ /^G/) v*=1000; if (u ~ /^K/) v/=1000; last=v } END { printf "%.0f", last }'
}

run() { # prefix label
  ip netns exec "${1}wan" iperf3 -s -D -B $server
  sleep 0.5
  printf '%-8s ctr->wan %6s Mbit/s   wan->ctr (-R) %6s Mbit/s\n' "$2" "$(mbps "$1")" "$(mbps "$1" -R)"
}

# jnat
bash scripts/lab.sh --prefix $J ${ipv6:+--ipv6} up
./jnat --version >/dev/null   # build the jar first, outside the measurement
ip netns exec ${J}gw ./jnat gateway --host scripts/lab-host.ip --rules scripts/lab.rules ${ipv6:+--rules6 scripts/lab6.rules} \
    --attach docker0=tun:jnat-docker0 --attach eth0=tun:jnat-eth0 "$@" 2>/dev/null &
bash scripts/lab.sh --prefix $J attach
run $J jnat

# the kernel
for n in ctr gw wan; do ip netns add $K$n; ip -n $K$n link set lo up; done
ip link add kdocker0 netns ${K}ctr type veth peer name docker0 netns ${K}gw
ip link add keth0 netns ${K}wan type veth peer name eth0 netns ${K}gw
ip -n ${K}ctr addr add 172.17.0.2/16 dev kdocker0
ip -n ${K}ctr link set kdocker0 up
ip -n ${K}ctr route add default via 172.17.0.1
ip -n ${K}gw addr add 172.17.0.1/16 dev docker0
ip -n ${K}gw addr add 203.0.113.10/24 dev eth0
ip -n ${K}gw link set docker0 up
ip -n ${K}gw link set eth0 up
ip -n ${K}gw route add default via 203.0.113.1
ip -n ${K}wan addr add 203.0.113.1/24 dev keth0
ip -n ${K}wan link set keth0 up
ip -n ${K}wan addr add 198.51.100.8/32 dev lo
ip netns exec ${K}gw sysctl -qw net.ipv4.ip_forward=1
ip netns exec ${K}gw iptables-restore < scripts/lab.rules
if [ -n "$ipv6" ]; then
  ip -n ${K}ctr addr add fd49:efd7:54aa::2/64 dev kdocker0 nodad
  ip -n ${K}ctr -6 route add default via fd49:efd7:54aa::1
  ip -n ${K}gw addr add fd49:efd7:54aa::1/64 dev docker0 nodad
  ip -n ${K}gw addr add 2001:db8:1::10/64 dev eth0 nodad
  ip -n ${K}gw -6 route add default via 2001:db8:1::1
  ip -n ${K}wan addr add 2001:db8:1::1/64 dev keth0 nodad
  ip -n ${K}wan addr add 2001:db8:2::8/128 dev lo
  ip netns exec ${K}gw sysctl -qw net.ipv6.conf.all.forwarding=1
  ip netns exec ${K}gw ip6tables-restore < scripts/lab6.rules
fi
run $K kernel
