#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# tests/rust/example-tty.sh BUILD_DIR SOURCE_DIR [CARGO] - the podpull crate's port of bootc's
# podman client (bindings/rust/podpull/examples/bootc_pull.rs) against this build's libpodpull
# and the podpull_registry fixture, on the podman release PODPULL_TEST_RELEASE names (default
# the host's 4.3). ctest tests podpull_rust_example@podman-R.
#
# Storage as bootc lays it out: the root handed over as an open directory that podman sees at
# an alias under the sandbox (--storage-alias), the runroot as fd 3. bootc's events go to
# --progress-fd and are checked line by line against bootc's schema (python3).
#   1. an `oci-archive:` reference (the `podman pull` route), piped, events to a file: the
#      image ID, exit 0; the image is in the directory the fd names, the alias empty here;
#   2. in tmux (a private server, 120x40), the multi-layer image through the slowed relay,
#      events through a pipe: the screen while it pulls (this release's podman running) and at
#      the end: the route, a line per blob ("done"), the whole-pull bar complete, the image ID;
#   3. the same image again into the same storage: every layer cached in the events;
#   4. the 64 MiB image through the relay, Ctrl-C typed once it is under way (a layer's bar
#      shows bytes; on 4.3, whose route with policy newer has no bytes, podman's status line):
#      exit 130, "interrupted", no podman of the test left, its runtime dir empty;
#   5. credentials (the HTTPS registry with a password): given with --authfile, the pull
#      works; without, the example hands podman `{}` and podman does not find the user's
#      auth.json that a plain podman pull does find: exit 1, PODPULL_ERR_AUTH (not on 4.3,
#      whose podman reads HOME after the file it is given). The password shows nowhere.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cargo=${3:-cargo}
workspace="$src/bindings/rust"
export CARGO_TARGET_DIR="$build/cargo-target"
export CARGO_TERM_COLOR=never

echo "==> building the example"
(cd "$workspace" && PODPULL_LIB_DIR="$build" "$cargo" build --offline \
    --config "$workspace/ci/debian-registry.toml" -p podpull --features async --example bootc_pull)
example="$CARGO_TARGET_DIR/debug/examples/bootc_pull"
[ -x "$example" ] || {
    echo "FAIL: $example was not built" >&2
    exit 1
}

# $tool, $sandbox, common_args (--root, --runroot, --storage-driver vfs, --runtime-dir, the
# fixture's containers.conf and a registries.conf declaring the relay insecure), fail,
# check_no_sandbox_processes: the same as the podpull command's tests.
set -- "$example"
# shellcheck source=../cli/lib.sh
source "$src/tests/cli/lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed"
python3=$PODPULL_TEST_PYTHON3

release=${PODPULL_TEST_RELEASE:-4.3}
key=PODPULL_TEST_PODMAN_${release//./_}
exe_key=PODPULL_TEST_PODMAN_EXE_${release//./_}
podman=${!key:-}
podman_exe=${!exe_key:-}
[ -n "$podman" ] && [ -n "$podman_exe" ] || fail "the fixture has no podman $release"
# Policy newer: podman 4.3's /images/create cannot take it, so 4.3 pulls on the text route.
case "$release" in
4.*) route=PODPULL_ROUTE_LIBPOD_TEXT ;;
5.*) route=PODPULL_ROUTE_LIBPOD_COMPAT ;;
*) route=PODPULL_ROUTE_LIBPOD_PROGRESS ;;
esac
echo "==> podman $release ($podman), expecting $route"
alias_dir="$sandbox/run/bootc/storage"
args=(--podman "$podman" --storage-alias "$alias_dir" "${common_args[@]}")

sock="pprs-$$"
tmux_() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup_all() {
    tmux_ kill-server 2>/dev/null || true
    sandbox_cleanup
}
trap cleanup_all EXIT

