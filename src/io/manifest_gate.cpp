// SPDX-License-Identifier: MIT OR Apache-2.0
#include "manifest_gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <new>

namespace podpull::io {
namespace asio = boost::asio;

ManifestGate::ManifestGate(ReaderPull &pull, std::function<void(const ManifestOutcome &)> opened,
                           std::function<void(std::string_view)> sink, std::size_t hold)
    : pull_(pull), opened_(std::move(opened)), sink_(std::move(sink)), hold_(hold),
      waiters_(pull.context(), asio::steady_timer::time_point::max()) {}

void ManifestGate::start(const ManifestFetchRequest &request) {
    asio::co_spawn(
        pull_.context(), fetch_manifest(request, pull_),
        [self = self_](std::exception_ptr failure, ManifestOutcome outcome) {
            if (*self == nullptr)
                return;
            if (failure) // fetch_manifest says why instead of throwing; a bug if not
                outcome = ManifestOutcome{std::nullopt, no_manifest_note("an internal error")};
            (*self)->open(outcome);
        });
}

void ManifestGate::open(const ManifestOutcome &outcome) {
    if (done_)
        return; // given up already (give_up): the host heard the route then
    done_ = true;
    waiters_.cancel();
    if (pull_.stopped())
        return; // the host hears the fallback route and the stop reason
    // Runs as an asio handler, not inside the reader: a failure here stops the pull, which
    // then ends with it, as a failure while feeding would.
    try {
        opened_(outcome);
        open_ = true;
        const std::string held = std::move(held_);
        held_.clear();
        if (!held.empty())
            sink_(held);
    } catch (const Error &e) {
        pull_.stop(e);
    } catch (const std::bad_alloc &) {
        pull_.stop(Error(ErrorCode::internal, "out of memory"));
    } catch (...) {
        pull_.stop(Error(ErrorCode::internal, "internal error while opening the manifest gate"));
    }
}

void ManifestGate::give_up(std::string_view why) noexcept {
    if (done_ || pull_.stopped())
        return;
    done_ = true;
    waiters_.cancel();
    try {
        opened_(ManifestOutcome{std::nullopt, no_manifest_note(why)});
        open_ = true;
        const std::string held = std::move(held_);
        held_.clear();
        if (!held.empty())
            sink_(held);
    } catch (...) {
    }
}

asio::awaitable<void> ManifestGate::pass(std::string_view piece) {
    if (open_) {
        sink_(piece);
        co_return;
    }
    held_.append(piece);
    if (held_.size() > hold_)
        co_await wait_open();
}

asio::awaitable<void> ManifestGate::wait_open() {
    while (!done_ && !pull_.stopped()) {
        waiters_.expires_at(asio::steady_timer::time_point::max());
        co_await waiters_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void announce_manifest(const ManifestOutcome &outcome, BlobClaimsGate::Entry &claim,
                       const std::function<void(const std::vector<BlobDescriptor> &)> &expect,
                       PullObserver &publisher, const RouteDecision &decision) {
    claim.blobs_known(outcome.manifest);
    if (outcome.manifest) {
        expect(outcome.manifest->blobs);
        publisher.manifest_read(*outcome.manifest);
    }
    publisher.route_chosen({decision.route, decision.reason + "; " + outcome.note});
}

} // namespace podpull::io
