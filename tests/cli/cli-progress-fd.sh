#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# --progress-fd 3: bootc's progress events (JSON Lines), written by the library
# (podpull_progress_writer), on fd 3 while stdout shows what it always shows. Every line is
# checked with python3 against bootc's schema (progress_jsonl.rs) and nothing else: canonical
# JSON (keys sorted, no spaces), a Start line first, then ProgressBytes (task "pulling", id
# the manifest's digest, a "layer" subtask per layer named by 21 hex digits) and ProgressSteps
# (task "storing", 0 of 1 then 1 of 1, last); bytes never go down; the last ProgressBytes
# carries the result's bytes, cached bytes, and the image's layers as steps.
#   1. fd 3 a file, stdout plain lines: the summary and the 64 MB blob's lines as cli-plain.
#   2. fd 3 a pipe to a reader, stdout --json: the last event equals --json's result.
#   3. The same image again into the same storage: the cached layers are counted apart.
#   4. A reader that goes away at once: one warning on stderr, and the pull still succeeds.
#   5. fd 1, 2, a closed fd and a read-only fd: usage errors (exit 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# check_events FILE [RESULT_JSON]: the bootc schema check; with the --json output, also that
# the last event carries the result's figures. Prints the last ProgressBytes's figures.
check_events() {
    "$PODPULL_TEST_PYTHON3" - "$@" <<'PY'
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "the last line does not end in a newline"
lines = lines[:-1]
assert len(lines) >= 3, f"only {len(lines)} lines"
BYTES = {"type", "task", "description", "id", "bytesCached", "bytes", "bytesTotal",
         "stepsCached", "steps", "stepsTotal", "subtasks"}
STEPS = {"type", "task", "description", "id", "stepsCached", "steps", "stepsTotal", "subtasks"}
SUBTASK = {"subtask", "description", "id", "bytesCached", "bytes", "bytesTotal"}
STEP = {"subtask", "description", "id", "completed"}
def u64(v):
    return type(v) is int and 0 <= v < 2**64
events, steps = [], []
for n, line in enumerate(lines, 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line!r}")
    canonical = json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical == line, f"line {n} is not canonical JSON: {line!r}"
    if n == 1:
        assert ev == {"type": "Start", "version": "0.1.0"}, f"line 1 is not Start: {line!r}"
        continue
    if ev["type"] == "ProgressSteps":
        assert set(ev) == STEPS, f"line {n}: fields {sorted(set(ev) ^ STEPS)} off: {line!r}"
        assert ev["task"] == "storing" and ev["stepsTotal"] == 1, ev
        assert [set(t) for t in ev["subtasks"]] == [STEP], ev
        steps.append((n, ev))
        continue
    assert set(ev) == BYTES, f"line {n}: fields {sorted(set(ev) ^ BYTES)} off: {line!r}"
    assert ev["type"] == "ProgressBytes", f"line {n}: {line!r}"
    for k in BYTES - {"type", "task", "description", "id", "subtasks"}:
        assert u64(ev[k]), f"line {n}: {k} is not a u64: {ev[k]!r}"
    assert ev["task"] == "pulling", ev["task"]
    assert re.fullmatch("sha256:[0-9a-f]{64}", ev["id"]), f"line {n}: id {ev['id']}"
    assert ev["description"] == "Pulling Image: " + ev["id"], ev["description"]
    assert ev["steps"] <= ev["stepsTotal"], f"line {n}: steps past stepsTotal"
    assert ev["bytes"] <= ev["bytesTotal"], f"line {n}: bytes past bytesTotal"
    for t in ev["subtasks"]:
        assert isinstance(t, dict) and set(t) == SUBTASK, f"line {n}: subtask {t!r}"
        assert t["subtask"] == "layer" and re.fullmatch("[0-9a-f]{21}", t["id"]), t
        assert t["description"] == "layer: " + t["id"], t
        for k in ("bytesCached", "bytes", "bytesTotal"):
            assert u64(t[k]), f"line {n}: subtask {k} is not a u64: {t[k]!r}"
    events.append(ev)
assert events, "no ProgressBytes"
last = -1
for ev in events:
    assert ev["bytes"] >= last, f"bytes went down: {last} -> {ev['bytes']}"
    last = ev["bytes"]
    assert ev["id"] == events[0]["id"], "the task's id changed"
final = events[-1]
assert final["bytes"] == final["bytesTotal"], final
assert final["steps"] == final["stepsTotal"], final
assert len(final["subtasks"]) == final["steps"], final
for t in final["subtasks"]:
    assert t["bytes"] == t["bytesTotal"], f"a layer is not complete in the last event: {t}"
assert [ev["steps"] for _, ev in steps] == [0, 1], f"storing steps {steps}"
assert steps[-1][0] == len(lines), "the storing step done is not the last line"
assert steps[-1][1]["subtasks"][0]["completed"] is True
if len(sys.argv) > 2:
    out = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
    res = out[-1]
    assert res["event"] == "result", res
    assert final["id"] == res["manifestDigest"], (final["id"], res)
    assert final["bytes"] == res["bytes"], (final["bytes"], res)
    assert final["bytesCached"] == res["bytesCached"], (final["bytesCached"], res)
    # Steps are the image's layers: every blob but the config.
    assert final["stepsTotal"] + final["stepsCached"] == res["blobsTotal"] - 1, (final, res)
    # fd 3 takes nothing away from --json: start first, result last, progress in between.
    assert out[0]["event"] == "start", out[0]
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
# A fresh storage: the 64 MB layer (one step) and the config, both fetched.
if [ "$steps_total" -ne 1 ] || [ "$steps_cached" -ne 0 ] || [ "$cached" -ne 0 ]; then
    fail "a fresh pull of 1 layer ended with steps $steps/$steps_total, $steps_cached cached"
fi
[ "$bytes" -ge 64000000 ] || fail "the last event's bytes ($bytes) are not the image's"
# About 4 s at most 5 a second, plus Start, the first event, the finished layer and the
# final events.
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
if [ "$steps_total" -ne 1 ] || [ "$bytes" -lt 64000000 ]; then
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
[ "$(grep -c -- '^podpull \[warn\] bootc progress events: .*Broken pipe; no more are written$' "$sandbox/err4")" -eq 1 ] ||
    fail "not one warning about the gone reader: $(cat "$sandbox/err4")"
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