# check_events FILE LAYERS PULLED_LINE FRESH: every line one of bootc's events (progress_jsonl.rs:
# exactly its fields, of its types), canonical JSON (sorted keys, no spaces); Start first and
# once; bytes never going back; the storing step 0/1 then 1/1, last; the last ProgressBytes
# with the "pulled" line's bytes and manifest digest, its steps complete, LAYERS in all, and
# with FRESH=0 every layer cached. Prints a summary.
check_events() {
    "$python3" - "$@" <<'PY'
import json, re, sys
path, layers, pulled, fresh = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
m = re.match(r"^pulled [0-9a-f]{64} \(\w+, (\d+) bytes, (sha256:[0-9a-f]{64})\)$", pulled)
assert m, f"not a pulled line with a manifest digest: {pulled!r}"
result_bytes, digest = int(m.group(1)), m.group(2)
text = open(path, encoding="utf-8").read()
assert text.endswith("\n"), "the last line does not end in a newline"
FIELDS = {
    "Start": {"type", "version"},
    "ProgressBytes": {"type", "task", "description", "id", "bytesCached", "bytes", "bytesTotal",
                      "stepsCached", "steps", "stepsTotal", "subtasks"},
    "ProgressSteps": {"type", "task", "description", "id", "stepsCached", "steps", "stepsTotal",
                      "subtasks"},
}
SUBTASK = {"ProgressBytes": {"subtask", "description", "id", "bytesCached", "bytes", "bytesTotal"},
           "ProgressSteps": {"subtask", "description", "id", "completed"}}
def typed(obj, n):
    for k, v in obj.items():
        if k in ("type", "task", "description", "id", "subtask", "version"):
            assert type(v) is str, f"line {n}: {k} is not a string"
        elif k == "completed":
            assert type(v) is bool, f"line {n}: {k} is not a bool"
        elif k != "subtasks":
            assert type(v) is int and 0 <= v < 2**64, f"line {n}: {k} is not a u64"
events = []
for n, line in enumerate(text[:-1].split("\n"), 1):
    ev = json.loads(line)
    assert json.dumps(ev, sort_keys=True, separators=(",", ":")) == line, f"line {n} not canonical"
    kind = ev.get("type")
    assert kind in FIELDS and set(ev) == FIELDS[kind], f"line {n}: not bootc's: {line}"
    typed(ev, n)
    for t in ev.get("subtasks", []):
        assert set(t) == SUBTASK[kind], f"line {n}: subtask {t}"
        typed(t, n)
    events.append(ev)
assert events[0] == {"type": "Start", "version": "0.1.0"}, events[0]
assert sum(e["type"] == "Start" for e in events) == 1, "Start more than once"
byte_events = [e for e in events if e["type"] == "ProgressBytes"]
steps = [e for e in events if e["type"] == "ProgressSteps"]
assert byte_events, "no ProgressBytes"
for a, b in zip(byte_events, byte_events[1:]):
    assert b["bytes"] >= a["bytes"], f"bytes went back: {a['bytes']} -> {b['bytes']}"
for e in events[1:]:
    assert e["id"] == digest, f"id {e['id']} is not the manifest's {digest}"
assert [(e["task"], e["steps"], e["stepsTotal"]) for e in steps] == [("storing", 0, 1), ("storing", 1, 1)], steps
assert events[-1] is steps[-1], "the storing step done is not the last line"
last = byte_events[-1]
assert last["task"] == "pulling" and last["description"] == f"Pulling Image: {digest}", last
assert last["bytes"] == result_bytes == last["bytesTotal"], (last, result_bytes)
assert last["steps"] == last["stepsTotal"], last
assert last["stepsTotal"] + last["stepsCached"] == layers, (last, layers)
if not fresh:
    assert (last["stepsCached"], last["stepsTotal"]) == (layers, 0), last
print(f"{len(events)} events, last: bytes {last['bytes']}/{last['bytesTotal']}, cached "
      f"{last['bytesCached']}, steps {last['steps']}/{last['stepsTotal']} + {last['stepsCached']} cached")
PY
}

