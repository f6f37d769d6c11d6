// SPDX-License-Identifier: MIT OR Apache-2.0
// The C++ enums of the core next to their C twins in podpull.h: every enumerator is checked
// at compile time, so that a value added or renumbered on one side only cannot build, and the
// shim converts with to_c() alone.
#pragma once

#include "podpull.h"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress_tracker.hpp"
#include "core/pull_parameters.hpp"
#include "core/route.hpp"

namespace podpull::abi {

template <typename Cpp, typename C> constexpr bool same_value(Cpp cpp, C c) {
    return static_cast<int>(cpp) == static_cast<int>(c);
}

static_assert(same_value(ErrorCode::ok, PODPULL_OK));
static_assert(same_value(ErrorCode::invalid_argument, PODPULL_ERR_INVALID_ARGUMENT));
static_assert(same_value(ErrorCode::podman_not_found, PODPULL_ERR_PODMAN_NOT_FOUND));
static_assert(same_value(ErrorCode::service, PODPULL_ERR_SERVICE));
static_assert(same_value(ErrorCode::io, PODPULL_ERR_IO));
static_assert(same_value(ErrorCode::protocol, PODPULL_ERR_PROTOCOL));
static_assert(same_value(ErrorCode::pull, PODPULL_ERR_PULL));
static_assert(same_value(ErrorCode::auth, PODPULL_ERR_AUTH));
static_assert(same_value(ErrorCode::not_found, PODPULL_ERR_NOT_FOUND));
static_assert(same_value(ErrorCode::cancelled, PODPULL_ERR_CANCELLED));
static_assert(same_value(ErrorCode::timeout, PODPULL_ERR_TIMEOUT));
static_assert(same_value(ErrorCode::internal, PODPULL_ERR_INTERNAL));
static_assert(same_value(ErrorCode::rejected, PODPULL_ERR_REJECTED));

static_assert(same_value(Route::automatic, PODPULL_ROUTE_AUTO));
static_assert(same_value(Route::libpod_progress, PODPULL_ROUTE_LIBPOD_PROGRESS));
static_assert(same_value(Route::libpod_compat, PODPULL_ROUTE_LIBPOD_COMPAT));
static_assert(same_value(Route::docker_compat, PODPULL_ROUTE_DOCKER_COMPAT));
static_assert(same_value(Route::libpod_text, PODPULL_ROUTE_LIBPOD_TEXT));
static_assert(same_value(Route::subprocess, PODPULL_ROUTE_SUBPROCESS));

static_assert(same_value(PullPolicy::always, PODPULL_POLICY_ALWAYS));
static_assert(same_value(PullPolicy::missing, PODPULL_POLICY_MISSING));
static_assert(same_value(PullPolicy::newer, PODPULL_POLICY_NEWER));
static_assert(same_value(PullPolicy::never, PODPULL_POLICY_NEVER));

static_assert(same_value(LogLevel::debug, PODPULL_LOG_DEBUG));
static_assert(same_value(LogLevel::info, PODPULL_LOG_INFO));
static_assert(same_value(LogLevel::warn, PODPULL_LOG_WARN));
static_assert(same_value(LogLevel::error, PODPULL_LOG_ERROR));

static_assert(same_value(BlobState::started, PODPULL_BLOB_STARTED));
static_assert(same_value(BlobState::pulling, PODPULL_BLOB_PULLING));
static_assert(same_value(BlobState::done, PODPULL_BLOB_DONE));
static_assert(same_value(BlobState::skipped, PODPULL_BLOB_SKIPPED));

// Not an enum, but a value the header and the core must agree on all the same.
static_assert(default_stall_timeout_ms == PODPULL_DEFAULT_STALL_TIMEOUT_MS);

constexpr podpull_code to_c(ErrorCode code) {
    return static_cast<podpull_code>(code);
}
constexpr podpull_route to_c(Route route) {
    return static_cast<podpull_route>(route);
}
constexpr podpull_log_level to_c(LogLevel level) {
    return static_cast<podpull_log_level>(level);
}
constexpr podpull_blob_state to_c(BlobState state) {
    return static_cast<podpull_blob_state>(state);
}

} // namespace podpull::abi
