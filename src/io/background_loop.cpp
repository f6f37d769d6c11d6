// SPDX-License-Identifier: MIT OR Apache-2.0
#include "background_loop.hpp"

#include "signal_blocked_thread.hpp"

namespace podpull::io {

BackgroundLoop::BackgroundLoop() : work_(context_.get_executor()) {
    thread_ = start_thread_with_signals_blocked([this] { context_.run(); });
}

BackgroundLoop::~BackgroundLoop() {
    stop();
}

void BackgroundLoop::stop() {
    work_.reset();
    context_.stop();
    if (thread_.joinable())
        thread_.join();
}

} // namespace podpull::io
