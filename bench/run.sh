#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# bench/run.sh [--runs N] [--quick] [--save DIR]
#
# Every figure of docs/performance.md, measured side by side in one run on this machine, and
# printed as one table of medians with their ratios and goals:
#   1. connect-to-ready: podpull_connect vs a 100 ms socket poll (bootc's) vs podman's READY=1;
#   2. a ~300 MB image (three random layers) from a local registry: podpull vs curl on the
#      same API request to the same service vs `podman pull`;
#   3. the same pull with callbacks that sleep 100 ms each vs without callbacks;
#   4. the pure core (PullSession) on 100 MB NDJSON bodies, per wire format (Google Benchmark);
#   5. peak RSS of `podpull pull` for a 100 MB and a 1 GB image;
#   6. dlopen + podpull_get_api in fresh processes, and the library's size;
#   7. the manifest step: when the host's first report with bytes comes with it and
#      without it (skopeo out of reach), and the step's own time, beside `podman pull`.
#
# PODPULL_PODMAN=R runs every podman of the bench from release R (4.3, the host's, by default;
# 5.4, 5.8, 6.1 from scripts/podman-peers.sh). PODPULL_BENCH_BUILD=DIR uses that build dir.
#
# It installs what it needs (scripts/install-deps.sh; PODPULL_SKIP_DEPS=1 skips apt), builds
# in build-bench/ (Release), starts a private registry (tests/support/registry-up.sh), builds
# and pushes the images, and removes all of it on exit, Ctrl-C included. Every pull lands in
# a private vfs storage, and the image is deleted after each pull so that the next one really
# pulls. A full run takes about 15 minutes.
#   --runs N    measurements per figure (default 10; the table shows medians)
#   --quick     smoke run: small images (48 MB, 16 MB, 128 MB), 10 MB bodies, 3 runs
#   --save DIR  also keep the raw samples, Google Benchmark's JSON and the table in DIR
set -euo pipefail

