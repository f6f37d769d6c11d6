#include "api_pull.hpp"

#include "core/error.hpp"
#include "core/http_failure.hpp"
#include "progress_handoff.hpp"
#include "stall_timer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <exception>
#include <optional>

namespace podpull::io {
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Why the connection was closed from our side, if it was: the error that wins over whatever
// the aborted read reports.
class Stopper {
  public:
    explicit Stopper(HttpConnection &connection) : connection_(connection) {}

    void stop(Error reason) {
        if (!reason_)
            reason_ = std::move(reason);
        connection_.close();
    }
    void throw_if_stopped() const {
        if (reason_)
            throw *reason_;
    }
    const std::optional<Error> &reason() const noexcept { return reason_; }

  private:
    HttpConnection &connection_;
    std::optional<Error> reason_;
};

// Runs `task` on a private io_context on this thread, stopping it from the hub and from a
// deadline that `arm` restarts. Returns the task's value or throws the stop reason.
template <typename T, typename Task> T run_stoppable(CancelHub *hub, Task make_task) {
    asio::io_context context{1};
    HttpConnection connection(context.get_executor());
    Stopper stopper(connection);
    asio::steady_timer deadline(context);
    std::optional<CancelHub::Enrolment> enrolment;
    if (hub != nullptr)
        enrolment.emplace(hub->enrol([&] {
            asio::post(context, [&] {
                stopper.stop(Error(ErrorCode::cancelled, "the pull was cancelled"));
            });
        }));

    std::exception_ptr failure;
    std::optional<T> value;
    asio::co_spawn(context, make_task(connection, stopper, deadline),
                   [&](std::exception_ptr e, T v) {
                       failure = e;
                       if (!e)
                           value = std::move(v);
                       deadline.cancel(); // nothing else may keep the context running
                   });
    context.run();
    if (value)
        return std::move(*value);
    // The task failed. If we closed the connection, that is the cause, whatever the aborted
    // read reported.
    if (stopper.reason())
        throw *stopper.reason();
    std::rethrow_exception(failure);
}

// GCC 12 destroys the exception object twice for `throw f()` inside a coroutine when f
// returns it by value; throwing from an ordinary function sidesteps that.
[[noreturn]] void throw_http_failure(unsigned status, std::string_view body) {
    throw http_failure(status, body);
}

void arm(asio::steady_timer &deadline, std::chrono::milliseconds after, Stopper &stopper,
         const char *what) {
    if (after.count() == 0)
        return;
    deadline.expires_after(after);
    deadline.async_wait([&stopper, after, what](const boost::system::error_code &ec) {
        if (!ec)
            stopper.stop(
                Error(ErrorCode::timeout, fmt::format("{} after {} ms without a word from podman",
                                                      what, after.count())));
    });
}

} // namespace

namespace {

// What may wait for the host during an API pull (see ProgressQueue): PULLING reports merge, so
// this counts STARTED, DONE, SKIPPED and status lines, a few per blob. Past it the reader
// stops reading until the host catches up; podman then waits on its socket, as it would for a
// reader with no queue at all.
constexpr ProgressQueue::Bound api_pull_backlog{64, 256 * 1024};

// The reader's side of an API pull, run on the reader thread: the request, then the body into
// a PullSession whose observer is the hand-off.
asio::awaitable<PullOutcome> read_pull(const ApiPullRequest &request, HttpConnection &connection,
                                       Stopper &stopper, StallTimer &stall,
                                       ProgressHandoff &handoff) {
    stall.heard();
    stopper.throw_if_stopped();
    co_await connection.connect(request.socket_path);
    stopper.throw_if_stopped();
    co_await connection.send(http::verb::post, request.target, request.headers);
    const unsigned status = co_await connection.read_header();
    if (status < 200 || status >= 300) {
        const auto body = co_await connection.read_body(error_body_limit);
        throw_http_failure(status, body);
    }

    PullSession session(request.route, handoff.publisher());
    while (true) {
        stall.heard();
        const auto piece = co_await connection.read_body_some();
        if (piece.empty())
            break;
        stall.heard();
        session.feed(piece); // waits only when the host is a whole backlog behind
        stall.heard();       // the time spent waiting for the host was not podman's silence
        stopper.throw_if_stopped();
    }
    co_return session.finish();
}

} // namespace

