// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/route.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

using Catch::Matchers::ContainsSubstring;
using podpull::choose_route;
using podpull::ErrorCode;
using podpull::parse_reference;
using podpull::PodmanVersion;
using podpull::PullParameters;
using podpull::Route;

namespace {

PullParameters forcing(Route route) {
    PullParameters params;
    params.route = route;
    return params;
}

PodmanVersion version(const char *text) {
    return podpull_test::podman_version(text);
}

// The message of the invalid_argument Error that choosing throws ("" if none).
std::string refusal(const char *reference, const char *podman, Route route) {
    const auto error = podpull_test::error_from(
        [&] { choose_route(parse_reference(reference), version(podman), forcing(route)); });
    if (!error)
        return {};
    CHECK(error->code() == ErrorCode::invalid_argument);
    return error->what();
}

} // namespace

TEST_CASE("route_name", "[route]") {
    CHECK(podpull::route_name(Route::automatic) == "AUTO");
    CHECK(podpull::route_name(Route::libpod_progress) == "LIBPOD_PROGRESS");
    CHECK(podpull::route_name(Route::libpod_compat) == "LIBPOD_COMPAT");
    CHECK(podpull::route_name(Route::docker_compat) == "DOCKER_COMPAT");
    CHECK(podpull::route_name(Route::libpod_text) == "LIBPOD_TEXT");
    CHECK(podpull::route_name(Route::subprocess) == "SUBPROCESS");
    CHECK(podpull::route_name(static_cast<Route>(99)) == "UNKNOWN");
}

TEST_CASE("automatic: local transports go to `podman pull` on every podman", "[route]") {
    const auto [reference, transport] = GENERATE(table<const char *, const char *>({
        {"oci:/var/tmp/bootc-oci", "oci"},
        {"oci-archive:/tmp/image.tar", "oci-archive"},
        {"dir:/tmp/image-dir", "dir"},
        {"docker-archive:/tmp/image.tar", "docker-archive"},
        {"docker-daemon:localhost/img:latest", "docker-daemon"},
        {"containers-storage:localhost/bootc", "containers-storage"},
    }));
    const char *podman = GENERATE("4.3.1", "6.0.0");
    CAPTURE(reference, podman);
    const auto decision = choose_route(parse_reference(reference), version(podman), {});
    CHECK(decision.route == Route::subprocess);
    CHECK(decision.reason == std::string(transport) +
                                 ": references are not served by podman's API; running `podman "
                                 "pull`");
}

TEST_CASE("automatic: a registry on podman 6.0 or newer gets pullProgress", "[route]") {
    const char *podman = GENERATE("6.0.0", "6.0.0-rc1", "6.1.2", "7.0");
    CAPTURE(podman);
    const auto decision =
        choose_route(parse_reference("quay.io/example/foo:latest"), version(podman), {});
    CHECK(decision.route == Route::libpod_progress);
    CHECK(decision.reason ==
          "podman " + version(podman).to_string() + " reports per-blob bytes with pullProgress");
    CHECK(choose_route(parse_reference("docker://quay.io/x:1"), version("6.0.0"), {}).reason ==
          "podman 6.0.0 reports per-blob bytes with pullProgress");
}

TEST_CASE("automatic: the issue's version table, default options", "[route]") {
    const auto [podman, route, reason] = GENERATE(table<const char *, Route, std::string>({
        {"4.3.1", Route::docker_compat,
         "podman 4.3.1 has neither pullProgress (6.0.0) nor compatMode (4.8.0): POST "
         "/images/create reports per-layer bytes; the image ID is looked up after the pull"},
        {"4.7.2", Route::docker_compat,
         "podman 4.7.2 has neither pullProgress (6.0.0) nor compatMode (4.8.0): POST "
         "/images/create reports per-layer bytes; the image ID is looked up after the pull"},
        {"4.8.0", Route::libpod_compat,
         "podman 4.8.0 reports per-layer bytes with compatMode (per-blob bytes need "
         "pullProgress, podman 6.0.0)"},
        {"5.0.0", Route::libpod_compat,
         "podman 5.0.0 reports per-layer bytes with compatMode (per-blob bytes need "
         "pullProgress, podman 6.0.0)"},
        {"5.8.2", Route::libpod_compat,
         "podman 5.8.2 reports per-layer bytes with compatMode (per-blob bytes need "
         "pullProgress, podman 6.0.0)"},
        {"6.0.0", Route::libpod_progress, "podman 6.0.0 reports per-blob bytes with pullProgress"},
    }));
    CAPTURE(podman);
    const auto decision =
        choose_route(parse_reference("localhost:5000/test/big:v1"), version(podman), {});
    CHECK(decision.route == route);
    CHECK(decision.reason == reason);
}

