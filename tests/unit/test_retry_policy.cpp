// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/error.hpp"
#include "core/http_failure.hpp"
#include "core/retry_policy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

using Catch::Matchers::StartsWith;
using podpull::Error;
using podpull::ErrorCode;
using podpull::is_retryable;
using podpull::next_retry;
using podpull::OwnRetries;
using podpull::PodmanVersion;
using podpull::transient_cause;
using podpull::TransientCause;
using std::chrono::milliseconds;

// podman's own lines, recorded with `podman pull` against tests/support/fault-proxy.py in front
// of the fixture's registry, failing the test image's layer GETs.
namespace recorded {
// 503 with an UNAVAILABLE body.
constexpr auto unavailable_4_3 =
    "reading blob sha256:ea61340910c80ac40f6ef4e5274331aca9dfab81c92c9bef40fe67ccc751f235: Error "
    "fetching blob: invalid status code from registry 503 (Service Unavailable)";
constexpr auto unavailable_config_4_3 =
    "parsing image configuration: Error fetching blob: invalid status code from registry 503 "
    "(Service Unavailable)";
constexpr auto unavailable_5_4 =
    "reading blob sha256:ea61340910c80ac40f6ef4e5274331aca9dfab81c92c9bef40fe67ccc751f235: "
    "fetching blob: received unexpected HTTP status: 503 Service Unavailable";
constexpr auto unavailable_5_8 =
    "unable to copy from source docker://127.0.0.1:33341/podpull/test:v1: reading blob "
    "sha256:ea61340910c80ac40f6ef4e5274331aca9dfab81c92c9bef40fe67ccc751f235: fetching blob: "
    "received unexpected HTTP status: 503 Service Unavailable";
// 429 with a TOOMANYREQUESTS body and Retry-After: 0, after containers/image's own 5 tries.
constexpr auto rate_limited_4_3 =
    "reading blob sha256:ea61340910c80ac40f6ef4e5274331aca9dfab81c92c9bef40fe67ccc751f235: too "
    "many requests to registry";
constexpr auto rate_limited_config_4_3 =
    "parsing image configuration: too many requests to registry";
// The registry SIGKILLed mid-blob (error.hpp).
constexpr auto broken_4_3 =
    "writing blob: storing blob to file \"/var/tmp/storage123/1\": happened during read: "
    "unexpected EOF";
} // namespace recorded

TEST_CASE("transient_cause: podman's recorded lines", "[retry_policy]") {
    CHECK(transient_cause(recorded::unavailable_4_3) == TransientCause::registry_unavailable);
    CHECK(transient_cause(recorded::unavailable_config_4_3) ==
          TransientCause::registry_unavailable);
    CHECK(transient_cause(recorded::unavailable_5_4) == TransientCause::registry_unavailable);
    CHECK(transient_cause(recorded::unavailable_5_8) == TransientCause::registry_unavailable);
    CHECK(transient_cause(recorded::rate_limited_4_3) == TransientCause::rate_limited);
    CHECK(transient_cause(recorded::rate_limited_config_4_3) == TransientCause::rate_limited);
    CHECK(transient_cause(recorded::broken_4_3) == TransientCause::connection_broken);
}

TEST_CASE("transient_cause: other transient wording", "[retry_policy]") {
    CHECK(transient_cause("toomanyrequests: You have reached your pull rate limit") ==
          TransientCause::rate_limited);
    CHECK(
        transient_cause("fetching blob: received unexpected HTTP status: 429 Too Many Requests") ==
        TransientCause::rate_limited);
    CHECK(transient_cause("reading manifest v1 in r.example/x: StatusCode: 502, <html>") ==
          TransientCause::registry_unavailable);
    CHECK(transient_cause("invalid status code from registry 500 (Internal Server Error)") ==
          TransientCause::registry_unavailable);
    const std::string broken =
        GENERATE("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer",
                 "write tcp 127.0.0.1:1->127.0.0.1:2: write: broken pipe",
                 "pinging container registry r.example: Get \"https://r.example/v2/\": dial tcp "
                 "127.0.0.1:5000: connect: connection refused",
                 "Get \"https://r.example/v2/\": dial tcp 10.0.0.1:443: i/o timeout",
                 "Get \"https://r.example/v2/\": net/http: TLS handshake timeout");
    CHECK(transient_cause(broken) == TransientCause::connection_broken);
}

TEST_CASE("transient_cause: what waiting does not cure", "[retry_policy]") {
    const std::string lasting = GENERATE(
        "reading manifest v1 in r.example/x: manifest unknown",
        "reading manifest latest in r.example/x: invalid status code from registry 404 (Not "
        "Found)",
        "initializing source docker://r.example/x:1: unauthorized: authentication required",
        "invalid status code from registry 401 (Unauthorized)",
        "writing blob: adding layer with blob \"sha256:1\": no space left on device",
        "repository name must be lowercase",
        // Not a 5xx: a word that only starts like one.
        "received unexpected HTTP status: 418 I'm a teapot");
    CHECK_FALSE(transient_cause(lasting).has_value());
    CHECK_FALSE(is_retryable(ErrorCode::pull, lasting));
}

