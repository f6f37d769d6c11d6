#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/packaging/debian-install.sh DEB_DIR SOURCE_DIR
#
# Installs podpull's Debian packages (scripts/build-debs.sh makes them) into a fresh Debian 12
# chroot and uses them there as their users will:
#   - apt-get installs the three .deb files of DEB_DIR (libpodpull1, libpodpull-dev,
#     podpull), their Depends resolved from Debian's archive (Recommends left out: podman);
#   - the library resolves every NEEDED entry (ldd) and pkg-config reports its version;
#   - a C host (SOURCE_DIR/tests/packaging/consumer/consumer.c) is compiled with
#     `pkg-config --cflags --libs podpull` and run, and the same host built with CMake's
#     find_package(podpull) (its CMakeLists.txt) and run, both against the system paths only;
#   - `podpull --version` reports the packages' version, and podpull(1) is installed where
#     man finds it (`man -w podpull`).
# Nothing of this machine reaches the chroot but those .deb files, the two host sources, the
# check script below and, so that apt can reach the archive, /etc/resolv.conf (as mmdebstrap
# itself copies it). The chroot lives in a temporary directory; its only mount (/proc) is made
# in a private mount namespace, so it cannot outlive the test, and the directory is removed on
# every exit.
#
# tests/packaging/debian-install.sh --prepare only makes (or checks) the cached base below,
# so that a caller can have it made while the packages build.
#
# The base chroot (bookworm, variant apt, plus a compiler, CMake, make, pkgconf and man-db) is
# made by mmdebstrap, at the lowest priority, and kept as a tarball under
# /var/cache/podpull/debian-install/ keyed by its recipe (a version below, the mirror and the
# packages) and remade once a week; the packages themselves are always installed afresh.
# Environment: PODPULL_DEBIAN_MIRROR (default http://deb.debian.org/debian);
# PODPULL_DEBIAN_INSTALL_CACHE=0 makes the base afresh in the temporary directory and keeps
# nothing; PODPULL_DEBIAN_INSTALL_CACHE_DIR overrides the cache's place. Needs root,
# mmdebstrap, unshare and flock.
set -euo pipefail

usage() { sed -n '3,31s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
say() { echo "debian-install.sh: $*"; }
die() {
    echo "debian-install.sh: FAIL: $*" >&2
    exit 1
}

prepare_only=0
case "${1:-}" in
-h | --help)
    usage
    exit 0
    ;;
--prepare)
    [ $# -eq 1 ] || die "--prepare takes no argument"
    prepare_only=1
    ;;
*)
    [ $# -eq 2 ] || {
        usage >&2
        exit 2
    }
    deb_dir=$(cd "$1" && pwd) || die "no directory $1"
    source_dir=$(cd "$2" && pwd) || die "no directory $2"
    ;;
esac

mirror=${PODPULL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
use_cache=${PODPULL_DEBIAN_INSTALL_CACHE:-1}
cache=${PODPULL_DEBIAN_INSTALL_CACHE_DIR:-/var/cache/podpull/debian-install}
max_age_days=7
suite=bookworm
# What a host needs to build against the packages and read the man page: the packages'
# own Depends come from the archive when they are installed, not from here.
base_packages=gcc,libc6-dev,cmake,make,pkgconf,man-db
# Bump when the base's recipe changes, so that a cached base of an older one is remade.
recipe_version=1

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap --mode=root, chroot)"
for tool in mmdebstrap unshare chroot flock dpkg-deb findmnt; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed (scripts/install-deps.sh)"
done

if [ "$prepare_only" -eq 1 ] && [ "$use_cache" = 0 ]; then
    die "--prepare makes the cached base; PODPULL_DEBIAN_INSTALL_CACHE=0 keeps none"
fi

