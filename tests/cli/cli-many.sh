#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Several images in one update (`podpull pull IMAGE IMAGE...`), through the slowed relay:
#   1. --json (and --progress-fd 3): the test image, the derived image (it shares the test
#      image's three layers), the big image and a reference the registry does not have,
#      with the default --jobs 3, so that the fourth waits for a slot. Every line is one JSON
#      object; each image's events carry its "image" and "index", start first and a result
#      (the fixture's image ID) or, for the missing one, an error last; the final event is
#      the update's: pulled 3, failed 1, the results' bytes. The exit status is the missing
#      image's, 10 + its code. fd 3 has one Start, then one bootc task per image (id: its
#      manifest's digest), each line of bootc's schema, each task's bytes never going down and
#      each pulled image's last event its result's bytes, then its "storing" step done. The test and derived images' three shared
#      layers are fetched once: one of the two finds them stored, 3 blobs cached.
#   2. Plain lines, two images into a fresh storage: each line prefixed by its image, then
#      `pulled <id12>… IMAGE (...)` for both, in the order given, and `pulled 2 of 2 images`.
#   3. --quiet into the same storage with a missing image between two others: the two IDs,
#      in the order given, nothing for the missing one but its error on stderr.
#   4. --jobs 0: a usage error.
#   5. SIGTERM mid-update, --jobs 1 (the second image waiting for the first): 143, both
#      images failed as interrupted, nothing pulled.
#   6. `| head -1`: the reader goes away, every pull ends, 141.
# No process of the test is left behind.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

slow=$PODPULL_TEST_SLOW_REGISTRY
test_image=$slow/podpull/test:v1
derived_image=$slow/podpull/derived:v1
big_image=$slow/podpull/big:v1
nope_image=$slow/podpull/nope:v1

# 1. --json, four images, one missing.
out=$sandbox/out1
rc=0
"$tool" pull --json --progress-fd 3 "${common_args[@]}" \
    "$test_image" "$derived_image" "$big_image" "$nope_image" \
    >"$out" 2>"$sandbox/err1" 3>"$sandbox/events1" || rc=$?
echo "----- stdout"
grep -v '"event":"progress"' "$out" | cut -c1-300
echo "----- stderr"
cat "$sandbox/err1"
[ "$rc" -eq 18 ] || [ "$rc" -eq 16 ] ||
    fail "an update with a missing image exited $rc, not its 18 (NOT_FOUND) or 16 (PULL)"

"$PODPULL_TEST_PYTHON3" - "$out" "$rc" "$test_image" "$derived_image" "$big_image" \
    "$nope_image" "$PODPULL_TEST_IMAGE_ID" "$PODPULL_TEST_DERIVED_IMAGE_ID" \
    "$PODPULL_TEST_BIG_IMAGE_ID" <<'PY'
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
images = sys.argv[3:7]
want_ids = sys.argv[7:10]
lines = open(path, encoding="utf-8").read().splitlines()
events = []
for n, line in enumerate(lines, 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line!r}")
    assert isinstance(ev, dict) and isinstance(ev.get("event"), str), f"line {n}: {line!r}"
    events.append(ev)
final = events[-1]
assert final["event"] == "update", final
assert final == {"event": "update", "images": 4, "pulled": 3, "failed": 1,
                 "bytes": final["bytes"], "bytesCached": final["bytesCached"],
                 "seconds": final["seconds"]}, final
per_image = {i: [] for i in range(4)}
for ev in events[:-1]:
    assert isinstance(ev.get("index"), int) and 0 <= ev["index"] < 4, ev
    assert ev["image"] == images[ev["index"]], ev
    per_image[ev["index"]].append(ev)
results = []
for i in range(4):
    evs = per_image[i]
    kinds = [e["event"] for e in evs]
    assert kinds and kinds[0] == "start", (i, kinds[:3])
    assert kinds.count("start") == 1, (i, kinds)
    if i < 3:
        assert kinds[-1] == "result" and "error" not in kinds, (i, kinds)
        assert evs[-1]["imageId"] == want_ids[i], (i, evs[-1], want_ids[i])
        results.append(evs[-1])
        last = -1
        for p in (e for e in evs if e["event"] == "progress"):
            assert p["bytes"] >= last, (i, last, p["bytes"])
            last = p["bytes"]
    else:
        assert kinds[-1] == "error" and "result" not in kinds, (i, kinds)
        e = evs[-1]
        assert e["code"] in ("PODPULL_ERR_NOT_FOUND", "PODPULL_ERR_PULL"), e
        assert 10 + e["codeNumber"] == rc, (e, rc)
        assert e["message"], e
