// SPDX-License-Identifier: MIT OR Apache-2.0
#include "stall_watch.hpp"

namespace podpull {

std::optional<StallWatch::Clock::time_point> StallWatch::heard(Clock::time_point now) {
    if (limit_.count() == 0 || stopped_)
        return std::nullopt;
    last_heard_ = now;
    if (check_pending_)
        return std::nullopt; // that check will find the new time and wait on
    check_pending_ = true;
    return last_heard_ + limit_;
}

StallWatch::Verdict StallWatch::check(Clock::time_point now, std::optional<std::uint64_t> work) {
    check_pending_ = false;
    if (limit_.count() == 0 || stopped_)
        return {};
    if (work && last_work_ && *work >= *last_work_ + busy_bytes && now > last_heard_)
        last_heard_ = now; // silent on the API, but reading or writing: busy, not stalled
    if (work)
        last_work_ = work;
    const auto due = last_heard_ + limit_;
    if (now < due) {
        check_pending_ = true; // podman spoke (or the host held the reader) since the last check
        return {false, due};
    }
    stopped_ = true;
    return {true, std::nullopt};
}

} // namespace podpull
