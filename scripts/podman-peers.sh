#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# scripts/podman-peers.sh [--path RELEASE | --rootfs RELEASE | --list] [RELEASE...]
#
# The podman releases podpull is tested against, beside the host's own: each a Debian chroot
# made once with mmdebstrap from Debian's archive and kept on this machine (outside the repo),
# and a launcher that runs that release's podman on the host's paths.
#
#   release  Debian suite                   podman
#   4.3      the host (Debian 12)           /usr/bin/podman, nothing to build
#   5.4      trixie                         5.4.x
#   5.8      sid                            5.8.x
#   6.1      sid, podman from experimental  6.1.x
#
# With no argument it makes (or checks) every peer and prints a line per release: the
# version the launcher reports, and whether the chroot was reused or built. A release whose
# chroot cannot be built (the archive cannot be reached, or its suite no longer holds that
# release) fails the run with the reason; nothing is skipped.
#   --path RELEASE    print the release's podman (the launcher), making it first if needed
#   --rootfs RELEASE  print the release's root file system (a real Debian tree)
#   --list            print the releases, one per line
#
# The launcher (CACHE/RELEASE/podman) is what podpull is given as podman_path. It execs, in
# one process (so podman keeps the PID podpull forked, its PR_SET_PDEATHSIG, NOTIFY_SOCKET
# and the runroot at fd 3): unshare into a private mount namespace, where it makes the
# chroot a mount point (vfs refuses to apply layers otherwise), binds the host's /proc /sys
# /dev /run /tmp /var/tmp and every other top-level directory that is not part of the OS
# (/home, /root, /srv, /opt, /work, ...) at the same paths, mounts a cgroup2 hierarchy on
# /sys/fs/cgroup (podman 6 refuses cgroup v1), then chroots and execs podman. Everything it
# mounts lives in that namespace and is gone when podman exits. Inside, podman reads the
# chroot's own /etc/containers; a host passes its own configuration through CONTAINERS_*
# variables, as podpull's tests do.
#
# Environment: PODPULL_PEERS_DIR (default /var/cache/podpull/peers), PODPULL_DEBIAN_MIRROR
# (default http://deb.debian.org/debian). Needs root, mmdebstrap and util-linux's unshare
# (scripts/install-deps.sh installs them). Safe to run again and from several processes at
# once: a lock serializes them, and a chroot replaces the old one only once it is complete.
set -euo pipefail

cache=${PODPULL_PEERS_DIR:-/var/cache/podpull/peers}
mirror=${PODPULL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
releases=(4.3 5.4 5.8 6.1)
# Bump when the recipe changes, so that chroots made by an older recipe are rebuilt.
recipe_version=1

usage() { sed -n '3,37s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() {
    echo "podman-peers.sh: $*" >&2
    exit 1
}

known_release() {
    local r
    for r in "${releases[@]}"; do
        [ "$r" = "$1" ] && return 0
    done
    return 1
}

# The packages a peer needs to pull: podman and what it starts or checks for.
packages=ca-certificates,podman,crun,conmon,catatonit

# recipe RELEASE: the mmdebstrap arguments after the options (suite, target, sources), and
# any customize hook, as one string; also what the stamp file records.
recipe() {
    case "$1" in
    5.4) echo "trixie|$mirror trixie main|" ;;
    5.8) echo "sid|$mirror sid main|" ;;
    6.1) echo "sid|$mirror sid main;$mirror experimental main|experimental" ;;
    esac
}

