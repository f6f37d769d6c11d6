#!/usr/bin/env bash
# --progress-fd 3: bootc's progress events (JSON Lines) on fd 3 while stdout shows what it
# always shows. Every line is checked with python3 against the fields and types of bootc's
# protocol and nothing else: a Start line ({"type","version"}) first, then ProgressBytes lines
# (apiVersion "org.containers.bootc.progress/v1", task, description, id, bytesCached, bytes,
# bytesTotal, stepsCached, steps, stepsTotal and subtasks of subtask, description, id,
# bytesCached, bytes, bytesTotal), bytes never going
# down, and a last event whose bytes, bytesCached and steps are the result's.
#   1. fd 3 a file, stdout plain lines: the summary and the 64 MB blob's lines as cli-plain.
#   2. fd 3 a pipe to a reader, stdout --json: the last event equals --json's result.
#   3. The same image again into the same storage: the cached blobs are counted apart.
#   4. A reader that goes away at once: one message on stderr, and the pull still succeeds.
#   5. fd 1, 2, a closed fd and a read-only fd: usage errors (exit 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# check_events FILE [RESULT_JSON]: the bootc schema check; with the --json output, also that
# the last event carries the result's figures. Prints the last event's bytes.
check_events() {
    "$PODPULL_TEST_PYTHON3" - "$@" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "the last line does not end in a newline"
lines = lines[:-1]
assert len(lines) >= 2, f"only {len(lines)} lines"
EVENT = {"type", "apiVersion", "task", "description", "id", "bytesCached", "bytes", "bytesTotal",
         "stepsCached", "steps", "stepsTotal", "subtasks"}
SUBTASK = {"subtask", "description", "id", "bytesCached", "bytes", "bytesTotal"}
def u64(v):
    return type(v) is int and 0 <= v < 2**64
events = []
for n, line in enumerate(lines, 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line!r}")
    assert isinstance(ev, dict), f"line {n}: {line!r}"
    if n == 1:
        assert ev == {"type": "Start", "version": "0.1.0"}, f"line 1 is not Start: {line!r}"
        continue
    assert set(ev) == EVENT, f"line {n}: fields {sorted(set(ev) ^ EVENT)} off: {line!r}"
    assert ev["type"] == "ProgressBytes", f"line {n}: {line!r}"
    assert ev["apiVersion"] == "org.containers.bootc.progress/v1", f"line {n}: {line!r}"
    for k in ("task", "description", "id"):
        assert isinstance(ev[k], str) and ev[k], f"line {n}: {k}"
    for k in EVENT - {"type", "apiVersion", "task", "description", "id", "subtasks"}:
        assert u64(ev[k]), f"line {n}: {k} is not a u64: {ev[k]!r}"
    assert ev["task"] == "pulling", ev["task"]
    assert ev["steps"] <= ev["stepsTotal"], f"line {n}: steps past stepsTotal"
    assert ev["bytes"] <= ev["bytesTotal"], f"line {n}: bytes past bytesTotal"
    assert isinstance(ev["subtasks"], list), f"line {n}: subtasks"
    for t in ev["subtasks"]:
        assert isinstance(t, dict) and set(t) == SUBTASK, f"line {n}: subtask {t!r}"
        for k in ("subtask", "description", "id"):
            assert isinstance(t[k], str) and t[k], f"line {n}: subtask {k}"
        for k in ("bytesCached", "bytes", "bytesTotal"):
            assert u64(t[k]), f"line {n}: subtask {k} is not a u64: {t[k]!r}"
    events.append(ev)
last = -1
for ev in events:
    assert ev["bytes"] >= last, f"bytes went down: {last} -> {ev['bytes']}"
    last = ev["bytes"]
    assert ev["id"] == events[0]["id"], "the task's id changed"
final = events[-1]
assert final["bytes"] == final["bytesTotal"], final
assert final["steps"] == final["stepsTotal"], final
for t in final["subtasks"]:
    assert t["bytes"] == t["bytesTotal"], f"a blob is not complete in the last event: {t}"
if len(sys.argv) > 2:
    out = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
    res = out[-1]
    assert res["event"] == "result", res
    assert final["bytes"] == res["bytes"], (final["bytes"], res)
    assert final["bytesCached"] == res["bytesCached"], (final["bytesCached"], res)
    assert final["stepsCached"] == res["blobsCached"], (final["stepsCached"], res)
    assert final["stepsTotal"] + final["stepsCached"] == res["blobsTotal"], (final, res)
    # fd 3 takes nothing away from --json: start first, result last, progress in between.
    assert out[0]["event"] == "start" and out[0]["image"] == final["id"], out[0]
    assert sum(1 for e in out if e["event"] == "progress") >= 1
print(f"{final['bytes']} {final['bytesCached']} {final['steps']} {final['stepsTotal']} "
      f"{final['stepsCached']} {len(events)}")
PY
}

# 1. A file on fd 3, plain lines on stdout.
rc=0
"$tool" pull --progress-fd 3 "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" \
    >"$sandbox/out1" 2>"$sandbox/err1" 3>"$sandbox/events1" || rc=$?
echo "----- stdout"
cat "$sandbox/out1"
echo "----- stderr"
cat "$sandbox/err1"
echo "----- fd 3"
cut -c1-300 "$sandbox/events1"
[ "$rc" -eq 0 ] || fail "podpull --progress-fd 3 exited $rc"
read -r bytes cached steps steps_total steps_cached n < <(check_events "$sandbox/events1") ||
    fail "the events on fd 3 are not bootc's"
