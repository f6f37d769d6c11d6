#include "subprocess_pull.hpp"

#include "core/error.hpp"
#include "core/image_id.hpp"
#include "core/line_splitter.hpp"
#include "progress_handoff.hpp"
#include "stall_timer.hpp"

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
// What may wait for the host: podman pull prints a few lines per layer, so this is far more
// than a pull prints; the pipe's own 64 KiB come on top before podman could block on it.
constexpr ProgressQueue::Bound subprocess_backlog{1024, 1024 * 1024};

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

// The child's stderr and stdout are drained on a thread of the pull's own, which also starts
// the child (so PR_SET_PDEATHSIG ties it to a thread that outlives it: the reader reaps it
// before it ends); the calling thread only delivers the status lines. A callback that takes
// its time therefore cannot leave `podman pull` blocked on a full stderr pipe, unless the host
// falls subprocess_backlog behind. Why a thread per pull: see run_api_pull.
std::string run_subprocess_pull(const SubprocessPullRequest &request, PullObserver &observer,
                                CancelHub &hub) {
    asio::io_context context{1};
    asio::readable_pipe out(context), err(context);
    std::optional<ChildProcess> child;

    // Stopping: SIGTERM now (podman cleans up its partial pull), SIGKILL if it lingers. A stop
    // before the child started keeps it from starting.
    std::optional<Error> stop_reason;
    asio::steady_timer kill_timer(context);
    std::optional<StallTimer> stall;
    auto stop = [&](Error reason) {
        if (stop_reason)
            return;
        stop_reason = std::move(reason);
        stall->cancel();
        if (!child)
            return;
        boost::system::error_code ignored;
        child->request_exit(ignored);
        kill_timer.expires_after(kill_grace);
        kill_timer.async_wait([&](const boost::system::error_code &ec) {
            if (!ec)
                ::kill(child->id(), SIGKILL);
        });
    };
    stall.emplace(context.get_executor(), request.stall_timeout, [&] {
        stop(Error(ErrorCode::timeout, fmt::format("podman pull printed nothing for {} ms",
                                                   request.stall_timeout.count())));
    });
    ProgressHandoff handoff(subprocess_backlog, [&](const Error &reason) {
        asio::post(context, [&stop, reason] { stop(reason); });
    });

    std::string stdout_text;
    std::string last_error_line;
    LineSplitter stderr_lines(max_stderr_line);
    std::exception_ptr failure;
    auto on_stderr = [&](std::string_view piece) {
        stall->heard();
        try {
            stderr_lines.feed(piece, [&](std::string_view line) {
                if (line.starts_with("Error: "))
                    last_error_line = line.substr(7);
                handoff.publisher().status(line);
            });
        } catch (...) {
            // An absurd line, or the host cancelled: stop the child, report after it exits.
            if (!failure)
                failure = std::current_exception();
            stop(Error(ErrorCode::internal, "stopped"));
        }
        stall->heard(); // the time spent waiting for the host was not podman's silence
    };
    auto on_stdout = [&](std::string_view piece) {
        stall->heard();
        stdout_text.append(piece.substr(0, max_stdout - std::min(max_stdout, stdout_text.size())));
    };

    int exit_code = -1;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            if (stop_reason)
                co_return;
            child.emplace(launch_child(context.get_executor(), request.child,
                                       boost::process::v2::process_stdio{nullptr, out, err}));
            stall->heard();
            co_await (drain(err, on_stderr) && drain(out, on_stdout));
            exit_code = co_await child->async_wait(asio::use_awaitable);
        },
        [&](std::exception_ptr e) {
            stall->cancel();
            kill_timer.cancel();
            if (e && !failure)
                failure = e;
            if (!failure && stop_reason)
                failure = std::make_exception_ptr(*stop_reason);
            handoff.finish(failure);
        });
    const auto enrolment =
        hub.enrol([&] { handoff.cancel(Error(ErrorCode::cancelled, "the pull was cancelled")); });
    {
        ReaderThread reader(handoff, [&] { context.run(); });
        handoff.deliver(observer);
        reader.join();
    }

    // The reader is done, and it succeeded: the child ran to its end unstopped.
    if (exit_code != 0) {
        const std::string message =
            last_error_line.empty() ? fmt::format("podman pull exited with status {}", exit_code)
                                    : last_error_line;
        throw Error(classify_podman_failure(message), "podman pull failed: " + message);
    }
    while (!stdout_text.empty() && (stdout_text.back() == '\n' || stdout_text.back() == '\r'))
        stdout_text.pop_back();
    const auto id = std::string_view(stdout_text).substr(stdout_text.rfind('\n') + 1);
    if (!is_image_id(id))
        throw Error(ErrorCode::protocol,
                    fmt::format("podman pull succeeded but printed no image ID (got {} bytes)",
                                stdout_text.size()));
    return std::string(id);
}

} // namespace podpull::io
