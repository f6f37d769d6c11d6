// SPDX-License-Identifier: MIT OR Apache-2.0
#include "blob_claims_gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace podpull::io {
namespace asio = boost::asio;

BlobClaimsGate::Entry::Entry(BlobClaimsGate *gate) : gate_(gate) {
    if (gate_ == nullptr)
        return;
    std::lock_guard lock(gate_->mutex_);
    ticket_ = gate_->claims_.enter();
}

BlobClaimsGate::Entry::~Entry() {
    if (gate_ == nullptr)
        return;
    std::lock_guard lock(gate_->mutex_);
    gate_->wakers_.erase(ticket_);
    gate_->claims_.leave(ticket_);
    try {
        gate_->admit_and_wake();
    } catch (...) {
        // Out of memory while waking the others: each looks again when the next pull ends or
        // learns its blobs, and any cancel still ends its wait.
    }
}

bool BlobClaimsGate::Entry::running() const {
    if (gate_ == nullptr)
        return true;
    std::lock_guard lock(gate_->mutex_);
    return gate_->claims_.running(ticket_);
}

void BlobClaimsGate::Entry::blobs_known(const std::optional<ManifestSummary> &manifest) {
    if (gate_ == nullptr)
        return;
    std::vector<std::string> digests;
    if (manifest)
        for (const auto &blob : manifest->blobs)
            digests.push_back(blob.digest);
    std::lock_guard lock(gate_->mutex_);
    gate_->claims_.blobs_known(ticket_, digests);
    gate_->admit_and_wake();
}

void BlobClaimsGate::admit_and_wake() {
    claims_.admit();
    // Every waiter looks again: the admitted go, the others may have a new reason to wait.
    for (const auto &[ticket, wake] : wakers_)
        wake();
}

std::string BlobClaimsGate::wait_status(BlobClaims::Ticket ticket) const {
    const auto blockers = claims_.blockers(ticket);
    std::size_t shared = 0;
    for (const auto other : blockers)
        shared += claims_.shared(ticket, other);
    return describe_wait(blockers.size(), shared);
}

asio::awaitable<void> BlobClaimsGate::Entry::wait_turn(ReaderPull &pull) {
    if (running())
        co_return;
    timer_ = std::make_shared<asio::steady_timer>(pull.context());
    {
        std::lock_guard lock(gate_->mutex_);
        gate_->wakers_[ticket_] = [weak = std::weak_ptr(timer_), &context = pull.context()] {
            asio::post(context, [weak] {
                if (const auto timer = weak.lock())
                    timer->cancel();
            });
        };
    }
    pull.end_helper_on_stop([timer = timer_] { timer->cancel(); });
    pull.rest_stall_timer();

    std::string told;
    while (!pull.stopped()) {
        std::string status;
        {
            std::lock_guard lock(gate_->mutex_);
            if (gate_->claims_.running(ticket_))
                break;
            status = gate_->wait_status(ticket_);
        }
        if (status != told) {
            pull.publisher().status(status);
            told = std::move(status);
        }
        // A wake-up posted before this wait began runs after it has: none is lost.
        timer_->expires_at(asio::steady_timer::time_point::max());
        co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    {
        std::lock_guard lock(gate_->mutex_);
        gate_->wakers_.erase(ticket_);
    }
    pull.end_helper_on_stop(nullptr);
    pull.heard(); // silence counts again from here
    pull.throw_if_stopped();
}

} // namespace podpull::io
