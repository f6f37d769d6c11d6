# SPDX-License-Identifier: MIT OR Apache-2.0
# shellcheck shell=bash disable=SC2034 # tool, common_args: used by the scripts that source this
# Shared by the cli-*.sh tests: sourced after `set -euo pipefail`, with $1 = the podpull binary.
# Gives: $tool, $sandbox (a private temp dir, removed on exit), the fixture's variables
# (PODPULL_TEST_*), and the array common_args: a private vfs storage, runtime dir, the
# hermetic containers.conf, and a registries.conf declaring the throttled registry insecure
# (so a pull with TLS verification on takes the byte-progress route on podman 4.3.1).
tool=$1
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
if [ -z "${PODPULL_TEST_ENV:-}" ] || [ ! -f "$PODPULL_TEST_ENV" ]; then
    fail "no fixture env file (PODPULL_TEST_ENV)"
fi
# shellcheck disable=SC1090
source "$PODPULL_TEST_ENV"

# Short: podman refuses a --runroot longer than 50 characters.
sandbox=$(mktemp -d /tmp/ppcli.XXXXXX)
sandbox_cleanup() {
    # Storage made by podman (vfs) may hold read-only dirs: make them writable first.
    chmod -R u+w "$sandbox" 2>/dev/null || true
    rm -rf "$sandbox"
}
trap sandbox_cleanup EXIT
mkdir -p "$sandbox/rt"
cat >"$sandbox/registries.conf" <<CONF
[[registry]]
location = "$PODPULL_TEST_SLOW_REGISTRY"
insecure = true
CONF
common_args=(--root "$sandbox/root" --runroot "$sandbox/rr" --storage-driver vfs
    --runtime-dir "$sandbox/rt"
    --env "CONTAINERS_CONF=$PODPULL_TEST_CONTAINERS_CONF"
    --env "CONTAINERS_REGISTRIES_CONF=$sandbox/registries.conf")

# Processes (other than this shell's own) whose command line names the sandbox: podman
# services or pulls of this test.
sandbox_processes() {
    local p cmd
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$$" ] && continue
        cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
        if [[ "$cmd" == *"$sandbox/"* ]]; then
            echo "${p#/proc/}: $cmd"
        fi
    done
}
check_no_sandbox_processes() {
    local left
    left=$(sandbox_processes)
    [ -z "$left" ] || fail "processes of this test left behind:
$left"
    [ -z "$(ls -A "$sandbox/rt")" ] || fail "the runtime dir is not empty: $(ls -A "$sandbox/rt")"
}
