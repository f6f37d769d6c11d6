// SPDX-License-Identifier: MIT OR Apache-2.0
// plan_pull: what the client will do for one pull, decided before anything is sent.
#include "core/pull_plan.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <algorithm>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;
using podpull::ApiPullPlan;
using podpull::ConnectPlan;
using podpull::ErrorCode;
using podpull::PullParameters;
using podpull::Route;
using podpull::SubprocessPullPlan;

namespace {

podpull::PodmanVersion version(const char *text) {
    return podpull::parse_podman_version(text).value();
}

// user:secret for localhost:5000.
const podpull::RegistryAuth auth =
    podpull::parse_registry_auth(R"({"auths":{"localhost:5000":{"auth":"dXNlcjpzZWNyZXQ="}}})");

// A host with skopeo, on amd64.
podpull::ManifestFacts facts() {
    podpull::ManifestFacts f;
    f.skopeo = "/usr/bin/skopeo";
    f.host = podpull::host_platform("x86_64");
    return f;
}

// A plan with the host's auth file `host_auth` (null: the host named none).
podpull::PullPlan plan(std::string_view image, const char *podman,
                       const PullParameters &params = {}, const ConnectPlan &connection = {},
                       const podpull::RegistryAuth *host_auth = &auth) {
    return podpull::plan_pull(image, params, version(podman), host_auth, connection, facts());
}

bool mentions_secret(const std::vector<std::string> &notes) {
    for (const auto &note : notes)
        if (note.find("secret") != std::string::npos)
            return true;
    return false;
}

} // namespace

TEST_CASE("pull plan: podman 6.0 gets pullProgress, and the ID comes from the body",
          "[pull_plan]") {
    const auto p = plan("quay.io/fedora/fedora:42", "6.0.0");
    CHECK(p.decision.route == Route::libpod_progress);
    const auto &api = std::get<ApiPullPlan>(p.steps);
    CHECK(api.target == "/v5.0.0/libpod/images/pull?reference=quay.io%2Ffedora%2Ffedora%3A42"
                        "&policy=always&pullProgress=true");
    CHECK_FALSE(api.inspect_target);
    // No auth file named: no header, podman's own lookup.
    CHECK(podpull::api_request_headers(plan("quay.io/fedora/fedora:42", "6.0.0", {}, {}, nullptr))
              .empty());
}

TEST_CASE("pull plan: the jsonmessage routes look the full ID up afterwards", "[pull_plan]") {
    const auto compat = plan("quay.io/x:1", "5.2.0");
    CHECK(compat.decision.route == Route::libpod_compat);
    CHECK(std::get<ApiPullPlan>(compat.steps).inspect_target ==
          "/v5.0.0/libpod/images/quay.io%2Fx%3A1/json");

    const auto docker = plan("docker://quay.io/x:1", "4.3.1");
    CHECK(docker.decision.route == Route::docker_compat);
    const auto &api = std::get<ApiPullPlan>(docker.steps);
    CHECK(api.target == "/v1.41/images/create?fromImage=quay.io%2Fx&tag=1");
    CHECK(api.inspect_target == "/v5.0.0/libpod/images/quay.io%2Fx%3A1/json");
}

TEST_CASE("pull plan: the text route on old podman with options /images/create lacks",
          "[pull_plan]") {
    PullParameters params;
    params.tls_verify = false;
    params.stall_timeout_ms = 2500;
    const auto p = plan("localhost:5000/a:v1", "4.3.1", params);
    CHECK(p.decision.route == Route::libpod_text);
    CHECK(p.stall_timeout == std::chrono::milliseconds(2500));
    const auto &api = std::get<ApiPullPlan>(p.steps);
    CHECK_THAT(api.target, ContainsSubstring("&tlsVerify=false"));
    CHECK_FALSE(api.inspect_target);
}

