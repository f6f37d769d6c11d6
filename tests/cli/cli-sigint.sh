#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Ctrl-C mid-pull: SIGINT to the tool while the slow 64 MB layer is downloading (once its
# first progress line is out) makes it cancel through podpull_cancel, stop its service and
# exit 130 well before the layer could have finished; the podman processes it had started
# (its children, recorded while it ran) are gone, as is every process naming the sandbox.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out=$sandbox/out
"$tool" pull "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" >"$out" 2>"$sandbox/err" &
pid=$!
started=$SECONDS

# Wait for the big layer's first byte count (at most 30 s), noting the tool's children.
children=""
for _ in $(seq 300); do
    # shellcheck disable=SC2013 # pids, one word each
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        case " $children " in *" $c "*) ;; *) children="$children $c" ;; esac
    done
    if grep -qE '^blob [0-9a-f]{12} +[0-9]+% [0-9.]+ [KM]iB / 64\.0 MiB' "$out"; then
        break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
grep -qE '^blob [0-9a-f]{12} +[0-9]+% ' "$out" || {
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" || true
    cat "$out" "$sandbox/err"
    fail "no progress line before SIGINT"
}
[ -n "$children" ] || fail "the tool had no child process (no podman service?)"
echo "tool $pid, children:$children; sending SIGINT after $((SECONDS - started)) s"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
echo "----- stdout"
cat "$out"
echo "----- stderr"
cat "$sandbox/err"
[ "$rc" -eq 130 ] || fail "podpull exited $rc after SIGINT, not 130"
grep -q "interrupted" "$sandbox/err" || fail "no 'interrupted' message on stderr"
if grep -q '^pulled ' "$out"; then
    fail "the pull finished despite SIGINT"
fi
for c in $children; do
    if [ -e "/proc/$c" ]; then
        fail "child $c ($(tr '\0' ' ' </proc/"$c"/cmdline 2>/dev/null)) is still there"
    fi
done
check_no_sandbox_processes
echo PASS
