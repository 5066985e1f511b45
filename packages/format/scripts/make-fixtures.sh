#!/usr/bin/env bash
# Regenerates the real QEMU 7.2 migration streams that the decoder tests read, in
# test/fixtures/qemu-7.2/. Each VM is driven over QMP on stdio; HMP commands go through
# human-monitor-command. Every VM is killed on exit, also when a step fails.
#
# Usage: scripts/make-fixtures.sh [output-dir]
set -euo pipefail

QEMU=${QEMU:-/usr/bin/qemu-system-x86_64}
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/test/fixtures/qemu-7.2}
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/savevm-fixtures.XXXXXX")
vm_pid=""

cleanup() {
  if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then kill "$vm_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_vm ARGS... : starts QEMU with QMP on stdio and negotiates capabilities.
start_vm() {
  coproc VM { exec "$QEMU" -accel tcg -display none -nodefaults -m 16 -qmp stdio "$@" 2>"$work/stderr"; }
  vm_pid=$VM_PID
  local greeting
  IFS= read -r -t 30 greeting <&"${VM[0]}"
  case $greeting in *'"QMP"'*) ;; *) echo "no QMP greeting: $greeting" >&2; cat "$work/stderr" >&2; exit 1 ;; esac
  qmp '{"execute":"qmp_capabilities"}' >/dev/null
}

# qmp JSON : sends one command, prints its reply line; events are skipped.
qmp() {
  printf '%s\n' "$1" >&"${VM[1]}"
  local line
  while IFS= read -r -t 60 line <&"${VM[0]}"; do
    case $line in
      *'"return"'*) printf '%s\n' "$line"; return 0 ;;
      *'"error"'*) echo "QMP error for $1: $line" >&2; exit 1 ;;
    esac
  done
  echo "no reply to $1" >&2
  exit 1
}

hmp() {
  local cmd=${1//\\/\\\\}
  cmd=${cmd//\"/\\\"}
  qmp "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"$cmd\"}}"
}

# migrate_start FILE / migrate_wait : migrates to FILE through exec:cat; waits until it completes.
migrate_start() {
  rm -f "$1"
  qmp "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > $1\"}}" >/dev/null
}

migrate_to() {
  migrate_start "$1"
  migrate_wait
}

migrate_wait() {
  local status
  for _ in $(seq 1 600); do
    status=$(qmp '{"execute":"query-migrate"}')
    case $status in
      *'"completed"'*) return 0 ;;
      *'"failed"'*) echo "migration failed: $status" >&2; exit 1 ;;
    esac
    sleep 0.05
  done
  echo "migration did not complete" >&2
  exit 1
}

stop_vm() {
  printf '%s\n' '{"execute":"quit"}' >&"${VM[1]}" || true
  wait "$vm_pid" 2>/dev/null || true
  vm_pid=""
}

# pmem NAME : QEMU's own view of guest RAM (pmemsave of the 16 MiB at GPA 0), for the test that
# compares it with the RAM the decoder extracts from the stream of the same guest state.
pmem() {
  hmp "pmemsave 0 0x1000000 \"$out/$1\"" >/dev/null
  gzip -9 -n -f "$out/$1"
}

# A boot sector that keeps rewriting one byte in every 64 of the 64 KiB at 0x20000, so a running
# guest dirties pages sparsely (XBZRLE then has something to encode). The invlpg after each store
# makes TCG take the slow store path again, which is where it marks the page dirty for migration.
# Interrupts are off so the BIOS timer handler does not write the BDA through a TLB entry that
# stays "dirty" across bitmap syncs (TCG would then migrate a stale copy of that page):
#   cli; mov ax,0x2000; mov es,ax
#   l1: inc dl; xor di,di
#   l2: mov [es:di],dl; invlpg [es:di]; add di,64; jnz l2; jmp l1
disk=$work/boot.img
printf '\xfa\xb8\x00\x20\x8e\xc0\xfe\xc2\x31\xff\x26\x88\x15\x26\x0f\x01\x3d\x83\xc7\x40\x75\xf4\xeb\xee' >"$disk"
truncate -s 510 "$disk"
printf '\x55\xaa' >>"$disk"
truncate -s 65536 "$disk"
boot=(-drive "file=$disk,format=raw,if=ide")

echo "pc, stopped before the first instruction"
start_vm -M pc -S
migrate_to "$out/pc-stopped.mig"
stop_vm

echo "q35, stopped"
start_vm -M q35 -S
migrate_to "$out/q35-stopped.mig"
stop_vm

echo "pc, running guest (the boot-sector loop), migrated while it runs"
start_vm -M pc "${boot[@]}"
sleep 0.5
qmp '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":4194304}}' >/dev/null
migrate_to "$out/pc-running.mig"
pmem pc-running.pmem
stop_vm

echo "pc, running guest, xbzrle"
start_vm -M pc "${boot[@]}"
sleep 0.5
qmp '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"xbzrle","state":true}]}}' >/dev/null
# XBZRLE needs a page to be dirty in a third pass (the second pass only fills the cache), so the
# downtime limit starts tiny and is raised once the guest has been re-dirtying pages for a while.
qmp '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":1048576,"downtime-limit":1}}' >/dev/null
migrate_start "$out/pc-xbzrle.mig"
sleep 1.5
qmp '{"execute":"migrate-set-parameters","arguments":{"downtime-limit":2000}}' >/dev/null
migrate_wait
pmem pc-xbzrle.pmem
stop_vm

echo "pc, compress"
start_vm -M pc "${boot[@]}"
sleep 0.3
qmp '{"execute":"stop"}' >/dev/null
qmp '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"compress","state":true}]}}' >/dev/null
migrate_to "$out/pc-compress.mig"
stop_vm

echo "pc, no configuration record, no section footers"
start_vm -M pc -S -global migration.send-configuration=off -global migration.send-section-footer=off
migrate_to "$out/pc-nocfg-nofooter.mig"
stop_vm

echo "pc, suppress-vmdesc"
start_vm -M pc,suppress-vmdesc=on -S
migrate_to "$out/pc-novmdesc.mig"
stop_vm

echo "pc, device state only (xen-save-devices-state)"
start_vm -M pc -S
qmp "{\"execute\":\"xen-save-devices-state\",\"arguments\":{\"filename\":\"$out/pc-xen-devices.mig\",\"live\":false}}" >/dev/null
stop_vm

echo "pc with an e1000 and a virtio-net on user networking"
start_vm -M pc -S -netdev user,id=n0 -device e1000,netdev=n0,romfile= -netdev user,id=n1 -device virtio-net-pci,netdev=n1,romfile=
migrate_to "$out/pc-nics.mig"
stop_vm

# The streams are kept gzip-compressed: mostly zero pages, ROM images and vmdesc JSON.
gzip -9 -n -f "$out"/*.mig
ls -l "$out"
