#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""ndjson-shape.py BODY

Prints the shape of a podman pull body (POST /libpod/images/pull, NDJSON) as one line of
canonical JSON, so that two bodies can be compared for shape while their digests, sizes and
the number of byte counts differ. The shape is:

  fields   for each kind of line, the sorted key paths its lines have ("status",
           "pullProgress.current", ...), the union over the lines of that kind;
  blobs    the distinct per-blob sequences of kinds, repeats collapsed ("start progress done",
           "skipped"), the config's included;
  order    the kinds other than text lines in body order, each run collapsed to its phase
           ("layer", "config", "final", "error"): what comes before what;
  text     the text lines' first two words in body order, repeats collapsed ("Copying blob").

Kinds, by the body's flavour:
  pullProgress (podman >= 6.0, pullProgress=true): "text" (a "stream" line without
    pullProgress), "start" / "progress" / "done" / "skipped" (pullProgress status pulling
    without or with current, success, skipped), "final" ({"status":"success","images",...}),
    "error" ({"status":"error",...});
  compatMode (podman >= 4.8, compatMode=true) and POST /images/create: "start" ("Pulling fs
    layer"), "progress" ("Downloading"), "done" ("Download complete"), "skipped" ("Already
    exists"), "final" (the last line: "Download complete" of the image ID's short id), "error"
    (an "error" key), anything else its own status text;
  libpod text (no parameter, or a parameter the release ignores): "text" ("stream"), "final"
    ({"images", "id"}), "error".
A blob whose id is the image ID's (the config) is reported as "config-<kind>".
"""
import json
import sys


def key_paths(doc, prefix=""):
    paths = []
    for key, value in doc.items():
        path = prefix + key
        paths.append(path)
        if isinstance(value, dict):
            paths.extend(key_paths(value, path + "."))
    return paths


def classify(docs):
    """[(kind, blob id or None, doc)] for every line."""
    # The image ID, from the final line of any flavour.
    image_id = ""
    for doc in docs:
        if isinstance(doc.get("images"), list) and "id" in doc:
            image_id = doc["id"]
    compat = any("progressDetail" in doc for doc in docs)
    if compat and docs and docs[-1].get("status") == "Download complete":
        image_id = docs[-1].get("id", "")
    out = []
    for number, doc in enumerate(docs):
        progress = doc.get("pullProgress")
        if "error" in doc or doc.get("status") == "error":
            out.append(("error", None, doc))
        elif isinstance(doc.get("images"), list):
            out.append(("final", None, doc))
        elif isinstance(progress, dict):
            state = progress.get("status")
            kind = {"success": "done", "skipped": "skipped"}.get(state)
            if state == "pulling":
                kind = "progress" if "current" in progress else "start"
            blob = progress.get("progressComponentID", "")
            out.append((kind or "pullProgress-" + str(state), blob, doc))
        elif compat and "id" in doc:
            if number == len(docs) - 1 and doc.get("id") == image_id:
                out.append(("final", None, doc))
                continue
            kind = {"Pulling fs layer": "start", "Downloading": "progress",
                    "Download complete": "done", "Already exists": "skipped"}.get(
                        doc.get("status"), doc.get("status", "?"))
            out.append((kind, doc["id"], doc))
        elif "stream" in doc:
            out.append(("text", None, doc))
        else:
            out.append(("?" + ",".join(sorted(doc)), None, doc))
    config = {image_id, "sha256:" + image_id} if image_id else set()
    return [("config-" + kind if blob in config else kind, blob, doc) for kind, blob, doc in out]


def collapse(items):
    out = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def shape(lines):
    docs = [json.loads(line) for line in lines if line.strip()]
    classified = classify(docs)
    fields = {}
    per_blob = {}
    order = []
    text = []
    for kind, blob, doc in classified:
        fields.setdefault(kind, set()).update(key_paths(doc))
        if blob is not None:
            per_blob.setdefault(blob, []).append(kind)
        if kind == "text":
            words = doc.get("stream", "").split()
            text.append(" ".join(words[:2]))
        elif kind in ("final", "error"):
            order.append(kind)
        else:
            order.append("config" if kind.startswith("config-") else "layer")
    return {
        "fields": {kind: sorted(paths) for kind, paths in sorted(fields.items())},
        "blobs": sorted({" ".join(collapse(kinds)) for kinds in per_blob.values()}),
        "order": collapse(order),
        "text": collapse(text),
    }


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n")[0])
    with open(sys.argv[1], encoding="utf-8") as body:
        print(json.dumps(shape(body.read().splitlines()), sort_keys=True))


if __name__ == "__main__":
    main()
