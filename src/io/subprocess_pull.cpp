#include "subprocess_pull.hpp"

#include "core/error.hpp"
#include "core/line_splitter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <array>
#include <csignal>
#include <optional>

namespace podpull::io {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_stderr_line = 64 * 1024;
constexpr std::size_t max_stdout = 4096; // an image ID and a newline
constexpr std::chrono::seconds kill_grace{3};

bool is_full_image_id(std::string_view id) {
    return id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Drains a pipe to its end, handing each piece to `sink`.
template <typename Sink> asio::awaitable<void> drain(asio::readable_pipe &pipe, Sink sink) {
    std::array<char, 16 * 1024> buffer{};
    while (true) {
        auto [ec, read] = co_await pipe.async_read_some(asio::buffer(buffer), use_tuple);
        if (read != 0)
            sink(std::string_view(buffer.data(), read));
        if (ec)
            co_return; // EOF: the child closed its end (it exited), or we closed ours
    }
}

} // namespace

std::string run_subprocess_pull(const SubprocessPullRequest &request, PullObserver &observer,
                                CancelHub &hub) {
    asio::io_context context{1};
    asio::readable_pipe out(context), err(context);
    auto child = launch_child(context.get_executor(), request.child,
                              boost::process::v2::process_stdio{nullptr, out, err});

    // Stopping: SIGTERM now (podman cleans up its partial pull), SIGKILL if it lingers.
    std::optional<Error> stop_reason;
    asio::steady_timer kill_timer(context), stall_timer(context);
    auto stop = [&](Error reason) {
        if (stop_reason)
            return;
        stop_reason = std::move(reason);
        boost::system::error_code ignored;
        child.request_exit(ignored);
        kill_timer.expires_after(kill_grace);
        kill_timer.async_wait([&](const boost::system::error_code &ec) {
            if (!ec)
                ::kill(child.id(), SIGKILL);
        });
    };
    auto arm_stall = [&] {
        if (request.stall_timeout.count() == 0 || stop_reason)
            return;
        stall_timer.expires_after(request.stall_timeout);
        stall_timer.async_wait([&](const boost::system::error_code &ec) {
            if (!ec)
                stop(Error(ErrorCode::timeout, fmt::format("podman pull printed nothing for {} ms",
                                                           request.stall_timeout.count())));
        });
    };
    auto enrolment = hub.enrol([&] {
        asio::post(context, [&] { stop(Error(ErrorCode::cancelled, "the pull was cancelled")); });
    });

    std::string stdout_text;
    std::string last_error_line;
    LineSplitter stderr_lines(max_stderr_line);
    std::exception_ptr failure;
    auto on_stderr = [&](std::string_view piece) {
        arm_stall();
        try {
            stderr_lines.feed(piece, [&](std::string_view line) {
                if (line.starts_with("Error: "))
                    last_error_line = line.substr(7);
                observer.status(line);
            });
        } catch (...) {
            // A throwing observer or an absurd line: stop the child, report after it exits.
            if (!failure)
                failure = std::current_exception();
            stop(Error(ErrorCode::internal, "stopped"));
        }
    };
    auto on_stdout = [&](std::string_view piece) {
        arm_stall();
        stdout_text.append(piece.substr(0, max_stdout - std::min(max_stdout, stdout_text.size())));
    };

    int exit_code = -1;
    arm_stall();
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            co_await (drain(err, on_stderr) && drain(out, on_stdout));
            exit_code = co_await child.async_wait(asio::use_awaitable);
            stall_timer.cancel();
            kill_timer.cancel();
        },
        [&](std::exception_ptr e) {
            if (e && !failure)
                failure = e;
        });
    context.run();

    if (failure)
        std::rethrow_exception(failure);
    if (stop_reason)
        throw *stop_reason;
    if (exit_code != 0) {
        const std::string message =
            last_error_line.empty() ? fmt::format("podman pull exited with status {}", exit_code)
                                    : last_error_line;
        throw Error(classify_podman_failure(message), "podman pull failed: " + message);
    }
    while (!stdout_text.empty() && (stdout_text.back() == '\n' || stdout_text.back() == '\r'))
        stdout_text.pop_back();
    const auto id = std::string_view(stdout_text).substr(stdout_text.rfind('\n') + 1);
    if (!is_full_image_id(id))
        throw Error(ErrorCode::protocol,
                    fmt::format("podman pull succeeded but printed no image ID (got {} bytes)",
                                stdout_text.size()));
    return std::string(id);
}

} // namespace podpull::io
