#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# On a terminal: tmux (a private server, 160x40) runs the command on the slow 64 MB image;
# capture-pane every 0.2 s sees the blob's bar line with rising bytes, redrawn in place
# (the blob has one line on the screen, never a scrolled history of them), the whole-pull
# line, and at the end the summary with the image ID; the exit status is 0. Then Ctrl-C
# mid-pull, and an update of three images (a line per image and one for the update).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed"

sock="ppcli-$$"
tmux_() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup_all() {
    tmux_ kill-server 2>/dev/null || true
    sandbox_cleanup
}
trap cleanup_all EXIT

{
    printf '#!/usr/bin/env bash\n'
    printf 'export TERM=xterm\n'
    printf '%q ' "$tool" pull "${common_args[@]}" "$PODPULL_TEST_SLOW_BIG_IMAGE"
    printf '\necho "EXIT:$?" >%q.tmp && mv %q.tmp %q\nsleep 600\n' \
        "$sandbox/rc" "$sandbox/rc" "$sandbox/rc"
} >"$sandbox/run.sh"
tmux_ new-session -d -s pp -x 160 -y 40 "bash $sandbox/run.sh"

n=0
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/cap.$n"
    n=$((n + 1))
    [ -f "$sandbox/rc" ] && break
    sleep 0.2
done
tmux_ capture-pane -p -t pp >"$sandbox/cap.final"
echo "----- final screen"
sed '/^$/d' "$sandbox/cap.final"
[ -f "$sandbox/rc" ] || fail "the command did not finish within 60 s"
[ "$(cat "$sandbox/rc")" = "EXIT:0" ] || fail "the command ended with $(cat "$sandbox/rc")"

final=$sandbox/cap.final
grep -qE "^pulled $PODPULL_TEST_BIG_IMAGE_ID \(64\.0 MiB in .*, route DOCKER_COMPAT\)" "$final" ||
    fail "no summary line with the image ID on the final screen"
grep -qE '^total +100% 64\.0 MiB / 64\.0 MiB .*blobs 2/2' "$final" || fail "no complete whole-pull line"
big=$(grep -E '^[0-9a-f]{12} done 64\.0 MiB' "$final" | awk '{print $1}')
[ -n "$big" ] || fail "no done line for the 64 MiB blob"
[ "$(grep -c "^$big " "$final")" -eq 1 ] || fail "blob $big has more than one line: not redrawn in place"
[ "$(grep -c '^route DOCKER_COMPAT' "$final")" -eq 1 ] || fail "the route line is not there once"

# The bar line of the big blob while it downloads: bytes (in KiB) rise across captures.
for ((i = 0; i < n; i++)); do cat "$sandbox/cap.$i"; done >"$sandbox/caps"
values=$(grep -E "^$big \[[#-]+\] +[0-9.]+ (B|KiB|MiB) / 64\.0 MiB" "$sandbox/caps" |
    awk '{ v = $3; u = $4; if (u == "MiB") v *= 1024; else if (u == "B") v /= 1024; printf "%d\n", v }')
seen=$(echo "$values" | tr '\n' ' ')
echo "bar bytes seen (KiB): $seen"
distinct=$(echo "$values" | awk 'NF' | uniq | wc -l)
[ "$distinct" -ge 2 ] || fail "the bar's bytes did not rise across captures: $seen"
echo "$values" | awk 'NF && NR > 1 && $1 + 0 < prev + 0 { exit 1 } NF { prev = $1 }' ||
    fail "the bar's bytes went down: $seen"
grep -qE '^total +[0-9]+% .* ETA ' "$sandbox/caps" ||
    fail "no whole-pull line with ETA while pulling"

# Ctrl-C typed into the terminal (SIGINT to the whole foreground process group) mid-pull:
# exit 130, "interrupted" on the screen, the cursor visible again, no podman left.
rm -rf "$sandbox/root" "$sandbox/rc"
tmux_ respawn-pane -k -t pp "bash $sandbox/run.sh"
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/cap.int"
    grep -qE "^[0-9a-f]{12} \[[#-]+\] +[0-9.]+ [KM]iB / 64\.0 MiB" "$sandbox/cap.int" && break
    sleep 0.1