# Whether a podman of this release runs for this test: /proc/PID/exe of a chroot release is
# the binary inside its root file system, so the host's podman cannot pass for it.
# One grep over every command line: quick enough to catch a pull of a second.
release_podman_runs() {
    local cmdline
    for cmdline in $(grep -lsF -- "$sandbox/" /proc/[0-9]*/cmdline); do
        [ "$(readlink "${cmdline%/cmdline}/exe" 2>/dev/null)" = "$podman_exe" ] && return 0
    done
    return 1
}

echo "==> 1. oci-archive:, piped, events to a file"
"$tool" "${args[@]}" --progress-fd 3 "oci-archive:$PODPULL_TEST_OCI_ARCHIVE" \
    >"$sandbox/out" 2>"$sandbox/err" 3>"$sandbox/events" ||
    fail "exit $? for the oci-archive: $(cat "$sandbox/err")"
cat "$sandbox/out" "$sandbox/err"
grep -q "^pulled $PODPULL_TEST_OCI_ARCHIVE_ID (PODPULL_ROUTE_SUBPROCESS" "$sandbox/out" ||
    fail "no 'pulled' line with the archive's image ID"
grep -q "^route PODPULL_ROUTE_SUBPROCESS" "$sandbox/err" || fail "no route line on stderr"
check_events "$sandbox/events" 3 "$(cat "$sandbox/out")" 1 || fail "the oci-archive's events"
[ -d "$sandbox/root/vfs-images" ] || fail "no image in the directory the storage fd names"
[ -d "$alias_dir" ] && [ -z "$(ls -A "$alias_dir")" ] ||
    fail "the alias $alias_dir is not an empty directory on the host"
check_no_sandbox_processes

# run.sh IMAGE: the example on the terminal (stderr: the bars), its events through a pipe to a
# reader, its stdout to $sandbox/pulled and then the screen, its exit status to $sandbox/rc.
# No pipeline: Ctrl-C reaches the shell too, which goes on only if no child died of it.
mkfifo "$sandbox/events.fifo"
{
    printf '#!/usr/bin/env bash\nexport TERM=xterm\n'
    printf 'cat %q >%q &\n' "$sandbox/events.fifo" "$sandbox/events"
    printf '%q ' "$tool" "${args[@]}"
    printf -- '--progress-fd 3 "$1" 3>%q >%q\n' "$sandbox/events.fifo" "$sandbox/pulled"
    printf 'rc=$?\nwait $!\ncat %q\n' "$sandbox/pulled"
    printf 'echo "EXIT:$rc" >%q.tmp && mv %q.tmp %q\nsleep 600\n' \
        "$sandbox/rc" "$sandbox/rc" "$sandbox/rc"
} >"$sandbox/run.sh"
# wait_rc SECONDS: until run.sh wrote the exit status.
wait_rc() {
    for _ in $(seq $(($1 * 10))); do
        [ -f "$sandbox/rc" ] && return 0
        sleep 0.1
    done
    return 1
}

echo "==> 2. the multi-layer image through the relay, on a terminal"
rm -rf "$sandbox/root" "$sandbox/rc"
tmux_ new-session -d -s pp -x 120 -y 40 "bash $sandbox/run.sh $PODPULL_TEST_SLOW_IMAGE"
n=0
seen_release=0
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/cap.$n"
    n=$((n + 1))
    [ -f "$sandbox/rc" ] && break
    [ "$seen_release" = 1 ] || ! release_podman_runs || seen_release=1
    sleep 0.1
