#include "podman_service.hpp"

#include "core/error.hpp"
#include "notify_socket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace podpull::io {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t stderr_tail_bytes = 4096;

int open_log(const std::string &path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw Error(ErrorCode::internal,
                    fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    return fd;
}

} // namespace

PodmanService::PodmanService(BackgroundLoop &loop, const ServiceConfig &config)
    : loop_(loop), directory_(config.runtime_dir, Purpose::sockets) {
    socket_path_ = directory_.path() + "/podman.sock";
    log_path_ = directory_.path() + "/service.log";
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
    NotifySocket notify(executor, directory_.path() + "/notify.sock");

    ChildSpec spec;
    spec.argv = service_argv(config.podman, config.storage, socket_path_);
    spec.env = std::move(config.env);
    spec.env.push_back("NOTIFY_SOCKET=" + notify.path());
    if (config.run_root_fd >= 0)
        spec.inherited.push_back({config.run_root_fd, 3});

    // stderr goes to a file in the private directory: nothing has to drain it while the
    // service runs, and its tail explains an early exit.
    const int log_fd = open_log(log_path_);
    try {
        process_.emplace(launch_child(executor, spec,
                                      boost::process::v2::process_stdio{nullptr, nullptr, log_fd}));
    } catch (...) {
        ::close(log_fd);
        throw;
    }
    ::close(log_fd);

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
                                "ready: {}",
                                std::get<1>(first), stderr_tail()));
    case 3:
        throw Error(ErrorCode::cancelled,
                    "podpull_connect was cancelled while podman system service was starting");
    default:
        throw Error(ErrorCode::timeout,
                    fmt::format("podman system service was not ready after {} ms{}{}",
                                config.start_timeout.count(),
                                stderr_tail().empty() ? "" : "; its stderr: ", stderr_tail()));
    }
}

asio::awaitable<void> PodmanService::stop() {
    if (!process_)
        co_return;
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
}

std::string PodmanService::stderr_tail() const {
    std::ifstream log(log_path_, std::ios::binary);
    if (!log)
        return {};
    log.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(log.tellg());
    const auto start = size > stderr_tail_bytes ? size - stderr_tail_bytes : 0;
    log.seekg(static_cast<std::streamoff>(start));
    std::string tail(size - start, '\0');
    log.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
        tail.pop_back();
    return tail;
}

} // namespace podpull::io
