// SPDX-License-Identifier: MIT OR Apache-2.0
// What podpull's routes do on the podman release a test runs on: the route the automatic
// choice takes, whether a forced route is served or refused, the blob ids and the kind of
// progress each route reports. Tests derive their expectations from these instead of writing
// one release's behaviour down; docs/podman.md has what each release sends.
#pragma once

#include "podpull_test/client.hpp"
#include "podpull_test/fixture.hpp"
#include "podpull_test/recorder.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace podpull_test {

// "LIBPOD_PROGRESS" and so on; "AUTO" for PODPULL_ROUTE_AUTO.
const char *route_name(podpull_route route);

// Every route a host can force, in the order of podpull.h.
const std::vector<podpull_route> &forced_routes();

// Whether `image` names a transport only `podman pull` takes (oci:, oci-archive:, dir:,
// docker-archive:, docker-daemon:, containers-storage:).
bool is_local_transport(const std::string &image);

// The route podpull's automatic choice takes for `image` with `opts` (NULL: the defaults) on
// this test's release. podpull's documented rule (README, "What a pull looks like"):
//   - a local transport: SUBPROCESS (podman's API pulls registries only);
//   - a registry: LIBPOD_PROGRESS on podman >= 6.0 (pullProgress, per-blob bytes);
//     LIBPOD_COMPAT on >= 4.8 (compatMode, per-layer bytes; that endpoint takes every option);
//     else DOCKER_COMPAT when tls_verify is on, the policy is ALWAYS and the name is fully
//     qualified (POST /images/create has no tlsVerify, always pulls and would look a short
//     name up on Docker Hub); else LIBPOD_TEXT (status lines only).
podpull_route expected_auto_route(const std::string &image,
                                  const podpull_pull_options *opts = nullptr);

// Why podpull must refuse to force `route` for `image` with `opts` on this release (a phrase
// its INVALID_ARGUMENT message holds), or "" when the route is served here.
std::string expected_refusal(podpull_route route, const std::string &image,
                             const podpull_pull_options &opts);

// The kind of progress a route reports.
enum class Progress {
    per_blob_bytes =
        0,           // LIBPOD_PROGRESS: every blob, config included, with its size from the start
    per_layer_bytes, // LIBPOD_COMPAT, DOCKER_COMPAT: 12-hex ids; a size only with a byte count
    text_only        // LIBPOD_TEXT, SUBPROCESS: status lines, no blob events
};
Progress route_progress(podpull_route route);
const char *progress_name(Progress progress);

// Whether the manifest step gave the image's blobs before the bytes: the route's reason says
// "blob sizes from the image's manifest".
bool manifest_read(const PullRecorder::Snapshot &seen);

// What a pull's blob events were to the host: its route's own kind, or, when the manifest was
// read, per_blob_bytes on every route: every blob, the config too, under its whole digest, with
// its manifest size from STARTED on, DONE at that size (the text routes report no bytes between
// STARTED and DONE).
Progress reported_progress(podpull_route route, const PullRecorder::Snapshot &seen);

// The id podpull reports for the blob whose digest is sha256:`hex`: the whole digest with
// per_blob_bytes, its first 12 hex digits with per_layer_bytes (the short ids of Docker's
// jsonmessage); "" for text_only.
std::string expected_blob_id(Progress progress, const std::string &hex);

// ---- what an image holds, and what a pull of it reported -------------------------------------

struct Blob {
    std::string hex; // sha256 of the blob
    std::uint64_t size = 0;
};

// An image's blobs as its manifest lists them.
struct ImageBlobs {
    std::string id; // 64 hex: the config's digest
    Blob config;
    std::vector<Blob> layers;
    std::uint64_t bytes() const; // the config and every layer
    // The layer or config reported as `blob_id` by a pull whose events were `progress`.
    const Blob *find(Progress progress, const std::string &blob_id) const;
};

// The manifest of `path` ("podpull/test:v1") on `registry` (plain HTTP), read with curl.
ImageBlobs registry_image(const std::string &registry, const std::string &path);
// A description make-os-image.py wrote (PODPULL_TEST_OS_MANIFEST and its sibling).
ImageBlobs described_image(const fs::path &json_file);
// "127.0.0.1:5000/podpull/test:v1" -> "podpull/test:v1"
std::string repository_path(const std::string &reference);

// What the callbacks of a successful pull of `image` on `route` said, blob by blob: the last
// event of each id, and the figures at the end.
struct BlobTally {
    std::map<std::string, PullRecorder::BlobEvent> last; // id -> its last event
    std::map<std::string, int> pulling_with_bytes;       // id -> PULLING events with bytes
    std::vector<std::string> unknown_ids;                // ids naming no blob of the image
    std::vector<std::string> wrong_totals;               // "id: total T, manifest S"
    std::uint32_t blobs_seen = 0, blobs_done = 0;        // of the last event
    int skipped = 0, done = 0;
};
BlobTally tally_blobs(Progress progress, const ImageBlobs &image,
                      const PullRecorder::Snapshot &seen);

// Checks (CHECK) that a successful pull of `image` reported what it should (reported_progress):
// with the manifest read, or on LIBPOD_PROGRESS, every layer and the config under its digest
// with its manifest size, DONE at that size; else on the compat routes 12-hex ids of the image's
// layers and config, each size reported the manifest's, every layer DONE; else on the text
// routes no blob event, and a "Copying blob" line per layer. Every layer that was already in the
// storage may be SKIPPED instead when `fresh` is false. Prints what it saw, one line, prefixed with
// `what`.
void check_route_progress(const std::string &what, podpull_route route, const ImageBlobs &image,
                          const PullRecorder::Snapshot &seen, const PullOutcome &out, bool fresh);

// CHECKs that `client` pulls `image` (the fixture's test image when empty) with `opts` (NULL:
// tls_verify off) to the test image's ID: what a client must still do after a failed pull.
void check_still_pulls(podpull_client *client, const podpull_pull_options *opts = nullptr,
                       const std::string &image = "");

// Arms `rec` to call `action` once, on the pulling thread, when a blob is surely being
// copied: at the first blob event with bytes on a route that reports bytes, and `text_delay`
// after the first "Copying blob" line on one that reports text only. Hooks already set on
// `rec` still run (before the check).
void call_mid_blob(PullRecorder &rec, podpull_route route, std::chrono::milliseconds text_delay,
                   std::function<void()> action);

} // namespace podpull_test
