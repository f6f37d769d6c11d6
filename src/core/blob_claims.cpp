// SPDX-License-Identifier: MIT OR Apache-2.0
#include "blob_claims.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace podpull {
namespace {

std::vector<std::string> sorted_unique(std::vector<std::string> digests) {
    std::sort(digests.begin(), digests.end());
    digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
    return digests;
}

std::size_t common(const std::vector<std::string> &a, const std::vector<std::string> &b) {
    std::size_t count = 0;
    auto i = a.begin();
    auto j = b.begin();
    while (i != a.end() && j != b.end()) {
        if (*i < *j) {
            ++i;
        } else if (*j < *i) {
            ++j;
        } else {
            ++count;
            ++i;
            ++j;
        }
    }
    return count;
}

} // namespace

BlobClaims::Ticket BlobClaims::enter() {
    const Ticket ticket = next_++;
    pulls_.push_back({ticket, pulls_.empty(), std::nullopt});
    return ticket;
}

void BlobClaims::blobs_known(Ticket ticket, const std::vector<std::string> &digests) {
    for (auto &pull : pulls_)
        if (pull.ticket == ticket)
            pull.digests = sorted_unique(digests);
}

void BlobClaims::leave(Ticket ticket) noexcept {
    std::erase_if(pulls_, [ticket](const Pull &pull) { return pull.ticket == ticket; });
}

const BlobClaims::Pull *BlobClaims::find(Ticket ticket) const {
    const auto it = std::find_if(pulls_.begin(), pulls_.end(),
                                 [ticket](const Pull &pull) { return pull.ticket == ticket; });
    return it == pulls_.end() ? nullptr : &*it;
}

bool BlobClaims::blocks(const Pull &other, const Pull &waiting) const {
    if (!other.digests || !waiting.digests)
        return true;
    return common(*other.digests, *waiting.digests) > 0;
}

std::vector<BlobClaims::Ticket> BlobClaims::admit() {
    std::vector<Ticket> admitted;
    for (auto w = pulls_.begin(); w != pulls_.end(); ++w) {
        if (w->running)
            continue;
        // Running pulls wherever they are (one admitted a moment ago included), and waiting
        // ones that came before: a later pull never overtakes an earlier one it shares with.
        bool blocked = false;
        for (auto o = pulls_.begin(); o != pulls_.end() && !blocked; ++o)
            if (o != w && (o->running || o < w))
                blocked = blocks(*o, *w);
        if (!blocked) {
            w->running = true;
            admitted.push_back(w->ticket);
        }
    }
    return admitted;
}

bool BlobClaims::running(Ticket ticket) const {
    const Pull *pull = find(ticket);
    return pull != nullptr && pull->running;
}

std::vector<BlobClaims::Ticket> BlobClaims::blockers(Ticket ticket) const {
    std::vector<Ticket> found;
    const Pull *waiting = find(ticket);
    if (waiting == nullptr || waiting->running)
        return found;
    for (const auto &other : pulls_)
        if (&other != waiting && (other.running || &other < waiting) && blocks(other, *waiting))
            found.push_back(other.ticket);
    return found;
}

std::size_t BlobClaims::shared(Ticket ticket, Ticket other) const {
    const Pull *a = find(ticket);
    const Pull *b = find(other);
    if (a == nullptr || b == nullptr || !a->digests || !b->digests)
        return 0;
    return common(*a->digests, *b->digests);
}

std::string describe_wait(std::size_t pulls, std::size_t shared_blobs) {
    const std::string whom =
        fmt::format("{} other pull{} of this client", pulls, pulls == 1 ? "" : "s");
    if (shared_blobs == 0)
        return fmt::format("waiting for {} to read {} manifest{}, to learn which blobs they "
                           "share with this image",
                           whom, pulls == 1 ? "its" : "their", pulls == 1 ? "" : "s");
    return fmt::format("waiting for {} to end, so that the {} blob{} {} with this image {} "
                       "fetched once",
                       whom, shared_blobs, shared_blobs == 1 ? "" : "s",
                       pulls == 1 ? "it shares" : "they share", shared_blobs == 1 ? "is" : "are");
}

} // namespace podpull