# The packages: exactly one of each, all of one version.
debs=()
version=""
for p in libpodpull1 libpodpull-dev podpull; do
    [ "$prepare_only" -eq 0 ] || break
    mapfile -t found < <(find "$deb_dir" -maxdepth 1 -name "${p}_*.deb" | sort)
    [ "${#found[@]}" -eq 1 ] || die "$deb_dir holds ${#found[@]} ${p}_*.deb files, not 1"
    [ "$(dpkg-deb -f "${found[0]}" Package)" = "$p" ] || die "${found[0]} is not package $p"
    v=$(dpkg-deb -f "${found[0]}" Version)
    [ -z "$version" ] || [ "$v" = "$version" ] || die "${found[0]} is $v, the others $version"
    version=$v
    debs+=("${found[0]}")
done
upstream=${version%-*}
if [ "$prepare_only" -eq 0 ]; then
    consumer="$source_dir/tests/packaging/consumer"
    if [ ! -f "$consumer/consumer.c" ] || [ ! -f "$consumer/CMakeLists.txt" ]; then
        die "$consumer has no consumer.c and CMakeLists.txt"
    fi
    say "packages $version: ${debs[*]##*/}"
fi

start=$SECONDS
tmp=$(mktemp -d /tmp/podpull-debian-install.XXXXXX)
child=""
cleanup() {
    local status=$? m
    if [ -n "$child" ]; then
        kill "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    # The /proc mount lives in the namespace of the unshare below and ends with it; should
    # anything under the directory still be mounted here, it is unmounted before removal.
    while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done < <(findmnt -rno TARGET | grep -F "$tmp/" | sort -r || true)
    rm -rf --one-file-system "$tmp"
    if [ "$status" -ne 0 ]; then
        echo "debian-install.sh: FAILED after $((SECONDS - start)) s (exit $status)" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# make_base TARBALL: a bookworm chroot of the recipe above, packed; output to TARBALL.log.
make_base() {
    local tarball=$1
    # shellcheck disable=SC2016 # $1 is the hook's argument, the chroot, for mmdebstrap
    if ! nice -n 19 mmdebstrap --variant=apt --mode=root --format=tar \
        --aptopt='Acquire::Retries "3"' \
        --include="$base_packages" \
        --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
        "$suite" "$tarball.tmp" "deb $mirror $suite main" >"$tarball.log" 2>&1; then
        rm -f "$tarball.tmp"
        tail -n 20 "$tarball.log" >&2
        die "mmdebstrap $suite from $mirror failed (log: $tarball.log)"
    fi
    mv "$tarball.tmp" "$tarball"
}

recipe="$recipe_version $suite $mirror $base_packages"
base_start=$SECONDS
if [ "$use_cache" = 0 ]; then
    say "making the base chroot ($suite, $mirror) with mmdebstrap, not cached"
    make_base "$tmp/base.tar"
    base="$tmp/base.tar"
    say "base made in $((SECONDS - base_start)) s"
else
    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9
    key=$(printf '%s' "$recipe" | sha256sum | cut -c1-16)
    base="$cache/$suite-$key.tar"
    if [ -f "$base" ] && [ "$(cat "$base.recipe" 2>/dev/null)" = "$recipe" ] &&
        [ -n "$(find "$base" -mtime -"$max_age_days")" ]; then
        say "reusing the base chroot $base (made $(date -r "$base" '+%F %T'))"
    else
        say "making the base chroot ($suite, $mirror) with mmdebstrap into $base"
        rm -f "$cache/$suite"-*.tar "$cache/$suite"-*.tar.recipe "$cache/$suite"-*.tar.log
        make_base "$base"
        printf '%s\n' "$recipe" >"$base.recipe"
        say "base made in $((SECONDS - base_start)) s"
    fi
fi

if [ "$prepare_only" -eq 1 ]; then
    say "base ready: $base ($((SECONDS - start)) s)"
    exit 0
fi

root="$tmp/rootfs"
mkdir "$root"
tar -C "$root" -xpf "$base"
[ "$use_cache" = 0 ] && rm -f "$tmp/base.tar"
[ -n "$(ls -A "$root/dev" 2>/dev/null)" ] || die "the base has no device nodes in /dev"
say "chroot ready at $root after $((SECONDS - start)) s"

work="$root/tmp/podpull-install-test"
mkdir -p "$work/debs" "$work/consumer"
cp "${debs[@]}" "$work/debs/"
cp "$consumer/consumer.c" "$consumer/CMakeLists.txt" "$work/consumer/"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# What runs inside the chroot. Each step says what it does; the first failure ends it.
cat >"$work/check.sh" <<'CHECK'
#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
set -eu
upstream=$1
cd /tmp/podpull-install-test
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
step() { echo "  [chroot] $*"; }
fail() {
    echo "  [chroot] FAIL: $*" >&2
    exit 1
}

step "apt-get update"
apt-get update -q </dev/null >apt.log 2>&1 || { cat apt.log >&2; fail "apt-get update"; }
step "apt-get install ./debs/*.deb (Depends from the archive, no Recommends)"
apt-get install -y -q --no-install-recommends ./debs/*.deb </dev/null >apt.log 2>&1 ||
    { cat apt.log >&2; fail "apt-get install"; }
sed -n 's/^Setting up /    /p' apt.log
for p in libpodpull1 libpodpull-dev podpull; do
    status=$(dpkg-query -W -f '${Status} ${Version}' "$p")
    case "$status" in
    "install ok installed "*) step "$p: ${status#install ok installed }" ;;
    *) fail "$p is '$status'" ;;
    esac
done

lib=$(dpkg -L libpodpull1 | grep '/libpodpull\.so\.1$') || fail "libpodpull1 has no libpodpull.so.1"
step "ldd $lib"
ldd "$lib" | sed 's/^/    /'
! ldd "$lib" | grep -q 'not found' || fail "$lib has an unresolved NEEDED entry"
pc=$(pkg-config --modversion podpull) || fail "pkg-config does not know podpull"
[ "$pc" = "$upstream" ] || fail "pkg-config says podpull $pc, the packages $upstream"
step "pkg-config --modversion podpull: $pc"

flags=$(pkg-config --cflags --libs podpull)
step "cc -std=c99 -Wall -Werror consumer.c $flags"
# shellcheck disable=SC2086
cc -std=c99 -Wall -Werror -o consumer-pc consumer/consumer.c $flags
./consumer-pc | sed 's/^/    /'

step "cmake find_package(podpull), build and run"
cmake -S consumer -B consumer-cmake >cmake.log 2>&1 || { cat cmake.log >&2; fail "cmake configure"; }
cmake --build consumer-cmake >>cmake.log 2>&1 || { cat cmake.log >&2; fail "cmake --build"; }
grep -o 'podpull_DIR[^ ]*' consumer-cmake/CMakeCache.txt | sed 's/^/    /' || true
./consumer-cmake/consumer | sed 's/^/    /'

out=$(podpull --version) || fail "podpull --version failed"
step "podpull --version: $out"
[ "$out" = "podpull $upstream (libpodpull ABI 1)" ] || fail "podpull --version: '$out'"

page=$(dpkg -L podpull | grep '^/usr/share/man/man1/podpull\.1') ||
    fail "the podpull package holds no podpull(1) in /usr/share/man/man1"
[ -f "$page" ] || fail "$page is not a file"
found=$(man -w podpull) || fail "man -w podpull finds no page"
[ "$found" = "$page" ] || fail "man -w podpull finds $found, not $page"
step "man -w podpull: $found"
man -P cat podpull 2>/dev/null | head -n 4 | sed 's/^/    /' || true
echo "  [chroot] all checks passed"
CHECK
chmod 0755 "$work/check.sh"

say "installing and checking inside the chroot"
# In the background, so that a signal to this script reaches cleanup at once; --kill-child
# ends whatever runs in the chroot when unshare is ended.
# shellcheck disable=SC2016 # the inner script's $1 and $2 are its own arguments
unshare --mount --propagation private --fork --kill-child -- /bin/sh -euc '
    root=$1
    upstream=$2
    mount -t proc proc "$root/proc"
    exec chroot "$root" /tmp/podpull-install-test/check.sh "$upstream"
' debian-install "$root" "$upstream" &
child=$!
check_status=0
wait "$child" || check_status=$?
child=""
[ "$check_status" -eq 0 ] || die "the packages do not install or work in a fresh Debian 12 (above)"
say "PASS: podpull $version installs on $suite and serves C, pkg-config and CMake hosts" \
    "($((SECONDS - start)) s)"
