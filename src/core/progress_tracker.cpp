// The rules, for every wire format:
//   - The first event about a blob counts it in blobs_seen and is reported as what it says:
//     STARTED for a start, PULLING for bytes, DONE or SKIPPED. One event in, at most one out.
//   - `current` never decreases: a smaller value than the one reported is ignored.
//   - A blob's `total` is taken from the first event that knows it (>= 0) and then kept.
//   - finished -> DONE. When the total is known, current is set to it (podman may report
//     `success` below the total; the blob is complete). If current was already past the
//     total, the total is raised to current instead, so a DONE blob always stands at its
//     total. When the total is unknown, current stays and total stays -1.
//   - skipped -> SKIPPED, counted in blobs_done. A skipped blob transferred nothing: it adds
//     nothing to pull_current and its size, even if known, does not count in pull_total.
//     pull_total is "bytes this pull transfers", so that pull_current reaches it.
//   - skipped after bytes (the blob is PULLING) -> DONE, as finished above. The host has
//     counted those bytes in pull_current, which must never go down; the blob is present.
//   - pull_current is the sum of `current` and pull_total the sum of known totals, over the
//     blobs that are not SKIPPED. A blob of unknown size adds to pull_current only, so
//     pull_current can exceed pull_total while such a blob is in flight.
//   - Events about a blob already DONE or SKIPPED, and events that change nothing a host
//     can see, give nullopt.
#include "progress_tracker.hpp"

#include <algorithm>

namespace podpull {
namespace {

std::uint64_t counted_current(BlobState state, std::uint64_t current) {
    return state == BlobState::skipped ? 0 : current;
}

std::uint64_t counted_total(BlobState state, std::int64_t total) {
    return state == BlobState::skipped || total < 0 ? 0 : static_cast<std::uint64_t>(total);
}

} // namespace

std::optional<BlobProgress> ProgressTracker::apply(const BlobEvent &event) {
    const auto [entry, first_sight] = blobs_.try_emplace(event.id);
    Blob &blob = entry->second;
    if (blob.state == BlobState::done || blob.state == BlobState::skipped)
        return std::nullopt;
    const Blob before = blob;

    if (blob.total < 0 && event.total && *event.total >= 0)
        blob.total = *event.total;
    // A skip after bytes would take bytes the host was shown out of pull_current: the blob
    // is present, so it counts as done with what it transferred.
    const BlobPhase phase = event.phase == BlobPhase::skipped && blob.state == BlobState::pulling
                                ? BlobPhase::finished
                                : event.phase;
    switch (phase) {
    case BlobPhase::started:
        break; // a start after bytes does not move the blob back to STARTED
    case BlobPhase::progressing:
        blob.state = BlobState::pulling;
        blob.current = std::max(blob.current, event.current.value_or(0));
        break;
    case BlobPhase::finished:
        blob.state = BlobState::done;
        blob.current = std::max(blob.current, event.current.value_or(0));
        if (blob.total >= 0) {
            if (blob.current > static_cast<std::uint64_t>(blob.total))
                blob.total = static_cast<std::int64_t>(blob.current);
            else
                blob.current = static_cast<std::uint64_t>(blob.total);
        }
        break;
    case BlobPhase::skipped:
        blob.state = BlobState::skipped;
        break;
    }

    if (!first_sight && blob.state == before.state && blob.current == before.current &&
        blob.total == before.total)
        return std::nullopt;

    pull_current_ = pull_current_ - counted_current(before.state, before.current) +
                    counted_current(blob.state, blob.current);
    pull_total_ = pull_total_ - counted_total(before.state, before.total) +
                  counted_total(blob.state, blob.total);
    if (blob.state == BlobState::done || blob.state == BlobState::skipped)
        ++blobs_done_;

    BlobProgress progress;
    progress.id = event.id;
    progress.state = blob.state;
    progress.current = blob.current;
    progress.total = blob.total;
    progress.pull_current = pull_current_;
    progress.pull_total = pull_total_;
    progress.blobs_seen = static_cast<std::uint32_t>(blobs_.size());
    progress.blobs_done = blobs_done_;
    return progress;
}

} // namespace podpull