write_launcher() { # write_launcher RELEASE ROOTFS FILE
    cat >"$3" <<EOF
#!/bin/sh
# podman $1 from the chroot $2, on the host's paths.
# Made by podpull's scripts/podman-peers.sh; see there for why each step is needed.
exec unshare --mount --propagation private -- /bin/sh -euc '
root=\$1
shift
mount --bind "\$root" "\$root"
for dir in /proc /sys /dev /run /tmp /var/tmp /var/lib/containers /*; do
    [ -d "\$dir" ] && [ ! -L "\$dir" ] || continue
    case "\$dir" in
    /bin | /boot | /etc | /lib | /lib32 | /lib64 | /libx32 | /sbin | /usr | /var | /lost+found) continue ;;
    /proc | /sys | /dev | /run | /tmp | /var/tmp | /var/lib/containers) ;;
    *) case "\$root" in "\$dir"/*) continue ;; esac ;;
    esac
    mountpoint -q "\$root\$dir" && continue
    mkdir -p "\$root\$dir"
    mount --rbind "\$dir" "\$root\$dir"
done
mount -t cgroup2 cgroup2 "\$root/sys/fs/cgroup"
exec chroot "\$root" /usr/bin/podman "\$@"
' podman-$1 '$2' "\$@"
EOF
    chmod 0755 "$3"
}

# build RELEASE: makes CACHE/RELEASE afresh. Output goes to CACHE/RELEASE.log.
build() {
    local release=$1 spec suite sources hook tmp args=()
    spec=$(recipe "$release")
    IFS='|' read -r suite sources hook <<<"$spec"
    tmp=$(mktemp -d "$cache/.build-$release.XXXXXX")
    args=(--variant=apt --mode=root --format=directory
        --aptopt='Acquire::Check-Valid-Until "false"'
        --aptopt='Acquire::Retries "3"'
        --include="$packages")
    if [ "$hook" = experimental ]; then
        args+=(--customize-hook='chroot "$1" apt-get install -y -q -t experimental podman')
    fi
    local source_lines=()
    IFS=';' read -r -a source_lines <<<"$sources"
    local -a deb_lines=()
    local line
    for line in "${source_lines[@]}"; do
        deb_lines+=("deb $line")
    done
    if ! mmdebstrap "${args[@]}" "$suite" "$tmp/rootfs" "${deb_lines[@]}" \
        >"$cache/$release.log" 2>&1; then
        rm -rf "$tmp"
        tail -n 20 "$cache/$release.log" >&2
        if grep -qiE 'could not resolve|failed to fetch|unable to connect|connection (failed|refused|timed out)|temporary failure' \
            "$cache/$release.log"; then
            die "podman $release: Debian's archive at $mirror cannot be reached (log: $cache/$release.log)"
        fi
        die "podman $release: mmdebstrap $suite failed (log: $cache/$release.log)"
    fi
    echo "$recipe_version $spec" >"$tmp/recipe"
    write_launcher "$release" "$cache/$release/rootfs" "$tmp/podman"
    rm -rf "$cache/$release.old"
    if [ -e "$cache/$release" ]; then
        mv "$cache/$release" "$cache/$release.old"
    fi
    mv "$tmp" "$cache/$release"
    rm -rf "$cache/$release.old"
}

# check RELEASE: the launcher runs and reports that release; prints the version line.
check() {
    local release=$1 version
    if ! version=$("$cache/$release/podman" --version 2>&1); then
        echo "podman-peers.sh: podman $release does not run: $version" >&2
        return 1
    fi
    case "$version" in
    "podman version $release".*) echo "$version" ;;
    *)
        echo "podman-peers.sh: the chroot for podman $release holds '$version' (its suite has moved on)" >&2
        return 1
        ;;
    esac
}

# ensure RELEASE: reuse a complete chroot of this recipe, else build one. Prints a report.
ensure() {
    local release=$1 start version stamp
    if [ "$release" = 4.3 ]; then
        version=$(/usr/bin/podman --version 2>&1) || die "podman 4.3: /usr/bin/podman does not run: $version"
        case "$version" in
        "podman version 4.3".*) ;;
        *) die "podman 4.3: the host has '$version', not 4.3 (scripts/install-deps.sh)" ;;
        esac
        echo "podman 4.3: $version (the host's /usr/bin/podman)"
        return
    fi
    stamp="$recipe_version $(recipe "$release")"
    if [ -f "$cache/$release/recipe" ] && [ "$(cat "$cache/$release/recipe")" = "$stamp" ] &&
        version=$(check "$release" 2>/dev/null); then
        echo "podman $release: $version (reused $cache/$release)"
        return
    fi
    start=$SECONDS
    build "$release"
    version=$(check "$release") || die "podman $release: the new chroot does not work"
    echo "podman $release: $version (built $cache/$release in $((SECONDS - start)) s)"
}

launcher_path() {
    if [ "$1" = 4.3 ]; then
        echo /usr/bin/podman
    else
        echo "$cache/$1/podman"
    fi
}

mode=make
case "${1:-}" in
-h | --help)
    usage
    exit 0
    ;;
--list)
    printf '%s\n' "${releases[@]}"
    exit 0
    ;;
--path | --rootfs)
    [ $# -eq 2 ] || die "$1 takes one release"
    mode=${1#--}
    shift
    ;;
esac

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${releases[@]}")
for r in "${wanted[@]}"; do
    known_release "$r" || die "unknown release '$r' (known: ${releases[*]})"
done

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap and the launchers' mounts need it)"
for tool in mmdebstrap unshare mountpoint chroot flock; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed (scripts/install-deps.sh)"
done
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ "$mode" = make ]; then
    # The chroots are built at once: each spends most of its time waiting on the archive.
    declare -A pids=() outputs=()
    failed=0
    for r in "${wanted[@]}"; do
        outputs[$r]=$(mktemp)
        ensure "$r" >"${outputs[$r]}" 2>&1 &
        pids[$r]=$!
    done
    for r in "${wanted[@]}"; do
        wait "${pids[$r]}" || failed=1
        cat "${outputs[$r]}"
        rm -f "${outputs[$r]}"
    done
    exit "$failed"
fi

release=${wanted[0]}
if [ "$mode" = path ]; then
    ensure "$release" >&2
    launcher_path "$release"
else
    [ "$release" != 4.3 ] || die "--rootfs: 4.3 is the host itself"
    [ -f "$cache/$release/recipe" ] || die "podman $release has no chroot yet (run scripts/podman-peers.sh)"
    echo "$cache/$release/rootfs"
fi
