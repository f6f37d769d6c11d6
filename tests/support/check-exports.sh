#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# check-exports.sh LIBRARY HEADER
#
# The ABI promise of abi.md, checked on the built library:
#   - its dynamic symbol table defines nothing but podpull_* functions and the PODPULL_1
#     version node (no Boost, fmt or libstdc++ symbol leaks into a host);
#   - every podpull_* symbol carries the PODPULL_1 version;
#   - every function HEADER declares with PODPULL_API is exported;
#   - the SONAME is libpodpull.so.1.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 LIBRARY HEADER" >&2
    exit 2
fi
lib=$1
header=$2
fail=0

if [ ! -f "$lib" ]; then
    echo "check-exports.sh: $lib does not exist" >&2
    exit 1
fi

defined=$(nm -D --defined-only --with-symbol-versions "$lib" | awk '{ print $NF }')
echo "defined dynamic symbols of $lib:"
sed 's/^/  /' <<<"$defined"

while IFS= read -r sym; do
    [ -n "$sym" ] || continue
    name=${sym%%@*}
    version=""
    if [[ "$sym" == *@* ]]; then
        version=${sym##*@}
    fi
    if [ "$name" = "PODPULL_1" ]; then
        continue
    fi
    if [[ "$name" != podpull_* ]]; then
        echo "FAIL: exported symbol outside podpull_*: $sym" >&2
        fail=1
        continue
    fi
    if [ "$version" != "PODPULL_1" ]; then
        echo "FAIL: $name is not in the PODPULL_1 version node (got '${version:-none}')" >&2
        fail=1
    fi
done <<<"$defined"

if ! grep -qx 'PODPULL_1' <<<"$defined"; then
    echo "FAIL: no PODPULL_1 version node" >&2
    fail=1
fi

# Every function the header declares (the name before '(' on a PODPULL_API declaration).
declared=$(tr '\n' ' ' <"$header" | grep -oE 'PODPULL_API[^;(]*\b(podpull_[a-z0-9_]+)\s*\(' |
    sed -E 's/.*\b(podpull_[a-z0-9_]+)\s*\($/\1/' | sort -u)
count=0
for fn in $declared; do
    count=$((count + 1))
    if ! grep -qE "^${fn}(@|$)" <<<"$defined"; then
        echo "FAIL: $fn is declared in $(basename "$header") but not exported" >&2
        fail=1
    fi
done
if [ "$count" -lt 18 ]; then
    echo "FAIL: found only $count PODPULL_API functions in $header (parsing broke?)" >&2
    fail=1
fi

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$soname" != "libpodpull.so.1" ]; then
    echo "FAIL: SONAME is '$soname', not libpodpull.so.1" >&2
    fail=1
fi

if [ "$fail" -ne 0 ]; then
    exit 1
fi
echo "check-exports.sh: OK ($count functions of $(basename "$header") exported, SONAME $soname)"
