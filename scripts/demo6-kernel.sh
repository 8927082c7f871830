#!/usr/bin/env bash
# The kernel's reference for `jnat demo --ipv6`: the demo's frames through the real kernel.
#
# Builds the demo's host as a network namespace (hosts/seed-docker-host.ip and
# hosts/seed-docker-ipv6.ip, one veth pair per interface: the host's end named eth0/docker0 with
# the file's MAC, addresses, routes and permanent neighbours, the far end x<name> in a second
# namespace), loads Docker's ip6tables rules (demo/seed6-docker.rules) with ip6tables-restore (and
# the IPv4 ones with iptables-restore, as jnat's engine has both), sends the frames that
# `jnat demo --ipv6 --write-arrivals` writes on the far ends (raw AF_PACKET sockets, in time order,
# each after the host forwarded the one before), captures with tcpdump on eth0 and docker0 in the
# host, and writes:
#   OUT/seed6-kernel.txt          the four captures as `tcpdump -nne` prints them, with the
#                                 article's filters made IPv6 (ICMPv6 echo; tcp port 10000 / 8000),
#                                 then `ip6tables -t nat -nvL` and `conntrack -L -f ipv6`
#   OUT/seed6-kernel-eth0.pcap    the frames of those captures (the kernel's own MLD reports and
#   OUT/seed6-kernel-docker0.pcap neighbour discovery, which the filters leave out, are not there)
# The demo compares itself with OUT/seed6-kernel.txt; jnat.demo.SeedDemo6KernelTest runs this
# script again and compares what it makes with the committed files.
#
# usage: sudo scripts/demo6-kernel.sh [--arrivals DIR] [--out DIR]
#   --arrivals DIR  the frames (DIR/docker0.pcap, DIR/eth0.pcap); default: ./jnat demo --ipv6 --write-arrivals
#   --out DIR       where to write; default: src/main/resources/demo
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
res=$root/src/main/resources
arrivals=
out=$res/demo
while [ $# -gt 0 ]; do
    case "$1" in
        --arrivals) arrivals=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo6-kernel.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "demo6-kernel.sh: needs root (network namespaces)" >&2; exit 1; }
for tool in ip ip6tables-restore iptables-restore ip6tables conntrack tcpdump python3; do
    command -v "$tool" >/dev/null || { echo "demo6-kernel.sh: needs $tool" >&2; exit 1; }
done

tmp=$(mktemp -d)
host=jnat-demo6-$$
peer=jnat-demo6p-$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    ip netns del "$host" 2>/dev/null || true
    ip netns del "$peer" 2>/dev/null || true
    [ -n "${DEMO6_KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$arrivals" ]; then
    "$root/jnat" demo --ipv6 --write-arrivals "$tmp/arrivals"
    arrivals=$tmp/arrivals
fi

ip netns add "$host"
ip netns add "$peer"
H() { ip netns exec "$host" "$@"; }
P() { ip netns exec "$peer" "$@"; }
H ip link set lo up
# Before the veths exist, so they inherit it: the far ends carry no IPv6 of their own; the host
# forwards, takes its addresses at once (no duplicate address detection) and solicits no router.
P sysctl -q -w net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
H sysctl -q -w net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1 \
    net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
    net.ipv6.conf.default.router_solicitations=0 net.ipv4.ip_forward=1
for dev in eth0 docker0; do
    ip link add "$dev" netns "$host" type veth peer name "x$dev" netns "$peer"
    P ip link set "x$dev" up
done
# The host file's lines, each an ip(8) command (a bridge's "link add" is the veth above).
cat "$res/hosts/seed-docker-host.ip" "$res/hosts/seed-docker-ipv6.ip" | while read -r line; do
    case "$line" in ''|'#'*|'link add'*) continue ;; esac
    # shellcheck disable=SC2086
    H ip $line
done
H iptables-restore < "$res/demo/seed-docker.rules"
H ip6tables-restore < "$res/demo/seed6-docker.rules"
H conntrack -F 2>/dev/null || true

