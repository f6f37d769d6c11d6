// SPDX-License-Identifier: MIT OR Apache-2.0
// The state of a pull as the renderers see it: every blob in the order it appeared, its
// bytes and rate, and the whole pull's totals.
#pragma once

#include "renderer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace podpull_cli {

struct BlobRow {
    std::string id; // as the library reported it
    podpull_blob_state state = PODPULL_BLOB_STARTED;
    uint64_t current = 0;
    int64_t total = -1;
    Clock::time_point first_seen{};
    Clock::time_point last_update{};
    double rate() const; // bytes per second since the blob appeared
};

class BlobTable {
  public:
    // Records one on_blob event; returns true when the blob is new or changed state.
    bool update(const podpull_blob_progress &p, Clock::time_point now);

    const std::vector<BlobRow> &rows() const { return rows_; }
    uint64_t pull_current() const { return pull_current_; }
    uint64_t pull_total() const { return pull_total_; }
    uint32_t blobs_seen() const { return blobs_seen_; }
    uint32_t blobs_done() const { return blobs_done_; }
    // ABI 1.2 figures (0 from a library that does not fill them in).
    uint64_t pull_cached() const { return pull_cached_; }
    uint32_t blobs_total() const { return blobs_total_; }
    uint32_t blobs_cached() const { return blobs_cached_; }
    // "12/48 (24 cached)": blobs done of the image's (of those seen, without a manifest).
    std::string blobs_text() const;
    bool any() const { return !rows_.empty(); }
    // Bytes fetched per second over the whole pull, from its first blob event (cached bytes
    // are not a transfer).
    double pull_rate(Clock::time_point now) const;

  private:
    std::vector<BlobRow> rows_;
    uint64_t pull_current_ = 0;
    uint64_t pull_total_ = 0;
    uint32_t blobs_seen_ = 0;
    uint32_t blobs_done_ = 0;
    uint64_t pull_cached_ = 0;
    uint32_t blobs_total_ = 0;
    uint32_t blobs_cached_ = 0;
    Clock::time_point first_{};
};

const char *blob_state_name(podpull_blob_state state); // "started", "pulling", ...
// Whether the library filled in the ABI 1.2 figures (pull_cached, blobs_total, blobs_cached):
// a 1.0 or 1.1 library's struct is shorter.
bool has_cache_figures(const podpull_blob_progress &p);

} // namespace podpull_cli
