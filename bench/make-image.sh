#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# make-image.sh WORK_DIR REF SIZE_MB [SIZE_MB...]
#
# Builds an image of one layer of random bytes per SIZE_MB (in that order: give the smallest
# first, since vfs stores every layer as a full copy of the ones below it) and pushes it to the
# plain-HTTP registry REF names. Random data keeps gzip from shrinking the layers, so the
# registry serves about as many bytes as the sizes add up to. Builds in a private vfs storage
# under WORK_DIR, removed again at the end; CONTAINERS_CONF (the fixture's) keeps podman's
# runtime state out of /run and /dev/shm. Prints the image ID.
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 WORK_DIR REF SIZE_MB [SIZE_MB...]" >&2
    exit 2
fi
work=$1
ref=$2
shift 2
: "${CONTAINERS_CONF:?make-image.sh: set CONTAINERS_CONF to a containers.conf that keeps the state of podman private}"

mkdir -p "$work"
ctx=$(mktemp -d "$work/ctx.XXXXXX")
storage=$(mktemp -d "$work/s.XXXXXX") # short: podman wants a runroot under 50 characters
trap 'rm -rf "$ctx" "$storage"' EXIT

printf 'FROM scratch\n' >"$ctx/Containerfile"
n=0
for mb in "$@"; do
    n=$((n + 1))
    head -c "${mb}M" /dev/urandom >"$ctx/layer-$n.bin"
    printf 'COPY layer-%d.bin /data/layer-%d.bin\n' "$n" "$n" >>"$ctx/Containerfile"
done

pm() { podman --root "$storage/root" --runroot "$storage/run" --storage-driver vfs "$@"; }
pm build --pull=never --format oci -t "$ref" -f "$ctx/Containerfile" "$ctx" >"$work/build.log" 2>&1
# The layer files are in the image now: free their space before the push makes its copies.
rm -f "$ctx"/layer-*.bin
pm push --tls-verify=false "$ref" >"$work/push.log" 2>&1
pm inspect --format '{{.Id}}' "$ref"
