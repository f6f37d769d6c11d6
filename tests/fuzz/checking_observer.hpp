// SPDX-License-Identifier: MIT OR Apache-2.0
// A PullObserver that checks what hosts are promised about progress (podpull.h and
// src/core/progress_tracker.cpp): per blob, the state only moves forward (STARTED -> PULLING
// -> DONE or SKIPPED) and nothing comes after DONE or SKIPPED; each callback changes something
// (state, current or total); `current` never decreases; a known total is kept, except that a
// DONE blob past it raises it; a DONE blob with a known total stands at it; the pull's current
// never decreases; and the whole-pull figures: pull_current never above pull_total, pull_total
// never decreasing, the cached parts never above what they are part of.
#pragma once

#include "core/pull_observer.hpp"
#include "fuzz_check.hpp"

#include <string>
#include <unordered_map>

namespace podpull::fuzz {

class CheckingObserver final : public PullObserver {
  public:
    void route_chosen(const RouteDecision &) override {}

    void status(std::string_view line) override {
        check(line.find('\n') == std::string_view::npos, "a status callback holding a newline");
    }

    bool blob(const BlobProgress &progress) override {
        check(!progress.id.empty(), "a blob callback without an id");
        check(progress.pull_current >= pull_current_, "the pull's current went down");
        check(progress.blobs_done <= progress.blobs_seen, "more blobs done than seen");
        check(progress.pull_current <= progress.pull_total, "the pull's current above its total");
        check(progress.pull_total >= pull_total_, "the pull's total went down");
        check(progress.pull_cached <= progress.pull_current, "more bytes cached than counted");
        check(progress.blobs_cached <= progress.blobs_done, "more blobs cached than done");
        pull_current_ = progress.pull_current;
        pull_total_ = progress.pull_total;
        const auto [it, first] = blobs_.try_emplace(progress.id, progress);
        if (!first) {
            const BlobProgress &before = it->second;
            check(before.state != BlobState::done && before.state != BlobState::skipped,
                  "a callback for a blob already DONE or SKIPPED");
            check(rank(progress.state) >= rank(before.state), "a blob's state went back");
            check(progress.current >= before.current, "a blob's current went down");
            check(progress.state != before.state || progress.current != before.current ||
                      progress.total != before.total,
                  "a callback that changes nothing");
            check(before.total < 0 || progress.total == before.total ||
                      (progress.state == BlobState::done &&
                       progress.total == static_cast<std::int64_t>(progress.current)),
                  "a blob's known total changed");
            it->second = progress;
        }
        if (progress.state == BlobState::done && progress.total >= 0)
            check(progress.current == static_cast<std::uint64_t>(progress.total),
                  "a DONE blob not at its total");
        return true;
    }

  private:
    static int rank(BlobState state) {
        return state == BlobState::started ? 0 : state == BlobState::pulling ? 1 : 2;
    }

    std::unordered_map<std::string, BlobProgress> blobs_;
    std::uint64_t pull_current_ = 0;
    std::uint64_t pull_total_ = 0;
};

} // namespace podpull::fuzz
