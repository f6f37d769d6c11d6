#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# registry-down.sh [--storage-only] STATE_DIR
#
# Undoes registry-up.sh: stops the registries and the proxy it started (pid files, each
# checked to still be what it was), removes the private podman storage and then STATE_DIR
# itself, with the test CA, keys and password in STATE_DIR/tls.
# --storage-only removes just the private podman storage (registry-up.sh uses it once the
# images are pushed). Safe to run twice, on a half-built state dir, or on none.
set -euo pipefail

storage_only=0
if [ "${1:-}" = "--storage-only" ]; then
    storage_only=1
    shift
fi
if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 [--storage-only] STATE_DIR" >&2
    exit 2
fi
state=$(realpath -m -- "$1")
marker=.podpull-test-state

if [ ! -e "$state" ]; then
    exit 0
fi
if [ ! -f "$state/$marker" ]; then
    echo "registry-down.sh: $state is not a podpull test state dir (no $marker); not touching it" >&2
    exit 1
fi

# Anything mounted below STATE_DIR (vfs mounts nothing, but a different driver or a crashed
# podman could leave one): unmount deepest first, so rm -rf never descends into a mount.
unmount_below() {
    local dir=$1
    local mounts
    mounts=$(awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    if [ -n "$mounts" ]; then
        while IFS= read -r m; do
            umount -l -- "$m" 2>/dev/null || true
        done <<<"$mounts"
    fi
}

# The build storages' runroots, when registry-up.sh had to put them outside STATE_DIR (its
# path was too long for podman's 50-character runroot limit): STATE_DIR/runroots names them.
outside_runroots=""
if [ -f "$state/runroots" ]; then
    outside_runroots=$(cat "$state/runroots")
    case "$outside_runroots" in
    /tmp/podpull-rr.??????) ;;
    *)
        echo "registry-down.sh: $state/runroots names '$outside_runroots'; not touching it" >&2
        outside_runroots=""
        ;;
    esac
fi

remove_storage() {
    local d
    for d in "$state"/storage* "$state"/run-storage*; do
        [ -e "$d" ] || continue
        unmount_below "$d"
        rm -rf -- "$d"
    done
    if [ -n "$outside_runroots" ] && [ -d "$outside_runroots" ]; then
        unmount_below "$outside_runroots"
        rm -rf -- "$outside_runroots"
    fi
    rm -rf -- "$state/ctx-test" "$state/ctx-big" "$state/ctx-derived" "$state"/ctx-distinct-*
}

if [ "$storage_only" -eq 1 ]; then
    remove_storage
    exit 0
fi

# alive PID WORD: PID runs (not a zombie) and its command line still holds WORD (so a pid
# reused since registry-up.sh is never killed).
alive() {
    local pid=$1 word=$2 st
    [ -r "/proc/$pid/stat" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$word" || return 1
    st=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != "Z" ] && [ "$st" != "X" ]
}

# stop PIDFILE WORD: SIGTERM, up to 5 s, then SIGKILL. The processes were started in their
# own session by registry-up.sh and have since been reparented, so poll /proc for them.
failed=0
# signal_and_wait SIGNAL PID WORD: sends the signal, then waits up to 5 s for PID to be gone.
signal_and_wait() {
    kill "-$1" "$2" 2>/dev/null || true
    for _ in $(seq 1 50); do
        alive "$2" "$3" || break
        sleep 0.1
    done
}
stop() {
    local pidfile=$1 word=$2 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" "$word"; then
        signal_and_wait TERM "$pid" "$word"
        if alive "$pid" "$word"; then
            echo "registry-down.sh: $word ($pid) ignored SIGTERM; killing it" >&2
            signal_and_wait KILL "$pid" "$word"
        fi
        if alive "$pid" "$word"; then
            echo "registry-down.sh: $word ($pid) is still running" >&2
            failed=1
            return 0
        fi
    fi
    rm -f "$pidfile"
}
stop "$state/proxy.pid" throttle-proxy.py
stop "$state/registry.pid" docker-registry
stop "$state/auth-registry.pid" docker-registry
if [ "$failed" -ne 0 ]; then
    exit 1
fi

# Sandboxes of tests that were killed before they could remove them (each test registers its
# temporary directory in STATE_DIR/sandboxes and marks it with .podpull-sandbox).
if [ -f "$state/sandboxes" ]; then
    while IFS= read -r box; do
        if [ -n "$box" ] && [ -f "$box/.podpull-sandbox" ]; then
            echo "registry-down.sh: removing the sandbox $box left by a killed test"
            unmount_below "$box"
            rm -rf -- "$box"
        fi
    done <"$state/sandboxes"
fi

remove_storage
unmount_below "$state"
rm -rf -- "$state"