TEST_CASE("pull plan: credentials go in a header, and the notes name only their key",
          "[pull_plan]") {
    const auto p = plan("localhost:5000/a:v1", "4.3.1");
    REQUIRE(p.credentials.entries.size() == 1);
    const auto headers = podpull::api_request_headers(p);
    REQUIRE(headers.size() == 1);
    CHECK(headers[0].first == "X-Registry-Auth");
    CHECK(headers[0].second == podpull::registry_auth_header(p.credentials.entries[0]));
    CHECK_THAT(p.notes, Equals(std::vector<std::string>{
                            "sending the credentials stored under 'localhost:5000'"}));
    CHECK_FALSE(mentions_secret(p.notes));
}

TEST_CASE("pull plan: an auth file without the image's registry sends an empty set, on every "
          "route, so that podman and skopeo use none",
          "[pull_plan][credentials]") {
    for (const Route route : {Route::automatic, Route::docker_compat, Route::libpod_text}) {
        PullParameters params;
        params.route = route;
        const auto p = plan("quay.io/x:1", "5.8.6", params);
        CHECK(p.credentials.sends_any_file());
        CHECK(p.credentials.entries.empty());
        const auto headers = podpull::api_request_headers(p);
        REQUIRE(headers.size() == 1);
        CHECK(headers[0].first == "X-Registry-Config");
        CHECK(headers[0].second == "e30="); // base64url("{}")
        CHECK(podpull::subprocess_auth_file(p) == R"({"auths":{}})");
        // skopeo is told --no-creds: given an empty auth file, skopeo 1.9.3 would go on to
        // the files in HOME.
        const auto &skopeo = std::get<podpull::RegistryManifestStep>(p.manifest.source);
        CHECK(std::find(skopeo.argv.begin(), skopeo.argv.end(), "--no-creds") != skopeo.argv.end());
        CHECK(std::find(skopeo.argv.begin(), skopeo.argv.end(), "--authfile") == skopeo.argv.end());
        CHECK_FALSE(skopeo.reads_auth_file);
        CHECK_THAT(p.notes, Equals(std::vector<std::string>{
                                "the auth file holds no credentials for \"quay.io/x:1\": "
                                "podman and skopeo are told to use none"}));
    }
    PullParameters subprocess;
    subprocess.route = Route::subprocess;
    const auto p = plan("quay.io/x:1", "5.8.6", subprocess);
    CHECK_THAT(std::get<SubprocessPullPlan>(p.steps).argv,
               Equals(std::vector<std::string>{"podman", "pull", "--authfile", "/proc/self/fd/4",
                                               "--", "quay.io/x:1"}));
    CHECK(podpull::subprocess_auth_file(p) == R"({"auths":{}})");
}

TEST_CASE("pull plan: retries on a podman without them are podpull's own, not sent",
          "[pull_plan]") {
    PullParameters params;
    params.retries = 3;
    params.retry_delay_ms = 250;
    const auto old = plan("quay.io/x:1", "4.9.3", params, {}, nullptr);
    CHECK_THAT(old.notes,
               Equals(std::vector<std::string>{
                   "podman 4.9.3 takes no retry count (5.0.0 added it); podpull retries a pull "
                   "that fails on a transient registry error itself, up to 3 times",
                   "no auth file given: podman and skopeo look for credentials where they do by "
                   "default"}));
    CHECK_THAT(std::get<ApiPullPlan>(old.steps).target, !ContainsSubstring("retry"));
    CHECK(old.own_retries.retries == 3);
    CHECK(old.own_retries.delay == std::chrono::milliseconds(250));
    const auto recent = plan("quay.io/x:1", "5.0.0", params, {}, nullptr);
    CHECK(recent.notes.size() == 1); // the credentials' note only
    CHECK(recent.own_retries.retries == 0);
    CHECK_THAT(std::get<ApiPullPlan>(recent.steps).target, ContainsSubstring("&retry=3"));
    // No retries asked for: none made, on any release.
    CHECK(plan("quay.io/x:1", "4.3.1", PullParameters{}).own_retries.retries == 0);
}

