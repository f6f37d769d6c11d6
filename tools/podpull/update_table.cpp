// SPDX-License-Identifier: MIT OR Apache-2.0
#include "update_table.hpp"

#include "blob_table.hpp"

#include <algorithm>

namespace podpull_cli {

const char *image_state_name(ImageState state) {
    switch (state) {
    case ImageState::waiting:
        return "waiting";
    case ImageState::pulling:
        return "pulling";
    case ImageState::done:
        return "done";
    case ImageState::failed:
        return "failed";
    }
    return "unknown";
}

UpdateTable::UpdateTable(std::vector<std::string> images) {
    rows_.reserve(images.size());
    for (std::string &image : images) {
        ImageRow row;
        row.image = std::move(image);
        rows_.push_back(std::move(row));
    }
}

void UpdateTable::started(size_t index) {
    ImageRow &r = rows_.at(index);
    if (r.state == ImageState::waiting) {
        r.state = ImageState::pulling;
    }
}

void UpdateTable::blob(size_t index, const podpull_blob_progress &p) {
    ImageRow &r = rows_.at(index);
    if (r.state != ImageState::pulling && r.state != ImageState::waiting) {
        return; // a late event cannot undo the outcome
    }
    r.state = ImageState::pulling;
    // The library never lets these go down; max() keeps the sums monotonic all the same.
    r.bytes = std::max(r.bytes, p.pull_current);
    r.bytes_total = std::max(r.bytes_total, p.pull_total);
    r.blobs_done = p.blobs_done;
    r.blobs_total = p.blobs_seen;
    if (has_cache_figures(p)) {
        r.bytes_cached = p.pull_cached;
        r.blobs_cached = p.blobs_cached;
        if (p.blobs_total > 0) {
            r.blobs_total = p.blobs_total;
            r.total_known = true; // the manifest was read: pull_total is the image's size
        }
    }
}

void UpdateTable::result(size_t index, const PullSummary &s) {
    ImageRow &r = rows_.at(index);
    r.state = ImageState::done;
    r.summary = s;
    r.bytes = s.bytes + s.bytes_cached;
    r.bytes_total = r.bytes;
    r.bytes_cached = s.bytes_cached;
    r.blobs_total = s.blobs_total > 0 ? s.blobs_total : std::max(r.blobs_total, r.blobs_done);
    r.blobs_done = r.blobs_total;
    r.blobs_cached = s.blobs_cached;
    r.total_known = true;
}

void UpdateTable::failed(size_t index, podpull_code code, const std::string &message,
                         bool interrupted) {
    ImageRow &r = rows_.at(index);
    r.state = ImageState::failed;
    r.code = code;
    r.message = message;
    r.interrupted = interrupted;
    r.total_known = true;
}

uint64_t UpdateTable::bytes() const {
    return sum<uint64_t>([](const ImageRow &r) { return r.bytes; });
}

uint64_t UpdateTable::bytes_total() const {
    return sum<uint64_t>(
        [](const ImageRow &r) { return r.state == ImageState::failed ? r.bytes : r.bytes_total; });
}

uint64_t UpdateTable::bytes_cached() const {
    return sum<uint64_t>([](const ImageRow &r) { return r.bytes_cached; });
}

uint64_t UpdateTable::bytes_fetched() const {
    return sum<uint64_t>(
        [](const ImageRow &r) { return r.bytes - std::min(r.bytes, r.bytes_cached); });
}

uint32_t UpdateTable::blobs_done() const {
    return sum<uint32_t>([](const ImageRow &r) { return r.blobs_done; });
}

uint32_t UpdateTable::blobs_total() const {
    return sum<uint32_t>([](const ImageRow &r) {
        return r.state == ImageState::failed ? r.blobs_done : r.blobs_total;
    });
}

uint32_t UpdateTable::blobs_cached() const {
    return sum<uint32_t>([](const ImageRow &r) { return r.blobs_cached; });
}

bool UpdateTable::totals_known() const {
    return std::all_of(rows_.begin(), rows_.end(), [](const ImageRow &r) { return r.total_known; });
}

size_t UpdateTable::pulled() const {
    return sum<size_t>([](const ImageRow &r) { return r.state == ImageState::done ? 1 : 0; });
}

size_t UpdateTable::failed() const {
    return sum<size_t>([](const ImageRow &r) { return r.state == ImageState::failed ? 1 : 0; });
}

bool UpdateTable::finished() const {
    return pulled() + failed() == rows_.size();
}

uint64_t UpdateTable::pulled_bytes() const {
    return sum<uint64_t>(
        [](const ImageRow &r) { return r.state == ImageState::done ? r.summary.bytes : 0; });
}

uint64_t UpdateTable::pulled_bytes_cached() const {
    return sum<uint64_t>(
        [](const ImageRow &r) { return r.state == ImageState::done ? r.summary.bytes_cached : 0; });
}

std::vector<podpull_code> UpdateTable::codes() const {
    std::vector<podpull_code> codes;
    codes.reserve(rows_.size());
    for (const ImageRow &r : rows_) {
        codes.push_back(r.code);
    }
    return codes;
}

} // namespace podpull_cli
