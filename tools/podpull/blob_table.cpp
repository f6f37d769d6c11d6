// SPDX-License-Identifier: MIT OR Apache-2.0
#include "blob_table.hpp"

#include <algorithm>
#include <cstddef>

namespace podpull_cli {

namespace {
// Whether the library filled in `field` (it was appended after ABI 1.0): struct_size covers it.
#define PODPULL_CLI_HAS(p, field)                                                                  \
    ((p).struct_size >= offsetof(podpull_blob_progress, field) + sizeof((p).field))

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}
} // namespace

double BlobRow::rate() const {
    const double s = seconds_between(first_seen, last_update);
    return s > 0.05 ? static_cast<double>(current) / s : 0.0;
}

bool BlobTable::update(const podpull_blob_progress &p, Clock::time_point now) {
    if (rows_.empty()) {
        first_ = now;
    }
    const std::string id = p.id != nullptr ? p.id : "";
    auto it =
        std::find_if(rows_.begin(), rows_.end(), [&](const BlobRow &r) { return r.id == id; });
    bool changed = false;
    if (it == rows_.end()) {
        BlobRow row;
        row.id = id;
        row.state = p.state;
        row.first_seen = now;
        rows_.push_back(row);
        it = rows_.end() - 1;
        changed = true;
    } else if (it->state != p.state) {
        changed = true;
    }
    it->state = p.state;
    it->current = std::max(it->current, p.current);
    it->total = p.total;
    it->last_update = now;
    pull_current_ = std::max(pull_current_, p.pull_current);
    pull_total_ = p.pull_total;
    blobs_seen_ = p.blobs_seen;
    blobs_done_ = p.blobs_done;
    if (has_cache_figures(p)) {
        pull_cached_ = p.pull_cached;
        blobs_total_ = p.blobs_total;
        blobs_cached_ = p.blobs_cached;
    }
    return changed;
}

double BlobTable::pull_rate(Clock::time_point now) const {
    const double s = seconds_between(first_, now);
    const uint64_t fetched = pull_current_ - std::min(pull_current_, pull_cached_);
    return s > 0.05 ? static_cast<double>(fetched) / s : 0.0;
}

std::string BlobTable::blobs_text() const {
    std::string text = std::to_string(blobs_done_) + "/" +
                       std::to_string(blobs_total_ > 0 ? blobs_total_ : blobs_seen_);
    if (blobs_cached_ > 0)
        text += " (" + std::to_string(blobs_cached_) + " cached)";
    return text;
}

bool has_cache_figures(const podpull_blob_progress &p) {
    return PODPULL_CLI_HAS(p, blobs_cached);
}

const char *blob_state_name(podpull_blob_state state) {
    switch (state) {
    case PODPULL_BLOB_STARTED:
        return "started";
    case PODPULL_BLOB_PULLING:
        return "pulling";
    case PODPULL_BLOB_DONE:
        return "done";
    case PODPULL_BLOB_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

} // namespace podpull_cli
