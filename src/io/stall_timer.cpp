#include "stall_timer.hpp"

#include <utility>

namespace podpull::io {

StallTimer::StallTimer(const boost::asio::any_io_executor &executor,
                       std::chrono::milliseconds limit, std::function<void()> on_stall)
    : timer_(executor), limit_(limit), on_stall_(std::move(on_stall)) {}

void StallTimer::heard() {
    if (limit_.count() == 0 || cancelled_)
        return;
    last_heard_ = Clock::now();
    if (!waiting_)
        wait_until(last_heard_ + limit_);
}

void StallTimer::cancel() {
    cancelled_ = true;
    timer_.cancel();
}

void StallTimer::wait_until(Clock::time_point when) {
    waiting_ = true;
    timer_.expires_at(when);
    timer_.async_wait([this](const boost::system::error_code &ec) {
        waiting_ = false;
        if (ec || cancelled_)
            return;
        const auto due = last_heard_ + limit_;
        if (Clock::now() < due) {
            wait_until(due); // podman spoke (or the host held the reader) since this wait began
            return;
        }
        cancelled_ = true;
        on_stall_();
    });
}

} // namespace podpull::io
