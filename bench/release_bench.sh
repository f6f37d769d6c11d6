# SPDX-License-Identifier: MIT OR Apache-2.0
# Sourced by the benches that run every podman release against the fixture's registry
# (bench/compat.sh, bench/many.sh): what they share, set up and torn down the same way.
#
# Before sourcing: `bench` (the script's name, for messages and temporary names), `releases`
# (empty: every release scripts/podman-peers.sh makes) and `save` (empty: keep nothing). It
# makes the releases, builds the podpull command in build-bench/ (Release), starts a registry
# with the fixture's images (tests/support/registry-up.sh, the OS images included) and makes
# an empty storage in memory. It leaves: `repo` (the working directory), `cli`, `work`,
# `storage`, the registry's env variables, CONTAINERS_CONF, CONTAINERS_REGISTRIES_CONF (both
# of the fixture's registries plain HTTP, declared insecure with TLS verification left on, so
# every route can take a pull) and TMPDIR; the functions log, fail, now_ms and drop_storage.
# On exit everything is removed; with `save`, $work/runs, $work/table.md and the files the
# script lists in `save_extra` are kept there first.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
log() { printf '== %s\n' "$*" >&2; }
fail() { printf '%s: %s\n' "$bench" "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

[ -n "$releases" ] || releases=$(bash scripts/podman-peers.sh --list | tr '\n' ' ')
log "podman releases: $releases"
bash scripts/podman-peers.sh $releases >&2

build=build-bench
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODPULL_BUILD_TESTS=OFF >&2
fi
cmake --build "$build" -j2 --target podpull-cli >&2
cli=$repo/$build/tools/podpull/podpull

work=$(mktemp -d "/tmp/pp$bench.XXXXXX")
storage=$(mktemp -d "/dev/shm/pp$bench.XXXXXX") # the pulls' storage, in memory
save_extra=()
cleanup() {
    if [ -n "$save" ] && [ -d "$work/runs" ]; then
        mkdir -p "$save"
        cp -r "$work/runs" "$save/"
        for f in "$work/table.md" "${save_extra[@]}"; do
            [ -f "$f" ] && cp "$f" "$save/"
        done
    fi
    if [ -d "$work/registry" ]; then
        bash tests/support/registry-down.sh "$work/registry" >/dev/null 2>&1 || true
    fi
    findmnt -rn -o TARGET | grep "^$storage/" | sort -r | xargs -r -n1 umount -l || true
    rm -rf "$work" "$storage"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting a private registry with the OS images (tests/support/registry-up.sh)"
PODPULL_FIXTURE_RELEASES=$releases bash tests/support/registry-up.sh "$work/registry" \
    >"$work/registry-up.log" 2>&1 || { cat "$work/registry-up.log" >&2; fail "no registry"; }
# shellcheck disable=SC1091
source "$work/registry/env"
export CONTAINERS_CONF=$PODPULL_TEST_CONTAINERS_CONF
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR" "$work/runs"
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' \
    "$PODPULL_TEST_REGISTRY" "$PODPULL_TEST_SLOW_REGISTRY" >"$work/registries.conf"
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf

# drop_storage PODMAN: empties the storage for the next pull. podman 4.3.1 leaves the overlay
# home mounted when its service stops; its next command unmounts it. (The chroot releases
# mount in their launcher's own mount namespace, which goes with the process.)
drop_storage() {
    "$1" --root "$storage/root" --runroot "$storage/run" --storage-driver overlay images -q \
        >/dev/null 2>&1 || true
    findmnt -rn -o TARGET | grep "^$storage/" | sort -r | xargs -r -n1 umount -l || true
    rm -rf "${storage:?}"/*
}
