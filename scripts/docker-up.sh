#!/usr/bin/env bash
# Makes Docker usable for orwasm's tests on this machine: installs docker.io and debootstrap when missing, starts dockerd
# when its socket does not answer, and creates the local base image debian:bookworm-slim (no registry is needed).
# Idempotent; a second run only checks. When Docker cannot be made to work it says why, writes the reason to
# $ORWASM_DOCKER_MARKER (read by test/helpers/docker.ts so container tests skip visibly) and exits 0.
#
# Environment:
#   ORWASM_DEBIAN_MIRROR    Debian mirror for debootstrap (default: read from this machine's apt sources)
#   ORWASM_DOCKERD_TIMEOUT  seconds to wait for a started dockerd to answer (default 60)
#   ORWASM_CACHE_DIR        where the debootstrap root filesystem tarball is cached (default /var/cache/orwasm)
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE="debian:bookworm-slim"
SUITE="bookworm"
MARKER="${ORWASM_DOCKER_MARKER:-/tmp/orwasm-docker-unavailable}"
DOCKERD_LOG="/tmp/orwasm-dockerd.log"
TIMEOUT="${ORWASM_DOCKERD_TIMEOUT:-60}"
CACHE_DIR="${ORWASM_CACHE_DIR:-/var/cache/orwasm}"
# Bumped whenever the way the base is made changes: an older image or cached tarball is then remade.
BASE_REVISION=2
ROOTFS_TAR="$CACHE_DIR/debian-$SUITE-minbase-r$BASE_REVISION.tar"
T0=$(date +%s)

say() { echo "docker-up: $*" >&2; }
elapsed() { echo "$(($(date +%s) - T0))s"; }
# Gives up on Docker without failing the caller: the reason goes to the marker file and to stderr.
unavailable() {
  say "Docker is NOT available: $1"
  say "container tests will be skipped with this reason (marker: $MARKER)"
  printf '%s\n' "$1" >"$MARKER"
  exit 0
}
answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
SUDO=()
[ "$(id -u)" = 0 ] || SUDO=(sudo -n)
as_root() { "${SUDO[@]}" "$@"; }

# One run at a time (two test runs starting together must not both debootstrap or start a daemon).
exec 9>"/tmp/orwasm-docker-up.lock"
flock 9
rm -f "$MARKER"