TEST_CASE("automatic: other versions fall on the same sides of 4.8 and 6.0", "[route]") {
    const auto [podman, route] = GENERATE(table<const char *, Route>({
        {"4.0.0", Route::docker_compat},
        {"4.7.99", Route::docker_compat},
        {"4.8.0-rc1", Route::libpod_compat},
        {"4.9", Route::libpod_compat},
        {"5.0.0-dev", Route::libpod_compat},
        {"5.99.0", Route::libpod_compat},
        {"6.0.0-rc1", Route::libpod_progress},
        {"7.0", Route::libpod_progress},
    }));
    CAPTURE(podman);
    CHECK(choose_route(parse_reference("quay.io/x:1"), version(podman), {}).route == route);
}

TEST_CASE("automatic: what /images/create cannot do sends old podman to status text", "[route]") {
    PullParameters no_tls;
    no_tls.tls_verify = false;
    PullParameters missing;
    missing.policy = podpull::PullPolicy::missing;
    PullParameters never;
    never.policy = podpull::PullPolicy::never;
    PullParameters newer;
    newer.policy = podpull::PullPolicy::newer;
    const auto [reference, params, why] =
        GENERATE_COPY(table<const char *, PullParameters, std::string>({
            {"localhost:5000/x:v1", no_tls,
             "tls_verify is off and /images/create cannot skip TLS verification (keep "
             "tls_verify on and declare the registry insecure in a registries.conf passed "
             "through CONTAINERS_REGISTRIES_CONF)"},
            {"quay.io/x:1", missing, "policy is \"missing\" and /images/create always pulls"},
            {"quay.io/x:1", never, "policy is \"never\" and /images/create always pulls"},
            {"quay.io/x:1", newer, "policy is \"newer\" and /images/create always pulls"},
            {"alpine", PullParameters{},
             "\"alpine\" is a short name, which /images/create would look up on Docker Hub "
             "instead of through registries.conf"},
            {"docker://library/alpine:3", PullParameters{},
             "\"docker://library/alpine:3\" is a short name"},
        }));
    const char *podman = GENERATE("4.3.1", "4.7.2");
    CAPTURE(reference, podman);
    const auto decision = choose_route(parse_reference(reference), version(podman), params);
    CHECK(decision.route == Route::libpod_text);
    CHECK_THAT(decision.reason,
               ContainsSubstring("podman " + std::string(podman) +
                                 " has neither pullProgress (6.0.0) nor compatMode (4.8.0), and "
                                 "POST /images/create cannot take this pull: "));
    CHECK_THAT(decision.reason, ContainsSubstring(why));
    CHECK_THAT(decision.reason,
               ContainsSubstring("; status text only, per-blob bytes are unavailable on this "
                                 "route"));
}

TEST_CASE("automatic: the first limit met is the one named", "[route]") {
    PullParameters params;
    params.tls_verify = false;
    params.policy = podpull::PullPolicy::never;
    const auto reason = choose_route(parse_reference("alpine"), version("4.3.1"), params).reason;
    CHECK_THAT(reason, ContainsSubstring("tls_verify is off"));
    CHECK(reason.find("policy") == std::string::npos);
    CHECK(reason.find("short name") == std::string::npos);
}

TEST_CASE("automatic: /images/create takes os, arch, variant and retries", "[route]") {
    PullParameters params;
    params.os = "linux";
    params.arch = "arm64";
    params.variant = "v8";
    params.retries = 3;
    params.retry_delay_ms = 100;
    params.stall_timeout_ms = 5;
    CHECK(choose_route(parse_reference("quay.io/x:1"), version("4.3.1"), params).route ==
          Route::docker_compat);
}

TEST_CASE("automatic: on 4.8 and later the options do not change the choice", "[route]") {
    PullParameters params;
    params.tls_verify = false;
    params.policy = podpull::PullPolicy::never;
    params.retries = 3;
    params.arch = "arm64";
    CHECK(choose_route(parse_reference("alpine"), version("6.0.0"), params).route ==
          Route::libpod_progress);
    CHECK(choose_route(parse_reference("alpine"), version("4.8.0"), params).route ==
          Route::libpod_compat);
    CHECK(choose_route(parse_reference("alpine"), version("5.8.2"), params).route ==
          Route::libpod_compat);
    CHECK(choose_route(parse_reference("dir:/x"), version("6.0.0"), params).route ==
          Route::subprocess);
    CHECK(choose_route(parse_reference("dir:/x"), version("4.3.1"), params).route ==
          Route::subprocess);
}

