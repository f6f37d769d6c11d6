#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# bench/many.sh [--releases "4.3 5.4 5.8 6.1"] [--jobs N] [--direct] [--save DIR]
#
# Several images in one update, as a bootc-like host pulls its OS image and the images its
# apps are bound to: for every podman release, `podpull pull --jobs N` of five images of the
# fixture's registry at once (the 48-layer OS image and its sibling, which share 24 layers;
# the test image and the derived one, which share 3; the big image, which shares nothing) into
# a fresh overlay storage in memory (/dev/shm), against `podman pull` of the same five, one
# after another, by the same release the same way. Prints a table: the times, their ratio, the
# bytes podpull fetched against every distinct blob of the five (each fetched once) and
# against the sum of the five images' blobs (what fetching shared blobs twice would cost).
#
# Every pull goes through the fixture's relay, 16 MiB/s a connection, as from a registry
# across a network; --direct pulls from the registry itself on 127.0.0.1, where a pull is
# bound by this machine's CPU (decompressing and applying layers), not by the network.
#
# Installs nothing but what scripts/podman-peers.sh makes; builds build-bench/ (Release);
# starts its own registry (tests/support/registry-up.sh) and removes everything on exit.
# About 8 minutes for all four releases.
set -euo pipefail

usage() { sed -n '3,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
releases=""
jobs=3
direct=0
save=""
while [ $# -gt 0 ]; do
    case "$1" in
    --releases) [ $# -ge 2 ] || { usage >&2; exit 2; }; releases=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || { usage >&2; exit 2; }; jobs=$2; shift 2 ;;
    --direct) direct=1; shift ;;
    --save) [ $# -ge 2 ] || { usage >&2; exit 2; }; save=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "many.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

bench=many
# shellcheck source=bench/release_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/release_bench.sh"
paths=(podpull/os:v1 podpull/os-sibling:v1 podpull/test:v1 podpull/derived:v1 podpull/big:v1)
origin=$PODPULL_TEST_SLOW_REGISTRY
[ "$direct" = 1 ] && origin=$PODPULL_TEST_REGISTRY
images=()
for path in "${paths[@]}"; do
    images+=("$origin/$path")
done
[ "${images[0]}" = "${PODPULL_TEST_OS_IMAGE/$PODPULL_TEST_REGISTRY/$origin}" ] ||
    fail "the fixture's OS image is not ${paths[0]}"

# The five manifests, read from the registry: every distinct blob's size, and the sum over the
# images (a blob two images share counted twice).
python3 - "${images[@]/#$origin/$PODPULL_TEST_REGISTRY}" >"$work/blobs" <<'PY'
import json, sys, urllib.request
accept = ", ".join(["application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json"])
distinct, summed = {}, 0
for ref in sys.argv[1:]:
    registry, _, rest = ref.partition("/")
    path, _, tag = rest.rpartition(":")
    req = urllib.request.Request(f"http://{registry}/v2/{path}/manifests/{tag}",
                                 headers={"Accept": accept})
    manifest = json.load(urllib.request.urlopen(req))
    for blob in [manifest["config"]] + manifest["layers"]:
        distinct[blob["digest"]] = blob["size"]
        summed += blob["size"]
print(len(distinct), sum(distinct.values()), summed)
PY
read -r distinct_blobs distinct_bytes summed_bytes <"$work/blobs"

for release in $releases; do
    key=${release//./_}
    podman_var=PODPULL_TEST_PODMAN_$key
    podman=${!podman_var}
    run="$work/runs/$release"
    mkdir -p "$run"
    log "podman $release: podpull pull --jobs $jobs of ${#images[@]} images"
    t0=$(now_ms)
    rc=0
    "$cli" pull --json --jobs "$jobs" --podman "$podman" --root "$storage/root" \
        --runroot "$storage/run" --storage-driver overlay --platform linux/amd64 \
        --env "CONTAINERS_CONF=$CONTAINERS_CONF" \
        --env "CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF" \
        "${images[@]}" >"$run/events.jsonl" 2>"$run/stderr.log" || rc=$?
    echo "$(($(now_ms) - t0)) $rc" >"$run/podpull"
    drop_storage "$podman"

    log "podman $release: podman pull of the same images, one after another"
    t0=$(now_ms)
    rc=0
    for image in "${images[@]}"; do
        "$podman" --root "$storage/root" --runroot "$storage/run" --storage-driver overlay \
            pull -q "$image" >>"$run/podman.out" 2>>"$run/podman.err" || rc=$?
    done
    echo "$(($(now_ms) - t0)) $rc" >"$run/podman"
    drop_storage "$podman"
done

python3 - "$work/runs" "$jobs" "${#images[@]}" "$distinct_blobs" "$distinct_bytes" \
    "$summed_bytes" "$([ "$direct" = 1 ] && echo "straight from the registry" ||
        echo "through the relay, 16 MiB/s a connection")" $releases >"$work/table.md" <<'PY'
import json, os, sys
runs, jobs, count, blobs, distinct, summed, via = sys.argv[1:8]
distinct, summed = int(distinct), int(summed)
print(f"{count} images, {blobs} distinct blobs: {distinct:,} bytes once each, "
      f"{summed:,} bytes summed over the images; podpull --jobs {jobs}; {via}\n")
print("| podman | podpull, at once | podman pull, one after another | ratio | podpull fetched "
      "| cached | images pulled |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for release in sys.argv[8:]:
    d = os.path.join(runs, release)
    pp_ms, pp_rc = map(int, open(os.path.join(d, "podpull")).read().split())
    pm_ms, pm_rc = map(int, open(os.path.join(d, "podman")).read().split())
    update = {}
    for line in open(os.path.join(d, "events.jsonl"), encoding="utf-8"):
        event = json.loads(line)
        if event.get("event") == "update":
            update = event
    fetched = update.get("bytes", 0)
    note = "" if fetched == distinct else " (not every blob once)"
    print(f"| {release} | {pp_ms / 1000:.1f} s{'' if pp_rc == 0 else f' (exit {pp_rc})'} "
          f"| {pm_ms / 1000:.1f} s{'' if pm_rc == 0 else f' (exit {pm_rc})'} "
          f"| {pp_ms / pm_ms:.2f}× | {fetched:,}{note} | {update.get('bytesCached', 0):,} "
          f"| {update.get('pulled', 0)} of {update.get('images', count)} |")
PY
cat "$work/table.md"
