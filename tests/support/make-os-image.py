#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""make-os-image.py ROOTFS OUT_DIR [--layers N]

Builds two OCI images from a real root file system the way a rechunked bootc image is laid
out: files grouped by the Debian package that owns them, the biggest packages in layers of
their own, the rest packed into a few layers, so that one layer is tens of MB, many are a few
MB and some are tiny. The second image ("sibling") shares every other layer with the first,
blob for blob, and has its own versions of the others, as the next update of a host would.

Writes OUT_DIR/os and OUT_DIR/sibling as OCI image layouts (oci-layout, index.json,
blobs/sha256/...), and OUT_DIR/os.json and OUT_DIR/sibling.json describing each: image ID
(the config digest's hex), manifest digest, and every blob (config and layers) with its
digest and size, in manifest order. Tests check what podpull reports against these files.

The layers are reproducible for a given root file system: entries sorted, owners and times
taken from the files, gzip headers without a time stamp.
"""
import argparse
import concurrent.futures
import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile

SKIPPED_TOP = {"proc", "sys", "dev", "run", "tmp"}  # kept as empty directories


def owners(rootfs):
    """path -> package, from dpkg's file lists (first claimant wins)."""
    info = os.path.join(rootfs, "var/lib/dpkg/info")
    owner = {}
    for name in sorted(os.listdir(info)):
        if not name.endswith(".list"):
            continue
        package = name[: -len(".list")].split(":")[0]
        with open(os.path.join(info, name), encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                path = line.rstrip("\n")
                if path and path != "/." and path not in owner:
                    owner[path] = package
    return owner


def walk(rootfs):
    """Every path of the tree below ROOTFS (relative, without leading '/'), sorted."""
    out = []
    for top, dirs, files in os.walk(rootfs):
        rel_top = os.path.relpath(top, rootfs)
        if rel_top == ".":
            rel_top = ""
        if rel_top.split("/")[0] in SKIPPED_TOP:
            dirs[:] = []
            continue
        for name in dirs + files:
            out.append(os.path.join(rel_top, name) if rel_top else name)
    out.sort()
    return out


def package_of(path, owner):
    absolute = "/" + path
    if absolute in owner:
        return owner[absolute]
    # merged /usr: dpkg may list /bin/x for what lives at /usr/bin/x, and the reverse
    if absolute.startswith("/usr/") and absolute[4:] in owner:
        return owner[absolute[4:]]
    if "/usr" + absolute in owner:
        return owner["/usr" + absolute]
    return None


def group_files(rootfs, layers):
    """Splits the tree into `layers` groups of paths (each a sorted list)."""
    owner = owners(rootfs)
    by_package = {}
    directories = []
    for path in walk(rootfs):
        full = os.path.join(rootfs, path)
        st = os.lstat(full)
        if stat.S_ISDIR(st.st_mode):
            directories.append(path)
            continue
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            continue  # device nodes, sockets, fifos: not part of an image
        package = package_of(path, owner) or "(unowned)"
        entry = by_package.setdefault(package, [0, []])
        entry[0] += st.st_size if stat.S_ISREG(st.st_mode) else 0
        entry[1].append(path)
    packages = sorted(by_package.items(), key=lambda kv: (-kv[1][0], kv[0]))
    # The biggest packages alone, like a rechunker's "one component per layer"; the rest packed
    # into `packed` layers, largest package first into the lightest layer.
    packed = min(8, max(1, layers // 6))
    alone = max(0, min(len(packages), layers - packed) - 1)
    groups = [files for _, (_, files) in packages[:alone]]
    bins = [[0, []] for _ in range(layers - 1 - alone)]
    for _, (size, files) in packages[alone:]:
        lightest = min(bins, key=lambda b: b[0])
        lightest[0] += size
        lightest[1].extend(files)
    groups += [b[1] for b in bins if b[1]]
    # Smallest first, after a base layer holding the directory tree. The vfs driver (the only
    # one that needs no mounts here) stores every layer as a full copy of its parent plus its
    # own files, so the order decides the disk a pull needs: biggest first, this image took
    # 24 GB and a minute to store; smallest first, a small fraction of that.
    groups.sort(key=lambda g: sum(os.lstat(os.path.join(rootfs, p)).st_size for p in g))
    groups.insert(0, directories)
    return [sorted(g) for g in groups]


def tar_layer(rootfs, paths, extra):
    """A gzip'd tar of `paths` (with their parent directories) and `extra` files (name ->
    bytes). Returns (compressed bytes, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        written = set()

        def add_dirs(path):
            parent = os.path.dirname(path)
            if parent and parent not in written:
                add_dirs(parent)
                full = os.path.join(rootfs, parent)
                if os.path.isdir(full):
                    info = tar.gettarinfo(full, arcname=parent)
                else:  # a directory only the extra files need
                    info = tarfile.TarInfo(parent)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                tar.addfile(info)
                written.add(parent)

        for path in paths:
            add_dirs(path)
            if path in written:
                continue
            full = os.path.join(rootfs, path)
            info = tar.gettarinfo(full, arcname=path)
            if info.isreg():
                with open(full, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
            written.add(path)
        for name, data in sorted(extra.items()):
            add_dirs(name)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    uncompressed = raw.getvalue()
    diff_id = "sha256:" + hashlib.sha256(uncompressed).hexdigest()
    compressed = gzip.compress(uncompressed, compresslevel=6, mtime=0)
    return compressed, diff_id


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", digest)
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
    return "sha256:" + digest, len(data)


def write_image(layout, layers, name):
    """layers: [(compressed, diff_id)]. Writes the layout; returns its description."""
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    descriptors = []
    for compressed, _ in layers:
        digest, size = write_blob(layout, compressed)
        descriptors.append(
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size}
        )
    config = {
        "created": "2026-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["/bin/bash"], "Labels": {"org.podpull.test": name}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id for _, diff_id in layers]},
        "history": [{"created": "2026-01-01T00:00:00Z", "created_by": f"podpull test layer {i}"}
                    for i in range(len(layers))],
    }
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    config_digest, config_size = write_blob(layout, config_bytes)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config_size},
        "layers": descriptors,
    }
    manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
    manifest_digest, manifest_size = write_blob(layout, manifest_bytes)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
             "size": manifest_size, "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, f)
    return {
        "image_id": config_digest.split(":", 1)[1],
        "manifest_digest": manifest_digest,
        "config": {"digest": config_digest, "size": config_size},
        "layers": [{"digest": d["digest"], "size": d["size"]} for d in descriptors],
        "blob_bytes": config_size + sum(d["size"] for d in descriptors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rootfs")
    parser.add_argument("out_dir")
    parser.add_argument("--layers", type=int, default=48)
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.rootfs, "var/lib/dpkg/info")):
        sys.exit(f"make-os-image.py: {args.rootfs} is not a Debian root file system")
    if not 2 <= args.layers <= 127:
        sys.exit("make-os-image.py: want 2 <= --layers <= 127")

    groups = group_files(args.rootfs, args.layers)
    # The sibling's own layers (the odd ones) carry one more file each, as an update of those
    # components would; the even ones are the same blobs in both images.
    own = [i for i in range(len(groups)) if i % 2 == 1]
    jobs = [(g, {}) for g in groups]
    jobs += [(groups[i], {f"usr/share/podpull/sibling-{i}": f"sibling layer {i}\n".encode()})
             for i in own]
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        built = list(pool.map(tar_layer, [args.rootfs] * len(jobs), [j[0] for j in jobs],
                              [j[1] for j in jobs]))
    os_layers = built[: len(groups)]
    sibling_layers = list(os_layers)
    for i, layer in zip(own, built[len(groups):]):
        sibling_layers[i] = layer

    for name, layers in (("os", os_layers), ("sibling", sibling_layers)):
        described = write_image(os.path.join(args.out_dir, name), layers, name)
        with open(os.path.join(args.out_dir, name + ".json"), "w") as f:
            json.dump(described, f, indent=1)
        sizes = sorted(layer["size"] for layer in described["layers"])
        print(f"make-os-image.py: {name}: {len(layers)} layers, {described['blob_bytes']} bytes "
              f"(largest layer {sizes[-1]}, smallest {sizes[0]}), ID {described['image_id'][:12]}")


if __name__ == "__main__":
    main()
