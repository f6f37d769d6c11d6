#!/usr/bin/env bash
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

usage() { sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
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

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
log() { printf '== %s\n' "$*" >&2; }
fail() { printf 'compat.sh: %s\n' "$*" >&2; exit 1; }

[ -n "$releases" ] || releases=$(bash scripts/podman-peers.sh --list | tr '\n' ' ')
log "podman releases: $releases"
bash scripts/podman-peers.sh $releases >&2

build=build-bench
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODPULL_BUILD_TESTS=OFF >&2
fi
cmake --build "$build" -j2 --target podpull-cli >&2
cli=$repo/$build/tools/podpull/podpull

work=$(mktemp -d /tmp/ppcompat.XXXXXX)
storage=$(mktemp -d /dev/shm/ppcompat.XXXXXX) # the pulls' storage, in memory
cleanup() {
    if [ -n "$save" ] && [ -d "$work/runs" ]; then
        mkdir -p "$save"
        cp -r "$work/runs" "$save/"
        [ -f "$work/table.md" ] && cp "$work/table.md" "$save/"
        [ -f "$work/registry/os-image/os.json" ] && cp "$work/registry/os-image/os.json" "$save/"
    fi
    if [ -d "$work/registry" ]; then
        bash tests/support/registry-down.sh "$work/registry" >/dev/null 2>&1 || true
    fi
    findmnt -rn -o TARGET | grep "^$storage/" | sort -r | xargs -r -n1 umount -l || true
    rm -rf "$work" "$storage"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting a private registry with the OS image (tests/support/registry-up.sh)"
PODPULL_FIXTURE_RELEASES=$releases bash tests/support/registry-up.sh "$work/registry" \
    >"$work/registry-up.log" 2>&1 || { cat "$work/registry-up.log" >&2; fail "no registry"; }
# shellcheck disable=SC1091
source "$work/registry/env"
export CONTAINERS_CONF=$PODPULL_TEST_CONTAINERS_CONF
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR" "$work/runs"
# Plain HTTP, declared insecure with TLS verification left on: every route can take the pull.
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$PODPULL_TEST_REGISTRY" \
    >"$work/registries.conf"
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf
image=$PODPULL_TEST_OS_IMAGE

routes_of() { # the routes a release can take for a registry image
    case "$1" in
    4.3) echo "auto docker-compat libpod-text subprocess" ;;
    5.*) echo "auto libpod-compat docker-compat libpod-text subprocess" ;;
    *) echo "auto libpod-progress libpod-compat docker-compat libpod-text subprocess" ;;
    esac
}

now_ms() { date +%s%3N; }
# drop_storage PODMAN: empties the storage for the next pull. podman 4.3.1 leaves the overlay
# home mounted when its service stops; its next command unmounts it. (The chroot releases
# mount in their launcher's own mount namespace, which goes with the process.)
drop_storage() {
    "$1" --root "$storage/root" --runroot "$storage/run" --storage-driver overlay images -q \
        >/dev/null 2>&1 || true
    findmnt -rn -o TARGET | grep "^$storage/" | sort -r | xargs -r -n1 umount -l || true
    rm -rf "${storage:?}"/*
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
