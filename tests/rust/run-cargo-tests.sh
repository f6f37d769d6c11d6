#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/rust/run-cargo-tests.sh BUILD_DIR SOURCE_DIR [CARGO [TEST]] - the Rust bindings, the
# workspace bindings/rust (crates podpull-sys and podpull), against this build's libpodpull,
# offline, with crates from Debian's librust-*-dev packages (bindings/rust/ci/debian-registry.toml):
# first linked (PODPULL_LIB_DIR), then loaded with dlopen (podpull's feature `dlopen`, which
# turns on podpull-sys's, PODPULL_LIBRARY). Each way, both crates are built without and with
# podpull's `async` feature, and tested with it (podpull-sys's layout test, podpull's blocking
# tests, the async ones on a tokio runtime, the unit tests, and both crates' doctests). cargo's
# output goes to BUILD_DIR/cargo-target, so the source tree stays clean (Cargo.lock is
# git-ignored). ctest test podpull_rust, with the podpull_registry fixture (PODPULL_TEST_ENV) for
# the tests against the real thing.
#
# With TEST (a test binary, a file of bindings/rust/podpull/tests/ without .rs), only that
# binary runs, linked, with the `async` feature: podpull_rust's build of it, reused. ctest's
# per-release entries (podpull_rust_bootc_events@podman-R) run it so.
#
# Every podman the tests start is the release PODPULL_TEST_RELEASE names (default the host's
# 4.3; see bindings/rust/podpull/tests/common).
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cargo=${3:-cargo}
only=${4:-}
workspace="$src/bindings/rust"

if [ ! -e "$build/libpodpull.so" ]; then
    echo "run-cargo-tests.sh: $build/libpodpull.so is missing: build the podpull target" >&2
    exit 1
fi
if [ -z "${PODPULL_TEST_ENV:-}" ] || [ ! -f "$PODPULL_TEST_ENV" ]; then
    echo "run-cargo-tests.sh: PODPULL_TEST_ENV (the podpull_registry fixture's env file) is missing" >&2
    exit 1
fi

export CARGO_TARGET_DIR="$build/cargo-target"
export PODPULL_REQUIRE_FIXTURE=1 # tests/real.rs fails instead of skipping without the fixture
export CARGO_TERM_COLOR=never
config=(--offline --config "$workspace/ci/debian-registry.toml")
cd "$workspace"

if [ -n "$only" ]; then
    [ -f "podpull/tests/$only.rs" ] || {
        echo "run-cargo-tests.sh: no test binary bindings/rust/podpull/tests/$only.rs" >&2
        exit 1
    }
    echo "==> $only, linked, podman ${PODPULL_TEST_RELEASE:-4.3}"
    PODPULL_LIB_DIR="$build" "$cargo" test "${config[@]}" -p podpull --features async --test "$only" \
        -- --test-threads=2
    exit
fi

echo "==> linked: PODPULL_LIB_DIR=$build"
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --workspace --all-targets
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --workspace --features podpull/async \
    --all-targets
PODPULL_LIB_DIR="$build" "$cargo" test "${config[@]}" --workspace --features podpull/async \
    -- --test-threads=2

echo "==> dlopen: PODPULL_LIBRARY=$build/libpodpull.so.1"
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --workspace --features podpull/dlopen \
    --all-targets
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --workspace \
    --features podpull/dlopen,podpull/async --all-targets
PODPULL_LIB_DIR="$build" PODPULL_LIBRARY="$build/libpodpull.so.1" \
    "$cargo" test "${config[@]}" --workspace --features podpull/dlopen,podpull/async \
    -- --test-threads=2
echo "run-cargo-tests.sh: linked and dlopen passed"
