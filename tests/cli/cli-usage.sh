#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Bad arguments exit 2 with a usage message on stderr and nothing on stdout; --help lists
# the exit codes and exits 0; --version prints the library's version and exits 0.
set -euo pipefail
tool=$1
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
out=$(mktemp /tmp/ppcli-usage.XXXXXX)
err=$(mktemp /tmp/ppcli-usage.XXXXXX)
trap 'rm -f "$out" "$err"' EXIT

expect_usage_error() { # ARGS...: podpull ARGS exits 2 with "Usage:" on stderr
    local rc=0
    "$tool" "$@" >"$out" 2>"$err" || rc=$?
    [ "$rc" -eq 2 ] || fail "podpull $* exited $rc, not 2; stderr: $(cat "$err")"
    grep -q "Usage: podpull pull" "$err" || fail "podpull $*: no usage message: $(cat "$err")"
    [ ! -s "$out" ] || fail "podpull $*: wrote to stdout: $(cat "$out")"
    echo "ok: podpull $* -> 2: $(head -1 "$err")"
}
expect_usage_error
expect_usage_error pull
expect_usage_error frobnicate x
expect_usage_error pull --bogus x
expect_usage_error pull --platform linux x
expect_usage_error pull --platform linux/amd64/v8/extra x
expect_usage_error pull --policy sometimes x
expect_usage_error pull --route teleport x
expect_usage_error pull --retry -3 x
expect_usage_error pull --stall-timeout soon x
expect_usage_error pull --env NOEQUALS x
expect_usage_error pull --tls-verify=maybe x
expect_usage_error pull --jobs 0 x y

rc=0
"$tool" --version >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 0 ] || fail "--version exited $rc"
grep -Eq '^podpull [0-9]+\.[0-9]+\.[0-9]+ \(libpodpull ABI 1\)$' "$out" ||
    fail "--version printed: $(cat "$out")"
echo "ok: --version: $(cat "$out")"

for args in "--help" "pull --help"; do
    rc=0
    # shellcheck disable=SC2086
    "$tool" $args >"$out" 2>"$err" || rc=$?
    [ "$rc" -eq 0 ] || fail "$args exited $rc"
    for needle in "Exit status" "130" "PODPULL_ERR_AUTH" "usage error"; do
        grep -q -- "$needle" "$out" || fail "$args does not mention '$needle'"
    done
    echo "ok: $args lists the exit codes"
done
grep -q -- "--tls-verify" "$out" || fail "pull --help lacks --tls-verify"

# A valid command line that fails in the library maps to 10 + podpull_code.
rc=0
"$tool" pull --podman /nonexistent/podman x >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 12 ] || fail "a missing podman exited $rc, not 12 (PODMAN_NOT_FOUND); $(cat "$err")"
grep -q PODPULL_ERR_PODMAN_NOT_FOUND "$err" || fail "no error name on stderr: $(cat "$err")"
echo "ok: missing podman -> 12"
echo PASS
