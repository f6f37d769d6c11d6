#include "api_pull.hpp"

#include "core/error.hpp"
#include "core/http_failure.hpp"

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

PullOutcome run_api_pull(const ApiPullRequest &request, PullObserver &observer, CancelHub &hub) {
    return run_stoppable<PullOutcome>(
        &hub,
        [&](HttpConnection &connection, Stopper &stopper,
            asio::steady_timer &deadline) -> asio::awaitable<PullOutcome> {
            arm(deadline, request.stall_timeout, stopper, "the pull stalled");
            stopper.throw_if_stopped();
            co_await connection.connect(request.socket_path);
            stopper.throw_if_stopped();
            co_await connection.send(http::verb::post, request.target, request.headers);
            const unsigned status = co_await connection.read_header();
            if (status < 200 || status >= 300) {
                const auto body = co_await connection.read_body(error_body_limit);
                throw_http_failure(status, body);
            }

            PullSession session(request.route, observer);
            while (true) {
                arm(deadline, request.stall_timeout, stopper, "the pull stalled");
                const auto piece = co_await connection.read_body_some();
                if (piece.empty())
                    break;
                session.feed(piece);
                stopper.throw_if_stopped(); // a cancel that arrived while callbacks ran
            }
            co_return session.finish();
        });
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