done
grep -qE "^[0-9a-f]{12} \[[#-]+\] " "$sandbox/cap.int" || fail "no bar line before Ctrl-C"
tmux_ send-keys -t pp C-c
for _ in $(seq 100); do
    [ -f "$sandbox/rc" ] && break
    sleep 0.1
done
tmux_ capture-pane -p -t pp >"$sandbox/cap.int"
echo "----- screen after Ctrl-C"
sed '/^$/d' "$sandbox/cap.int"
[ -f "$sandbox/rc" ] || fail "the command did not end within 10 s of Ctrl-C"
[ "$(cat "$sandbox/rc")" = "EXIT:130" ] || fail "Ctrl-C: the command ended with $(cat "$sandbox/rc")"
grep -q "interrupted" "$sandbox/cap.int" || fail "no 'interrupted' message after Ctrl-C"
! grep -q "^pulled " "$sandbox/cap.int" || fail "the pull finished despite Ctrl-C"
[ "$(tmux_ display-message -p -t pp '#{cursor_flag}')" = "1" ] || fail "the cursor is still hidden"

# Several images on the terminal: the test, derived and big images through the relay into a
# fresh storage. The block has one line per image, redrawn in place, and the update's line;
# the test and derived images share three layers, so one of the two waits for the other, and
# the status line says so. At the end: every image done, the update at 100%, one outcome
# line per image and `pulled 3 of 3 images`.
rm -rf "$sandbox/root" "$sandbox/rc"
slow=$PODPULL_TEST_SLOW_REGISTRY
{
    printf '#!/usr/bin/env bash\n'
    printf 'export TERM=xterm\n'
    printf '%q ' "$tool" pull "${common_args[@]}" "$slow/podpull/test:v1" \
        "$slow/podpull/derived:v1" "$slow/podpull/big:v1"
    printf '\necho "EXIT:$?" >%q.tmp && mv %q.tmp %q\nsleep 600\n' \
        "$sandbox/rc" "$sandbox/rc" "$sandbox/rc"
} >"$sandbox/many.sh"
tmux_ respawn-pane -k -t pp "bash $sandbox/many.sh"
m=0
for _ in $(seq 300); do
    tmux_ capture-pane -p -t pp >"$sandbox/many.$m"
    m=$((m + 1))
    [ -f "$sandbox/rc" ] && break
    sleep 0.2
done
tmux_ capture-pane -p -t pp >"$sandbox/many.final"
echo "----- final screen, three images"
sed '/^$/d' "$sandbox/many.final"
[ -f "$sandbox/rc" ] || fail "the update did not finish within 60 s"
[ "$(cat "$sandbox/rc")" = "EXIT:0" ] || fail "the update ended with $(cat "$sandbox/rc")"
final=$sandbox/many.final
for name in test:v1 derived:v1 big:v1; do
    [ "$(grep -cE "^$name +\[#+\] .* done " "$final")" -eq 1 ] ||
        fail "$name has not exactly one done line: not redrawn in place"
done
grep -qE '^update +100% ' "$final" || fail "no complete update line"
grep -q '^pulled 3 of 3 images (' "$final" || fail "no update summary"
for ((i = 0; i < m; i++)); do cat "$sandbox/many.$i"; done >"$sandbox/manycaps"
# Whose line it is and how many pulls it names depend on timing: derived:v1 may first wait for
# big:v1's manifest too (and big:v1 for both), and under load test:v1 can end before that wait
# is over, so that no line names one pull alone (seen under ASan on a loaded machine).
grep -qE '^status (test|derived|big):v1: waiting for [0-9]+ other pulls? of this client' \
    "$sandbox/manycaps" || fail "no status line of the image that waits for the other"
grep -qE '^update +[0-9]+% .* ETA ' "$sandbox/manycaps" || fail "no update line while pulling"

tmux_ kill-server 2>/dev/null || true
sleep 0.5
check_no_sandbox_processes
echo PASS
