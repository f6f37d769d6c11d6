#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/abi/check-abi.sh - the ABI guard: compares the built libpodpull.so.1 with the committed
# baseline of ABI 1 (abi/libpodpull.so.1.abi) using libabigail's abidiff.
#
#   check-abi.sh LIBRARY SOURCE_DIR            check (ctest: podpull_abi)
#   check-abi.sh --update LIBRARY SOURCE_DIR   rewrite the baseline (after a reviewed change)
#
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8 incompatible
# ABI change. The policy:
#   - 8 (a removed function, a changed function type, ...) always fails;
#   - 4 fails too, except when the change is only what podpull.h's rules allow: structs that
#     grow by fields inserted at their old end, and added functions. tests/abi/allowed-changes.py
#     reads abidiff's leaf-change report and accepts only those (anything it does not
#     recognise fails): a field whose type, offset or name changed, a removed or reordered
#     field, a changed enumerator, a shrunk struct all fail. Added enumerators fail too:
#     review them and --update the baseline. (libabigail 2.2's suppression
#     `has_data_member_inserted_at = end` also hid a changed field type, so it is not used.)
#   - 1 or 2 fail (the tools could not do their job).
# After an allowed addition, --update the baseline so the next change is judged against it.
#
# The library must carry DWARF (-g: the RelWithDebInfo and Debug builds); without it the
# check is skipped with exit status 77 (ctest SKIP_RETURN_CODE).
set -euo pipefail

update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi
if [ $# -ne 2 ]; then
    echo "usage: $0 [--update] LIBRARY SOURCE_DIR" >&2
    exit 2
fi
lib=$1
src=$(cd "$2" && pwd)
baseline="$src/abi/libpodpull.so.1.abi"
allowed="$src/tests/abi/allowed-changes.py"

for tool in abidw abidiff readelf python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "check-abi.sh: $tool is missing (Debian: abigail-tools, binutils; scripts/install-deps.sh)" >&2
        exit 1
    fi
done
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
    echo "check-abi.sh: SKIPPED: $lib has no debug info; build with -g (RelWithDebInfo)" >&2
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Only what is reachable from the exported podpull_* functions, as podpull.h declares it;
# no paths or locations, so the dump does not depend on where the tree was checked out.
dump() { # dump LIBRARY OUT
    abidw --no-corpus-path --no-comp-dir-path --no-show-locs --type-id-style hash \
        --exported-interfaces-only --headers-dir "$src/include" --drop-private-types "$1" |
        sed -e "s|path='$src/|path='|g" >"$2"
}

dump "$lib" "$tmp/current.abi"
if [ "$update" -eq 1 ]; then
    mkdir -p "$(dirname "$baseline")"
    cp "$tmp/current.abi" "$baseline"
    echo "check-abi.sh: wrote $baseline"
    exit 0
fi
if [ ! -f "$baseline" ]; then
    echo "check-abi.sh: no baseline $baseline" >&2
    exit 1
fi

set +e
abidiff --no-show-locs --leaf-changes-only --impacted-interfaces "$baseline" "$tmp/current.abi" \
    >"$tmp/report"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
    echo "check-abi.sh: $lib has exactly ABI 1 of $baseline"
    exit 0
fi
if [ "$rc" -eq 4 ] && python3 "$allowed" <"$tmp/report" >"$tmp/why"; then
    echo "check-abi.sh: $lib keeps ABI 1 of $baseline, with allowed additions"
    echo "(review them, then record them: $0 --update LIBRARY SOURCE_DIR):"
    cat "$tmp/report"
    exit 0
fi
echo "check-abi.sh: FAILED: abidiff exit status $rc against $baseline" >&2
if [ $((rc & 3)) -ne 0 ]; then
    echo "abidiff could not compare (error bits 1/2):" >&2
elif [ $((rc & 8)) -ne 0 ]; then
    echo "an INCOMPATIBLE ABI change (bit 8): hosts built against ABI 1 would break:" >&2
else
    echo "an ABI change podpull.h's rules do not allow (bit 4; only fields appended to a struct" >&2
    echo "and new functions are allowed):" >&2
    cat "$tmp/why" >&2
fi
echo "---- abidiff report ----" >&2
cat "$tmp/report" >&2
exit 1
