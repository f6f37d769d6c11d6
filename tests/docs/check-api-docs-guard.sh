#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# check-api-docs-guard.sh API_DOCS_SH DOXYGEN DOXYFILE HEADER
# The API reference's guard works: the same configuration (docs/api-docs.sh with
# build/docs/Doxyfile) passes on a copy of podpull.h and fails on a copy that lost the comment
# of one struct member (podpull_connect_options.storage_driver) and of one enumerator
# (PODPULL_ERR_TIMEOUT), naming both.
set -euo pipefail
api_docs=$1 doxygen=$2 doxyfile=$3 header=$4
tmp=$(mktemp -d /tmp/podpull-docs-guard.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

cp "$header" "$tmp/podpull.h"
bash "$api_docs" "$doxygen" "$doxyfile" "$tmp/out" "$tmp/podpull.h" >"$tmp/log" 2>&1 ||
    fail "the configuration fails on an unchanged copy of the header: $(cat "$tmp/log")"
echo "ok: an unchanged copy passes"

# Remove the trailing doc comment (/**< ... */ or ///< ...) of the line declaring each.
sed -E -e 's@^( *const char \*storage_driver;) */\*\*<.*\*/ *$@\1@' \
    -e 's@^( *const char \*storage_driver;) *///<.*$@\1@' \
    -e 's@^( *PODPULL_ERR_TIMEOUT = [0-9]+,) */\*\*<.*\*/ *$@\1@' \
    -e 's@^( *PODPULL_ERR_TIMEOUT = [0-9]+,) *///<.*$@\1@' \
    "$header" >"$tmp/podpull.h"
for name in storage_driver PODPULL_ERR_TIMEOUT; do
    grep -qE "(\*| )$name( = [0-9]+)?[;,]$" "$tmp/podpull.h" ||
        fail "could not remove the trailing comment of $name from $header (it moved?): update this test"
done
[ "$(diff "$header" "$tmp/podpull.h" | grep -c '^>')" -eq 2 ] ||
    fail "the copy differs from $header in more than the two comments"

rc=0
bash "$api_docs" "$doxygen" "$doxyfile" "$tmp/out" "$tmp/podpull.h" >"$tmp/log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "doxygen passed a header with an undocumented member and enumerator"
grep -E "storage_driver.*not documented" "$tmp/log" ||
    fail "the failure does not name storage_driver: $(cat "$tmp/log")"
grep -E "PODPULL_ERR_TIMEOUT.*not documented" "$tmp/log" ||
    fail "the failure does not name PODPULL_ERR_TIMEOUT: $(cat "$tmp/log")"
[ ! -e "$tmp/out/html/index.html" ] || fail "a failed run left html/index.html behind"
echo "ok: a copy without the comments of storage_driver and PODPULL_ERR_TIMEOUT fails, naming both"
