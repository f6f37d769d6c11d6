#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/support/private-run-containers.sh CMD [ARG...]
#
# Runs CMD in a private mount namespace in which /run/containers is an empty tmpfs of its own:
# for tests that write root's default auth file, /run/containers/0/auth.json, which podman and
# skopeo read when XDG_RUNTIME_DIR is unset (tests/integration/test_exact_credentials.cpp). The
# host's /run/containers is never touched: what CMD writes there is in that tmpfs, and goes
# with the namespace once CMD and its children have exited.
#
# Where the host has no /run/containers, none may be made there either, so /run itself becomes
# a tmpfs in the namespace, with each entry of the host's /run bound back at its name (a
# symlink copied): the test, podman, and the chroot launchers of scripts/podman-peers.sh (which
# rbind /run into the chroot, submounts and all) find everything there as before, and what they
# write into those entries reaches the host's as it would without the wrapper. Only a new name
# at the top of /run stays in the namespace.
#
# CMD gets PODPULL_HOST_MOUNT_NS, the mount namespace the wrapper was started in, to tell that
# it is not there: PID 1's namespace cannot always be read (not in this VM's sandbox, say).
# Needs root (CAP_SYS_ADMIN) and util-linux's unshare and mount.
set -eu
if [ $# -eq 0 ]; then
    echo "usage: private-run-containers.sh CMD [ARG...]" >&2
    exit 2
fi
host_ns=$(readlink /proc/self/ns/mnt)
# The script runs in the new namespace, so it is quoted whole: it expands there.
# shellcheck disable=SC2016
exec unshare --mount --propagation private -- /bin/sh -euc '
host_ns=$1
shift
if [ "$(readlink /proc/self/ns/mnt)" = "$host_ns" ]; then
    echo "private-run-containers.sh: unshare left us in the mount namespace of the host" >&2
    exit 1
fi
if [ ! -d /run/containers ] || [ -L /run/containers ]; then
    # The host'\''s /run stays reachable through fd 3 once the tmpfs covers it. mount -c: mount
    # would otherwise resolve /proc/PID/fd/3 to "/run", which then names the tmpfs; -n: nor
    # does it write its utab under the host'\''s /run/mount.
    exec 3</run
    old=/proc/$$/fd/3
    mount -n -t tmpfs -o "mode=$(stat -c %a /run),nosuid,nodev" podpull-run /run
    for entry in "$old"/* "$old"/.[!.]* "$old"/..?*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        name=${entry##*/}
        if [ -L "$entry" ]; then
            ln -s "$(readlink "$entry")" "/run/$name"
        elif [ -d "$entry" ]; then
            mkdir -p "/run/$name"
            mount -n -c --rbind "$entry" "/run/$name"
        else
            : >"/run/$name"
            mount -n -c --bind "$entry" "/run/$name"
        fi
    done
    exec 3<&-
    mkdir -m 0755 /run/containers
fi
mount -n -t tmpfs -o mode=0755,nosuid,nodev podpull-run-containers /run/containers
export PODPULL_HOST_MOUNT_NS="$host_ns"
exec "$@"
' private-run-containers.sh "$host_ns" "$@"
