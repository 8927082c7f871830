#!/usr/bin/env bash
# The kernel's NAT packet rate per core, on the frames `jnat bench` measures jnat with:
# 64-byte TCP frames of FLOWS connections from Docker containers (172.17.0.0/16) MASQUERADEd to
# the host's address, the lab's ruleset (scripts/lab.rules), in three throwaway namespaces:
#
#   ctr (tcpreplay on kdocker0) --veth--> gw (docker0 -> NAT -> eth0) --veth--> sink (dropped)
#
# Pass 1 sends each flow's ACK once: the kernel picks each connection up mid-stream
# (nf_conntrack_tcp_loose) and MASQUERADEs it, so pass 1 is FLOWS new connections. Passes 2..N
# send the same frames again: every packet is an established connection's.
# Everything runs pinned to one CPU (taskset), so the softirq that forwards the packets runs on the
# CPU that sends them; the rate is packets over the CPU time that CPU spent in the kernel (system +
# softirq, from /proc/stat), which includes veth transmit and tcpreplay's own send syscalls: an
# upper bound on the kernel's cost per packet, a lower bound on its rate.
#
#   scripts/bench-kernel-pps.sh [FLOWS] [LOOPS]     (root; default 1000000 flows, 3 established passes;
#                                                    then jnat bench on the same flows, JNAT_SKIP=1 to skip)
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${1:-1000000} loops=${2:-3}
[ "$(id -u)" = 0 ] || { echo "bench-kernel-pps.sh: needs root" >&2; exit 1; }
for t in tcpreplay iptables-restore conntrack python3 taskset; do
  command -v $t >/dev/null || { echo "bench-kernel-pps.sh: needs $t" >&2; exit 1; }
done
cpu=$(( $(nproc) - 1 ))
K=jkpps-
pcap=$(mktemp /tmp/jkpps.XXXXXX.pcap)
cleanup() {
  for n in ctr gw sink; do ip netns del $K$n 2>/dev/null || true; done
  rm -f "$pcap"
}
trap cleanup EXIT

python3 scripts/flows-pcap.py "$flows" "$pcap"

for n in ctr gw sink; do ip netns add $K$n; ip -n $K$n link set lo up; done
ip link add kdocker0 netns ${K}ctr type veth peer name docker0 netns ${K}gw
ip link add eth0 netns ${K}gw type veth peer name ksink netns ${K}sink
ip -n ${K}gw link set docker0 address 02:42:d5:35:3a:3c
ip -n ${K}gw addr add 172.17.0.1/16 dev docker0
ip -n ${K}gw addr add 203.0.113.10/24 dev eth0
for d in docker0 eth0; do ip -n ${K}gw link set $d up; done
ip -n ${K}ctr link set kdocker0 up
ip -n ${K}sink link set ksink up
ip -n ${K}gw route add default via 203.0.113.1 dev eth0
ip -n ${K}gw neigh add 203.0.113.1 lladdr 06:7c:16:88:fe:87 dev eth0 nud permanent
ip netns exec ${K}gw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.docker0.rp_filter=0
# the sink drops everything as early as it can: before routing, in the raw table
ip netns exec ${K}sink iptables -t raw -A PREROUTING -j DROP
ip netns exec ${K}gw iptables-restore < scripts/lab.rules
# the baseline: the same frames into a veth whose peer drops them at once (no forwarding, no NAT)
ip link add kbase netns ${K}ctr type veth peer name kbase netns ${K}sink
ip -n ${K}ctr link set kbase up
ip -n ${K}sink link set kbase up
ip netns exec ${K}sink iptables -t raw -A PREROUTING -i kbase -j DROP
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
old_buckets=$(cat /sys/module/nf_conntrack/parameters/hashsize 2>/dev/null || echo)
want=$(( flows * 2 ))
[ "$old_max" -ge "$want" ] || sysctl -qw net.netfilter.nf_conntrack_max=$want
[ -z "$old_buckets" ] || [ "$old_buckets" -ge "$flows" ] || echo "$flows" > /sys/module/nf_conntrack/parameters/hashsize

kernel_ticks() { # system + irq + softirq jiffies of CPU $cpu
  awk -v c="cpu$cpu" '$1 == c { print $4 + $7 + $8 }' /proc/stat
}
tx() { ip -n ${K}gw -s link show eth0 | awk '/TX:/ { getline; print $2 }'; }
hz=$(getconf CLK_TCK)

base_rx() { ip -n ${K}sink -s link show kbase | awk '/RX:/ { getline; print $2 }'; }
base_secs=0 base_n=0
baseline() { # the kernel CPU time tcpreplay and veth cost without forwarding or NAT
  local t0 p0 t1
  t0=$(kernel_ticks) p0=$(base_rx)
  ip netns exec ${K}ctr taskset -c $cpu tcpreplay -q --topspeed -i kbase "$pcap" >/dev/null 2>&1
  t1=$(kernel_ticks)
  base_n=$(( $(base_rx) - p0 )) base_secs=$(awk -v a=$t0 -v b=$t1 -v hz=$hz 'BEGIN { print (b - a) / hz }')
  awk -v n=$base_n -v s=$base_secs 'BEGIN {
    printf "%-12s %9d packets sent and dropped in %6.2f kernel CPU seconds (%.0f ns each)\n", "baseline", n, s, s / n * 1e9 }'
}
pass() { # label
  local t0 p0 t1 p1 n secs
  t0=$(kernel_ticks) p0=$(tx)
  ip netns exec ${K}ctr taskset -c $cpu tcpreplay -q --topspeed -i kdocker0 "$pcap" >/dev/null 2>&1
  t1=$(kernel_ticks) p1=$(tx)
  n=$((p1 - p0)) secs=$(awk -v a=$t0 -v b=$t1 -v hz=$hz 'BEGIN { print (b - a) / hz }')
  awk -v l="$1" -v n=$n -v s=$secs -v bn=$base_n -v bs=$base_secs 'BEGIN {
    nat = s / n - bs / bn
    printf "%-12s %9d packets forwarded in %6.2f kernel CPU seconds: %6.3f M/s per core; less the baseline: %.0f ns, %.2f M/s\n",
      l, n, s, n / s / 1e6, nat * 1e9, 1 / nat / 1e6 }'
}
baseline
pass new
echo "conntrack entries: $(ip netns exec ${K}gw conntrack -C)"
for i in $(seq "$loops"); do pass established; done
[ "$old_max" -ge "$want" ] || sysctl -qw net.netfilter.nf_conntrack_max=$old_max

# jnat's engine on the same frames, in the same run (one thread, no I/O: see README)
if [ -x ./jnat ] && [ "${JNAT_SKIP:-0}" != 1 ]; then
  echo "jnat bench --flows $flows (engine only, one thread):"
  taskset -c $cpu ./jnat bench --flows "$flows" --seconds 5 --json | tail -1
fi
