#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# The README's main job: on a fresh Debian 12 machine, install what podpull needs, build it,
# start a local registry on 127.0.0.1 holding generated images, and pull a 350 MB one of four
# layers through the registry's rate-limiting relay (~16 MiB/s a connection, about ten
# seconds) with `podpull pull` (a private
# podman service on a throw-away vfs storage), which shows live per-blob and whole-pull byte
# progress on a terminal (plain lines in a pipe). Everything is removed at the end, also on
# Ctrl-C.
#
#   scripts/demo.sh                 # pull the generated image
#   PODPULL_PODMAN=6.1 scripts/demo.sh       # the same through podman 6.1 (LIBPOD_PROGRESS)
#   PODPULL_DEMO_IMAGE=REF scripts/demo.sh   # pull REF instead (any reference podpull takes)
# PODPULL_PODMAN names the podman release: 4.3 (the host's, the default), 5.4, 5.8 or 6.1,
# each made once on this machine by scripts/podman-peers.sh (a Debian chroot; a few minutes
# the first time). Each takes its own route: DOCKER_COMPAT on 4.3, LIBPOD_COMPAT on 5.x,
# LIBPOD_PROGRESS (per-blob bytes, what bootc shows) on 6.1.
# Environment: PODPULL_SKIP_DEPS=1 skips installing packages; PODPULL_BUILD_DIR=DIR builds
# in DIR instead of build/.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

build=${PODPULL_BUILD_DIR:-build}
if [ "${PODPULL_SKIP_DEPS:-0}" != "1" ]; then
    bash scripts/install-deps.sh
fi
if [ -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" >/dev/null # keep the directory's own configuration
else
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 --target podpull-cli

release=${PODPULL_PODMAN:-4.3}
podman=$(bash scripts/podman-peers.sh --path "$release")

work=$(mktemp -d /tmp/podpull-demo.XXXXXX)
cleanup() {
    if [ -f "$work/registry/env" ] || [ -d "$work/registry" ]; then
        bash tests/support/registry-down.sh "$work/registry" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

podpull_args=(--podman "$podman" --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
if [ -n "${PODPULL_DEMO_IMAGE:-}" ]; then
    image=$PODPULL_DEMO_IMAGE
else
    echo "== starting a local registry with generated images"
    PODPULL_FIXTURE_DEMO_IMAGE=1 PODPULL_FIXTURE_OS_IMAGE=0 PODPULL_FIXTURE_RELEASES=$release \
        bash tests/support/registry-up.sh "$work/registry" \
        >"$work/registry-up.log" 2>&1 || {
        cat "$work/registry-up.log" >&2
        exit 1
    }
    # shellcheck disable=SC1091
    source "$work/registry/env"
    image=$PODPULL_TEST_DEMO_IMAGE
    # The relay speaks plain HTTP. Declaring it insecure in a registries.conf the service
    # reads (instead of --tls-verify=false) keeps podman 4.3.1 on a route with byte progress
    # (DOCKER_COMPAT); the fixture's containers.conf keeps podman's runtime state in $work.
    printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$PODPULL_TEST_SLOW_REGISTRY" \
        >"$work/registries.conf"
    podpull_args+=(--env "CONTAINERS_CONF=$PODPULL_TEST_CONTAINERS_CONF"
        --env "CONTAINERS_REGISTRIES_CONF=$work/registries.conf")
fi

echo "== pulling $image with podpull pull through podman $("$podman" --version | cut -d' ' -f3)"
"$build/tools/podpull/podpull" pull "${podpull_args[@]}" "$image"
