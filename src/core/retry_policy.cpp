// SPDX-License-Identifier: MIT OR Apache-2.0
// The wording lists below come from podman's own failure lines, recorded against a registry
// front that answers blob GETs with 503 or 429 (tests/support/fault-proxy.py; the exact lines
// are in tests/unit/test_retry_policy.cpp), and from Go's net and net/http errors as
// containers/image wraps them. A phrase goes on a list only when it cannot also mean a
// failure that waiting does not cure.
#include "retry_policy.hpp"

#include "podman_features.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace podpull {
namespace {

bool names_any(std::string_view message, const auto &phrases) {
    return std::any_of(std::begin(phrases), std::end(phrases),
                       [&](std::string_view phrase) { return names_phrase(message, phrase); });
}

// HTTP 429: TOOMANYREQUESTS as the registry's error body prints it ("toomanyrequests: You
// have reached your pull rate limit"), containers/image's ErrTooManyRequests ("too many
// requests to registry": podman 4.3.1 to 5.x, after containers/image's own 429 retries), and
// the status line of a 429 without a body ("... 429 Too Many Requests").
constexpr std::array<std::string_view, 2> rate_limit_phrases{
    "toomanyrequests",
    "too many requests",
};

// HTTP 5xx from the registry, as containers/image prints an unexpected status: "invalid
// status code from registry 503 (Service Unavailable)" (4.3.1), "received unexpected HTTP
// status: 503 Service Unavailable" (5.x, 6.x), "StatusCode: 502, <body>"; and
// UNAVAILABLE's default message. Each phrase ends with the status's first digit.
constexpr std::array<std::string_view, 4> unavailable_phrases{
    "invalid status code from registry 5",
    "received unexpected http status: 5",
    "statuscode: 5",
    "service unavailable",
};

// The connection to the registry broke, or could not be made: Go's io.ErrUnexpectedEOF,
// ECONNRESET, EPIPE, ECONNREFUSED and net/http's timeouts. On a registry pull the only remote
// end podman talks to is the registry (error.cpp's explain_api_pull_failure).
constexpr std::array<std::string_view, 6> broken_connection_phrases{
    "unexpected eof", "connection reset by peer", "broken pipe", "connection refused",
    "i/o timeout",    "tls handshake timeout",
};

} // namespace

std::optional<TransientCause> transient_cause(std::string_view message) {
    if (names_any(message, rate_limit_phrases))
        return TransientCause::rate_limited;
    if (names_any(message, unavailable_phrases))
        return TransientCause::registry_unavailable;
    if (names_any(message, broken_connection_phrases))
        return TransientCause::connection_broken;
    return std::nullopt;
}

bool is_retryable(ErrorCode code, std::string_view message) {
    switch (code) {
    case ErrorCode::pull:
        return transient_cause(message).has_value();
    case ErrorCode::timeout:
        return true;
    default:
        return false;
    }
}

std::string explain_rate_limit(std::string_view podman_message) {
    if (transient_cause(podman_message) != TransientCause::rate_limited)
        return std::string(podman_message);
    return fmt::format("the registry is rate limiting pulls (HTTP 429 Too Many Requests); "
                       "retrying later may help: {}",
                       podman_message);
}

OwnRetries own_retry_rule(bool registry_pull, std::uint32_t retries, std::uint32_t retry_delay_ms,
                          const PodmanVersion &podman) {
    if (!registry_pull || retries == 0 || podman >= retry_since)
        return {};
    return {retries, std::chrono::milliseconds(retry_delay_ms)};
}

std::optional<std::chrono::milliseconds> next_retry(const OwnRetries &rule, std::uint32_t attempt,
                                                    const Error &error) {
    if (attempt > rule.retries || error.code() != ErrorCode::pull || !transient_cause(error.what()))
        return std::nullopt;
    if (rule.delay.count() > 0)
        return rule.delay;
    // podman's own default (containers/common's retry): 1 s, then doubling, up to a minute.
    const std::uint32_t doublings = std::min<std::uint32_t>(attempt - 1, 6);
    return std::min(std::chrono::milliseconds(1000) * (1u << doublings),
                    std::chrono::milliseconds(60000));
}

std::string describe_retry(std::chrono::milliseconds delay, std::uint32_t next_attempt,
                           const OwnRetries &rule, std::string_view reason) {
    return fmt::format("retrying the pull in {} ms (attempt {} of {}): {}", delay.count(),
                       next_attempt, rule.retries + 1, reason);
}

} // namespace podpull
