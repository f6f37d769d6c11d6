#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/rust/cargo-doc.sh BUILD_DIR SOURCE_DIR [CARGO [docs-rs]] - the documentation of the
# Rust bindings (bindings/rust: podpull-sys and podpull), `cargo doc --no-deps` with every
# rustdoc warning an error (RUSTDOCFLAGS=-Dwarnings; both crates deny missing docs), offline,
# with crates from Debian's librust-*-dev packages. ctest tests podpull_rust_doc and
# podpull_rust_doc_docsrs.
#
# Default: both crates linked against this build's libpodpull (PODPULL_LIB_DIR) with podpull's
# `async` feature, then with `dlopen` and `async` (podpull-sys then declares no function, so a
# doc link to one would break), into BUILD_DIR/cargo-target.
#
# docs-rs: podpull-sys, and podpull on top of it, as docs.rs builds them, where there is no
# libpodpull: DOCS_RS=1, no PODPULL_LIB_DIR, no PODPULL_INCLUDE_DIR, and a pkg-config that does
# not exist (PKG_CONFIG, an empty PKG_CONFIG_PATH), so the build script must neither probe nor
# fail; into its own target
# directory, BUILD_DIR/cargo-target-docsrs, so that the other builds' podpull-sys is not
# rebuilt back and forth.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cargo=${3:-cargo}
mode=${4:-}
workspace="$src/bindings/rust"
config=(--offline --config "$workspace/ci/debian-registry.toml")
export CARGO_TERM_COLOR=never RUSTDOCFLAGS=-Dwarnings
cd "$workspace"

if [ "$mode" = docs-rs ]; then
    export CARGO_TARGET_DIR="$build/cargo-target-docsrs"
    docs_rs=(env -u PODPULL_LIB_DIR -u PODPULL_INCLUDE_DIR -u PODPULL_LIBRARY DOCS_RS=1
        PKG_CONFIG=/nonexistent/pkg-config PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=/nonexistent)
    echo "==> podpull-sys, DOCS_RS=1, no library, no pkg-config"
    "${docs_rs[@]}" "$cargo" doc "${config[@]}" --no-deps -p podpull-sys
    echo "==> podpull (async, as its docs.rs metadata asks) on top of it"
    "${docs_rs[@]}" "$cargo" doc "${config[@]}" --no-deps -p podpull --features async
    index=$CARGO_TARGET_DIR/doc/podpull_sys/index.html
    [ -s "$index" ] || {
        echo "FAIL: no $index" >&2
        exit 1
    }
    grep -q "podpull_get_api_fn" "$CARGO_TARGET_DIR/doc/podpull_sys/all.html" || {
        echo "FAIL: podpull-sys's items are missing from its documentation" >&2
        exit 1
    }
    [ -s "$CARGO_TARGET_DIR/doc/podpull/index.html" ] || {
        echo "FAIL: no documentation of podpull" >&2
        exit 1
    }
    echo "cargo-doc.sh: podpull-sys and podpull documented without the library"
    exit
fi

if [ ! -e "$build/libpodpull.so" ]; then
    echo "cargo-doc.sh: $build/libpodpull.so is missing: build the podpull target" >&2
    exit 1
fi
export CARGO_TARGET_DIR="$build/cargo-target"
echo "==> linked, async"
PODPULL_LIB_DIR="$build" "$cargo" doc "${config[@]}" --no-deps --workspace \
    --features podpull/async
echo "==> dlopen, async"
PODPULL_LIB_DIR="$build" "$cargo" doc "${config[@]}" --no-deps --workspace \
    --features podpull/dlopen,podpull/async
for crate in podpull podpull_sys; do
    [ -s "$CARGO_TARGET_DIR/doc/$crate/index.html" ] || {
        echo "FAIL: no documentation of $crate" >&2
        exit 1
    }
done
echo "cargo-doc.sh: both crates documented, no warning"
