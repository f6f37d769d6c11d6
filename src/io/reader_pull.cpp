// SPDX-License-Identifier: MIT OR Apache-2.0
#include "reader_pull.hpp"

#include "process_activity.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <sys/wait.h>
#include <utility>

namespace podpull::io {
namespace asio = boost::asio;

ReaderPull::ReaderPull(const Settings &settings, CancelHub &hub)
    : hub_(hub), stop_(settings.source),
      // A cancel from any thread stops the pull on the reader's thread, which ends whatever
      // read is in flight; the hand-off has woken the reader if it was waiting for the host.
      handoff_(
          settings.backlog,
          [this](const Error &reason) { asio::post(context_, [this, reason] { stop(reason); }); },
          settings.fallback_route),
      stall_(
          context_.get_executor(), settings.stall_timeout,
          [this, limit = settings.stall_timeout] { stop(stop_.stall_reason(limit)); },
          [this]() -> std::optional<std::uint64_t> {
              return podman_pid_ > 0 ? process_tree_io(podman_pid_) : std::nullopt;
          }),
      cancel_watch_(context_.get_executor(), settings.canceller), podman_pid_(settings.podman_pid) {
}

void ReaderPull::stop(const Error &reason) {
    const StopAction action = stop_.stop(reason);
    stall_.cancel();
    carry_out(action);
    end_helper();
}

void ReaderPull::end_helper() {
    if (auto end = std::exchange(end_helper_, nullptr))
        end();
}

void ReaderPull::throw_if_stopped() const {
    if (stop_.reason())
        throw *stop_.reason();
}

void ReaderPull::carry_out(StopAction action) {
    boost::system::error_code ignored;
    switch (action) {
    case StopAction::none:
        return;
    case StopAction::close_connection:
        if (connection_ != nullptr)
            connection_->close();
        return;
    case StopAction::terminate_child:
        child_->request_exit(ignored); // SIGTERM: podman cleans up its partial pull
        kill_timer_.expires_after(PullStop::kill_grace);
        kill_timer_.async_wait([this](const boost::system::error_code &ec) {
            if (!ec)
                carry_out(stop_.grace_expired());
        });
        return;
    case StopAction::kill_child:
        ::kill(child_->id(), SIGKILL);
        return;
    }
}

ChildProcess &ReaderPull::start_child(const ChildSpec &spec,
                                      boost::process::v2::process_stdio &&stdio) {
    if (!stop_.may_start_child())
        throw *stop_.reason();
    child_.emplace(launch_child(context_.get_executor(), spec, std::move(stdio)));
    podman_pid_ = child_->id(); // `podman pull` is the podman at work now
    stop_.child_started();
    return *child_;
}

asio::awaitable<ChildExit> ReaderPull::wait_child() {
    co_await child_->async_wait(asio::use_awaitable);
    stop_.child_exited();
    const int status = child_->native_exit_code();
    if (WIFSIGNALED(status))
        co_return ChildExit{true, WTERMSIG(status)};
    co_return ChildExit{false, WEXITSTATUS(status)};
}

} // namespace podpull::io