assert final["bytes"] == sum(r["bytes"] for r in results), (final, results)
assert final["bytesCached"] == sum(r["bytesCached"] for r in results), (final, results)
# The images began in the order given: each start comes before the next image's.
starts = [next(n for n, e in enumerate(events) if e.get("index") == i and e["event"] == "start")
          for i in range(4)]
assert starts == sorted(starts), starts
# The test and derived images share three layers: one of the two waited for the other and
# found them stored (the library fetches a shared blob once), the other fetched all its own.
assert sorted([results[0]["blobsCached"], results[1]["blobsCached"]]) == [0, 3], results[:2]
assert final["bytesCached"] > 0, final
d = results[1]
print(f"ok: {len(lines)} JSON lines; derived image: {d['bytes']} bytes fetched, "
      f"{d['blobsCached']} of {d['blobsTotal']} blobs cached")
PY
grep -q "^pulled 3 of 4 images (" "$sandbox/err1" || fail "no update summary on stderr"
grep -q "^failed $nope_image: " "$sandbox/err1" || fail "no outcome line of the missing image"

"$PODPULL_TEST_PYTHON3" - "$sandbox/events1" "$out" "$test_image" "$derived_image" \
    "$big_image" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "the last line does not end in a newline"
lines = lines[:-1]
BYTES = {"type", "task", "description", "id", "bytesCached", "bytes", "bytesTotal",
         "stepsCached", "steps", "stepsTotal", "subtasks"}
STEPS = {"type", "task", "description", "id", "stepsCached", "steps", "stepsTotal", "subtasks"}
SUBTASK = {"subtask", "description", "id", "bytesCached", "bytes", "bytesTotal"}
def u64(v):
    return type(v) is int and 0 <= v < 2**64
assert json.loads(lines[0]) == {"type": "Start", "version": "0.1.0"}, lines[0]
tasks, stored = {}, {}
for n, line in enumerate(lines[1:], 2):
    ev = json.loads(line)
    assert ev["type"] != "Start", f"line {n}: a second Start"
    if ev["type"] == "ProgressSteps":
        assert set(ev) == STEPS and ev["task"] == "storing", f"line {n}: {ev}"
        stored[ev["id"]] = ev["steps"]
        continue
    assert set(ev) == BYTES, f"line {n}: fields {sorted(set(ev) ^ BYTES)} off"
    assert ev["type"] == "ProgressBytes" and ev["task"] == "pulling", f"line {n}"
    for k in BYTES - {"type", "task", "description", "id", "subtasks"}:
        assert u64(ev[k]), f"line {n}: {k}"
    assert ev["steps"] <= ev["stepsTotal"] and ev["bytes"] <= ev["bytesTotal"], f"line {n}"
    for t in ev["subtasks"]:
        assert set(t) == SUBTASK and t["subtask"] == "layer", f"line {n}: subtask {t!r}"
    prev = tasks.get(ev["id"])
    assert prev is None or ev["bytes"] >= prev["bytes"], f"line {n}: {ev['id']}'s bytes went down"
    tasks[ev["id"]] = ev
out = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
results = [e for e in out if e["event"] == "result"]
assert len(results) == 3, results
# One task per pulled image, named by its manifest's digest, each ending with its result's
# figures and its image stored.
for e in results:
    last = tasks[e["manifestDigest"]]
    assert last["bytes"] == last["bytesTotal"] == e["bytes"], (last, e)
    assert last["bytesCached"] == e["bytesCached"], (last, e)
    assert stored.get(e["manifestDigest"]) == 1, (e["image"], stored)
print(f"ok: fd 3: {len(lines)} lines, tasks {sorted(tasks)}")
PY

# 2. Plain lines, two images, a fresh storage.
chmod -R u+w "$sandbox/root" "$sandbox/rr" 2>/dev/null || true
rm -rf "$sandbox/root" "$sandbox/rr"
out=$sandbox/out2
rc=0
"$tool" pull "${common_args[@]}" "$test_image" "$big_image" >"$out" 2>"$sandbox/err2" || rc=$?
echo "----- stdout"
cat "$out"
echo "----- stderr"
cat "$sandbox/err2"
[ "$rc" -eq 0 ] || fail "two images exited $rc"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$out"; then
    fail "control bytes (escape codes) in the non-TTY output"
