#!/usr/bin/env bash
# Fetches iptables' own extension tests (extensions/*.t) from Debian's source package of the
# installed iptables into DIR (default /var/cache/jnat/iptables-tests), for
# jnat.rules.ExtensionTestFilesTest. They are GPL-2.0 test data of netfilter's iptables: read
# here, never kept in jnat's repository. Needs root (apt) once; a later run finds them in place.
set -euo pipefail
dir="${1:-/var/cache/jnat/iptables-tests}"
if ls "$dir"/libxt_*.t >/dev/null 2>&1; then exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial"
cat > "$work/parts/src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work/parts" -o "Dir::State::Lists=$work/lists")
version="$(dpkg-query -W -f '${Version}' iptables 2>/dev/null || true)"
(cd "$work" && apt-get "${opts[@]}" update -qq && apt-get "${opts[@]}" source --download-only -qq "iptables${version:+=$version}") >/dev/null 2>&1
mkdir -p "$dir"
tar -xJf "$work"/iptables_*.orig.tar.xz -C "$work"
cp "$work"/iptables-*/extensions/*.t "$dir"/
echo "iptables ${version:-?} (Debian source package): $(ls "$dir"/*.t | wc -l) test files in $dir" >&2
