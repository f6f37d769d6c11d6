// SPDX-License-Identifier: MIT OR Apache-2.0
// Exact totals: what a pull whose blob sizes came from the image's manifest must report, checked
// against the manifest the fixture wrote (or any list of digests and sizes).
#pragma once

#include "podpull_test/client.hpp"
#include "podpull_test/recorder.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace podpull_test {

// The blobs a manifest lists, by digest ("sha256:..."), layers and config.
struct ManifestSizes {
    std::map<std::string, uint64_t> sizes; // digest -> size
    uint64_t sum = 0;
    void add(const std::string &digest, uint64_t size) {
        if (sizes.emplace(digest, size).second)
            sum += size;
    }
};

// Reads the "DIGEST SIZE" lines that `argv` (a python3 snippet) prints; REQUIREs some.
ManifestSizes sizes_printed_by(const std::vector<std::string> &argv);

// The blobs of a description make-os-image.py (or make-multi-arch.py) wrote: {"config":
// {digest,size}, "layers":[{digest,size}...]}, under `key` when it is not empty.
ManifestSizes described_blobs(const std::string &path, const std::string &key = "");

// What every pull with a manifest must give: the total is the manifest's sum from the
// first byte-carrying event (and every other), every blob has the manifest's size, totals
// never go back, the result's bytes are what was fetched, and the blobs reported SKIPPED are
// exactly `cached`.
void check_exact_totals(const PullRecorder::Snapshot &rec, const PullOutcome &out,
                        const ManifestSizes &image, const std::set<std::string> &cached);

} // namespace podpull_test
