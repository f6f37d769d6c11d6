// SPDX-License-Identifier: MIT OR Apache-2.0
// A whole pull body through PullSession (src/core/pull_session): line framing, the route's
// decoder and the progress tracker together. The first byte picks the route and how the body
// is cut into pieces (as reads from a socket cut it); the rest is the body. It ends in an
// outcome or a documented Error, with every progress callback consistent.
#include "checking_observer.hpp"
#include "core/pull_session.hpp"
#include "fuzz_check.hpp"
#include "pull_routes.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace podpull;
    if (size == 0)
        return 0;
    const Route route = fuzz::api_routes[data[0] % fuzz::api_routes.size()];
    const std::size_t piece = 1 + (data[0] >> 2) * 7; // 1 to 442 bytes per read
    std::string_view body(reinterpret_cast<const char *>(data + 1), size - 1);

    fuzz::CheckingObserver observer;
    // A small line limit, so that inputs a fuzzer can reach also cross it.
    PullSession session(route, observer, 4096);
    try {
        while (!body.empty()) {
            const std::size_t n = std::min(piece, body.size());
            session.feed(body.substr(0, n));
            body.remove_prefix(n);
        }
        fuzz::check_outcome(route, session.finish());
    } catch (const Error &error) {
        fuzz::check_session_error(error);
    }
    return 0;
}
