#!/usr/bin/env bash
# The README's main job: on a fresh Debian 12 machine, install what podpull needs, build it,
# start a local registry on 127.0.0.1 holding a generated multi-layer image, and pull that
# image through podpull (a private podman service on a throw-away vfs storage) with the
# example host, which prints every event as it arrives. Everything is removed at the end,
# also on Ctrl-C.
#
#   scripts/demo.sh                 # pull the generated image
#   PODPULL_DEMO_IMAGE=REF scripts/demo.sh   # pull REF instead (any reference podpull takes)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target podpull-print-events

work=$(mktemp -d /tmp/podpull-demo.XXXXXX)
cleanup() {
    if [ -f "$work/registry/env" ] || [ -d "$work/registry" ]; then
        bash tests/support/registry-down.sh "$work/registry" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tls_flag=()
if [ -n "${PODPULL_DEMO_IMAGE:-}" ]; then
    image=$PODPULL_DEMO_IMAGE
else
    echo "== starting a local registry with a generated image"
    bash tests/support/registry-up.sh "$work/registry"
    # shellcheck disable=SC1091
    source "$work/registry/env"
    image=$PODPULL_TEST_IMAGE
    tls_flag=(--tls-verify=false) # the local registry speaks plain HTTP
fi

echo "== pulling $image through podpull"
build/examples/podpull-print-events --root "$work/storage" --runroot "$work/run" \
    --storage-driver vfs "${tls_flag[@]}" "$image"
