#!/usr/bin/env bash
# tests/rust/example-tty.sh BUILD_DIR SOURCE_DIR [CARGO] - the Rust crate's async host
# (bindings/rust/examples/bootc_pull.rs) on a terminal, against this build's libpodpull and the
# podpull_registry fixture. ctest test podpull_rust_example.
#
# Storage as bootc lays it out (a root, and the runroot handed over as an open directory fd):
#   1. an `oci-archive:` reference (the `podman pull` route), piped: the image ID, exit 0;
#   2. in tmux (a private server, 120x40), the multi-layer image through the slowed relay:
#      the screen is captured while it pulls and at the end, which shows a line per layer
#      ("done"), the whole-pull bar complete, and the image ID; exit 0;
#   3. the 64 MiB image through the relay, Ctrl-C typed once a layer's bar shows bytes: exit
#      130, "interrupted" on the screen, no podman of the test left, its runtime dir empty.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cargo=${3:-cargo}
crate="$src/bindings/rust"
export CARGO_TARGET_DIR="$build/cargo-target"
export CARGO_TERM_COLOR=never

echo "==> building the example"
(cd "$crate" && PODPULL_LIB_DIR="$build" "$cargo" build --offline \
    --config "$crate/ci/debian-registry.toml" --features async --example bootc_pull)
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
sock="pprs-$$"
tmux_() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup_all() {
    tmux_ kill-server 2>/dev/null || true
    sandbox_cleanup
}
trap cleanup_all EXIT

echo "==> 1. oci-archive:, piped"
"$tool" "${common_args[@]}" "oci-archive:$PODPULL_TEST_OCI_ARCHIVE" >"$sandbox/out" 2>"$sandbox/err" ||
    fail "exit $? for the oci-archive: $(cat "$sandbox/err")"
cat "$sandbox/out" "$sandbox/err"
grep -q "^pulled $PODPULL_TEST_OCI_ARCHIVE_ID (PODPULL_ROUTE_SUBPROCESS" "$sandbox/out" ||
    fail "no 'pulled' line with the archive's image ID"
grep -q "^route PODPULL_ROUTE_SUBPROCESS" "$sandbox/err" || fail "no route line on stderr"
check_no_sandbox_processes

# run.sh IMAGE: the example on the terminal, its exit status to $sandbox/rc afterwards.
{
    printf '#!/usr/bin/env bash\nexport TERM=xterm\n'
    printf '%q ' "$tool" "${common_args[@]}"
    printf '"$1"\necho "EXIT:$?" >%q.tmp && mv %q.tmp %q\nsleep 600\n' \
        "$sandbox/rc" "$sandbox/rc" "$sandbox/rc"
} >"$sandbox/run.sh"

echo "==> 2. the multi-layer image through the relay, on a terminal"
rm -rf "$sandbox/root"
tmux_ new-session -d -s pp -x 120 -y 40 "bash $sandbox/run.sh $PODPULL_TEST_SLOW_IMAGE"
n=0
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/cap.$n"
    n=$((n + 1))
    [ -f "$sandbox/rc" ] && break
    sleep 0.1
done
tmux_ capture-pane -p -t pp >"$sandbox/cap.final"
echo "----- final screen"
sed '/^$/d' "$sandbox/cap.final"
[ -f "$sandbox/rc" ] || fail "the pull did not finish within 30 s"
[ "$(cat "$sandbox/rc")" = "EXIT:0" ] || fail "the pull ended with $(cat "$sandbox/rc")"
final=$sandbox/cap.final
grep -q "^pulled $PODPULL_TEST_IMAGE_ID (PODPULL_ROUTE_DOCKER_COMPAT, " "$final" ||
    fail "no 'pulled' line with the image ID on the screen"
grep -q "^route PODPULL_ROUTE_DOCKER_COMPAT: " "$final" || fail "no route line on the screen"
layers=$(grep -cE '^[0-9a-f]{12} done *$' "$final" || true)
[ "$layers" -ge 3 ] || fail "$layers 'done' lines on the final screen; the image has 3 layers"
for id in $(grep -oE '^[0-9a-f]{12} done' "$final" | cut -d' ' -f1); do
    [ "$(grep -c "^$id " "$final")" -eq 1 ] || fail "layer $id has more than one line"
done
# Every blob ended and the bar is full. Not its bytes: this 8 MiB pull on podman 4.3's compat
# route has been seen to end with 0 bytes reported (no byte report in the stream), and the
# byte totals are checked by pull_with_progress in bindings/rust/tests/real.rs.
grep -qE '^total +\[=+\] .* ([0-9]+)/\1 blobs' "$final" ||
    fail "no complete whole-pull bar on the final screen"
# While it pulled: the whole-pull bar, and at least a blob line, before the end.
for ((i = 0; i < n; i++)); do cat "$sandbox/cap.$i"; done >"$sandbox/caps"
grep -qE '^total +\[[=> ]+\] ' "$sandbox/caps" || fail "no whole-pull bar while pulling"

echo "==> 3. Ctrl-C mid-pull"
rm -rf "$sandbox/root" "$sandbox/rc"
tmux_ respawn-pane -k -t pp "bash $sandbox/run.sh $PODPULL_TEST_SLOW_BIG_IMAGE"
# The big layer is 64 MiB and a few random bytes: indicatif shows 64.00 or 64.01 MiB.
size='6[34]\.[0-9]{2} MiB'
bar="^[0-9a-f]{12} \\[[=> ]+\\] [0-9.]+ (B|KiB|MiB)/$size"
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/cap.int"
    grep -qE "$bar" "$sandbox/cap.int" && grep -qE "[1-9][0-9.]* (KiB|MiB)/$size" "$sandbox/cap.int" &&
        break
    sleep 0.1
done
echo "----- screen before Ctrl-C"
sed '/^$/d' "$sandbox/cap.int"
grep -qE "$bar" "$sandbox/cap.int" || fail "no layer bar with bytes before Ctrl-C"
grep -qE '^total +\[[=> ]+\] ' "$sandbox/cap.int" || fail "no whole-pull bar before Ctrl-C"
tmux_ send-keys -t pp C-c
for _ in $(seq 100); do
    [ -f "$sandbox/rc" ] && break
    sleep 0.1
done
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
echo PASS