TEST_CASE("pull plan: a local transport runs podman pull with the storage flags", "[pull_plan]") {
    ConnectPlan connection;
    connection.podman = "/usr/bin/podman";
    connection.storage.root = "/s";
    connection.storage.run_root_at_fd3 = true;
    const auto p = plan("oci:/var/tmp/layout", "4.3.1", {}, connection, nullptr);
    CHECK(p.decision.route == Route::subprocess);
    CHECK_FALSE(p.credentials.sends_any_file());
    CHECK_FALSE(podpull::subprocess_auth_file(p));
    CHECK_THAT(
        std::get<SubprocessPullPlan>(p.steps).argv,
        Equals(std::vector<std::string>{"/usr/bin/podman", "--root", "/s", "--runroot",
                                        "/proc/self/fd/3", "pull", "--", "oci:/var/tmp/layout"}));
}

TEST_CASE("pull plan: podman pull of a registry image reads its credentials at fd 4",
          "[pull_plan]") {
    PullParameters params;
    params.route = Route::subprocess;
    const auto p = plan("localhost:5000/a:v1", "4.3.1", params);
    const auto &argv = std::get<SubprocessPullPlan>(p.steps).argv;
    CHECK_THAT(argv,
               Equals(std::vector<std::string>{"podman", "pull", "--authfile", "/proc/self/fd/4",
                                               "--", "localhost:5000/a:v1"}));
    const auto file = podpull::subprocess_auth_file(p);
    REQUIRE(file);
    CHECK_THAT(*file, ContainsSubstring("localhost:5000"));
}

TEST_CASE("pull plan: refusals come before anything is sent", "[pull_plan]") {
    const auto bad_reference = podpull_test::error_from([] { plan("-rf", "6.0.0"); });
    REQUIRE(bad_reference);
    CHECK(bad_reference->code() == ErrorCode::invalid_argument);

    PullParameters forced;
    forced.route = Route::libpod_progress;
    const auto too_old = podpull_test::error_from([&] { plan("quay.io/x", "5.8.0", forced); });
    REQUIRE(too_old);
    CHECK(too_old->code() == ErrorCode::invalid_argument);

    PullParameters slash;
    slash.os = "linux/amd64";
    const auto bad_platform =
        podpull_test::error_from([&] { plan("quay.io/x:1", "4.3.1", slash); });
    REQUIRE(bad_platform);
    CHECK(bad_platform->code() == ErrorCode::invalid_argument);
}

TEST_CASE("pull plan: a signature policy sends a registry pull to podman pull, which is given it",
          "[pull_plan]") {
    PullParameters params;
    params.signature_policy = "/etc/podpull/policy.json";
    const auto p = plan("localhost:5000/a:v1", "6.1.1", params);
    CHECK(p.decision.route == Route::subprocess);
    CHECK_THAT(p.decision.reason, ContainsSubstring("podman's API takes none"));
    CHECK_THAT(std::get<SubprocessPullPlan>(p.steps).argv,
               Equals(std::vector<std::string>{"podman", "pull", "--signature-policy",
                                               "/etc/podpull/policy.json", "--authfile",
                                               "/proc/self/fd/4", "--", "localhost:5000/a:v1"}));
    CHECK_THAT(p.notes, Catch::Matchers::VectorContains(
                            std::string("the image must satisfy the signature policy "
                                        "\"/etc/podpull/policy.json\"")));
    // The manifest is read all the same: the totals do not depend on the route.
    CHECK(std::holds_alternative<podpull::RegistryManifestStep>(p.manifest.source));
}

TEST_CASE("pull plan: a signature policy must be an absolute path", "[pull_plan]") {
    for (const char *path : {"", "policy.json", "./policy.json"}) {
        CAPTURE(path);
        PullParameters params;
        params.signature_policy = path;
        const auto error = podpull_test::error_from([&] { plan("quay.io/x:1", "5.8.6", params); });
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::invalid_argument);
        CHECK_THAT(error->what(), ContainsSubstring("signature_policy"));
        CHECK_THAT(error->what(), ContainsSubstring("is not an absolute path"));
    }
}