TEST_CASE("forced SUBPROCESS takes any reference", "[route]") {
    const char *reference = GENERATE("quay.io/x:1", "oci:/var/tmp/bootc-oci", "alpine");
    CAPTURE(reference);
    const auto decision =
        choose_route(parse_reference(reference), version("4.3.1"), forcing(Route::subprocess));
    CHECK(decision.route == Route::subprocess);
    CHECK_THAT(decision.reason, ContainsSubstring("SUBPROCESS requested by the caller"));
    CHECK_THAT(decision.reason, ContainsSubstring("podman pull"));
}

TEST_CASE("forced LIBPOD_PROGRESS needs podman 6.0", "[route]") {
    const auto decision = choose_route(parse_reference("quay.io/x:1"), version("6.0.0"),
                                       forcing(Route::libpod_progress));
    CHECK(decision.route == Route::libpod_progress);
    CHECK(decision.reason ==
          "LIBPOD_PROGRESS requested by the caller: podman 6.0.0 reports per-blob bytes with "
          "pullProgress");

    const std::string message = refusal("quay.io/x:1", "5.8.0", Route::libpod_progress);
    CHECK_THAT(message, ContainsSubstring("route LIBPOD_PROGRESS cannot pull \"quay.io/x:1\""));
    CHECK_THAT(message, ContainsSubstring("needs podman 6.0.0 or newer; this is podman 5.8.0"));
    CHECK_THAT(refusal("oci:/x", "6.0.0", Route::libpod_progress),
               ContainsSubstring("oci: references are not served by podman's API"));
}

TEST_CASE("forced LIBPOD_COMPAT needs podman 4.8.0", "[route]") {
    CHECK_THAT(refusal("quay.io/x:1", "4.7.9", Route::libpod_compat),
               ContainsSubstring("compatMode needs podman 4.8.0 or newer; this is podman 4.7.9"));
    CHECK_THAT(refusal("quay.io/x:1", "4.3.1", Route::libpod_compat),
               ContainsSubstring("this is podman 4.3.1"));
    const char *podman = GENERATE("4.8.0", "4.9", "5.2.1", "6.0.0");
    CAPTURE(podman);
    const auto decision = choose_route(parse_reference("quay.io/x:1"), version(podman),
                                       forcing(Route::libpod_compat));
    CHECK(decision.route == Route::libpod_compat);
    CHECK_THAT(decision.reason, ContainsSubstring("per-layer bytes with compatMode"));
    CHECK_THAT(refusal("dir:/x", "5.0.0", Route::libpod_compat),
               ContainsSubstring("dir: references are not served"));
}

TEST_CASE("forced DOCKER_COMPAT and LIBPOD_TEXT need a registry reference", "[route]") {
    const Route route = GENERATE(Route::docker_compat, Route::libpod_text);
    CAPTURE(route);
    for (const char *podman : {"4.3.1", "6.0.0"}) {
        const auto decision =
            choose_route(parse_reference("localhost:5000/x:v1"), version(podman), forcing(route));
        CHECK(decision.route == route);
        CHECK_THAT(decision.reason, ContainsSubstring(std::string(podpull::route_name(route)) +
                                                      " requested by the caller"));
    }
    CHECK_THAT(refusal("oci-archive:/tmp/image.tar", "6.0.0", route),
               ContainsSubstring("oci-archive: references are not served by podman's API"));
    CHECK_THAT(refusal("containers-storage:localhost/bootc", "4.3.1", route),
               ContainsSubstring("containers-storage: references are not served"));
}

TEST_CASE("forced DOCKER_COMPAT: its reason, on every version", "[route]") {
    const char *podman = GENERATE("4.3.1", "4.8.0", "5.8.2", "6.0.0");
    CAPTURE(podman);
    PullParameters params = forcing(Route::docker_compat);
    params.arch = "arm64";
    const auto decision = choose_route(parse_reference("quay.io/x:1"), version(podman), params);
    CHECK(decision.route == Route::docker_compat);
    CHECK(decision.reason ==
          "DOCKER_COMPAT requested by the caller: POST /images/create reports per-layer bytes "
          "on every podman; the image ID is looked up after the pull");
}

TEST_CASE("forced DOCKER_COMPAT that /images/create cannot carry is refused", "[route]") {
    const char *podman = GENERATE("4.3.1", "6.0.0");
    CAPTURE(podman);
    const auto refused = [&](const char *reference, const PullParameters &params) {
        const auto error = podpull_test::error_from(
            [&] { choose_route(parse_reference(reference), version(podman), params); });
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::invalid_argument);
        return std::string(error->what());
    };
    PullParameters params = forcing(Route::docker_compat);
    params.tls_verify = false;
    CHECK_THAT(refused("localhost:5000/x:v1", params),
               ContainsSubstring("route DOCKER_COMPAT cannot pull \"localhost:5000/x:v1\": "
                                 "tls_verify is off and /images/create cannot skip TLS "
                                 "verification"));
    params = forcing(Route::docker_compat);
    params.policy = podpull::PullPolicy::missing;
    CHECK_THAT(refused("quay.io/x:1", params),
               ContainsSubstring("policy is \"missing\" and /images/create always pulls"));
    CHECK_THAT(refused("alpine:3", forcing(Route::docker_compat)),
               ContainsSubstring("\"alpine:3\" is a short name"));
}

