#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# scripts/check-spdx.sh [--fix]: every source file of the repository names its license.
#
# podpull is MIT OR Apache-2.0 (LICENSE-MIT, LICENSE-APACHE). Each file that can hold a
# comment carries `SPDX-License-Identifier: MIT OR Apache-2.0` in its first three lines (after
# a shebang). Files that cannot (recorded podman bodies, fuzz inputs, the ABI baseline abidw
# writes, the license texts themselves) and the prose of docs/ are listed below as data; the
# top-level license covers them. A tracked file that is in neither list fails the check, so a
# new kind of file is classified when it arrives rather than slipping past.
#
# --fix adds the line to each source file that lacks it, in that file's comment syntax.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
license='MIT OR Apache-2.0'
fix=0
[ "${1:-}" = "--fix" ] && fix=1

# comment_style FILE: how FILE writes a one-line comment (slash, hash, block), or "data".
comment_style() {
    case "$1" in
    *.c | *.h | *.cpp | *.hpp | *.rs) echo slash ;;
    *.map) echo block ;; # a GNU ld version script takes C comments only
    *.sh | *.py | *.cmake | *.cmake.in | *.pc.in | *.toml | *.dict | *.h2m | Doxyfile.in | \
        */Doxyfile.in | CMakeLists.txt | \
        */CMakeLists.txt | tests/tsan/suppressions.txt | .ci/run | .clang-format | \
        .gitignore | */.gitignore | debian/rules | debian/*.install | debian/*.links | \
        debian/*.manpages | debian/*.docs | debian/source/format | debian/source/options | \
        debian/*.lintian-overrides | debian/watch)
        echo hash
        ;;
    *.md | *.json | *.ndjson | *.html | *.abi | LICENSE-* | */LICENSE-* | tests/fuzz/corpus/* | \
        tests/fuzz/regressions/* | debian/copyright | debian/changelog | debian/control | \
        debian/*.symbols)
        # debian/copyright states the license itself; changelog, control and symbols have
        # formats dpkg parses, without a comment that survives every tool.
        echo data
        ;;
    *) echo unknown ;;
    esac
}

has_line() { # has_line FILE: the identifier in the first three lines after a shebang
    local first
    first=$(head -n 1 "$1")
    if [[ $first == '#!'* ]]; then
        sed -n '2,4p' "$1" | grep -q "SPDX-License-Identifier: $license"
    else
        head -n 3 "$1" | grep -q "SPDX-License-Identifier: $license"
    fi
}

add_line() { # add_line FILE STYLE
    local file=$1 style=$2 line tmp
    case "$style" in
    slash) line="// SPDX-License-Identifier: $license" ;;
    hash) line="# SPDX-License-Identifier: $license" ;;
    block) line="/* SPDX-License-Identifier: $license */" ;;
    esac
    tmp=$(mktemp)
    if [[ $(head -n 1 "$file") == '#!'* ]]; then
        { head -n 1 "$file"; echo "$line"; tail -n +2 "$file"; } >"$tmp"
    else
        { echo "$line"; cat "$file"; } >"$tmp"
    fi
    # Keep the file's mode (scripts stay executable).
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

missing=() unknown=() checked=0
while IFS= read -r -d '' f; do
    [ -f "$f" ] || continue
    style=$(comment_style "$f")
    case "$style" in
    data) continue ;;
    unknown)
        unknown+=("$f")
        continue
        ;;
    esac
    checked=$((checked + 1))
    if ! has_line "$f"; then
        if [ "$fix" -eq 1 ]; then
            add_line "$f" "$style"
            echo "added: $f"
        else
            missing+=("$f")
        fi
    fi
done < <(git ls-files -z --cached --others --exclude-standard)

echo "check-spdx.sh: $checked source files checked"
status=0
if [ "${#unknown[@]}" -ne 0 ]; then
    echo "check-spdx.sh: files neither source nor data (classify them in comment_style):" >&2
    printf '  %s\n' "${unknown[@]}" >&2
    status=1
fi
if [ "${#missing[@]}" -ne 0 ]; then
    echo "check-spdx.sh: files without 'SPDX-License-Identifier: $license' (run with --fix):" >&2
    printf '  %s\n' "${missing[@]}" >&2
    status=1
fi
exit "$status"
