#include "stall_timer.hpp"

#include <utility>

namespace podpull::io {

StallTimer::StallTimer(const boost::asio::any_io_executor &executor,
                       std::chrono::milliseconds limit, std::function<void()> on_stall)
    : timer_(executor), watch_(limit), on_stall_(std::move(on_stall)) {}

void StallTimer::heard() {
    if (const auto when = watch_.heard(StallWatch::Clock::now()))
        wait_until(*when);
}

void StallTimer::cancel() {
    watch_.stop();
    timer_.cancel();
}

void StallTimer::wait_until(StallWatch::Clock::time_point when) {
    timer_.expires_at(when);
    timer_.async_wait([this](const boost::system::error_code &ec) {
        if (ec)
            return; // cancelled: the watch was stopped
        const auto verdict = watch_.check(StallWatch::Clock::now());
        if (verdict.stalled)
            on_stall_();
        else if (verdict.next)
            wait_until(*verdict.next);
    });
}

} // namespace podpull::io