TEST_CASE("forced LIBPOD_TEXT and LIBPOD_COMPAT take what /images/create cannot", "[route]") {
    PullParameters params;
    params.tls_verify = false;
    params.policy = podpull::PullPolicy::never;
    params.route = Route::libpod_text;
    CHECK(choose_route(parse_reference("alpine"), version("4.3.1"), params).route ==
          Route::libpod_text);
    params.route = Route::libpod_compat;
    CHECK(choose_route(parse_reference("alpine"), version("4.8.0"), params).route ==
          Route::libpod_compat);
}

TEST_CASE("forced LIBPOD_TEXT on 6.0 does not claim pullProgress is missing", "[route]") {
    const auto decision =
        choose_route(parse_reference("quay.io/x"), version("6.0.0"), forcing(Route::libpod_text));
    CHECK(decision.reason.find("has no pullProgress") == std::string::npos);
    CHECK_THAT(decision.reason, ContainsSubstring("per-blob bytes are unavailable"));
}

TEST_CASE("a route value outside the enum is refused", "[route]") {
    const int value = GENERATE(-1, 6, 42);
    CAPTURE(value);
    const auto error = podpull_test::error_from([&] {
        choose_route(parse_reference("quay.io/x"), version("6.0.0"),
                     forcing(static_cast<Route>(value)));
    });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("unknown route " + std::to_string(value)));
}

TEST_CASE("route_c_name: the names podpull_route_str returns", "[route]") {
    CHECK(std::string(podpull::route_c_name(Route::automatic)) == "PODPULL_ROUTE_AUTO");
    CHECK(std::string(podpull::route_c_name(Route::libpod_progress)) ==
          "PODPULL_ROUTE_LIBPOD_PROGRESS");
    CHECK(std::string(podpull::route_c_name(Route::libpod_compat)) ==
          "PODPULL_ROUTE_LIBPOD_COMPAT");
    CHECK(std::string(podpull::route_c_name(Route::docker_compat)) ==
          "PODPULL_ROUTE_DOCKER_COMPAT");
    CHECK(std::string(podpull::route_c_name(Route::libpod_text)) == "PODPULL_ROUTE_LIBPOD_TEXT");
    CHECK(std::string(podpull::route_c_name(Route::subprocess)) == "PODPULL_ROUTE_SUBPROCESS");
    CHECK(std::string(podpull::route_c_name(static_cast<Route>(-1))) == "PODPULL_ROUTE_UNKNOWN");
}

TEST_CASE("route_from_value takes the enum's values and refuses others", "[route]") {
    for (int value = 0; value <= 5; ++value) {
        CHECK(podpull::is_route_value(value));
        CHECK(static_cast<int>(podpull::route_from_value(value)) == value);
    }
    const int outside = GENERATE(-1, 6, 1000);
    CHECK_FALSE(podpull::is_route_value(outside));
    const auto error = podpull_test::error_from([&] { podpull::route_from_value(outside); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK(std::string(error->what()) == "route is not a podpull_route value");
}

TEST_CASE("a signature policy: `podman pull` on every podman, and no API route can be forced",
          "[route]") {
    PullParameters params;
    params.signature_policy = "/p.json";
    const char *podman = GENERATE("4.3.1", "5.4.2", "5.8.6", "6.1.1");
    CAPTURE(podman);
    const auto decision = choose_route(parse_reference("quay.io/x:1"), version(podman), params);
    CHECK(decision.route == Route::subprocess);
    CHECK(decision.reason ==
          "a signature policy was given, and podman's API takes none (`podman pull "
          "--signature-policy` does): running `podman pull`: status text only, per-blob bytes "
          "are unavailable on this route");
    // A local transport says why as before.
    CHECK_THAT(choose_route(parse_reference("oci:/x"), version(podman), params).reason,
               ContainsSubstring("oci: references are not served by podman's API"));
    for (const Route api :
         {Route::libpod_progress, Route::libpod_compat, Route::docker_compat, Route::libpod_text}) {
        params.route = api;
        const auto error = podpull_test::error_from(
            [&] { choose_route(parse_reference("quay.io/x:1"), version("6.1.1"), params); });
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::invalid_argument);
        CHECK_THAT(error->what(), ContainsSubstring("podman's API takes none"));
    }
    params.route = Route::subprocess;
    CHECK(choose_route(parse_reference("quay.io/x:1"), version(podman), params).route ==
          Route::subprocess);
}
