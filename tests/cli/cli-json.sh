#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# --json: every stdout line is one JSON object (checked with python3's json module); the
# first is start (with the library version), then route once, progress events whose bytes
# never decrease and whose subtasks carry id/bytes/bytesTotal, and finally a result event
# with the image ID the fixture expects. Human text goes to stderr only. A failing pull ends
# with an error event and exit 10 + code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out=$sandbox/out
rc=0
"$tool" pull --json "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE" >"$out" 2>"$sandbox/err" || rc=$?
echo "----- stdout"
cut -c1-300 "$out"
echo "----- stderr"
cat "$sandbox/err"
[ "$rc" -eq 0 ] || fail "podpull --json exited $rc"

"$PODPULL_TEST_PYTHON3" - "$out" "$PODPULL_TEST_BIG_IMAGE_ID" <<'PY'
import json, sys
path, want_id = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().splitlines()
assert lines, "no output"
events = []
for n, line in enumerate(lines, 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line!r}")
    assert isinstance(ev, dict) and isinstance(ev.get("event"), str), f"line {n}: {line!r}"
    events.append(ev)
kinds = [e["event"] for e in events]
assert kinds[0] == "start" and isinstance(events[0]["version"], str), events[0]
assert kinds.count("route") == 1 and kinds[1] == "route", kinds[:3]
assert events[1]["route"] == "DOCKER_COMPAT", events[1]
assert kinds[-1] == "result", events[-1]
assert events[-1]["imageId"] == want_id, (events[-1], want_id)
assert "error" not in kinds
progress = [e for e in events if e["event"] == "progress"]
assert len(progress) >= 3, f"only {len(progress)} progress events"
last = -1
for p in progress:
    assert isinstance(p["bytes"], int) and isinstance(p["bytesTotal"], int), p
    assert p["bytes"] >= last, f"bytes went down: {last} -> {p['bytes']}"
    last = p["bytes"]
    for t in p["subtasks"]:
        assert isinstance(t["id"], str) and isinstance(t["bytes"], int), t
        assert t["bytesTotal"] is None or isinstance(t["bytesTotal"], int), t
big = [t for p in progress for t in p["subtasks"] if (t["bytesTotal"] or 0) > 60_000_000]
assert big, "no subtask for the 64 MB blob"
climbing = sorted({t["bytes"] for t in big if 0 < t["bytes"] < t["bytesTotal"]})
assert len(climbing) >= 2, f"the big blob's bytes did not climb: {climbing}"
assert progress[-1]["bytes"] >= 64_000_000, progress[-1]
# The manifest was read first, so the whole-pull total is the image's (the 64 MB
# layer and the config: 2 blobs) from the first progress event on, and the result's bytes
# (fetched; nothing was cached in the fresh storage) equal it.
result = events[-1]
for p in progress:
    assert p["bytesTotal"] == progress[0]["bytesTotal"], (p, progress[0])
    assert p["blobsTotal"] == 2 and p["blobsCached"] == 0 and p["bytesCached"] == 0, p
assert progress[-1]["bytes"] == progress[-1]["bytesTotal"] == result["bytes"], (progress[-1], result)
assert result["blobsTotal"] == 2 and result["blobsCached"] == 0 and result["bytesCached"] == 0, result
import re
assert re.fullmatch("sha256:[0-9a-f]{64}", result["manifestDigest"]), result
assert "blob sizes from the image's manifest" in events[1]["reason"], events[1]
print(f"ok: {len(lines)} JSON lines, {len(progress)} progress events, final bytes {last}")
PY
grep -q '^pulled ' "$sandbox/err" || fail "no human summary on stderr"

# A tag that does not exist: an error event last, exit 10 + PODPULL_ERR_NOT_FOUND (or PULL).
rc=0
"$tool" pull --json "${common_args[@]}" "$PODPULL_TEST_SLOW_REGISTRY/podpull/nope:v0" >"$out" 2>"$sandbox/err" || rc=$?
cat "$out"
[ "$rc" -eq 18 ] || [ "$rc" -eq 16 ] || fail "a missing tag exited $rc, not 18 or 16"
"$PODPULL_TEST_PYTHON3" - "$out" "$rc" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()]
e = events[-1]
assert e["event"] == "error", e
assert e["code"] in ("PODPULL_ERR_NOT_FOUND", "PODPULL_ERR_PULL"), e
assert 10 + e["codeNumber"] == int(sys.argv[2]), e
assert isinstance(e["message"], str) and e["message"], e
print("ok: error event", e["code"])
PY

check_no_sandbox_processes
echo PASS