fi
tail -n 3 "$out" >"$sandbox/outcome2"
mapfile -t outcome <"$sandbox/outcome2"
[[ "${outcome[0]}" == "pulled ${PODPULL_TEST_IMAGE_ID:0:12}… $test_image ("*", route "*")" ]] ||
    fail "the first outcome line is not the test image's: ${outcome[0]}"
[[ "${outcome[1]}" == "pulled ${PODPULL_TEST_BIG_IMAGE_ID:0:12}… $big_image (64.0 MiB in "*")" ]] ||
    fail "the second outcome line is not the big image's: ${outcome[1]}"
[[ "${outcome[2]}" =~ ^pulled\ 2\ of\ 2\ images\ \(.*\ in\ .*\)$ ]] ||
    fail "the last line is not the update's: ${outcome[2]}"
# Every other line is one of an image's, prefixed by it.
head -n -3 "$out" | grep -vF -e "[$test_image] " -e "[$big_image] " &&
    fail "a line before the outcome names no image"
grep -qxF "[$test_image] pulling $test_image" "$out" || fail "no pulling line of the test image"
grep -qE "^\[$big_image\] blob [0-9a-f]{12} done 64\.0 MiB$" "$out" ||
    fail "no done line of the big image's blob"
grep -qE "^\[$big_image\] pulled $PODPULL_TEST_BIG_IMAGE_ID \(" "$out" ||
    fail "no summary line of the big image"

# 3. --quiet, the same storage: IDs in the order given; the missing one only on stderr.
rc=0
"$tool" pull -q "${common_args[@]}" "$big_image" "$nope_image" "$test_image" \
    >"$sandbox/out3" 2>"$sandbox/err3" || rc=$?
cat "$sandbox/out3" "$sandbox/err3"
[ "$rc" -eq 18 ] || [ "$rc" -eq 16 ] || fail "--quiet with a missing image exited $rc"
[ "$(cat "$sandbox/out3")" = "$PODPULL_TEST_BIG_IMAGE_ID"$'\n'"$PODPULL_TEST_IMAGE_ID" ] ||
    fail "--quiet did not print the two IDs in the order given"
grep -qF "podpull: $nope_image: PODPULL_ERR_" "$sandbox/err3" || fail "no error of the missing image"

# 4. --jobs 0.
rc=0
"$tool" pull --jobs 0 "$test_image" "$big_image" >"$sandbox/out4" 2>"$sandbox/err4" || rc=$?
[ "$rc" -eq 2 ] || fail "--jobs 0 exited $rc, not 2"
grep -q "Usage: podpull pull" "$sandbox/err4" || fail "--jobs 0: no usage message"
[ ! -s "$sandbox/out4" ] || fail "--jobs 0 wrote to stdout"

# 5. SIGTERM mid-update.
chmod -R u+w "$sandbox/root" "$sandbox/rr" 2>/dev/null || true
rm -rf "$sandbox/root" "$sandbox/rr"
out=$sandbox/out5
"$tool" pull --jobs 1 "${common_args[@]}" "$big_image" "$test_image" >"$out" 2>"$sandbox/err5" &
pid=$!
for _ in $(seq 300); do
    grep -qE "^\[$big_image\] blob [0-9a-f]{12} +[0-9]+% " "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
cat "$out" "$sandbox/err5"
[ "$rc" -eq 143 ] || fail "SIGTERM mid-update: exit $rc, not 143"
grep -qxF "failed $big_image: interrupted" "$out" || fail "the big image is not interrupted"
grep -qxF "failed $test_image: interrupted" "$out" || fail "the waiting image is not interrupted"
grep -qx "pulled 0 of 2 images (.*)" "$out" || fail "no update line saying nothing was pulled"
check_no_sandbox_processes

# 6. The reader goes away.
rm -rf "$sandbox/root" "$sandbox/rr"
set +o pipefail
"$tool" pull "${common_args[@]}" "$big_image" "$test_image" 2>"$sandbox/err6" | head -1 \
    >"$sandbox/first"
rc=${PIPESTATUS[0]}
set -o pipefail
[ "$rc" -eq 141 ] || fail "| head -1: exit $rc, not 141: $(cat "$sandbox/err6")"
[ -s "$sandbox/first" ] || fail "| head -1: head got nothing"

check_no_sandbox_processes
echo PASS
