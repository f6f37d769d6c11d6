#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# bench/compat.sh [--releases "4.3 5.4 5.8 6.1"] [--save DIR]
#
# What each podman release gives a host, measured: for every release and every route it
# takes (AUTO, and each route forced), `podpull pull --json` of the fixture's OS image (a
# real Debian root file system in 48 gzip layers, tests/support/make-os-image.py) into a fresh
# overlay storage in memory (/dev/shm), and `podman pull` of the same image by the same
# release the same way, for comparison. Prints
# the table of docs/compatibility.md: per-blob bytes seen, blob sizes known when a blob
# starts, the whole-pull total when the first bytes came and at the end against the
# manifest, the bytes the result reports, whether the full image ID came back, which of
# retry and platform reached podman, and the time of each pull.
#
# Installs nothing but what scripts/podman-peers.sh makes; builds build-bench/ (Release);
# starts its own registry (tests/support/registry-up.sh) and removes everything on exit.
# About 10 minutes for all four releases. In memory and on overlay, a pull's time is podman's
# and the registry's, not the disk's: vfs copies the whole tree below every layer it applies,
# and removing such a storage from this machine's disk takes 30-50 s.
set -euo pipefail

usage() { sed -n '3,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
releases=""
save=""
while [ $# -gt 0 ]; do
    case "$1" in
    --releases) [ $# -ge 2 ] || { usage >&2; exit 2; }; releases=$2; shift 2 ;;
    --save) [ $# -ge 2 ] || { usage >&2; exit 2; }; save=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compat.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

bench=compat
# shellcheck source=bench/release_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/release_bench.sh"
save_extra=("$work/registry/os-image/os.json")
image=$PODPULL_TEST_OS_IMAGE

routes_of() { # the routes a release can take for a registry image
    case "$1" in
    4.3) echo "auto docker-compat libpod-text subprocess" ;;
    5.*) echo "auto libpod-compat docker-compat libpod-text subprocess" ;;
    *) echo "auto libpod-progress libpod-compat docker-compat libpod-text subprocess" ;;
    esac
}

for release in $releases; do
    key=${release//./_}
    podman_var=PODPULL_TEST_PODMAN_$key
    podman=${!podman_var}
    for route in $(routes_of "$release"); do
        run="$work/runs/$release-$route"
        mkdir -p "$run"
        log "podman $release, route $route: podpull pull $image"
        t0=$(now_ms)
        "$cli" pull --json -v --podman "$podman" --root "$storage/root" --runroot "$storage/run" \
            --storage-driver overlay --route "$route" --retry 2 --platform linux/amd64 \
            --env "CONTAINERS_CONF=$CONTAINERS_CONF" \
            --env "CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF" \
            "$image" >"$run/events.jsonl" 2>"$run/stderr.log" || true
        echo "$(($(now_ms) - t0))" >"$run/ms"
        drop_storage "$podman"
    done
    run="$work/runs/$release-podman"
    mkdir -p "$run"
    log "podman $release: podman pull $image"
    t0=$(now_ms)
    "$podman" --root "$storage/root" --runroot "$storage/run" --storage-driver overlay pull -q \
        "$image" >"$run/stdout" 2>"$run/stderr.log" || true
    echo "$(($(now_ms) - t0))" >"$run/ms"
    drop_storage "$podman"
done

python3 bench/compat_report.py "$work/runs" "$PODPULL_TEST_OS_MANIFEST" $releases \
    >"$work/table.md"
cat "$work/table.md"