TEST_CASE("is_retryable: per code", "[retry_policy]") {
    CHECK(is_retryable(ErrorCode::pull, recorded::unavailable_4_3));
    CHECK(is_retryable(ErrorCode::pull, recorded::rate_limited_4_3));
    CHECK(is_retryable(ErrorCode::timeout, "the pull stalled after 2000 ms"));
    // The same words under a code that is not PULL do not make it retryable.
    for (const auto code : {ErrorCode::ok, ErrorCode::invalid_argument, ErrorCode::podman_not_found,
                            ErrorCode::service, ErrorCode::io, ErrorCode::protocol, ErrorCode::auth,
                            ErrorCode::not_found, ErrorCode::cancelled, ErrorCode::internal})
        CHECK_FALSE(is_retryable(code, recorded::unavailable_4_3));
}

TEST_CASE("rate limiting reads as such, on every path a failure takes", "[retry_policy]") {
    CHECK_THAT(podpull::explain_rate_limit(recorded::rate_limited_4_3),
               StartsWith("the registry is rate limiting pulls (HTTP 429 Too Many Requests)"));
    CHECK(podpull::explain_rate_limit(recorded::unavailable_4_3) == recorded::unavailable_4_3);
    // podman answering the pull request itself with 429 (5.8, 6.1): PULL, not PROTOCOL.
    const Error e = podpull::http_failure(
        429,
        R"({"cause":"toomanyrequests","message":"x: toomanyrequests: slow down","response":429})");
    CHECK(e.code() == ErrorCode::pull);
    CHECK_THAT(std::string(e.what()),
               StartsWith("the registry is rate limiting pulls (HTTP 429 Too Many Requests)"));
    CHECK(is_retryable(e.code(), e.what()));
    const Error bare = podpull::http_failure(429, "");
    CHECK(bare.code() == ErrorCode::pull);
    CHECK(is_retryable(bare.code(), bare.what()));
}

TEST_CASE("own_retry_rule: only registry pulls on a podman without retries", "[retry_policy]") {
    const auto v = [](const char *text) { return *podpull::parse_podman_version(text); };
    CHECK(podpull::own_retry_rule(true, 3, 100, v("4.3.1")).retries == 3);
    CHECK(podpull::own_retry_rule(true, 3, 100, v("4.3.1")).delay == milliseconds(100));
    CHECK(podpull::own_retry_rule(true, 3, 100, v("4.9.4")).retries == 3);
    CHECK(podpull::own_retry_rule(true, 3, 100, v("5.0.0")).retries == 0);
    CHECK(podpull::own_retry_rule(true, 3, 100, v("6.1.1")).retries == 0);
    CHECK(podpull::own_retry_rule(false, 3, 100, v("4.3.1")).retries == 0);
    CHECK(podpull::own_retry_rule(true, 0, 100, v("4.3.1")).retries == 0);
}

TEST_CASE("next_retry: transient PULL failures, until the retries are spent", "[retry_policy]") {
    const OwnRetries rule{3, milliseconds(250)};
    const Error transient(ErrorCode::pull, recorded::unavailable_4_3);
    CHECK(next_retry(rule, 1, transient) == milliseconds(250));
    CHECK(next_retry(rule, 3, transient) == milliseconds(250));
    CHECK_FALSE(next_retry(rule, 4, transient).has_value());
    CHECK_FALSE(next_retry(OwnRetries{}, 1, transient).has_value());
    CHECK_FALSE(next_retry(rule, 1, Error(ErrorCode::not_found, "manifest unknown")));
    CHECK_FALSE(next_retry(rule, 1, Error(ErrorCode::auth, "unauthorized")));
    CHECK_FALSE(next_retry(rule, 1, Error(ErrorCode::timeout, "the pull stalled")));
    CHECK_FALSE(next_retry(rule, 1, Error(ErrorCode::cancelled, recorded::unavailable_4_3)));
    // Without a delay: podman's default, 1 s doubling, at most a minute.
    const OwnRetries backoff{10, milliseconds(0)};
    CHECK(next_retry(backoff, 1, transient) == milliseconds(1000));
    CHECK(next_retry(backoff, 2, transient) == milliseconds(2000));
    CHECK(next_retry(backoff, 3, transient) == milliseconds(4000));
    CHECK(next_retry(backoff, 10, transient) == milliseconds(60000));
    CHECK(podpull::describe_retry(milliseconds(250), 2, rule, "x") ==
          "retrying the pull in 250 ms (attempt 2 of 4): x");
}
