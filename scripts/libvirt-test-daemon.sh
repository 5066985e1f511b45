#!/usr/bin/env bash
# Starts and stops a private libvirtd 9.0 for the interop tests: root, no systemd, no virtlogd.
#
#   libvirt-test-daemon.sh start STATE_DIR [SAVE_IMAGE_FORMAT]   prints the connection URI
#   libvirt-test-daemon.sh stop STATE_DIR                        destroys its domains, ends it
#
# The daemon runs in its own mount namespace where /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/cache/libvirt and /var/log/libvirt are directories under STATE_DIR, and it listens on a
# socket under STATE_DIR. A developer's own libvirt (its qemu.conf, its domains, its daemon) is
# never touched, and several test daemons can run side by side. Where mount namespaces are not
# allowed (an unprivileged container), it falls back to the real paths and refuses to start when
# another libvirtd already runs or /etc/libvirt/qemu.conf is not one it wrote itself.
set -euo pipefail

action=${1:-}
state=${2:-}
format=${3:-raw}
[ -n "$action" ] && [ -n "$state" ] || { echo "usage: $0 start|stop STATE_DIR [SAVE_IMAGE_FORMAT]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "libvirt-test-daemon: libvirt's qemu:///system needs root" >&2; exit 1; }
case "$format" in *[!a-z0-9]*) echo "libvirt-test-daemon: bad image format '$format'" >&2; exit 2 ;; esac
state=$(realpath -m "$state")
case "$state" in *"'"*|*'"'*|*' '*) echo "libvirt-test-daemon: STATE_DIR must not hold quotes or spaces: $state" >&2; exit 2 ;; esac
MARK="# written by savevm scripts/libvirt-test-daemon.sh"
DIRS=(/etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt)
# A daemon a killed test run leaves behind ends itself once it has had no domain and no client this long.
IDLE_EXIT=${SAVEVM_LIBVIRT_IDLE_EXIT:-600}
case "$IDLE_EXIT" in ''|*[!0-9]*) echo "libvirt-test-daemon: SAVEVM_LIBVIRT_IDLE_EXIT must be a number of seconds" >&2; exit 2 ;; esac
uri() { echo "qemu:///system?socket=$state/sock/libvirt-sock"; }

write_configs() {
  local etc=$1
  mkdir -p "$state/sock" "$state/log" "$etc"
  cat >"$state/libvirtd.conf" <<EOF
$MARK
unix_sock_dir = "$state/sock"
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$state/log/libvirtd.log"
EOF
  # Without virtlogd, systemd or cgroup delegation: QEMU runs as root, writes its own log file,
  # and libvirt neither relabels files nor builds namespaces or cgroups around it.
  cat >"$etc/qemu.conf" <<EOF
$MARK
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
save_image_format = "$format"
EOF
}

# libvirt resolves its default QEMU user when the driver loads, even when qemu.conf overrides it.
ensure_user() {
  getent passwd libvirt-qemu >/dev/null || useradd -r -U -M -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
}

answers() { virsh -q -c "$(uri)" version >/dev/null 2>&1; }

