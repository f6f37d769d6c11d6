// SPDX-License-Identifier: MIT OR Apache-2.0
// The API routes a body can come from, and what a finished PullSession may report.
#pragma once

#include "core/error.hpp"
#include "core/pull_session.hpp"
#include "core/route.hpp"
#include "fuzz_check.hpp"

#include <array>

namespace podpull::fuzz {

inline constexpr std::array api_routes{Route::libpod_text, Route::libpod_progress,
                                       Route::libpod_compat, Route::docker_compat};

// What PullSession::feed and finish throw: podman's failure as classify_podman_failure names
// it (a signature policy's refusal is REJECTED), a malformed line or body, a cut body.
// (CANCELLED only when the observer asks, which CheckingObserver never does.)
inline void check_session_error(const Error &error) {
    check_error(error, {ErrorCode::not_found, ErrorCode::auth, ErrorCode::rejected, ErrorCode::pull,
                        ErrorCode::protocol, ErrorCode::io});
}

inline void check_outcome(Route route, const PullOutcome &outcome) {
    if (route == Route::libpod_text || route == Route::libpod_progress) {
        check(!outcome.image_id.empty(), "a libpod pull that finished without an image ID");
        check(outcome.image_id_prefix.empty(), "a libpod pull with a short image ID");
    } else {
        check(outcome.image_id.empty(), "a jsonmessage pull with a full image ID");
        check(outcome.image_id_prefix.size() == 12, "a short image ID that is not 12 digits");
    }
}

} // namespace podpull::fuzz
