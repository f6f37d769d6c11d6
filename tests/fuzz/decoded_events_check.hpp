// SPDX-License-Identifier: MIT OR Apache-2.0
// Invariants of the events a line decoder produces, whichever wire format it reads.
#pragma once

#include "core/pull_events.hpp"
#include "fuzz_check.hpp"

#include <variant>
#include <vector>

namespace podpull::fuzz {

inline void check_events(const std::vector<PullEvent> &events) {
    std::size_t endings = 0;
    for (const PullEvent &event : events) {
        if (const auto *blob = std::get_if<BlobEvent>(&event)) {
            check(!blob->id.empty(), "a blob event without an id");
            check(!blob->total || *blob->total >= -1, "a blob total below -1");
        } else if (const auto *status = std::get_if<StatusEvent>(&event)) {
            check(status->text.find('\n') == std::string::npos, "a status line holding a newline");
        } else if (const auto *failed = std::get_if<FailedEvent>(&event)) {
            ++endings;
            check(failed->code == ErrorCode::rejected || failed->code == ErrorCode::not_found ||
                      failed->code == ErrorCode::auth || failed->code == ErrorCode::pull,
                  "a failure that is not REJECTED, NOT_FOUND, AUTH or PULL");
            check(!failed->message.empty(), "a failure without a message");
            for (const char ch : failed->message)
                check(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f,
                      "a failure message holding a control byte");
        } else if (std::holds_alternative<CompletedEvent>(event)) {
            ++endings;
        }
    }
    check(endings <= 1, "one line both failed and completed the pull");
}

} // namespace podpull::fuzz