done
tmux_ capture-pane -p -t pp >"$sandbox/cap.final"
echo "----- final screen"
sed '/^$/d' "$sandbox/cap.final"
wait_rc 1 || fail "the pull did not finish within 30 s"
[ "$(cat "$sandbox/rc")" = "EXIT:0" ] || fail "the pull ended with $(cat "$sandbox/rc")"
[ "$seen_release" = 1 ] || fail "no podman $release ($podman_exe) ran for the pull"
final=$sandbox/cap.final
grep -q "^pulled $PODPULL_TEST_IMAGE_ID ($route, " "$final" ||
    fail "no 'pulled' line with the image ID and $route on the screen"
grep -q "^route $route: " "$final" || fail "no route line on the screen"
# The three layers and the config, each a line of its own.
blobs=$(grep -cE '^[0-9a-f]{12} done *$' "$final" || true)
[ "$blobs" -ge 3 ] || fail "$blobs 'done' lines on the final screen; the image has 3 layers"
for id in $(grep -oE '^[0-9a-f]{12} done' "$final" | cut -d' ' -f1); do
    [ "$(grep -c "^$id " "$final")" -eq 1 ] || fail "blob $id has more than one line"
done
grep -qE '^total +\[=+\] .* ([0-9]+)/\1 blobs' "$final" ||
    fail "no complete whole-pull bar on the final screen"
for ((i = 0; i < n; i++)); do cat "$sandbox/cap.$i"; done >"$sandbox/caps"
grep -qE '^total +\[[=> ]+\] ' "$sandbox/caps" || fail "no whole-pull bar while pulling"
check_events "$sandbox/events" 3 "$(cat "$sandbox/pulled")" 1 || fail "the events of the pull"

echo "==> 3. the same image again into the same storage"
"$tool" "${args[@]}" --progress-fd 3 "$PODPULL_TEST_SLOW_IMAGE" \
    >"$sandbox/out" 2>"$sandbox/err" 3>"$sandbox/events" ||
    fail "exit $? for the second pull: $(cat "$sandbox/err")"
cat "$sandbox/out"
check_events "$sandbox/events" 3 "$(cat "$sandbox/out")" 0 || fail "the events of the second pull"

echo "==> 4. Ctrl-C mid-pull"
rm -rf "$sandbox/root" "$sandbox/rc"
tmux_ respawn-pane -k -t pp "bash $sandbox/run.sh $PODPULL_TEST_SLOW_BIG_IMAGE"
# The big layer is 64 MiB and a few random bytes: indicatif shows 64.00 or 64.01 MiB.
size='6[34]\.[0-9]{2} MiB'
if [ "$route" = PODPULL_ROUTE_LIBPOD_TEXT ]; then
    under_way='^[^ ]+ Copying blob sha256:[0-9a-f]{64}'
else
    under_way="^[0-9a-f]{12} \\[[=> ]+\\] [1-9][0-9.]* (KiB|MiB)/$size"
fi
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/cap.int"
    grep -qE "$under_way" "$sandbox/cap.int" && break
    sleep 0.1
done
echo "----- screen before Ctrl-C"
sed '/^$/d' "$sandbox/cap.int"
grep -qE "$under_way" "$sandbox/cap.int" || fail "the pull was not under way before Ctrl-C"
grep -qE "^[0-9a-f]{12} \\[[=> ]+\\] [0-9.]+ ?(B|KiB|MiB)/$size" "$sandbox/cap.int" ||
    fail "no layer bar before Ctrl-C"
tmux_ send-keys -t pp C-c
wait_rc 10 || true
tmux_ capture-pane -p -t pp >"$sandbox/cap.int"
echo "----- screen after Ctrl-C"
sed '/^$/d' "$sandbox/cap.int"
[ -f "$sandbox/rc" ] || fail "the example did not end within 10 s of Ctrl-C"
[ "$(cat "$sandbox/rc")" = "EXIT:130" ] || fail "Ctrl-C: the example ended with $(cat "$sandbox/rc")"
grep -q "^interrupted" "$sandbox/cap.int" || fail "no 'interrupted' after Ctrl-C"
! grep -q "^pulled " "$sandbox/cap.int" || fail "the pull finished despite Ctrl-C"
# The example has exited, so its service must be gone already; the shell left in tmux names the
# sandbox too, so it goes first.
tmux_ kill-server 2>/dev/null || true
sleep 0.5
check_no_sandbox_processes

