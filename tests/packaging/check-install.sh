#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# check-install.sh BUILD_DIR SOURCE_DIR
# Installs the build into a temporary prefix and builds a host against it twice, the two
# ways README.md documents: CMake's find_package(podpull) and pkg-config. Both hosts must
# run and find the installed library, and the prefix must hold exactly the promised files.
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d /tmp/podpull-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(find "$prefix" -name libpodpull.so.1 -printf '%h\n' | head -n1)
[ -n "$libdir" ] || { echo "no libpodpull.so.1 installed" >&2; exit 1; }
for f in include/podpull.h "${libdir#"$prefix"/}/libpodpull.so" \
         "${libdir#"$prefix"/}/pkgconfig/podpull.pc" \
         "${libdir#"$prefix"/}/cmake/podpull/podpullConfig.cmake"; do
    [ -e "$prefix/$f" ] || { echo "missing from the install: $f" >&2; exit 1; }
done
# podpull(1), when the build made it (PODPULL_BUILD_MAN), at MANDIR/man1/podpull.1 (the Debian
# package takes it from there). The HTML API reference is installed only on request
# (component api-docs), never by a plain install.
mandir=$(sed -n 's/^CMAKE_INSTALL_MANDIR:PATH=//p' "$build/CMakeCache.txt")
if [ -e "$build/tools/podpull/man/podpull.1" ]; then
    [ -s "$prefix/${mandir:-share/man}/man1/podpull.1" ] ||
        { echo "missing from the install: ${mandir:-share/man}/man1/podpull.1" >&2; exit 1; }
fi
docdir=$(sed -n 's/^CMAKE_INSTALL_DOCDIR:PATH=//p' "$build/CMakeCache.txt")
[ ! -e "$prefix/${docdir:-share/doc/podpull}/html" ] ||
    { echo "a plain install holds the API reference (component api-docs only)" >&2; exit 1; }

# CMake: find_package(podpull) gives podpull::podpull.
cmake -S "$source/tests/packaging/consumer" -B "$prefix/consumer-cmake" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer-cmake" >/dev/null
"$prefix/consumer-cmake/consumer"

# pkg-config: cflags and libs from the installed podpull.pc.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
expected=$(sed -n 's/^project(podpull VERSION \([0-9.]*\).*/\1/p' "$source/CMakeLists.txt")
[ "$(pkg-config --modversion podpull)" = "$expected" ] \
    || { echo "pkg-config reports the wrong version" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror -o "$prefix/consumer-pc" "$source/tests/packaging/consumer/consumer.c" \
    $(pkg-config --cflags --libs podpull)
LD_LIBRARY_PATH="$libdir" "$prefix/consumer-pc"
echo "check-install: find_package and pkg-config hosts both built and ran"
