// SPDX-License-Identifier: MIT OR Apache-2.0
// One tracker for every wire format: per-blob state and the whole pull's totals, built from
// BlobEvents. It enforces what hosts rely on: a blob goes STARTED -> PULLING... -> DONE or
// SKIPPED, its `current` never decreases, a finished blob stands at its total, and the pull's
// totals never go down.
//
// When the image's manifest is known (expect(), before any event), every blob's size is
// known from the start: pull_total is the image's whole size from the first report on, each
// blob has its size at STARTED, a blob podman finishes without a byte report is credited its
// size, and a blob podman never mentions by the end of a successful pull was in the storage
// already (settle()).
#pragma once

#include "image_manifest.hpp"
#include "pull_events.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace podpull {

enum class BlobState { started = 0, pulling = 1, done = 2, skipped = 3 }; // podpull_blob_state

struct BlobProgress {
    std::string id; // the manifest's digest when the blob is one of its; else podman's id
    BlobState state = BlobState::started;
    std::uint64_t current = 0;
    std::int64_t total = -1;
    // Whole pull. pull_total: the sizes of every blob of the image (the manifest's) or, without
    // a manifest, of every blob seen so far, fetched or cached; a blob of unknown size counts
    // with what it has transferred. pull_current: bytes of those blobs in the storage so far,
    // fetched and cached. pull_cached: the part of both that was in the storage already.
    std::uint64_t pull_current = 0;
    std::uint64_t pull_total = 0;
    std::uint32_t blobs_seen = 0;
    std::uint32_t blobs_done = 0;
    std::uint64_t pull_cached = 0;
    std::uint32_t blobs_total = 0; // the manifest's blob count; 0 without a manifest
    std::uint32_t blobs_cached = 0;
};

// What a pull stored, in the end.
struct PullTotals {
    std::uint64_t fetched = 0; // bytes fetched (cached blobs excluded)
    std::uint64_t cached = 0;  // bytes of blobs found in the storage
    std::uint32_t blobs_total = 0;
    std::uint32_t blobs_cached = 0;
};

class ProgressTracker {
  public:
    // The image's blobs, from its manifest. Call before the first apply(); later calls, and
    // blobs listed twice, add nothing.
    void expect(const std::vector<BlobDescriptor> &blobs);
    bool expects_blobs() const noexcept { return blobs_total_ != 0; }

    // Applies one event and returns what the host should be told, or nullopt when the event
    // changes nothing a host can see (a repeat, or news about a blob already finished). An
    // event's id may be the 12-hex short id of an expected blob (the jsonmessage routes'): it
    // is then that blob, reported under its digest.
    std::optional<BlobProgress> apply(const BlobEvent &event);

    // Whether an event about this blob (by id or, for an expected blob, short id) was applied.
    bool knows(const std::string &id) const;

    // The pull succeeded: a blob still STARTED or PULLING is stored (DONE, credited its size),
    // and an expected blob podman never mentioned was in the storage already (SKIPPED). Returns
    // the reports for the host, in the manifest's order.
    std::vector<BlobProgress> settle();

    std::uint64_t pull_current() const noexcept { return pull_current_; }
    std::uint64_t pull_total() const noexcept { return pull_total_; }
    PullTotals totals() const noexcept;

  private:
    struct Blob {
        BlobState state = BlobState::started;
        bool seen = false; // an event named it (expected blobs exist before)
        std::uint64_t current = 0;
        std::int64_t total = -1;
    };

    // The key of the blob `id` names: itself, or the digest of the expected blob whose short
    // id it is.
    const std::string &resolve(const std::string &id) const;
    std::optional<BlobProgress> change(const std::string &key, Blob &blob, const Blob &before,
                                       bool first_sight);
    BlobProgress report(const std::string &key, const Blob &blob) const;

    std::unordered_map<std::string, Blob> blobs_;
    std::vector<std::string> expected_order_;
    std::unordered_map<std::string, std::string> short_ids_; // 12 hex -> digest; "" if ambiguous
    std::uint64_t pull_current_ = 0;
    std::uint64_t pull_total_ = 0;
    std::uint64_t pull_cached_ = 0;
    std::uint32_t blobs_seen_ = 0;
    std::uint32_t blobs_done_ = 0;
    std::uint32_t blobs_total_ = 0;
    std::uint32_t blobs_cached_ = 0;
};

} // namespace podpull
