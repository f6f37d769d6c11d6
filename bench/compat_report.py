#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""compat_report.py RUNS_DIR MANIFEST_JSON RELEASE...

The table of docs/compatibility.md from what bench/compat.sh recorded: for each release, one
row per route (RUNS_DIR/<release>-<route>/events.jsonl, the `podpull pull --json` events,
stderr.log with the library's debug log, ms) and the time of `podman pull` of the same image
(RUNS_DIR/<release>-podman/ms). MANIFEST_JSON is what make-os-image.py wrote of the image.
"""
import json
import os
import re
import sys


def load_events(path):
    events = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                events.append(json.loads(line))
    return events


def mib(n):
    return f"{n / (1024 * 1024):.1f} MiB"


def measure(run_dir, manifest):
    events = load_events(os.path.join(run_dir, "events.jsonl"))
    with open(os.path.join(run_dir, "ms")) as f:
        ms = int(f.read())
    with open(os.path.join(run_dir, "stderr.log"), encoding="utf-8", errors="replace") as f:
        log = f.read()
    row = {"ms": ms}
    route = next((e["route"] for e in events if e["event"] == "route"), "?")
    row["route"] = route
    result = next((e for e in events if e["event"] == "result"), None)
    error = next((e for e in events if e["event"] == "error"), None)
    row["outcome"] = "OK" if result else (error["code"] if error else "no result")
    row["full_id"] = bool(result) and result["imageId"] == manifest["image_id"]
    row["bytes"] = result["bytes"] if result else 0

    progress = [e for e in events if e["event"] == "progress"]
    first_seen = {}
    mid_bytes = False
    for e in progress:
        for t in e["subtasks"]:
            first_seen.setdefault(t["id"], t)
            if t["state"] == "pulling" and 0 < t["bytes"] and (
                t["bytesTotal"] is None or t["bytes"] < t["bytesTotal"]
            ):
                mid_bytes = True
    row["per_blob_bytes"] = mid_bytes
    row["blobs"] = len(first_seen)
    row["sizes_at_start"] = sum(
        1 for t in first_seen.values() if t["state"] == "started" and t["bytesTotal"] is not None
    )
    first_bytes = next((e for e in progress if e["bytes"] > 0), None)
    row["total_at_first_bytes"] = first_bytes["bytesTotal"] if first_bytes else None
    row["total_at_end"] = progress[-1]["bytesTotal"] if progress else None

    request = "\n".join(
        line for line in log.splitlines() if "POST /" in line or "running " in line
    )
    row["retry"] = bool(re.search(r"[?&]retry=|--retry", request))
    row["platform"] = bool(re.search(r"[?&](OS|Arch|platform)=|--os|--arch|--platform", request))
    return row


def main():
    runs, manifest_path, releases = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(manifest_path) as f:
        manifest = json.load(f)
    blob_count = len(manifest["layers"]) + 1
    print(f"Image: {len(manifest['layers'])} layers + config, {manifest['blob_bytes']:,} bytes "
          f"({mib(manifest['blob_bytes'])}) in the manifest.\n")
    print("| podman | route asked | route taken | result | per-blob bytes | blobs reported "
          "| sizes known at STARTED | total at first bytes | total at end | result bytes "
          "| full ID | retry sent | platform sent | podpull | podman pull |")
    print("| --- " * 15 + "|")
    for release in releases:
        podman_ms = None
        podman_dir = os.path.join(runs, f"{release}-podman")
        if os.path.exists(os.path.join(podman_dir, "ms")):
            with open(os.path.join(podman_dir, "ms")) as f:
                podman_ms = int(f.read())
        order = ["auto", "libpod-progress", "libpod-compat", "docker-compat", "libpod-text",
                 "subprocess"]
        for asked in order:
            name = f"{release}-{asked}"
            if not os.path.isdir(os.path.join(runs, name)):
                continue
            r = measure(os.path.join(runs, name), manifest)

            def total(v):
                return "-" if v is None else f"{v:,}"

            print(f"| {release} | {asked} | {r['route']} | {r['outcome']} "
                  f"| {'yes' if r['per_blob_bytes'] else 'no'} | {r['blobs']}/{blob_count} "
                  f"| {r['sizes_at_start']}/{r['blobs']} | {total(r['total_at_first_bytes'])} "
                  f"| {total(r['total_at_end'])} | {r['bytes']:,} "
                  f"| {'yes' if r['full_id'] else 'no'} | {'yes' if r['retry'] else 'no'} "
                  f"| {'yes' if r['platform'] else 'no'} | {r['ms'] / 1000:.1f} s "
                  f"| {'-' if podman_ms is None else f'{podman_ms / 1000:.1f} s'} |")


if __name__ == "__main__":
    main()
