#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/rust/run-cargo-tests.sh BUILD_DIR SOURCE_DIR [CARGO [TEST]] - the Rust bindings (bindings/rust)
# against this build's libpodpull, offline, with crates from Debian's librust-*-dev packages
# (bindings/rust/ci/debian-registry.toml): first linked (PODPULL_LIB_DIR), then loaded with
# dlopen (--features dlopen, PODPULL_LIBRARY). Each way, the crate is built without and with
# the `async` feature, and tested with it (the blocking tests, the async ones on a tokio
# runtime, the unit tests). cargo's output goes to BUILD_DIR/cargo-target, so the source tree
# stays clean (Cargo.lock is git-ignored). ctest test podpull_rust, with the podpull_registry
# fixture (PODPULL_TEST_ENV) for the tests against the real thing.
#
# With TEST (a test binary, a file of bindings/rust/tests/ without .rs), only that binary runs,
# linked, with the `async` feature: podpull_rust's build of it, reused. ctest's per-release
# entries (podpull_rust_bootc_events@podman-R) run it so.
#
# Every podman the tests start is the release PODPULL_TEST_RELEASE names (default the host's
# 4.3; see bindings/rust/tests/common).
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cargo=${3:-cargo}
only=${4:-}
crate="$src/bindings/rust"

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
config=(--offline --config "$crate/ci/debian-registry.toml")
cd "$crate"

if [ -n "$only" ]; then
    [ -f "tests/$only.rs" ] || {
        echo "run-cargo-tests.sh: no test binary bindings/rust/tests/$only.rs" >&2
        exit 1
    }
    echo "==> $only, linked, podman ${PODPULL_TEST_RELEASE:-4.3}"
    PODPULL_LIB_DIR="$build" "$cargo" test "${config[@]}" --features async --test "$only" \
        -- --test-threads=2
    exit
fi

echo "==> linked: PODPULL_LIB_DIR=$build"
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --all-targets
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --features async --all-targets
PODPULL_LIB_DIR="$build" "$cargo" test "${config[@]}" --features async -- --test-threads=2

echo "==> dlopen: PODPULL_LIBRARY=$build/libpodpull.so.1"
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --features dlopen --all-targets
PODPULL_LIB_DIR="$build" "$cargo" build "${config[@]}" --features dlopen,async --all-targets
PODPULL_LIB_DIR="$build" PODPULL_LIBRARY="$build/libpodpull.so.1" \
    "$cargo" test "${config[@]}" --features dlopen,async -- --test-threads=2
echo "run-cargo-tests.sh: linked and dlopen passed"
