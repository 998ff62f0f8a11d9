#!/usr/bin/env bash
# Runs the README's two commands on a fresh, minimal Debian 12, as a new user would: bootstraps
# Debian 12 (debootstrap --variant=minbase bookworm, then git and ca-certificates, nothing else)
# into a folder, clones this repository into it and runs `bash tools/run-main.sh` and
# `bash tools/run-tests.sh` inside (chroot, with /proc, /sys and /dev bound), then prints each exit
# status and the test summary line. The bootstrapped system is cached as a tarball between runs;
# every run unpacks a new copy, so nothing of an earlier run is left in it.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run as root: bash tools/fresh-check.sh [--commit REV] [--keep]
#   --commit REV  clone and check out REV (default: HEAD of this checkout; commit first)
#   --keep        keep the unpacked system afterwards (it is removed otherwise)
# Environment: GZ_FRESH_DIR (default /var/tmp/gz-fresh-check) holds the cache and the system;
#   GZ_FRESH_MIRROR overrides the Debian mirror (default: the one apt is configured with).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
base=${GZ_FRESH_DIR:-/var/tmp/gz-fresh-check}
rev=HEAD
keep=false
while [ $# -gt 0 ]; do
  case $1 in
    --commit) rev=${2:?--commit needs a revision}; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,14p' "$0" | grep -v SPDX | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-check: must run as root (debootstrap and chroot need it): sudo bash $0" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null; then
  echo "Installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
    || { echo "fresh-check: cannot install debootstrap" >&2; exit 2; }
fi

# The Debian mirror apt uses here (deb822 first, then the one-line form).
mirror=${GZ_FRESH_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
             | grep -m1 '/debian/\?$' || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -m1 '/debian/\?$' \
             || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$base"
tarball=$base/bookworm-minbase.tar
if [ ! -s "$tarball" ]; then
  echo "=== bootstrapping Debian 12 (minbase) from $mirror into the cache ==="
  rm -rf "$base/bootstrap"
  debootstrap --variant=minbase --include=git,ca-certificates bookworm "$base/bootstrap" \
    "$mirror" >"$base/debootstrap.log" 2>&1 \
    || { echo "fresh-check: debootstrap failed, see $base/debootstrap.log" >&2; exit 2; }
  # A fresh machine also has the updates and security suites.
  security=${mirror%/debian*}/debian-security
  cat >"$base/bootstrap/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
  rm -rf "$base/bootstrap/var/cache/apt/archives/"*.deb
  tar -C "$base/bootstrap" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$base/bootstrap"
fi

sys=$base/system
mounted=()
cleanup () {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" 2>/dev/null
  done
  if [ "$keep" = false ]; then
    rm -rf "$sys"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$sys"
mkdir -p "$sys"
tar -C "$sys" -xf "$tarball" || { echo "fresh-check: cannot unpack $tarball" >&2; exit 2; }
cp /etc/resolv.conf "$sys/etc/resolv.conf" 2>/dev/null

commit=$(git -C "$root" rev-parse --verify "$rev^{commit}") \
  || { echo "fresh-check: '$rev' is not a commit of $root" >&2; exit 2; }
if [ "$rev" = HEAD ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-check: note: uncommitted changes are not checked, only $commit"
fi
git clone -q --no-hardlinks "$root" "$sys/root/gz" && git -C "$sys/root/gz" checkout -q "$commit" \
  || { echo "fresh-check: cannot clone $root" >&2; exit 2; }

for m in proc sys dev dev/pts; do
  mkdir -p "$sys/$m"
  mount --bind "/$m" "$sys/$m" && mounted+=("$sys/$m")
done
mkdir -p "$sys/dev/shm"

inside () {
  chroot "$sys" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/gz && $1"
}

echo "=== fresh Debian 12 at $sys, commit $commit ==="
inside 'bash tools/run-main.sh' >"$base/run-main.log" 2>&1
main_status=$?
echo "bash tools/run-main.sh: exit $main_status (log: $base/run-main.log)"
inside 'bash tools/run-tests.sh' >"$base/run-tests.log" 2>&1
tests_status=$?
echo "bash tools/run-tests.sh: exit $tests_status (log: $base/run-tests.log)"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$base/run-tests.log" | tail -n 1
if [ "$tests_status" -ne 0 ]; then
  grep -E '^(not ok|FAIL|.*failed:)' "$base/run-tests.log" | head -n 40
fi
[ "$main_status" -eq 0 ] && [ "$tests_status" -eq 0 ]