echo "==> 5. credentials"
home=$sandbox/home
mkdir -p "$home/.config/containers/certs.d/$PODPULL_TEST_AUTH_REGISTRY"
cp "$PODPULL_TEST_CA_DIR/ca.crt" "$home/.config/containers/certs.d/$PODPULL_TEST_AUTH_REGISTRY/"
# printf is a builtin: the password is on no command line.
basic=$(printf '%s:%s' "$PODPULL_TEST_AUTH_USER" "$PODPULL_TEST_AUTH_PASSWORD" | base64 -w0)
(umask 077 && printf '{"auths":{"%s":{"auth":"%s"}}}' "$PODPULL_TEST_AUTH_REGISTRY" "$basic" \
    >"$sandbox/auth.json")
# The same credentials where a user's podman looks for them by itself.
cp "$sandbox/auth.json" "$home/.config/containers/auth.json"
auth_args=("${args[@]}" --env "HOME=$home")
rm -rf "$sandbox/root"
rc=0
"$tool" "${auth_args[@]}" --authfile "$sandbox/auth.json" "$PODPULL_TEST_AUTH_IMAGE" \
    >"$sandbox/out" 2>"$sandbox/err" || rc=$?
cat "$sandbox/out" "$sandbox/err"
[ "$rc" -eq 0 ] || fail "--authfile: exit $rc"
grep -q "^pulled $PODPULL_TEST_AUTH_IMAGE_ID " "$sandbox/out" || fail "--authfile: no 'pulled' line"
cat "$sandbox/out" "$sandbox/err" >"$sandbox/shown"
rm -rf "$sandbox/root"
rc=0
"$tool" "${auth_args[@]}" "$PODPULL_TEST_AUTH_IMAGE" >"$sandbox/out" 2>"$sandbox/err" || rc=$?
cat "$sandbox/out" "$sandbox/err"
if [ "$release" = 4.3 ]; then
    # podman 4.3.1 (containers/image 5.23) reads the HOME places after the auth file it is
    # given, and podpull cannot stop it (tests/integration/test_exact_credentials.cpp,
    # podman_reads_home_after_given_file): there the user's auth.json is found.
    [ "$rc" -eq 0 ] || fail "podman 4.3 no longer reads HOME after the file given: exit $rc"
    echo "as expected of podman 4.3: it read the user's auth.json after the {} it was handed"
else
    [ "$rc" -eq 1 ] || fail "without --authfile: exit $rc, not 1"
    grep -q "PODPULL_ERR_AUTH" "$sandbox/err" || fail "without --authfile: not PODPULL_ERR_AUTH"
fi
cat "$sandbox/out" "$sandbox/err" >>"$sandbox/shown"
# The control: a plain podman of this release, with the same HOME, finds the user's auth.json.
env HOME="$home" CONTAINERS_CONF="$PODPULL_TEST_CONTAINERS_CONF" "$podman" \
    --root "$sandbox/control" --runroot "$sandbox/control-rr" --storage-driver vfs \
    pull -q "$PODPULL_TEST_AUTH_IMAGE" >"$sandbox/out" 2>"$sandbox/err" ||
    fail "the control: podman pull with the user's auth.json failed: $(cat "$sandbox/err")"
# The patterns from a file, not argv: a secret in grep's command line is a secret shown (and
# test_auth.cpp's watch of every process would see it there).
printf '%s\n' "$PODPULL_TEST_AUTH_PASSWORD" "$basic" >"$sandbox/secrets"
! grep -qF -f "$sandbox/secrets" "$sandbox/shown" || fail "the credentials were shown"
check_no_sandbox_processes
echo PASS
