// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/pull_parameters.hpp"
#include "core/route.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>

using podpull::PullPolicy;

TEST_CASE("policy_name spells podman's policies", "[pull_parameters]") {
    CHECK(podpull::policy_name(PullPolicy::always) == "always");
    CHECK(podpull::policy_name(PullPolicy::missing) == "missing");
    CHECK(podpull::policy_name(PullPolicy::newer) == "newer");
    CHECK(podpull::policy_name(PullPolicy::never) == "never");
}

TEST_CASE("policy_name refuses a value outside the enum", "[pull_parameters]") {
    const auto error =
        podpull_test::error_from([] { podpull::policy_name(static_cast<PullPolicy>(7)); });
    REQUIRE(error);
    CHECK(error->code() == podpull::ErrorCode::invalid_argument);
}

TEST_CASE("PullParameters defaults match podpull_pull_options_init", "[pull_parameters]") {
    const podpull::PullParameters params;
    CHECK(params.policy == PullPolicy::always);
    CHECK(params.tls_verify);
    CHECK_FALSE(params.os);
    CHECK_FALSE(params.arch);
    CHECK_FALSE(params.variant);
    CHECK(params.retries == 0);
    CHECK(params.retry_delay_ms == 0);
    CHECK(params.stall_timeout_ms == 120'000);
    CHECK(params.route == podpull::Route::automatic);
}

TEST_CASE("policy_from_value takes the enum's values and refuses others", "[pull_parameters]") {
    CHECK(podpull::policy_from_value(0) == PullPolicy::always);
    CHECK(podpull::policy_from_value(3) == PullPolicy::never);
    for (const int outside : {-1, 4, 99}) {
        const auto error = podpull_test::error_from([&] { podpull::policy_from_value(outside); });
        REQUIRE(error);
        CHECK(error->code() == podpull::ErrorCode::invalid_argument);
        CHECK(std::string(error->what()) == "policy is not a podpull_policy value");
    }
}
