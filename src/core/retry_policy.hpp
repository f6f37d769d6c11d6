// SPDX-License-Identifier: MIT OR Apache-2.0
// Whether a failure may go away by itself, and what podpull then does about it. podman tells
// failures apart only in words, so "transient" is decided from the wording containers/image
// and Go's net/http use (error.cpp's rules: narrow lists, whole words). The same answer is
// what podpull_error_retryable tells a host, and what decides podpull's own retries on the
// podman releases that have none.
#pragma once

#include "error.hpp"
#include "podman_version.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podpull {

// What kind of transient registry trouble a failure message names, if any.
enum class TransientCause {
    rate_limited,         // HTTP 429 / TOOMANYREQUESTS
    registry_unavailable, // HTTP 5xx from the registry
    connection_broken,    // the connection to the registry broke or was refused
};

// The cause a pull failure message names, or nullopt when it names none (a missing image,
// refused credentials, a full disk, a bad reference are not transient).
std::optional<TransientCause> transient_cause(std::string_view message);

// Whether retrying the same call later, with nothing changed, may succeed: the value of
// podpull_error_retryable. Per code: PULL when its message names a transient cause; TIMEOUT
// always (a stalled registry, a service slow to start); every other code never (the host or
// the system must change something first: arguments, credentials, the image's name, podman's
// installation, or the client, whose service is gone after IO and SERVICE).
bool is_retryable(ErrorCode code, std::string_view message);

// A failure message as the host reads it: when podman's words say the registry answered 429,
// prefixed with that it is rate limiting pulls (podman says "too many requests to registry",
// or passes the 429 on as its own answer's status); otherwise unchanged.
std::string explain_rate_limit(std::string_view podman_message);

// podpull's own retries of a registry pull, for a podman that has none (the plan decides:
// own_retry_rule).
struct OwnRetries {
    std::uint32_t retries = 0;          // further attempts after the first
    std::chrono::milliseconds delay{0}; // between attempts; 0: 1 s, 2 s, 4 s, ...
};

// podpull retries a registry pull itself only where podman cannot: podman before 5.0 takes
// no retry count (neither the API nor `podman pull`), and the host asked for retries. From
// 5.0 on, podman is handed the count and retries itself; podpull adds none on top.
OwnRetries own_retry_rule(bool registry_pull, std::uint32_t retries, std::uint32_t retry_delay_ms,
                          const PodmanVersion &podman);

// After attempt `attempt` (1 for the first) failed with `error`: the wait before the next
// attempt, or nullopt when there is none (the failure is not transient, or the retries are
// spent). TIMEOUT is retryable for a host but not retried here: the host's stall bound caps
// the pull, and a second attempt would double it.
std::optional<std::chrono::milliseconds> next_retry(const OwnRetries &rule, std::uint32_t attempt,
                                                    const Error &error);

// The info line for a retry: "retrying the pull in N ms (attempt 2 of 4): <reason>".
std::string describe_retry(std::chrono::milliseconds delay, std::uint32_t next_attempt,
                           const OwnRetries &rule, std::string_view reason);

} // namespace podpull
