// SPDX-License-Identifier: MIT OR Apache-2.0
#include "retry_pause.hpp"

#include "core/error.hpp"

#include <boost/asio/post.hpp>

namespace podpull::io {
namespace asio = boost::asio;

RetryPause::RetryPause(CancelHub &hub, const Canceller *canceller)
    : canceller_(canceller), enrolment_(hub.enrol([this] {
          hub_fired_.store(true, std::memory_order_release);
          // On the hub's loop thread: the timer belongs to the pull's thread's context.
          asio::post(context_, [this] { timer_.cancel(); });
      })) {}

bool RetryPause::cancelled() const noexcept {
    return hub_fired_.load(std::memory_order_acquire) ||
           (canceller_ != nullptr && canceller_->cancelled());
}

void RetryPause::wait(std::chrono::milliseconds delay) {
    if (!cancelled()) {
        context_.restart();
        CancelWatch watch(context_.get_executor(), canceller_);
        watch.on_fire([this] { timer_.cancel(); });
        timer_.expires_after(delay);
        timer_.async_wait([&watch](const boost::system::error_code &) { watch.stop(); });
        context_.run();
    }
    if (cancelled())
        throw Error(ErrorCode::cancelled, "the pull was cancelled while waiting to retry");
}

} // namespace podpull::io