usage() { sed -n '3,28s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

runs=""
quick=0
save=""
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) [ $# -ge 2 ] || { usage >&2; exit 2; }; runs=$2; shift 2 ;;
    --runs=*) runs=${1#--runs=}; shift ;;
    --quick) quick=1; shift ;;
    --save) [ $# -ge 2 ] || { usage >&2; exit 2; }; save=$2; shift 2 ;;
    --save=*) save=${1#--save=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
if [ "$quick" -eq 1 ]; then
    runs=${runs:-3}
    pull_layers=(8 16 24)
    rss_small_mb=16
    rss_big_mb=128
    stream_mb=10
    dlopen_runs=20
else
    runs=${runs:-10}
    pull_layers=(50 100 150)
    rss_small_mb=100
    rss_big_mb=1024
    stream_mb=100
    dlopen_runs=100
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: --runs wants a positive integer, not '$runs'" >&2
    exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# PODPULL_BENCH_BUILD=DIR measures an existing build instead (its build type is its own: say
# so beside the figures).
build=${PODPULL_BENCH_BUILD:-build-bench}
log() { printf '== %s\n' "$*" >&2; }
fail() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- tools and build ------------------------------------------------------------------------
if [ "${PODPULL_SKIP_DEPS:-0}" != "1" ]; then
    log "installing packages (scripts/install-deps.sh)"
    bash scripts/install-deps.sh >&2
fi
for tool in podman curl python3 size cmake ninja; do
    command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed (run scripts/install-deps.sh)"
done
if [ ! -f "$build/CMakeCache.txt" ]; then
    launcher=()
    if command -v ccache >/dev/null 2>&1; then
        launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODPULL_BUILD_TESTS=OFF \
        "${launcher[@]}" >&2
fi
log "building $build (Release)"
cmake --build "$build" -j2 --target podpull podpull-cli podpull_bench_connect podpull_bench_pull \
    podpull_bench_dlopen podpull_bench_core >&2
bin=$repo/$build/bench
cli=$repo/$build/tools/podpull/podpull
lib=$(readlink -f "$build/libpodpull.so.1")

# --- scratch space, cleaned up whatever happens ------------------------------------------------
work=$(mktemp -d /tmp/ppbench.XXXXXX) # short: podman wants runroots under 50 characters
service_pid=""
cleanup() {
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        kill -TERM "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
    if [ -n "$save" ] && [ -f "$work/samples" ]; then # kept also when a step failed
        mkdir -p "$save"
        cp "$work/samples" "$save/"
        for f in meta core.json table.md; do
            [ -f "$work/$f" ] && cp "$work/$f" "$save/"
        done
    fi
    if [ -d "$work/registry" ]; then
        bash tests/support/registry-down.sh "$work/registry" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
samples=$work/samples
: >"$samples"
started=$(date +%s)

# --- registry and images -----------------------------------------------------------------------
log "starting a private registry (tests/support/registry-up.sh)"
bash tests/support/registry-up.sh "$work/registry" >"$work/registry-up.log" 2>&1 ||
    { cat "$work/registry-up.log" >&2; fail "the registry did not come up"; }
# shellcheck disable=SC1091
source "$work/registry/env"
registry=$PODPULL_TEST_REGISTRY
# Every podman below (services, CLI, builds) keeps its runtime state in the fixture's dirs.
export CONTAINERS_CONF=$PODPULL_TEST_CONTAINERS_CONF
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"

pull_image=$registry/bench/pull:v1
small_image=$registry/bench/rss-small:v1
big_image=$registry/bench/rss-big:v1
pull_mb=0
for mb in "${pull_layers[@]}"; do pull_mb=$((pull_mb + mb)); done
log "building and pushing $pull_image (layers of ${pull_layers[*]} MB)"
bash bench/make-image.sh "$work/img" "$pull_image" "${pull_layers[@]}" >/dev/null
log "building and pushing $small_image ($rss_small_mb MB) and $big_image ($rss_big_mb MB)"
bash bench/make-image.sh "$work/img" "$small_image" "$rss_small_mb" >/dev/null
bash bench/make-image.sh "$work/img" "$big_image" "$rss_big_mb" >/dev/null
rm -rf "$work/img"

# The registry speaks plain HTTP. Declared insecure here, with TLS verification left on, it
# keeps podman 4.3.1 on the route with byte progress (DOCKER_COMPAT), as the demo does.
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$registry" >"$work/registries.conf"
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf
release=${PODPULL_PODMAN:-4.3}
podman_bin=$(bash scripts/podman-peers.sh --path "$release") ||
    fail "podman $release is not available (run scripts/podman-peers.sh)"
podman() { "$podman_bin" "$@"; }
log "podman $release: $podman_bin ($(podman --version))"

# --- 1. connect-to-ready ---------------------------------------------------------------------
log "1. connect-to-ready, $runs runs of each way"
mkdir -p "$work/connect"
"$bin/podpull_bench_connect" --runs "$runs" --podman "$podman_bin" --work "$work/connect" \
    >>"$samples"

# --- one service for every pull ----------------------------------------------------------------
store=(--root "$work/ps/root" --runroot "$work/ps/run" --storage-driver vfs)
sock=$work/pull.sock
# The binary itself, not the podman() function: a function in the background is a subshell,
# whose PID a SIGTERM would end while the service it started went on, orphaned.
"$podman_bin" "${store[@]}" system service --time=0 "unix://$sock" \
    </dev/null >/dev/null 2>"$work/service.log" &
service_pid=$!
api() { curl -sS --unix-socket "$sock" "$@"; }
for _ in $(seq 1 200); do
    api -fo /dev/null http://d/_ping 2>/dev/null && break
    kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.log" >&2; fail "the service died"; }
    sleep 0.1
done
api -fo /dev/null http://d/_ping || fail "the pull service does not answer"

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
image_present() {
    [ "$(api -o /dev/null -w '%{http_code}' "http://d/v4.3.1/libpod/images/$(urlencode "$1")/exists")" = 204 ]
}
# Deletes the image, checks it is gone, and flushes the disk, so the next pull starts from an
# empty storage and is not slowed by the previous one's writeback.
remove_image() {
    api -o /dev/null -X DELETE "http://d/v4.3.1/libpod/images/$(urlencode "$1")?force=true"
    ! image_present "$1" || fail "$1 is still in the storage after DELETE"
    sync
}
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# The ways to pull, each one process; every one must leave the image in the storage.
pull_podpull() { "$bin/podpull_bench_pull" --socket "$sock" "$1" >"$work/pull.out"; }
pull_slow() {
    "$bin/podpull_bench_pull" --socket "$sock" --sleep-ms 100 "$1" >"$work/pull.out"
    read -r _ _ _ calls _ <"$work/pull.out"
    echo "calls slow $calls" >>"$samples"
}
# The request podpull sends on DOCKER_COMPAT (src/core/podman_command.cpp), body discarded
# after a check that it reports no error (the endpoint answers 200 and fails in the body).
# The target is made once, before any timing (urlencode starts a python3).
create_target() { echo "/v1.41/images/create?fromImage=$(urlencode "${1%:*}")&tag=$(urlencode "${1##*:}")"; }
pull_curl() {
    api -f -X POST -o "$work/curl.body" "http://d${curl_targets[$1]}"
    ! grep -q '"error"' "$work/curl.body" || fail "curl's pull failed: $(tail -c 300 "$work/curl.body")"
}
pull_cli() { podman "${store[@]}" pull -q "$1" >/dev/null 2>"$work/cli.log"; }

timed_pull() { # WAY IMAGE LABEL
    local t0 t1
    t0=$(now_us)
    "pull_$1" "$2" || fail "the $1 pull of $2 failed"
    t1=$(now_us)
    image_present "$2" || fail "the $1 pull of $2 left no image"
    echo "$3 $1 $(((t1 - t0) / 1000))" >>"$samples"
    remove_image "$2"
}

# --- 2. and 3. the pull, four ways ---------------------------------------------------------------
log "2./3. pulling $pull_image ($pull_mb MB) four ways, $runs runs each (one warm-up first)"
pull_podpull "$pull_image" && remove_image "$pull_image"
declare -A curl_targets=(["$pull_image"]=$(create_target "$pull_image"))
ways=(podpull curl cli slow)
for run in $(seq 0 $((runs - 1))); do
    for k in 0 1 2 3; do
        way=${ways[$(((k + run) % 4))]}
        timed_pull "$way" "$pull_image" pull
    done
    log "   run $((run + 1))/$runs done"
done

# --- 7. the manifest step ------------------------------------------------------------------------
# The same pull, through the same service, with the manifest step and without it (a PATH in
# which skopeo is not). Both note when on_route came and when the first report with bytes came;
# with the step, the route's reason also gives the step's own time.
log "7. the manifest step: $runs pulls with it and $runs without, alternating"
mkdir -p "$work/no-skopeo"
manifest_pull() { # WITH(1/0)
    local extra=()
    [ "$1" = 1 ] || extra=(--env "PATH=$work/no-skopeo")
    "$bin/podpull_bench_pull" --socket "$sock" --first-byte "${extra[@]}" "$pull_image" \
        >"$work/pull.out" || fail "the manifest-step pull failed"
    image_present "$pull_image" || fail "the manifest-step pull left no image"
    remove_image "$pull_image"
    read -r _ pull_ms _ _ _ _ _ _ _ route_ms _ first_ms _ total _ step_ms <"$work/pull.out"
    local way=without
    [ "$1" = 1 ] && way=with
    echo "manifest first_$way ${first_ms%.*}" >>"$samples"
    echo "manifest route_$way ${route_ms%.*}" >>"$samples"
    echo "manifest pull_$way ${pull_ms%.*}" >>"$samples"
    echo "manifest firsttotal_$way $total" >>"$samples"
    [ "$1" = 1 ] && echo "manifest step $step_ms" >>"$samples"
    return 0
}
for run in $(seq 0 $((runs - 1))); do
    if [ $((run % 2)) -eq 0 ]; then manifest_pull 1; manifest_pull 0; else manifest_pull 0; manifest_pull 1; fi
done

# --- 5. peak RSS of `podpull pull` ----------------------------------------------------------------
# With --socket, podman is not podpull's child; skopeo (the manifest step) is, so the figure is
# read from podpull's own VmHWM (bench/peak-rss.py), not from wait4's rusage, which would be
# the largest of podpull and skopeo.
log "5. peak RSS of podpull pull, $runs runs for $rss_small_mb MB and for $rss_big_mb MB"
for size in small big; do
    image=$small_image
    [ "$size" = big ] && image=$big_image
    for _ in $(seq 1 "$runs"); do
        t0=$(now_us)
        python3 bench/peak-rss.py "$work/rss" "$cli" pull --quiet --socket "$sock" "$image" \
            >/dev/null || fail "podpull pull $image failed"
        t1=$(now_us)
        image_present "$image" || fail "podpull pull $image left no image"
        echo "rss $size $(tail -n 1 "$work/rss")" >>"$samples"
        echo "rsstime $size $(((t1 - t0) / 1000))" >>"$samples"
        remove_image "$image"
    done
done
kill -TERM "$service_pid" && wait "$service_pid" || true
service_pid=""

# --- 4. the core ---------------------------------------------------------------------------------
log "4. the core on $stream_mb MB bodies, $runs repetitions (Google Benchmark)"
"$bin/podpull_bench_core" --stream-mb="$stream_mb" --benchmark_repetitions="$runs" \
    --benchmark_report_aggregates_only=true --benchmark_out="$work/core.json" \
    --benchmark_out_format=json >"$work/core.txt" 2>&1 ||
    { cat "$work/core.txt" >&2; fail "the core benchmark failed"; }

# --- 6. loading the library ----------------------------------------------------------------------
log "6. dlopen + podpull_get_api, $dlopen_runs fresh processes"
"$bin/podpull_bench_dlopen" "$lib" >/dev/null # warm the page cache
for _ in $(seq 1 "$dlopen_runs"); do
    "$bin/podpull_bench_dlopen" "$lib" >>"$samples"
done
echo "size file $(stat -c %s "$lib")" >>"$samples"
read -r text data bss _ < <(size "$lib" | tail -n 1)
echo "size text $text" >>"$samples"
echo "size data $data" >>"$samples"
echo "size bss $bss" >>"$samples"

# --- the table -----------------------------------------------------------------------------------
cat >"$work/meta" <<META
runs $runs
pull_mb $pull_mb
pull_layers ${pull_layers[*]}
rss_small_mb $rss_small_mb
rss_big_mb $rss_big_mb
stream_mb $stream_mb
dlopen_runs $dlopen_runs
podman $(podman --version | awk '{print $3}')
seconds $(($(date +%s) - started))
META
python3 bench/report.py "$work/meta" "$samples" "$work/core.json" >"$work/table.md"
cat "$work/table.md"