echo "ok: $n events, last: bytes $bytes, cached $cached, steps $steps/$steps_total"
# A fresh storage: the 64 MB layer and the config, both fetched.
if [ "$steps_total" -ne 2 ] || [ "$steps_cached" -ne 0 ] || [ "$cached" -ne 0 ]; then
    fail "a fresh pull of 2 blobs ended with steps $steps/$steps_total, $steps_cached cached"
fi
[ "$bytes" -ge 64000000 ] || fail "the last event's bytes ($bytes) are not the image's"
# About 4 s at most 5 a second, plus Start, the two finished blobs and the final event.
seconds=$(grep -Eo ' in [0-9.]+ s,' "$sandbox/out1" | grep -Eo '[0-9.]+' || echo 60)
max=$(awk -v s="$seconds" 'BEGIN { printf "%d", 5 * s + 6 }')
[ "$n" -le "$max" ] || fail "$n events in $seconds s: more than 5 a second"
# stdout is what it is without fd 3: plain lines, the route once, the summary last with the
# bytes the events end with.
if grep -q '"type"' "$sandbox/out1" || LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$sandbox/out1"; then
    fail "stdout has events or control bytes"
fi
[ "$(grep -c '^route DOCKER_COMPAT: ' "$sandbox/out1")" -eq 1 ] || fail "no route line, once"
last=$(tail -n 1 "$sandbox/out1")
[[ "$last" =~ ^pulled\ ([0-9a-f]{64})\ \(([0-9.]+)\ MiB\ in\ .*,\ route\ DOCKER_COMPAT\)$ ]] ||
    fail "the last line is not the summary: $last"
[ "${BASH_REMATCH[1]}" = "$PODPULL_TEST_BIG_IMAGE_ID" ] || fail "summary ID ${BASH_REMATCH[1]}"
[ "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')" = "${BASH_REMATCH[2]}" ] ||
    fail "the summary's ${BASH_REMATCH[2]} MiB are not the last event's $bytes bytes"
grep -Eq '^blob [0-9a-f]{12} done 64\.0 MiB$' "$sandbox/out1" || fail "no done line of the big blob"
[ ! -s "$sandbox/err1" ] || fail "stderr is not empty"

# 2. A pipe to a reader on fd 3, --json on stdout, a fresh storage.
chmod -R u+w "$sandbox/root" "$sandbox/rr" 2>/dev/null || true
rm -rf "$sandbox/root" "$sandbox/rr"
rc=0
# pipefail: the pipeline's status is podpull's when it fails (cat does not).
"$tool" pull --json --progress-fd 3 "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" \
    3>&1 >"$sandbox/out2" 2>"$sandbox/err2" | cat >"$sandbox/events2" || rc=$?
cut -c1-300 "$sandbox/events2"
[ "$rc" -eq 0 ] || fail "podpull --json --progress-fd 3 exited $rc: $(cat "$sandbox/err2")"
read -r bytes cached steps steps_total steps_cached n < <(check_events "$sandbox/events2" "$sandbox/out2") ||
    fail "the events through the pipe are not bootc's, or not the result's"
if [ "$steps_total" -ne 2 ] || [ "$bytes" -lt 64000000 ]; then
    fail "a fresh pull through a pipe ended with steps $steps_total, bytes $bytes"
fi
echo "ok: through a pipe, $n events, last bytes $bytes = the result's"

# 3. Again into the same storage: whatever podman says it had is cached, apart from bytes.
rc=0
"$tool" pull --json --progress-fd 3 "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" \
    >"$sandbox/out3" 2>"$sandbox/err3" 3>"$sandbox/events3" || rc=$?
cat "$sandbox/events3"
[ "$rc" -eq 0 ] || fail "the second pull exited $rc: $(cat "$sandbox/err3")"
read -r bytes cached steps steps_total steps_cached n < <(check_events "$sandbox/events3" "$sandbox/out3") ||
    fail "the events of the second pull are not bootc's, or not the result's"
echo "ok: second pull, $n events, bytes $bytes, cached $cached ($steps_cached blobs)"

# 4. A reader that goes away before the first event: the pull goes on, one message.
rc=0
"$tool" pull --progress-fd 3 "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" \
    3>&1 >"$sandbox/out4" 2>"$sandbox/err4" | true || rc=$?
cat "$sandbox/err4"
[ "$rc" -eq 0 ] || fail "a gone progress reader ended the pull: exit $rc"
[ "$(grep -c -- '--progress-fd 3: Broken pipe; no more progress events' "$sandbox/err4")" -eq 1 ] ||
    fail "not one message about the gone reader: $(cat "$sandbox/err4")"
tail -n 1 "$sandbox/out4" | grep -q '^pulled ' || fail "no summary after the reader went away"

# 5. Descriptors it refuses, before anything starts.
# eval: the last case brings its own redirection (fd 4 open read-only).
for args in "1" "2" "87" "4 4</dev/null"; do
    rc=0
    eval "\"\$tool\" pull --progress-fd $args \"\$PODPULL_TEST_BIG_IMAGE\"" \
        >"$sandbox/out5" 2>"$sandbox/err5" || rc=$?
    [ "$rc" -eq 2 ] || fail "--progress-fd $args exited $rc, not 2"
    grep -q 'Usage: podpull pull' "$sandbox/err5" || fail "--progress-fd $args: no usage message"
    [ ! -s "$sandbox/out5" ] || fail "--progress-fd $args wrote to stdout"
    echo "ok: --progress-fd $args -> 2: $(head -1 "$sandbox/err5")"
done

check_no_sandbox_processes
echo PASS
