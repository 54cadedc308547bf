# Functions for running commands in a bare Debian 12 root (bookworm with only python3), as a
# newcomer's server would be: sourced by .ci/run. Needs root (debootstrap, chroot, mount).
#
# The pristine root is built once with debootstrap and kept as a tarball (nothing installed into
# it by hand); every run unpacks a fresh copy. Only what lets apt and pip reach the registries
# from this machine is copied in from the host, and services that apt installs do not start.
set -euo pipefail

ROOT_CACHE=${ROOT_CACHE:-/var/cache/motcua-ci/bookworm-python3.tar}
FRESH_ROOT=""   # set by fresh_root

host_apt_mirror() {  # the first non-security Debian archive URI of this host's apt sources
  cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' \
    | grep . || awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
}

pristine_root() {  # builds the cached tarball of a debootstrapped bookworm with python3 if missing
  [ -s "$ROOT_CACHE" ] && return 0
  command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  local build mirror
  build=$(mktemp -d /var/tmp/motcua-debootstrap.XXXXXX)
  mirror=$(host_apt_mirror)
  echo "debootstrap bookworm from $mirror"
  debootstrap --include=python3 bookworm "$build" "$mirror" >"$build.log" 2>&1 || { tail -20 "$build.log"; exit 1; }
  mkdir -p "$(dirname "$ROOT_CACHE")"
  tar -C "$build" -cf "$ROOT_CACHE.$$.part" . && mv "$ROOT_CACHE.$$.part" "$ROOT_CACHE"
  rm -rf "$build" "$build.log"
}

fresh_root() {  # unpacks a fresh copy of the pristine root into a new directory: FRESH_ROOT
  FRESH_ROOT=$(mktemp -d /var/tmp/motcua-root.XXXXXX)
  tar -C "$FRESH_ROOT" -xf "$ROOT_CACHE"
  chmod 755 "$FRESH_ROOT"  # mktemp's 0700 would keep apt's _apt user out of /
  reach_registries
  # A chroot is not a machine of its own: services apt installs would collide with the host's.
  printf '#!/bin/sh\nexit 101\n' >"$FRESH_ROOT/usr/sbin/policy-rc.d"
  chmod +x "$FRESH_ROOT/usr/sbin/policy-rc.d"
  local m
  for m in proc sys dev dev/pts; do mount --bind "/$m" "$FRESH_ROOT/$m" && mount --make-private "$FRESH_ROOT/$m"; done
  # Chromium needs a /dev/shm of its own, not the host's.
  mount -t tmpfs -o mode=1777,size=2g tmpfs "$FRESH_ROOT/dev/shm"
}

reach_registries() {  # copies how this host reaches apt and pip (sources, proxies, CAs, pip config)
  local f ref
  rm -f "$FRESH_ROOT/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -s "$f" ] && cp "$f" "$FRESH_ROOT$f"
  done
  for f in /etc/apt/apt.conf.d/*; do
    grep -qs 'Acquire::' "$f" && cp "$f" "$FRESH_ROOT/etc/apt/apt.conf.d/"
  done
  cp /etc/resolv.conf "$FRESH_ROOT/etc/resolv.conf"
  # CA certificates this host trusts beyond Debian's bundle, where update-ca-certificates takes
  # them in when the ca-certificates package is installed.
  mkdir -p "$FRESH_ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$FRESH_ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
  # System-wide pip configuration and the files it names (certificate bundle, constraints).
  for f in /etc/pip.conf /etc/xdg/pip/*; do
    [ -f "$f" ] || continue
    mkdir -p "$FRESH_ROOT$(dirname "$f")" && cp "$f" "$FRESH_ROOT$f"
    for ref in $(awk -F= '/^[[:space:]]*(cert|constraint|client-cert)[[:space:]]*=/ {gsub(/[[:space:]]/, "", $2); print $2}' "$f"); do
      [ -f "$ref" ] && mkdir -p "$FRESH_ROOT$(dirname "$ref")" && cp "$ref" "$FRESH_ROOT$ref"
    done
  done
}

in_root() {  # COMMAND_LINE [NAME=VALUE...]: runs it in the root as root, in a clean environment
  local command_line=$1
  shift
  chroot "$FRESH_ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb "$@" /bin/bash -c "$command_line"
}

root_pids() {  # processes whose root directory is the fresh root
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$FRESH_ROOT" ] && echo "${p#/proc/}"
  done
  return 0
}

stop_root_processes() {
  local pids
  pids=$(root_pids)
  [ -n "$pids" ] || return 0
  kill -TERM $pids 2>/dev/null || true
  sleep 3
  pids=$(root_pids)
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

remove_root() {  # stops what runs in the root, unmounts and deletes it (used as the EXIT trap)
  [ -n "$FRESH_ROOT" ] && [ -d "$FRESH_ROOT" ] || return 0
  stop_root_processes
  local m
  for m in dev/shm dev/pts dev sys proc; do
    mountpoint -q "$FRESH_ROOT/$m" && { umount "$FRESH_ROOT/$m" || umount -l "$FRESH_ROOT/$m"; }
  done
  if grep -q " $FRESH_ROOT/" /proc/mounts; then echo "still mounted under $FRESH_ROOT, not deleted" >&2; return 1; fi
  rm -rf "$FRESH_ROOT"
}
