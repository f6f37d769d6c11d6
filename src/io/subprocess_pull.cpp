// SPDX-License-Identifier: MIT OR Apache-2.0
#include "subprocess_pull.hpp"

#include "core/subprocess_session.hpp"
#include "manifest_gate.hpp"
#include "reader_pull.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <new>

namespace podpull::io {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// What may wait for the host: podman pull prints a few lines per layer, so this is far more
// than a pull prints; the pipe's own 64 KiB come on top before podman could block on it.
constexpr ProgressQueue::Bound subprocess_backlog{1024, 1024 * 1024};

// Drains a pipe to its end (the child exited and closed it), handing each piece to `sink`
// between two heard(): the time `sink` spends waiting for the host is not podman's silence.
// A piece the session refuses, or a host that cancelled, stops the pull (the child gets
// SIGTERM), and the pipe is drained on until the child is gone.
template <typename Sink>
asio::awaitable<void> drain(asio::readable_pipe &pipe, ReaderPull &pull, Sink sink) {
    std::array<char, 16 * 1024> buffer{};
    while (true) {
        auto [ec, read] = co_await pipe.async_read_some(asio::buffer(buffer), use_tuple);
        pull.heard();
        if (read != 0 && !pull.stopped()) {
            try {
                co_await sink(std::string_view(buffer.data(), read));
            } catch (const Error &e) {
                pull.stop(e);
            } catch (const std::bad_alloc &) {
                pull.stop(Error(ErrorCode::internal, "out of memory"));
            } catch (...) {
                pull.stop(Error(ErrorCode::internal, "internal error while reading podman pull"));
            }
            pull.heard();
        }
        if (ec)
            co_return;
    }
}

asio::awaitable<SubprocessOutcome> read_subprocess(const SubprocessPullRequest &request,
                                                   ReaderPull &pull) {
    ProgressTracker own_tracker;
    SubprocessSession session(pull.publisher(),
                              request.tracker != nullptr ? *request.tracker : own_tracker);
    // stderr, which the session turns into status lines and blob events, waits behind the
    // manifest gate; stdout (the image ID) tells the host nothing and goes straight in.
    BlobClaimsGate::Entry claim(request.claims);
    ManifestGate gate(
        pull,
        [&](const ManifestOutcome &outcome) {
            announce_manifest(
                outcome, claim, [&](const auto &blobs) { session.expect(blobs); }, pull.publisher(),
                request.decision);
        },
        [&](std::string_view piece) { session.feed_stderr(piece); });
    const bool alone = claim.running();
    if (!alone) { // as on the API routes
        gate.start(request.manifest);
        co_await gate.wait_open();
        co_await claim.wait_turn(pull);
    }
    asio::readable_pipe out(pull.context()), err(pull.context());
    pull.start_child(request.child, boost::process::v2::process_stdio{nullptr, out, err});
    if (alone) // podman pull first, as on the API routes
        gate.start(request.manifest);
    pull.heard();
    co_await (drain(err, pull,
                    [&](std::string_view piece) -> asio::awaitable<void> {
                        co_await gate.pass(piece);
                    }) &&
              drain(out, pull, [&](std::string_view piece) -> asio::awaitable<void> {
                  session.feed_stdout(piece);
                  co_return;
              }));
    const ChildExit exit = co_await pull.wait_child();
    co_await gate.wait_open();
    co_return session.finish(exit); // a stopped pull ends with its stop reason instead
}

} // namespace

// The child is started on the pull's thread, so PR_SET_PDEATHSIG ties it to a thread that
// outlives it: the reader reaps it before it ends.
SubprocessOutcome run_subprocess_pull(const SubprocessPullRequest &request, PullObserver &observer,
                                      CancelHub &hub) {
    ReaderPull pull({PullSource::child, subprocess_backlog, request.stall_timeout,
                     request.canceller, with_fallback_note(request.decision),
                     -1}, // the child it starts is the podman to watch
                    hub);
    return pull.run(observer, read_subprocess(request, pull));
}

} // namespace podpull::io