# 1. Packages.
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker >/dev/null || need+=(docker.io)
if [ ${#need[@]} -gt 0 ]; then
  say "installing docker.io from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq || unavailable "apt-get update failed; cannot install docker.io"
  as_root apt-get install -y -qq docker.io >/dev/null || unavailable "apt-get install docker.io failed"
else
  say "docker.io present ($(command -v dockerd))"
fi

# 2. Daemon.
# Starts dockerd detached with the given extra flags and waits for it; returns 1 (daemon stopped) when it does not answer.
start_dockerd() {
  say "starting dockerd${*:+ $*} (log: $DOCKERD_LOG, waiting up to ${TIMEOUT}s)"
  # A pid file left by a daemon that died would make the new one refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    as_root rm -f /var/run/docker.pid
  fi
  : >"$DOCKERD_LOG"
  # Own session: the daemon outlives this script and the test run that called it.
  # fd 9 (the lock) is closed for it: a daemon holding the lock would make every later run of this script wait forever.
  "${SUDO[@]}" setsid dockerd "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  local i
  for ((i = 0; i < TIMEOUT; i++)); do
    answers && return 0
    ((i < 3)) || pgrep -x dockerd >/dev/null || break
    sleep 1
  done
  if [ -f /var/run/docker.pid ]; then as_root kill "$(cat /var/run/docker.pid)" 2>/dev/null || true; fi
  sleep 1
  return 1
}
log_tail() { tail -n 15 "$DOCKERD_LOG" | sed 's/^/  | /' >&2; }
# Error lines of the daemon log that mention $1.
log_errors_about() { grep -iE 'level=(error|fatal)|failed' "$DOCKERD_LOG" | grep -qiE "$1"; }

if answers; then
  say "dockerd answers ($(docker version --format '{{.Server.Version}}'))"
elif [ -n "${DOCKER_HOST:-}" ]; then
  unavailable "DOCKER_HOST=$DOCKER_HOST is set but does not answer; not starting a local dockerd"
else
  if ! start_dockerd; then
    say "dockerd did not come up; last lines of its log:"
    log_tail
    flags=()
    # Quirks seen on container/VM hosts: an nf_tables-less kernel (fall back to iptables-legacy) and a
    # filesystem overlay2 cannot stack on (fall back to vfs: slower, but works everywhere).
    if log_errors_about 'iptables|nf_tables' && [ -x /usr/sbin/iptables-legacy ]; then
      say "retrying with iptables-legacy"
      as_root update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null
      as_root update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null 2>&1 || true
    fi
    if log_errors_about 'overlay'; then
      say "retrying with --storage-driver=vfs"
      flags+=(--storage-driver=vfs)
    fi
    if ! start_dockerd "${flags[@]}"; then
      say "dockerd did not come up on retry; last lines of its log:"
      log_tail
      unavailable "dockerd does not start on this machine (see $DOCKERD_LOG): $(grep -iE 'level=(fatal|error)|failed' "$DOCKERD_LOG" | tail -n 1 | cut -c1-300)"
    fi
  fi
  say "dockerd up after $(elapsed) ($(docker info --format '{{.Driver}}') storage, cgroup v$(docker info --format '{{.CgroupVersion}}'))"
fi

# 3. Base image.
if have_revision=$(docker image inspect "$BASE_IMAGE" --format '{{index .Config.Labels "org.orwasm.base-revision"}}' 2>/dev/null); then
  present=yes
else
  present=no
fi
if [ "$present" = yes ] && [ "$have_revision" = "$BASE_REVISION" ]; then
  say "$BASE_IMAGE present"
elif [ "$present" = yes ] && { [ -z "$have_revision" ] || [ "$have_revision" = "<no value>" ]; }; then
  say "$BASE_IMAGE present (not made by this script; keeping it)"
else
  [ "$present" = no ] || say "$BASE_IMAGE is revision $have_revision; remaking it as revision $BASE_REVISION"
  # Tarballs of older revisions are never used again.
  for old in "$CACHE_DIR"/debian-"$SUITE"-minbase*.tar; do
    [ "$old" = "$ROOTFS_TAR" ] || [ ! -e "$old" ] || as_root rm -f "$old"
  done
  if [ ! -s "$ROOTFS_TAR" ]; then
    command -v debootstrap >/dev/null || {
      say "installing debootstrap from Debian's packages"
      as_root apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
        { as_root apt-get update -qq && as_root apt-get install -y -qq debootstrap >/dev/null; } ||
        unavailable "apt-get install debootstrap failed; cannot create $BASE_IMAGE"
    }
    mirror="${ORWASM_DEBIAN_MIRROR:-}"
    if [ -z "$mirror" ]; then
      mirror=$(node --import tsx scripts/debian-mirror.ts "$SUITE") ||
        unavailable "no Debian mirror for $SUITE found in apt sources; set ORWASM_DEBIAN_MIRROR to create $BASE_IMAGE"
    fi
    include=()
    # apt inside images needs CA certificates to verify an https mirror.
    case "$mirror" in https://*) include=(--include=ca-certificates) ;; esac
    as_root mkdir -p "$CACHE_DIR"
    rootfs=$(as_root mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
    say "debootstrap --variant=minbase $SUITE from the machine's apt mirror (about a minute)"
    if ! as_root debootstrap --variant=minbase "${include[@]}" "$SUITE" "$rootfs" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1; then
      tail -n 15 "$CACHE_DIR/debootstrap.log" | sed 's/^/  | /' >&2
      as_root rm -rf "$rootfs"
      unavailable "debootstrap of $SUITE failed (see $CACHE_DIR/debootstrap.log)"
    fi
    # Slim, as Debian's own -slim images: no docs, man pages or translations (now or from later installs),
    # no downloaded .debs or package lists (apt-get update inside a build fetches fresh lists).
    as_root tee "$rootfs/etc/dpkg/dpkg.cfg.d/orwasm-slim" >/dev/null <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
DPKG
    # ...and apt keeps neither downloaded .debs nor its binary caches (tens of MB per apt layer otherwise).
    as_root tee "$rootfs/etc/apt/apt.conf.d/orwasm-slim" >/dev/null <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
    as_root find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    as_root rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,locale}/* "$rootfs"/var/cache/apt/*.bin \
      "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
    as_root tar -C "$rootfs" -cf "$ROOTFS_TAR.tmp" .
    as_root mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    as_root rm -rf "$rootfs"
    say "root filesystem cached at $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
  else
    say "using cached root filesystem $ROOTFS_TAR"
  fi
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL org.orwasm.base-revision=$BASE_REVISION" \
    --message "debootstrap --variant=minbase $SUITE (orwasm scripts/docker-up.sh)" \
    - "$BASE_IMAGE" <"$ROOTFS_TAR" >/dev/null || unavailable "docker import of $ROOTFS_TAR failed"
  say "$BASE_IMAGE imported ($(docker image inspect "$BASE_IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
fi
say "ready in $(elapsed)"
