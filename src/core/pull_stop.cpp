// SPDX-License-Identifier: MIT OR Apache-2.0
#include "pull_stop.hpp"

#include <fmt/format.h>

namespace podpull {

StopAction PullStop::stop(Error reason) {
    if (reason_)
        return StopAction::none;
    reason_ = std::move(reason);
    if (source_ == PullSource::connection)
        return StopAction::close_connection;
    return child_running_ ? StopAction::terminate_child : StopAction::none;
}

Error PullStop::stall_reason(std::chrono::milliseconds limit) const {
    if (source_ == PullSource::connection)
        return Error(
            ErrorCode::timeout,
            fmt::format("the pull stalled after {} ms without a word from podman", limit.count()));
    return Error(ErrorCode::timeout,
                 fmt::format("podman pull printed nothing for {} ms", limit.count()));
}

StopAction PullStop::grace_expired() const noexcept {
    return source_ == PullSource::child && child_running_ ? StopAction::kill_child
                                                          : StopAction::none;
}

std::exception_ptr PullStop::outcome(std::exception_ptr reader_failure) const {
    if (reason_)
        return std::make_exception_ptr(*reason_);
    return reader_failure;
}

} // namespace podpull
