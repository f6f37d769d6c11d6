#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/rust/cargo-package.sh BUILD_DIR SOURCE_DIR [CARGO] - `cargo package` of both Rust crates
# (bindings/rust: podpull-sys, and podpull, which depends on it by version), offline, each
# tarball verified by building it (podpull against the podpull-sys tarball, as crates.io would
# serve it) against this build's libpodpull (PODPULL_LIB_DIR). ctest test podpull_rust_package.
#
# cargo 1.95 packages a workspace at once (`cargo package --workspace`) and resolves the
# dependent crate's podpull-sys from a temporary overlay registry of the tarballs it just made;
# but that overlay is keyed on the publish registry's replacement, which is Debian's directory
# source here, while dependencies name crates.io, so podpull alone fails with "no matching
# package named `podpull-sys` found". So:
#   1. `cargo package -p podpull-sys` (made and verified on its own);
#   2. a directory source of Debian's registry (/usr/share/cargo/registry, each crate a symlink)
#      plus that tarball unpacked, with its checksum, in BUILD_DIR/cargo-target/package-registry;
#   3. `cargo package --workspace` with crates.io replaced by that directory: podpull-sys again
#      (the same bytes: cargo's tarballs are reproducible, checked) and podpull, each verified.
# `--registry crates-io` because crates.io is replaced (cargo refuses to guess), `--allow-dirty`
# because the tree may hold uncommitted work (the tarball's .cargo_vcs_info.json says so).
# Then the file lists and sizes, and checks of what each tarball must hold.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cargo=${3:-cargo}
workspace="$src/bindings/rust"
if [ ! -e "$build/libpodpull.so" ]; then
    echo "cargo-package.sh: $build/libpodpull.so is missing: build the podpull target" >&2
    exit 1
fi
export CARGO_TARGET_DIR="$build/cargo-target" CARGO_TERM_COLOR=never
export PODPULL_LIB_DIR="$build" PODPULL_INCLUDE_DIR="$src/include"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
cd "$workspace"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || fail "no workspace version in bindings/rust/Cargo.toml"
out=$CARGO_TARGET_DIR/package
sys_crate=$out/podpull-sys-$version.crate
package=(package --offline --registry crates-io --allow-dirty)

echo "==> 1. podpull-sys $version"
"$cargo" "${package[@]}" --config "$workspace/ci/debian-registry.toml" -p podpull-sys
[ -s "$sys_crate" ] || fail "no $sys_crate"
sum=$(sha256sum "$sys_crate" | cut -d' ' -f1)

echo "==> 2. Debian's registry and podpull-sys $version"
reg=$CARGO_TARGET_DIR/package-registry
rm -rf "$reg"
mkdir -p "$reg/crates"
for dir in /usr/share/cargo/registry/*; do
    case "$(basename "$dir")" in
    podpull-sys-*) ;; # this one, not an installed one
    *) ln -s "$dir" "$reg/crates/" ;;
    esac
done
tar -xzf "$sys_crate" -C "$reg/crates"
printf '{"package":"%s","files":{}}\n' "$sum" >"$reg/crates/podpull-sys-$version/.cargo-checksum.json"
cat >"$reg/config.toml" <<TOML
[source.crates-io]
replace-with = "debian-and-podpull-sys"

[source.debian-and-podpull-sys]
directory = "$reg/crates"

[net]
offline = true
TOML

echo "==> 3. the workspace: podpull-sys and podpull $version"
"$cargo" "${package[@]}" --config "$reg/config.toml" --workspace
[ "$(sha256sum "$sys_crate" | cut -d' ' -f1)" = "$sum" ] ||
    fail "podpull-sys's tarball differs from the one step 1 made"

for crate in podpull-sys podpull; do
    file=$out/$crate-$version.crate
    echo "----- $crate-$version.crate: $(stat -c %s "$file") bytes"
    tar -tzvf "$file" | awk '{ printf "%8d  %s\n", $3, $6 }'
done
list() { tar -tzf "$out/$1-$version.crate" | sed "s|^$1-$version/||"; }
for f in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE build.rs src/lib.rs layout/layout.c; do
    list podpull-sys | grep -qx "$f" || fail "podpull-sys's tarball lacks $f"
done
for f in Cargo.toml Cargo.lock README.md LICENSE-MIT LICENSE-APACHE build.rs src/lib.rs \
    src/async_pull.rs examples/bootc_pull.rs tests/dlopen_missing.rs; do
    list podpull | grep -qx "$f" || fail "podpull's tarball lacks $f"
done
manifest=$(tar -xzOf "$out/podpull-$version.crate" "podpull-$version/Cargo.toml")
grep -A3 '^\[dependencies.podpull-sys\]' <<<"$manifest" | grep -qx "version = \"$version\"" ||
    fail "podpull's packaged manifest does not depend on podpull-sys $version"
! grep -q 'path = "../podpull-sys"' <<<"$manifest" || fail "podpull's packaged manifest has a path"
lock=$(tar -xzOf "$out/podpull-$version.crate" "podpull-$version/Cargo.lock")
grep -A3 '^name = "podpull-sys"' <<<"$lock" | grep -qx "checksum = \"$sum\"" ||
    fail "podpull's Cargo.lock does not name the podpull-sys tarball"
echo "cargo-package.sh: podpull-sys and podpull packaged and verified"
