// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podman_service.hpp"

#include "core/diagnostic_text.hpp"
#include "core/directory_failure.hpp"
#include "core/error.hpp"
#include "notify_socket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#include <system_error>

namespace podpull::io {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

// A file the service needs in its private directory could not be made: the directory, as far
// as the host is concerned (a full runtime_dir fails here when it has no inode left).
[[noreturn]] void throw_directory_failure(const std::string &runtime_dir, int error) {
    throw private_directory_failure(PrivateDirectoryKind::sockets, runtime_dir, error,
                                    std::error_code(error, std::generic_category()).message());
}

UniqueFd open_log(const std::string &runtime_dir, const std::string &path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd)
        throw_directory_failure(runtime_dir, errno);
    return fd;
}

} // namespace

PodmanService::PodmanService(BackgroundLoop &loop, const ServiceConfig &config)
    : loop_(loop), directory_(config.runtime_dir, Purpose::sockets) {
    socket_path_ = directory_.path() + "/podman.sock";
    try {
        asio::co_spawn(loop_.executor(), start(config), asio::use_future).get();
    } catch (...) {
        asio::co_spawn(loop_.executor(), stop(), asio::use_future).get();
        throw; // directory_ removes itself
    }
}

PodmanService::~PodmanService() {
    try {
        asio::co_spawn(loop_.executor(), stop(), asio::use_future).get();
    } catch (...) {
        // Teardown must not throw; the process handle's destructor still SIGKILLs and reaps.
    }
    // directory_ removes itself once process_ is gone.
}

asio::awaitable<void> PodmanService::start(ServiceConfig config) {
    auto executor = co_await asio::this_coro::executor;
    boost::system::error_code ec;
    NotifySocket notify(executor, directory_.path() + "/notify.sock", ec);
    if (ec)
        throw_directory_failure(config.runtime_dir, ec.value());

    ChildSpec spec;
    spec.argv = service_argv(config.podman, config.storage, socket_path_);
    spec.env = std::move(config.env);
    spec.env.push_back("NOTIFY_SOCKET=" + notify.path());
    if (config.run_root_fd >= 0)
        spec.inherited.push_back({config.run_root_fd, run_root_child_fd});
    spec.storage = config.storage_binding;

    // stderr goes through a pipe that the loop drains into a bounded copy (service_log.hpp):
    // its telling line explains an early exit, and it never grows without end.
    stderr_.emplace(executor, open_log(config.runtime_dir, directory_.path() + "/service.log"));
    process_.emplace(launch_child(
        executor, spec, boost::process::v2::process_stdio{nullptr, nullptr, stderr_->child_end()}));
    stderr_->start();

    asio::steady_timer deadline(executor, config.start_timeout);
    CancelWatch cancel_watch(executor, config.canceller);
    auto first = co_await (notify.wait_ready() || process_->async_wait(asio::use_awaitable) ||
                           deadline.async_wait(asio::use_awaitable) || cancel_watch.wait());
    switch (first.index()) {
    case 0:
        co_return;
    case 1:
        throw Error(ErrorCode::service,
                    fmt::format("podman system service exited with status {} before it was "
                                "ready{}",
                                std::get<1>(first),
                                stderr_note(": ", " (it wrote nothing to stderr)")));
    case 3:
        throw Error(ErrorCode::cancelled,
                    "podpull_connect was cancelled while podman system service was starting");
    default:
        throw Error(ErrorCode::timeout,
                    fmt::format("podman system service was not ready after {} ms{}",
                                config.start_timeout.count(), stderr_note("; its stderr: ", "")));
    }
}

asio::awaitable<void> PodmanService::stop() {
    if (!process_) {
        if (stderr_)
            stderr_->close();
        co_return;
    }
    boost::system::error_code ec;
    if (process_->running(ec)) {
        process_->request_exit(ec); // SIGTERM
        asio::steady_timer grace(co_await asio::this_coro::executor, stop_grace);
        auto first = co_await (process_->async_wait(asio::use_awaitable) ||
                               grace.async_wait(asio::use_awaitable));
        if (first.index() == 1)
            process_->terminate(ec); // SIGKILL and reap
    }
    process_.reset(); // on the loop's thread, which owns the handle's descriptor
    if (stderr_)
        stderr_->close(); // its descriptor is the loop's too
}

std::string PodmanService::stderr_note(std::string_view lead, std::string_view otherwise) {
    // One line of it, whatever podman wrote: a host logs the message as one line.
    const std::string line = stderr_ ? stderr_summary(stderr_->text()) : std::string();
    return line.empty() ? std::string(otherwise) : fmt::format("{}{}", lead, line);
}

} // namespace podpull::io