// The socket is read on a thread of the pull's own, and the calling thread only runs the
// callbacks, so a slow host never keeps podman's progress channel from being drained. A thread
// per pull rather than the client's BackgroundLoop: the reader may have to wait for the host
// (backpressure, see api_pull_backlog), and on the shared loop that wait would also hold up
// the cancel pipe, the service's watch and every other pull of the client. A pull lasts
// seconds to minutes; starting a thread costs microseconds.
PullOutcome run_api_pull(const ApiPullRequest &request, PullObserver &observer, CancelHub &hub) {
    asio::io_context context{1};
    HttpConnection connection(context.get_executor());
    Stopper stopper(connection); // used on the reader thread only
    // A cancel from any thread closes the connection on the reader's thread, which ends
    // whatever read is in flight; the hand-off has woken the reader if it was waiting.
    ProgressHandoff handoff(api_pull_backlog, [&](const Error &reason) {
        asio::post(context, [&stopper, reason] { stopper.stop(reason); });
    });
    StallTimer stall(context.get_executor(), request.stall_timeout, [&] {
        stopper.stop(Error(ErrorCode::timeout,
                           fmt::format("the pull stalled after {} ms without a word from podman",
                                       request.stall_timeout.count())));
    });

    std::optional<PullOutcome> outcome;
    asio::co_spawn(context, read_pull(request, connection, stopper, stall, handoff),
                   [&](std::exception_ptr failure, PullOutcome value) {
                       stall.cancel(); // nothing else may keep the context running
                       // If we closed the connection, that is the cause, whatever the aborted
                       // read reported.
                       if (stopper.reason())
                           failure = std::make_exception_ptr(*stopper.reason());
                       else if (!failure)
                           outcome = std::move(value);
                       handoff.finish(failure);
                   });
    const auto enrolment =
        hub.enrol([&] { handoff.cancel(Error(ErrorCode::cancelled, "the pull was cancelled")); });
    ReaderThread reader(handoff, [&] { context.run(); });
    handoff.deliver(observer);
    reader.join();
    return std::move(*outcome);
}

std::string fetch_libpod_version(const std::string &socket_path,
                                 std::chrono::milliseconds timeout) {
    // Nobody cancels a ping: it has its own deadline.
    return run_stoppable<std::string>(
        nullptr,
        [&](HttpConnection &connection, Stopper &stopper,
            asio::steady_timer &deadline) -> asio::awaitable<std::string> {
            arm(deadline, timeout, stopper, "podman did not answer /_ping");
            co_await connection.connect(socket_path);
            co_await connection.send(http::verb::get, "/_ping", {});
            const unsigned status = co_await connection.read_header();
            if (status != 200) {
                const auto body = co_await connection.read_body(error_body_limit);
                throw_http_failure(status, body);
            }
            const auto version = connection.header("Libpod-Api-Version");
            if (!version)
                throw Error(ErrorCode::protocol,
                            fmt::format("the service at {} is not podman: its /_ping answer has no "
                                        "Libpod-Api-Version header",
                                        socket_path));
            co_return std::string(*version);
        });
}

std::string fetch_body(const std::string &socket_path, const std::string &target,
                       std::chrono::milliseconds timeout, std::size_t limit) {
    return run_stoppable<std::string>(
        nullptr,
        [&](HttpConnection &connection, Stopper &stopper,
            asio::steady_timer &deadline) -> asio::awaitable<std::string> {
            arm(deadline, timeout, stopper, "podman did not answer");
            co_await connection.connect(socket_path);
            co_await connection.send(http::verb::get, target, {});
            const unsigned status = co_await connection.read_header();
            const auto body =
                co_await connection.read_body(status / 100 == 2 ? limit : error_body_limit);
            if (status / 100 != 2)
                throw_http_failure(status, body);
            co_return body;
        });
}

} // namespace podpull::io
