#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# The command ends the same orderly way at any moment: its service stopped and reaped, its
# runtime dir empty, nothing of it left running, and a status that says what ended it.
#   - SIGINT while the service is starting (podman waits for a storage lock another process
#     holds): 130 at once, not after the lock or the start timeout;
#   - SIGTERM twice in a row mid-pull (what `timeout` and supervisors send): 143;
#   - SIGHUP mid-pull (the terminal went away): 129;
#   - `podpull pull ... | head -1`: the reader goes away, 141 as a writer SIGPIPE ends, and no
#     message;
#   - stdout on a full disk (/dev/full): 1 and "cannot write to stdout".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Waits (at most 30 s) until `pattern` is in file $1; fails with the files otherwise.
wait_for_line() {
    local file=$1 pattern=$2 pid=$3
    for _ in $(seq 300); do
        grep -qE "$pattern" "$file" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$file" "$sandbox/err" >&2
    fail "no line matching '$pattern'"
}

# Runs the tool mid-pull through the slowed relay, sends the signals, checks the status.
signal_mid_pull() {
    local expected=$1
    shift
    local out=$sandbox/out rc=0
    rm -rf "$sandbox/root" "$sandbox/rr"
    "$tool" pull "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" >"$out" 2>"$sandbox/err" &
    local pid=$!
    wait_for_line "$out" '^blob [0-9a-f]{12} +[0-9]+% ' "$pid"
    # Back to back: the second arrives while the first's teardown is under way.
    local sig
    for sig in "$@"; do
        kill -"$sig" "$pid"
    done
    wait "$pid" || rc=$?
    [ "$rc" -eq "$expected" ] || {
        cat "$out" "$sandbox/err"
        fail "after $*: exit $rc, not $expected"
    }
    ! grep -q '^pulled ' "$out" || fail "the pull finished despite $*"
    check_no_sandbox_processes
    echo "ok: $* mid-pull -> $rc"
}

# 1. SIGINT while podman waits for the storage lock.
"${PODPULL_TEST_PODMAN_4_3:-podman}" --root "$sandbox/root" --runroot "$sandbox/rr" \
    --storage-driver vfs images >/dev/null
"$PODPULL_TEST_PYTHON3" "$(dirname "${BASH_SOURCE[0]}")/../support/hold-storage-locks.py" \
    "$sandbox/root" "$sandbox/rr" >"$sandbox/locks.out" &
locks=$!
trap 'kill "$locks" 2>/dev/null || true; sandbox_cleanup' EXIT
wait_for_line "$sandbox/locks.out" '^READY' "$locks"
"$tool" pull "${common_args[@]}" "$PODPULL_TEST_IMAGE" >"$sandbox/out" 2>"$sandbox/err" &
pid=$!
# Until its service is up and waiting: a podman child names the sandbox.
for _ in $(seq 100); do
    [ -n "$(sandbox_processes | grep -v locks.py || true)" ] && break
    sleep 0.05
done
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the tool ended while the storage was locked"
sent=$(date +%s%N)
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
took_ms=$((($(date +%s%N) - sent) / 1000000))
kill "$locks"
wait "$locks" 2>/dev/null || true
trap sandbox_cleanup EXIT
[ "$rc" -eq 130 ] || {
    cat "$sandbox/out" "$sandbox/err"
    fail "SIGINT while connecting: exit $rc, not 130"
}
[ "$took_ms" -lt 2000 ] || fail "SIGINT while connecting: the tool took $took_ms ms to end"
check_no_sandbox_processes
echo "ok: SIGINT while the service waits for the storage lock -> 130 after $took_ms ms"

# 2.-3. Repeated SIGTERM and SIGHUP mid-pull.
signal_mid_pull 143 TERM TERM
signal_mid_pull 129 HUP

# 4. The reader goes away.
rm -rf "$sandbox/root" "$sandbox/rr"
set +o pipefail
"$tool" pull "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" 2>"$sandbox/err" | head -1 \
    >"$sandbox/first"
rc=${PIPESTATUS[0]}
set -o pipefail
[ "$rc" -eq 141 ] || {
    cat "$sandbox/first" "$sandbox/err"
    fail "| head -1: exit $rc, not 141"
}
[ -s "$sandbox/first" ] || fail "| head -1: head got nothing"
! grep -q "cannot write" "$sandbox/err" || fail "| head -1: a message about the closed pipe"
check_no_sandbox_processes
echo "ok: | head -1 -> 141"

# 5. A write error.
rm -rf "$sandbox/root" "$sandbox/rr"
rc=0
"$tool" pull "${common_args[@]}" "$PODPULL_TEST_IMAGE" >/dev/full 2>"$sandbox/err" || rc=$?
[ "$rc" -eq 1 ] || {
    cat "$sandbox/err"
    fail ">/dev/full: exit $rc, not 1"
}
grep -q "cannot write to stdout: No space left on device" "$sandbox/err" ||
    fail ">/dev/full: no message: $(cat "$sandbox/err")"
check_no_sandbox_processes
echo "ok: >/dev/full -> 1"
echo PASS
