#!/usr/bin/env bash
# Installs the programs the test suite talks to, from Debian's packages, when they are missing.
# Interop tests run real QEMU, real libvirt and real compressors; they never skip themselves, so this must succeed.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need+=(qemu-system-x86)
have xz || need+=(xz-utils)
have zstd || need+=(zstd)
have bzip2 || need+=(bzip2)
have lzop || need+=(lzop)
have python3 || need+=(python3)
have chromium || need+=(chromium)
# iproute2 (ip, tc) for the tests that migrate between two network namespaces over a shaped veth pair.
{ have ip && have tc; } || need+=(iproute2)
# bash-completion: the test of `savevm completion bash` runs the script in a real bash.
[ -f /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
# libvirt 9.0 for the libvirt interop tests (scripts/libvirt-test-daemon.sh runs it without systemd).
have virsh || need+=(libvirt-clients)
have libvirtd || [ -x /usr/sbin/libvirtd ] || need+=(libvirt-daemon)
compgen -G "/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so" >/dev/null || need+=(libvirt-daemon-driver-qemu)

here=$(dirname "$0")
if [ "${#need[@]}" -eq 0 ]; then
  exec bash "$here/fetch-qemu-analyzer.sh"
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  have sudo || { echo "install-test-tools: need root or sudo to install: ${need[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-test-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

bash "$here/fetch-qemu-analyzer.sh"
