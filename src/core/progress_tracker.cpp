// SPDX-License-Identifier: MIT OR Apache-2.0
// The rules, for every wire format:
//   - The first event about a blob counts it in blobs_seen and is reported as what it says:
//     STARTED for a start, PULLING for bytes, DONE or SKIPPED. One event in, at most one out.
//   - `current` never decreases: a smaller value than the one reported is ignored.
//   - A blob's `total` is the manifest's size for an expected blob; else it is taken from the
//     first event that knows it (>= 0) and then kept.
//   - finished -> DONE. When the total is known, current is set to it (podman may report
//     `success` below the total, or, on the jsonmessage routes, no bytes at all for a blob that
//     finished between two once-a-second reports; the blob is complete). If current was
//     already past the total, the total is raised to current instead, so a DONE blob always
//     stands at its total. When the total is unknown, current stays and total stays -1.
//   - skipped -> SKIPPED, counted in blobs_done and blobs_cached: the blob was in the storage.
//     Its size, when known, counts in pull_total, pull_current and pull_cached alike, so the
//     whole-pull bar still reaches its end and pull_current - pull_cached is what was fetched.
//   - skipped after bytes (the blob is PULLING) -> DONE, as finished above. The host has
//     counted those bytes as fetched, and pull_current must never go down; the blob is present.
//   - A blob counts in pull_total with its size or, while that is unknown, with what it has
//     transferred: pull_current never exceeds pull_total, and neither ever goes down.
//   - Events about a blob already DONE or SKIPPED, and events that change nothing a host
//     can see, give nullopt.
#include "progress_tracker.hpp"

#include "image_id.hpp"

#include <algorithm>

namespace podpull {
namespace {

constexpr std::string_view sha256_prefix = "sha256:";

std::uint64_t known_total(std::int64_t total) {
    return total < 0 ? 0 : static_cast<std::uint64_t>(total);
}

std::uint64_t counted_current(BlobState state, std::uint64_t current, std::int64_t total) {
    return state == BlobState::skipped ? known_total(total) : current;
}

std::uint64_t counted_total(BlobState state, std::uint64_t current, std::int64_t total) {
    return state == BlobState::skipped ? known_total(total) : std::max(known_total(total), current);
}

std::uint64_t counted_cached(BlobState state, std::int64_t total) {
    return state == BlobState::skipped ? known_total(total) : 0;
}

bool finished(BlobState state) {
    return state == BlobState::done || state == BlobState::skipped;
}

} // namespace

void ProgressTracker::expect(const std::vector<BlobDescriptor> &blobs) {
    if (!blobs_.empty())
        return;
    for (const auto &descriptor : blobs) {
        const auto [entry, inserted] = blobs_.try_emplace(descriptor.digest);
        if (!inserted)
            continue;
        entry->second.total =
            static_cast<std::int64_t>(std::min<std::uint64_t>(descriptor.size, INT64_MAX));
        expected_order_.push_back(descriptor.digest);
        pull_total_ += known_total(entry->second.total);
        ++blobs_total_;
        // The jsonmessage routes name a blob by its digest's first 12 hex digits.
        if (descriptor.digest.starts_with(sha256_prefix)) {
            const std::string short_id =
                descriptor.digest.substr(sha256_prefix.size(), short_image_id_length);
            const auto [known, fresh] = short_ids_.try_emplace(short_id, descriptor.digest);
            if (!fresh)
                known->second.clear(); // two digests share it: it names neither
        }
    }
}

const std::string &ProgressTracker::resolve(const std::string &id) const {
    if (is_short_image_id(id) && !blobs_.contains(id)) {
        const auto found = short_ids_.find(id);
        if (found != short_ids_.end() && !found->second.empty())
            return found->second;
    }
    return id;
}

bool ProgressTracker::knows(const std::string &id) const {
    const auto found = blobs_.find(resolve(id));
    return found != blobs_.end() && found->second.seen;
}

std::optional<BlobProgress> ProgressTracker::apply(const BlobEvent &event) {
    const std::string key = resolve(event.id);
    Blob &blob = blobs_[key];
    if (finished(blob.state))
        return std::nullopt;
    const Blob before = blob;
    const bool first_sight = !blob.seen;
    blob.seen = true;

    if (blob.total < 0 && event.total && *event.total >= 0)
        blob.total = *event.total;
    // A skip after bytes would take bytes the host was shown as fetched back: the blob is
    // present, so it counts as done with what it transferred.
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
    return change(key, blob, before, first_sight);
}

std::optional<BlobProgress> ProgressTracker::change(const std::string &key, Blob &blob,
                                                    const Blob &before, bool first_sight) {
    if (!first_sight && blob.state == before.state && blob.current == before.current &&
        blob.total == before.total)
        return std::nullopt;

    pull_current_ = pull_current_ - counted_current(before.state, before.current, before.total) +
                    counted_current(blob.state, blob.current, blob.total);
    pull_total_ = pull_total_ - counted_total(before.state, before.current, before.total) +
                  counted_total(blob.state, blob.current, blob.total);
    pull_cached_ = pull_cached_ - counted_cached(before.state, before.total) +
                   counted_cached(blob.state, blob.total);
    if (first_sight)
        ++blobs_seen_;
    if (finished(blob.state) && !finished(before.state))
        ++blobs_done_;
    if (blob.state == BlobState::skipped && before.state != BlobState::skipped)
        ++blobs_cached_;
    return report(key, blob);
}

BlobProgress ProgressTracker::report(const std::string &key, const Blob &blob) const {
    BlobProgress progress;
    progress.id = key;
    progress.state = blob.state;
    progress.current = blob.current;
    progress.total = blob.total;
    progress.pull_current = pull_current_;
    progress.pull_total = pull_total_;
    progress.blobs_seen = blobs_seen_;
    progress.blobs_done = blobs_done_;
    progress.pull_cached = pull_cached_;
    progress.blobs_total = blobs_total_;
    progress.blobs_cached = blobs_cached_;
    return progress;
}

std::vector<BlobProgress> ProgressTracker::settle() {
    std::vector<std::string> keys = expected_order_;
    std::vector<std::string> others;
    for (const auto &[key, blob] : blobs_) {
        if (!finished(blob.state) &&
            std::find(expected_order_.begin(), expected_order_.end(), key) == expected_order_.end())
            others.push_back(key);
    }
    std::sort(others.begin(), others.end());
    keys.insert(keys.end(), others.begin(), others.end());

    std::vector<BlobProgress> reports;
    for (const auto &key : keys) {
        Blob &blob = blobs_[key];
        if (finished(blob.state))
            continue;
        const Blob before = blob;
        const bool first_sight = !blob.seen;
        blob.seen = true;
        if (first_sight) {
            // Expected, and podman never named it: it copied nothing of it.
            blob.state = BlobState::skipped;
        } else {
            blob.state = BlobState::done;
            if (blob.total >= 0 && blob.current <= static_cast<std::uint64_t>(blob.total))
                blob.current = static_cast<std::uint64_t>(blob.total);
            else if (blob.total >= 0)
                blob.total = static_cast<std::int64_t>(blob.current);
        }
        if (auto progress = change(key, blob, before, first_sight))
            reports.push_back(std::move(*progress));
    }
    return reports;
}

PullTotals ProgressTracker::totals() const noexcept {
    return {pull_current_ - pull_cached_, pull_cached_, blobs_total_, blobs_cached_};
}

} // namespace podpull
