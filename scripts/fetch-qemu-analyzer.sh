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

# Source packages need deb-src entries: mirror the machine's own binary sources (same mirrors,
# suites and keys), so nothing else is ever contacted.
if ! apt-get source --print-uris -qq "qemu=$version" >/dev/null 2>&1; then
  src_dir=/etc/apt/sources.list.d
  for f in "$src_dir"/*.sources; do
    [ -f "$f" ] || continue
    case $f in *savevm-deb-src*) continue ;; esac
    sed 's/^Types:.*/Types: deb-src/' "$f"
    echo
  done | "${sudo_cmd[@]}" tee "$src_dir/savevm-deb-src.sources" >/dev/null
  if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list | "${sudo_cmd[@]}" tee "$src_dir/savevm-deb-src.list" >/dev/null
  fi
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
