#!/usr/bin/env bash
# The Debian tools jnat's tests compare with, in one place for .ci/run and ./jnat test.
#   scripts/test-tools.sh missing            the packages not installed (one line, may be empty)
#   scripts/test-tools.sh install            installs them with apt-get (root), and fetches
#                                            iptables' own extension tests (scripts/iptables-tests.sh)
#   scripts/test-tools.sh skipped REPORTS    after a test run: one line naming the skipped tests,
#                                            why, and the command that installs what they need
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkgs="tcpdump tshark iptables nftables ipset conntrack iproute2 iputils-ping traceroute curl iperf3 tcpreplay python3 python3-scapy hping3 nmap util-linux chromium nfacct"

missing() {
  local p out=""
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || out="$out $p"; done
  echo "${out# }"
}

# the package a test's skip message ("tcpdump not installed") names
package_of() {
  case "$1" in
    ip) echo iproute2 ;;
    ping) echo iputils-ping ;;
    iptables*|ip6tables*) echo iptables ;;
    nft) echo nftables ;;
    python3-scapy|python3) echo python3-scapy ;;
    unshare|setpriv) echo util-linux ;;
    *) echo "$1" ;;
  esac
}

case "${1:-}" in
  missing) missing ;;
  install)
    m="$(missing)"
    if [ -n "$m" ]; then
      echo "test-tools: installing $m" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      # shellcheck disable=SC2086
      apt-get install -y -qq $m >/dev/null
    fi
    "$here/iptables-tests.sh" || echo "test-tools: could not fetch iptables' extension tests (ExtensionTestFilesTest will skip or fail)" >&2
    ;;
  skipped)
    dir="${2:-target/surefire-reports}"
    ls "$dir"/TEST-*.xml >/dev/null 2>&1 || exit 0
    # <testcase name="m" classname="jnat.x.YTest" ...> followed by <skipped message="why"/>
    lines="$(awk '
      /<testcase / { match($0, /classname="[^"]*"/); cls = substr($0, RSTART + 11, RLENGTH - 12); sub(/.*\./, "", cls) }
      /<skipped/ {
        msg = ""
        if (match($0, /message="[^"]*"/)) msg = substr($0, RSTART + 9, RLENGTH - 10)
        else if (match($0, /Exception: .*/)) msg = substr($0, RSTART + 11)
        sub(/(\]\]>)?(<\/skipped>)?$/, "", msg); sub(/^Assumption failed: /, "", msg); sub(/: .*/, "", msg)
        print cls "\t" msg
      }
    ' "$dir"/TEST-*.xml)"
    [ -n "$lines" ] || exit 0
    n="$(printf '%s\n' "$lines" | wc -l)"
    classes="$(printf '%s\n' "$lines" | cut -f1 | sort -u | paste -sd, - | sed 's/,/, /g')"
    whys="$(printf '%s\n' "$lines" | cut -f2 | sed 's/^$/(no reason given)/' | sort -u | paste -sd';' - | sed 's/;/; /g')"
    need=""
    for t in $(printf '%s\n' "$lines" | cut -f2 | sed -n 's/^\([A-Za-z0-9_.-]*\) not installed$/\1/p' | sort -u); do
      need="$need $(package_of "$t")"
    done
    need="$(echo $need | tr ' ' '\n' | sort -u | paste -sd' ' -)"
    fix="run as root: sudo ./jnat test (it installs the tools)"
    [ -n "$need" ] && fix="$fix, or: sudo apt-get install $need"
    echo "jnat test: $n tests skipped ($whys) in $classes; $fix"
    ;;
  *) sed -n '2,7p' "$0" >&2; exit 2 ;;
esac
