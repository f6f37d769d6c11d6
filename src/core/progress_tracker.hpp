// One tracker for every wire format: per-blob state and the whole pull's totals, built from
// BlobEvents. It enforces what hosts rely on: a blob goes STARTED -> PULLING... -> DONE or
// SKIPPED, its `current` never decreases, and a finished blob stands at its total.
#pragma once

#include "pull_events.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace podpull {

enum class BlobState { started = 0, pulling = 1, done = 2, skipped = 3 }; // podpull_blob_state

struct BlobProgress {
    std::string id;
    BlobState state = BlobState::started;
    std::uint64_t current = 0;
    std::int64_t total = -1;
    std::uint64_t pull_current = 0;
    std::uint64_t pull_total = 0;
    std::uint32_t blobs_seen = 0;
    std::uint32_t blobs_done = 0;
};

class ProgressTracker {
  public:
    // Applies one event and returns what the host should be told, or nullopt when the event
    // changes nothing a host can see (a repeat, or news about a blob already finished).
    std::optional<BlobProgress> apply(const BlobEvent &event);

    // Whether an event about this blob was applied before.
    bool knows(const std::string &id) const { return blobs_.contains(id); }

    std::uint64_t pull_current() const noexcept { return pull_current_; }
    std::uint64_t pull_total() const noexcept { return pull_total_; }

  private:
    struct Blob {
        BlobState state = BlobState::started;
        std::uint64_t current = 0;
        std::int64_t total = -1;
    };

    std::unordered_map<std::string, Blob> blobs_;
    std::uint64_t pull_current_ = 0;
    std::uint64_t pull_total_ = 0;
    std::uint32_t blobs_done_ = 0;
};

} // namespace podpull
