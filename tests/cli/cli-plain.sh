#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Off a terminal (stdout a file): the slow big image (64 MB at ~16 MiB/s) pulled with TLS
# verification on takes the byte-progress route. The output is plain lines: no escape or
# other control bytes, the route once, at most one progress line per blob per second plus
# state changes, and a final summary line with the 64-hex image ID the fixture expects.
# Afterwards no process of the test is left and the runtime dir is empty.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out=$sandbox/out
rc=0
"$tool" pull "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" >"$out" 2>"$sandbox/err" || rc=$?
echo "----- stdout"
cat "$out"
echo "----- stderr"
cat "$sandbox/err"
[ "$rc" -eq 0 ] || fail "podpull exited $rc"

if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$out"; then
    fail "control bytes (escape codes) in the non-TTY output"
fi
[ "$(grep -c '^route ' "$out")" -eq 1 ] || fail "the route line is not there exactly once"
grep -q '^route DOCKER_COMPAT: ' "$out" || fail "not the DOCKER_COMPAT route"
last=$(tail -n 1 "$out")
[[ "$last" =~ ^pulled\ ([0-9a-f]{64})\ \(.*\ in\ .*,\ route\ DOCKER_COMPAT\)$ ]] ||
    fail "the last line is not the summary: $last"
[ "${BASH_REMATCH[1]}" = "$PODPULL_TEST_BIG_IMAGE_ID" ] ||
    fail "summary ID ${BASH_REMATCH[1]} is not $PODPULL_TEST_BIG_IMAGE_ID"

# The 64 MB blob: several progress lines with rising bytes, then done; at ~16 MiB/s that is
# about 4 s, so with one line per second at most it cannot have more than ~8 progress lines.
# The blob's own figures end at the ';': the pull's total after it is 64.0 MiB on every line now
# that the manifest gives it from the start.
big=$(grep -E '^blob [0-9a-f]{12} +[0-9]+% [^;]* / 64\.0 MiB;' "$out" | awk '{print $2}' | sort -u | awk 'NR == 1')
[ -n "$big" ] || fail "no progress line of the 64 MiB blob"
progress=$(grep -cE "^blob $big +[0-9?]+% " "$out")
[ "$progress" -ge 2 ] || fail "only $progress progress lines for blob $big"
[ "$progress" -le 14 ] || fail "$progress progress lines for blob $big: more than one per second"
grep -q "^blob $big done 64.0 MiB$" "$out" || fail "blob $big has no done line"
# Bytes only go up.
grep -E "^blob $big +[0-9]+% " "$out" | awk '{print $3}' | awk 'NR > 1 && $1 + 0 < prev + 0 { exit 1 } { prev = $1 }' ||
    fail "the percentages of blob $big went down"

check_no_sandbox_processes
echo PASS
