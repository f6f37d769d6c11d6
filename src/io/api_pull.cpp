// SPDX-License-Identifier: MIT OR Apache-2.0
#include "api_pull.hpp"

#include "core/error.hpp"
#include "core/http_failure.hpp"
#include "manifest_gate.hpp"
#include "reader_pull.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <exception>
#include <optional>

namespace podpull::io {
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Runs `task` (given a connection) on a private io_context on this thread; after `timeout`
// the connection closes and the exchange fails with TIMEOUT, whatever the aborted read then
// reports (PullStop decides that, as for a pull). Returns the task's value.
template <typename T, typename Task>
T run_with_deadline(std::chrono::milliseconds timeout, std::string_view what,
                    const Canceller *canceller, Task make_task) {
    asio::io_context context{1};
    HttpConnection connection(context.get_executor());
    PullStop stop(PullSource::connection);
    auto stop_for = [&](Error reason) {
        if (stop.stop(std::move(reason)) == StopAction::close_connection)
            connection.close();
    };
    asio::steady_timer deadline(context);
    deadline.expires_after(timeout);
    deadline.async_wait([&](const boost::system::error_code &ec) {
        if (ec)
            return; // cancelled: the exchange is over
        stop_for(Error(ErrorCode::timeout, fmt::format("{} after {} ms without a word from podman",
                                                       what, timeout.count())));
    });
    CancelWatch cancel_watch(context.get_executor(), canceller);
    cancel_watch.on_fire(
        [&] { stop_for(Error(ErrorCode::cancelled, "cancelled while waiting for podman")); });

    std::exception_ptr failure;
    std::optional<T> value;
    asio::co_spawn(context, make_task(connection), [&](std::exception_ptr e, T v) {
        if (!e)
            value = std::move(v);
        failure = stop.outcome(e);
        deadline.cancel(); // nothing else may keep the context running
        cancel_watch.stop();
    });
    context.run();
    if (value)
        return std::move(*value);
    std::rethrow_exception(failure);
}

// GCC 12 destroys the exception object twice for `throw f()` inside a coroutine when f
// returns it by value; throwing from an ordinary function sidesteps that.
[[noreturn]] void throw_http_failure(unsigned status, std::string_view body) {
    throw http_failure(status, body);
}

[[noreturn]] void throw_ping_failure(std::string_view socket_path, unsigned status) {
    throw ping_failure(socket_path, status);
}

[[noreturn]] void throw_ping_without_libpod_version(std::string_view socket_path) {
    throw ping_without_libpod_version(socket_path);
}

// What may wait for the host during an API pull (see ProgressQueue): PULLING reports merge, so
// this counts STARTED, DONE, SKIPPED and status lines, a few per blob. Past it the reader
// stops reading until the host catches up; podman then waits on its socket, as it would for a
// reader with no queue at all.
constexpr ProgressQueue::Bound api_pull_backlog{64, 256 * 1024};

// The reader of an API pull, on the pull's thread: the manifest step and the request side by
// side, then the body into a PullSession whose observer is the hand-off, through the gate
// that holds it until the manifest's outcome is known. Not inlined: GCC 12, inlining this
// coroutine's ramp into run_api_pull, takes Asio's frame allocator (aligned_alloc, freed by
// the frame's own operator delete) for a mismatched new/delete pair
// (-Wmismatched-new-delete, a false positive).
[[gnu::noinline]] asio::awaitable<PullOutcome>
read_pull(const ApiPullRequest &request, HttpConnection &connection, ReaderPull &pull) {
    ProgressTracker own_tracker;
    PullSession session(request.route, pull.publisher(),
                        request.tracker != nullptr ? *request.tracker : own_tracker);
    BlobClaimsGate::Entry claim(request.claims);
    ManifestGate gate(
        pull,
        [&](const ManifestOutcome &outcome) {
            announce_manifest(
                outcome, claim, [&](const auto &blobs) { session.expect(blobs); }, pull.publisher(),
                request.decision);
        },
        [&](std::string_view piece) { session.feed(piece); });

    pull.heard();
    const bool alone = claim.running();
    if (!alone) {
        // Another pull of the client is in flight: this one goes once its manifest shows that
        // it shares no blob with any that runs (the host then hears why it waits).
        gate.start(request.manifest);
        co_await gate.wait_open();
        co_await claim.wait_turn(pull);
    }
    pull.throw_if_stopped();
    co_await connection.connect(request.socket_path);
    pull.throw_if_stopped();
    co_await connection.send(http::verb::post, request.target, request.headers);
    // Alone, the step starts once podman has the request: starting skopeo takes a few ms
    // that podman's first byte need not wait for.
    if (alone)
        gate.start(request.manifest);
    const unsigned status = co_await connection.read_header();
    if (status < 200 || status >= 300) {
        const auto body = co_await connection.read_body(error_body_limit);
        co_await gate.wait_open(); // the host hears the route, with the manifest's note, first
        throw_http_failure(status, body);
    }

    // A connection lost mid-body must not take the lines before it with it: the gate lets
    // them through first. (Caught as a pointer and rethrown outside the handler: GCC 12's
    // coroutines mishandle a rethrow inside one.)
    std::exception_ptr lost;
    try {
        while (true) {
            pull.heard();
            const auto piece = co_await connection.read_body_some();
            if (piece.empty())
                break;
            pull.heard();
            co_await gate.pass(piece); // waits only when the host is a whole backlog behind,
                                       // or the manifest step holds back more than its bound
            pull.heard();              // the time spent waiting was not podman's silence
            pull.throw_if_stopped();
        }
    } catch (const Error &) {
        lost = std::current_exception();
    }
    if (lost) {
        gate.give_up("the pull failed before its manifest step was done");
        std::rethrow_exception(lost);
    }
    co_await gate.wait_open();
    pull.throw_if_stopped();
    co_return session.finish();
}

} // namespace

PullOutcome run_api_pull(const ApiPullRequest &request, PullObserver &observer, CancelHub &hub) {
    ReaderPull pull({PullSource::connection, api_pull_backlog, request.stall_timeout,
                     request.canceller, with_fallback_note(request.decision), request.podman_pid},
                    hub);
    HttpConnection connection(pull.context().get_executor());
    pull.close_on_stop(connection);
    return pull.run(observer, read_pull(request, connection, pull));
}

std::string fetch_libpod_version(const std::string &socket_path, std::chrono::milliseconds timeout,
                                 const Canceller *canceller) {
    return run_with_deadline<std::string>(
        timeout, "podman did not answer /_ping", canceller,
        [&](HttpConnection &connection) -> asio::awaitable<std::string> {
            co_await connection.connect(socket_path);
            co_await connection.send(http::verb::get, "/_ping", {});
            const unsigned status = co_await connection.read_header();
            if (status != 200)
                throw_ping_failure(socket_path, status);
            const auto version = connection.header("Libpod-Api-Version");
            if (!version)
                throw_ping_without_libpod_version(socket_path);
            co_return std::string(*version);
        });
}

std::string fetch_body(const std::string &socket_path, const std::string &target,
                       std::chrono::milliseconds timeout, std::size_t limit) {
    // The image lookup after a compat pull: bounded by its timeout alone, as it is quick.
    return run_with_deadline<std::string>(
        timeout, "podman did not answer", nullptr,
        [&](HttpConnection &connection) -> asio::awaitable<std::string> {
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