for dev in eth0 docker0; do
    ip netns exec "$host" tcpdump --immediate-mode -U -Z root -i "$dev" -w "$tmp/$dev.pcap" 2>"$tmp/$dev.err" &
    pids+=($!)
done
for dev in eth0 docker0; do
    for _ in $(seq 100); do grep -q "listening on" "$tmp/$dev.err" && break; sleep 0.05; done
    grep -q "listening on" "$tmp/$dev.err" || { cat "$tmp/$dev.err" >&2; exit 1; }
done

# The frames, in time order, each on its interface's far end; the next one waits until the host
# has forwarded a unicast frame (up to 1 s), as each of the demo's frames makes the host send one.
P python3 - "$arrivals" <<'EOF'
import select, socket, struct, sys, time

def records(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    nanos = magic == 0xa1b23c4d
    p, out = 24, []
    while p + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[p:p + 16])
        out.append((sec * 10**9 + (frac if nanos else frac * 1000), data[p + 16:p + 16 + incl]))
        p += 16 + incl
    return out

socks = {}
for dev in ("eth0", "docker0"):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind(("x" + dev, 0))
    socks[dev] = s
frames = sorted((ts, dev, f) for dev in socks for ts, f in records(sys.argv[1] + "/" + dev + ".pcap"))
for ts, dev, frame in frames:
    socks[dev].send(frame)
    deadline = time.monotonic() + 1.0
    forwarded = False
    while not forwarded and time.monotonic() < deadline:
        ready, _, _ = select.select(list(socks.values()), [], [], max(0, deadline - time.monotonic()))
        for s in ready:
            data, addr = s.recvfrom(65536)
            if addr[2] != socket.PACKET_OUTGOING and not data[0] & 1:
                forwarded = True
    if not forwarded:
        print("demo6-kernel.sh: the host forwarded nothing for a frame on " + dev, file=sys.stderr)
print("sent %d frames" % len(frames), file=sys.stderr)
EOF
sleep 0.3
for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
pids=()

ping="icmp6[icmp6type] == icmp6-echo or icmp6[icmp6type] == icmp6-echoreply"
show() { TZ=UTC tcpdump -nne -r "$tmp/$1.pcap" "$2" 2>/dev/null; }
mkdir -p "$out"
{
    echo "# made by Linux $(uname -r) with scripts/demo6-kernel.sh on $(date -u +%F): $(tcpdump --version 2>&1 | head -1), $(ip6tables --version), $(conntrack --version 2>&1)"
    echo "# The frames of jnat demo --ipv6 (jnat.demo.SeedDemo6.arrivals) sent into a network namespace built from"
    echo "# hosts/seed-docker-host.ip and hosts/seed-docker-ipv6.ip with demo/seed6-docker.rules; tcpdump on the host's"
    echo "# interfaces, then its nat table and conntrack table. Regenerate: sudo scripts/demo6-kernel.sh"
    echo "## tcpdump -nne -i docker0 '$ping'"
    show docker0 "$ping"
    echo "## tcpdump -nne -i eth0 '$ping'"
    show eth0 "$ping"
    echo "## tcpdump -nne -i eth0 'tcp port 10000'"
    show eth0 "tcp port 10000"
    echo "## tcpdump -nne -i docker0 'tcp port 8000'"
    show docker0 "tcp port 8000"
    echo "## ip6tables -t nat -nvL"
    H ip6tables -t nat -nvL
    echo "## conntrack -L -f ipv6"
    H conntrack -L -f ipv6 2>/dev/null
} > "$out/seed6-kernel.txt"
tcpdump -Z root -r "$tmp/eth0.pcap" -w "$out/seed6-kernel-eth0.pcap" "($ping) or tcp port 10000" 2>/dev/null
tcpdump -Z root -r "$tmp/docker0.pcap" -w "$out/seed6-kernel-docker0.pcap" "($ping) or tcp port 8000" 2>/dev/null
echo "wrote $out/seed6-kernel.txt, $out/seed6-kernel-eth0.pcap, $out/seed6-kernel-docker0.pcap" >&2
