// SPDX-License-Identifier: MIT OR Apache-2.0
#include "stall_timer.hpp"

#include <algorithm>
#include <utility>

namespace podpull::io {

StallTimer::StallTimer(const boost::asio::any_io_executor &executor,
                       std::chrono::milliseconds limit, std::function<void()> on_stall,
                       WorkProbe work)
    : timer_(executor), watch_(limit), on_stall_(std::move(on_stall)), work_(std::move(work)) {}

void StallTimer::heard() {
    if (const auto when = watch_.heard(StallWatch::Clock::now())) {
        watch_.note_work(work_now());
        wait_until(*when);
    }
}

StallWatch::Clock::time_point
StallTimer::sooner_for_work(StallWatch::Clock::time_point when) const {
    // Work is seen only when sampled, and taken as done at the sample: sampling four times a
    // limit keeps a stall after the last work within 1.25 limits.
    if (!work_)
        return when;
    return std::min(when, StallWatch::Clock::now() + watch_.limit() / 4);
}

std::optional<std::uint64_t> StallTimer::work_now() const {
    return work_ ? work_() : std::nullopt;
}

void StallTimer::rest() {
    watch_.rest(); // the watch stays on: heard() arms it again
    timer_.cancel();
}

void StallTimer::cancel() {
    watch_.stop();
    timer_.cancel();
}

void StallTimer::wait_until(StallWatch::Clock::time_point when) {
    timer_.expires_at(sooner_for_work(when));
    timer_.async_wait([this](const boost::system::error_code &ec) {
        if (ec)
            return; // cancelled: the watch was stopped
        const auto verdict = watch_.check(StallWatch::Clock::now(), work_now());
        if (verdict.stalled)
            on_stall_();
        else if (verdict.next)
            wait_until(*verdict.next);
    });
}

} // namespace podpull::io
