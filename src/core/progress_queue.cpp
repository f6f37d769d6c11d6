// SPDX-License-Identifier: MIT OR Apache-2.0
// Why merging keeps the whole-pull figures honest: every report the tracker makes carries
// pull_current = the sum of each blob's current at that moment (pull_total likewise). When a
// newer PULLING of blob A merges into A's queued report, the host will learn A's newer figures
// at that report's place; every report from there on was computed with A's older figures, so
// each is raised by A's difference. The host then always sees pull totals equal to the sum of
// the per-blob figures it has been given, never going back, and the last report it gets
// carries the tracker's final figures.
#include "progress_queue.hpp"

#include "error.hpp"

#include <algorithm>

namespace podpull {
namespace {

std::size_t text_size(const ProgressEvent &event) {
    if (const auto *status = std::get_if<StatusEvent>(&event))
        return status->text.size();
    return std::get<BlobProgress>(event).id.size();
}

// What a PULLING blob adds to pull_total (progress_tracker.cpp's rule): its size or, while that
// is unknown or passed, what it has transferred.
std::uint64_t counted_total(std::int64_t total, std::uint64_t current) {
    return std::max(total < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(total), current);
}

} // namespace

ProgressQueue::ProgressQueue(Bound bound) : bound_(bound) {
    if (bound_.entries == 0)
        throw Error(ErrorCode::internal, "a progress queue needs room for at least one event");
}

std::size_t ProgressQueue::merge_target(const BlobProgress &progress) const {
    if (progress.state != BlobState::pulling)
        return entries_.size();
    // The latest queued report about this blob decides: only a PULLING can take the merge.
    for (std::size_t i = entries_.size(); i-- > 0;) {
        const auto *queued = std::get_if<BlobProgress>(&entries_[i]);
        if (queued != nullptr && queued->id == progress.id)
            return queued->state == BlobState::pulling ? i : entries_.size();
    }
    return entries_.size();
}

bool ProgressQueue::accepts(const ProgressEvent &event) const {
    if (const auto *blob = std::get_if<BlobProgress>(&event);
        blob != nullptr && merge_target(*blob) != entries_.size())
        return true;
    if (entries_.empty())
        return true;
    return entries_.size() < bound_.entries && bytes_ + text_size(event) <= bound_.bytes;
}

void ProgressQueue::push(ProgressEvent event) {
    if (!accepts(event))
        throw Error(ErrorCode::internal, "a progress event was pushed into a full queue");
    if (const auto *blob = std::get_if<BlobProgress>(&event)) {
        if (const std::size_t target = merge_target(*blob); target != entries_.size()) {
            auto &queued = std::get<BlobProgress>(entries_[target]);
            // Unsigned differences: the tracker never lowers current, and wrap-around
            // arithmetic would keep the sums right even if it did.
            const std::uint64_t more_current = blob->current - queued.current;
            const std::uint64_t more_total = counted_total(blob->total, blob->current) -
                                             counted_total(queued.total, queued.current);
            queued.current = blob->current;
            queued.total = blob->total;
            for (std::size_t i = target; i < entries_.size(); ++i) {
                if (auto *later = std::get_if<BlobProgress>(&entries_[i])) {
                    later->pull_current += more_current;
                    later->pull_total += more_total;
                }
            }
            ++merged_;
            return;
        }
    }
    bytes_ += text_size(event);
    entries_.push_back(std::move(event));
}

std::optional<ProgressEvent> ProgressQueue::pop() {
    if (entries_.empty())
        return std::nullopt;
    ProgressEvent event = std::move(entries_.front());
    entries_.pop_front();
    bytes_ -= text_size(event);
    return event;
}

} // namespace podpull
