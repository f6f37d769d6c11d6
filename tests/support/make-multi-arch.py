#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""make-multi-arch.py layout OUT_DIR | index REGISTRY REPO OUT_JSON

The fixture's manifest list: an OCI index whose linux/amd64 entry is the fixture's
real test image and whose linux/arm64/v8 entry is a small image made here, one layer of random
bytes in a real tar (podman stores what it pulls, so the layer must unpack; nothing runs it).

  layout OUT_DIR    writes the arm64 image as an OCI layout (oci-layout, index.json, blobs/)
                    with the ref name "arm64", for `skopeo copy oci:OUT_DIR:arm64 ...`
  index REGISTRY REPO OUT_JSON
                    reads REPO's "amd64" and "arm64" manifests from the plain-HTTP REGISTRY,
                    pushes an OCI index of both as REPO:v1, and writes OUT_JSON: for each
                    architecture its image ID, config and layers (digest, size), as
                    make-os-image.py describes an image
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def put_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layout(out):
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as tar:
        payload = os.urandom(256 * 1024)
        info = tarfile.TarInfo("data/arm64.bin")
        info.size = len(payload)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(payload))
    diff = tar_bytes.getvalue()
    layer = gzip.compress(diff, mtime=0)
    os.makedirs(out, exist_ok=True)
    layer_desc = dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **put_blob(out, layer))
    config = {
        "architecture": "arm64",
        "variant": "v8",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(diff).hexdigest()]},
        "history": [{"created_by": "make-multi-arch.py"}],
    }
    config_desc = dict(
        mediaType="application/vnd.oci.image.config.v1+json",
        **put_blob(out, json.dumps(config, sort_keys=True).encode()),
    )
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": [layer_desc]}
    manifest_desc = dict(mediaType=OCI_MANIFEST, **put_blob(out, json.dumps(manifest).encode()))
    manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": "arm64"}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [manifest_desc]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def index(registry, repo, out_json):
    platforms = {"amd64": {"os": "linux", "architecture": "amd64"},
                 "arm64": {"os": "linux", "architecture": "arm64", "variant": "v8"}}
    entries, description = [], {}
    for tag, platform in platforms.items():
        request = urllib.request.Request(
            f"http://{registry}/v2/{repo}/manifests/{tag}",
            headers={"Accept": OCI_MANIFEST + ", application/vnd.docker.distribution.manifest.v2+json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            raw = answer.read()
            media_type = answer.headers["Content-Type"]
        manifest = json.loads(raw)
        entries.append({"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(raw).hexdigest(),
                        "size": len(raw), "platform": platform})
        description[tag] = {
            "image_id": manifest["config"]["digest"].split(":", 1)[1],
            "config": {k: manifest["config"][k] for k in ("digest", "size")},
            "layers": [{k: layer[k] for k in ("digest", "size")} for layer in manifest["layers"]],
        }
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
    request = urllib.request.Request(f"http://{registry}/v2/{repo}/manifests/v1", data=body,
                                     method="PUT", headers={"Content-Type": OCI_INDEX})
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status not in (200, 201):
            sys.exit(f"pushing the index answered {answer.status}")
    with open(out_json, "w") as f:
        json.dump(description, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "layout":
        layout(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "index":
        index(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