start() {
  command -v libvirtd >/dev/null && command -v virsh >/dev/null || {
    echo "libvirt-test-daemon: libvirtd/virsh missing: run scripts/install-test-tools.sh" >&2; exit 1; }
  ensure_user
  mkdir -p "$state"
  if [ -f "$state/libvirtd.pid" ] && kill -0 "$(cat "$state/libvirtd.pid")" 2>/dev/null; then
    echo "libvirt-test-daemon: a daemon already runs for $state" >&2; exit 1
  fi
  rm -f "$state/libvirtd.pid" "$state/sock/libvirt-sock"
  local mode
  # SAVEVM_LIBVIRT_NAMESPACE=0 forces the fallback, to try it where namespaces do work.
  if [ "${SAVEVM_LIBVIRT_NAMESPACE:-1}" != 0 ] && unshare -m --propagation private true 2>/dev/null; then
    mode=namespace
    for d in "${DIRS[@]}"; do mkdir -p "$state/root$d" "$d"; done
    write_configs "$state/root/etc/libvirt"
    # The QEMU capabilities libvirt probes (seconds per binary) are kept between runs; libvirt
    # itself invalidates them when QEMU or libvirt change.
    local cache=${SAVEVM_LIBVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/savevm/libvirt-cache}
    mkdir -p "$cache"
    case "$cache" in *"'"*) echo "libvirt-test-daemon: the cache path must not hold a quote: $cache" >&2; exit 2 ;; esac
    local binds="set -e;"
    for d in "${DIRS[@]}"; do
      if [ "$d" = /var/cache/libvirt ]; then binds+=" mount --bind '$cache' '$d';"; else binds+=" mount --bind '$state/root$d' '$d';"; fi
    done
    unshare -m --propagation private -- sh -c "$binds exec libvirtd -d -t $IDLE_EXIT -f '$state/libvirtd.conf' -p '$state/libvirtd.pid'"
  else
    mode=shared
    if pgrep -x libvirtd >/dev/null || pgrep -x virtqemud >/dev/null; then
      echo "libvirt-test-daemon: no mount namespaces here and a libvirtd already runs; not touching it" >&2; exit 1
    fi
    if [ -f /etc/libvirt/qemu.conf ] && ! head -1 /etc/libvirt/qemu.conf | grep -qxF "$MARK"; then
      echo "libvirt-test-daemon: no mount namespaces here and /etc/libvirt/qemu.conf is not ours; not overwriting it" >&2; exit 1
    fi
    write_configs /etc/libvirt
    libvirtd -d -t "$IDLE_EXIT" -f "$state/libvirtd.conf" -p "$state/libvirtd.pid"
  fi
  echo "$mode" >"$state/mode"
  local deadline=$((SECONDS + ${LIBVIRT_START_TIMEOUT:-30}))
  until answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "libvirt-test-daemon: libvirtd did not answer within ${LIBVIRT_START_TIMEOUT:-30} s; log:" >&2
      tail -n 20 "$state/log/libvirtd.log" >&2 2>/dev/null || true
      stop_daemon
      exit 1
    fi
    sleep 0.1
  done
  uri
}

qemu_pid_dir() {
  if [ "$(cat "$state/mode" 2>/dev/null)" = shared ]; then echo /run/libvirt/qemu; else echo "$state/root/run/libvirt/qemu"; fi
}

# A zombie counts as gone: whoever adopted the daemon (PID 1 of a container) may reap it late.
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

stop_daemon() {
  local pid=""
  [ -f "$state/libvirtd.pid" ] && pid=$(cat "$state/libvirtd.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # Its domains are gone by now and its state is thrown away, so a slow clean shutdown buys nothing.
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 10); do alive "$pid" || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.05; done
  fi
  # QEMU outlives libvirtd by design; end every QEMU this daemon started.
  local dir
  dir=$(qemu_pid_dir)
  for f in "$dir"/*.pid; do
    [ -f "$f" ] && [ "${f##*/}" != driver.pid ] || continue
    kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  rm -f "$state/libvirtd.pid"
}

stop() {
  [ -d "$state" ] || exit 0
  if answers; then
    for dom in $(virsh -q -c "$(uri)" list --all --name 2>/dev/null); do
      virsh -q -c "$(uri)" destroy "$dom" >/dev/null 2>&1 || true
      virsh -q -c "$(uri)" undefine --managed-save "$dom" >/dev/null 2>&1 || true
    done
  fi
  stop_daemon
  if [ "$(cat "$state/mode" 2>/dev/null)" = shared ]; then rm -f /etc/libvirt/qemu.conf; fi
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_DIR [SAVE_IMAGE_FORMAT]" >&2; exit 2 ;;
esac
