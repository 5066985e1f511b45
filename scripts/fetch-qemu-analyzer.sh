#!/usr/bin/env bash
# Puts QEMU's scripts/analyze-migration.py, taken from Debian's source package of the installed
# QEMU, into the user's cache, so tests can check that QEMU's own analyzer parses savevm's streams.
# Nothing of QEMU's is committed to this repository.
set -euo pipefail

cache=${XDG_CACHE_HOME:-$HOME/.cache}/savevm
dest=$cache/analyze-migration.py
[ -s "$dest" ] && exit 0

version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true)
[ -n "$version" ] || { echo "fetch-qemu-analyzer: qemu-system-x86 is not installed" >&2; exit 1; }

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# Source packages need a deb-src entry; add one mirroring the configured Debian suites.
if ! apt-get source --print-uris -qq "qemu=$version" >/dev/null 2>&1; then
  src=/etc/apt/sources.list.d/savevm-deb-src.sources
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$codename" "$codename" | "${sudo_cmd[@]}" tee "$src" >/dev/null
  "${sudo_cmd[@]}" apt-get update -qq
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source --download-only -qq "qemu=$version" >/dev/null 2>&1)
tar -xJf "$work"/qemu_*.orig.tar.xz -C "$work" --wildcards '*/scripts/analyze-migration.py'
mkdir -p "$cache"
cp "$work"/qemu-*/scripts/analyze-migration.py "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "fetch-qemu-analyzer: $dest (QEMU $version)" >&2
