// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/podman_command.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;
using podpull::ErrorCode;
using podpull::parse_reference;
using podpull::PodmanVersion;
using podpull::PullParameters;
using podpull::Route;
using podpull::StorageFlags;
using Argv = std::vector<std::string>;

namespace {

PodmanVersion version(const char *text) {
    return podpull_test::podman_version(text);
}

} // namespace

TEST_CASE("global_flags: order and forms", "[podman_command]") {
    CHECK(podpull::global_flags({}).empty());

    StorageFlags storage;
    storage.storage_driver = "vfs";
    storage.run_root = "/run/rr";
    storage.root = "/var/lib/r";
    CHECK_THAT(podpull::global_flags(storage), Equals(Argv{"--root", "/var/lib/r", "--runroot",
                                                           "/run/rr", "--storage-driver", "vfs"}));

    StorageFlags at_fd3;
    at_fd3.root = "/run/bootc/storage";
    at_fd3.run_root_at_fd3 = true;
    CHECK_THAT(podpull::global_flags(at_fd3),
               Equals(Argv{"--root", "/run/bootc/storage", "--runroot", "/proc/self/fd/3"}));

    StorageFlags only_driver;
    only_driver.storage_driver = "overlay";
    CHECK_THAT(podpull::global_flags(only_driver), Equals(Argv{"--storage-driver", "overlay"}));
}

TEST_CASE("global_flags: contradictions and empty values are refused", "[podman_command]") {
    StorageFlags both;
    both.run_root = "/run/rr";
    both.run_root_at_fd3 = true;
    auto error = podpull_test::error_from([&] { podpull::global_flags(both); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("run_root_fd"));

    StorageFlags empty_root;
    empty_root.root = "";
    error = podpull_test::error_from([&] { podpull::global_flags(empty_root); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("--root"));
}

TEST_CASE("service_argv: bootc's command line", "[podman_command]") {
    // docs/podman.md, "The service": podman --root /run/bootc/storage --runroot /proc/self/fd/3
    // system service --time=0 unix:///run/bootc/podman-api.sock
    StorageFlags storage;
    storage.root = "/run/bootc/storage";
    storage.run_root_at_fd3 = true;
    CHECK_THAT(podpull::service_argv("podman", storage, "/run/bootc/podman-api.sock"),
               Equals(Argv{"podman", "--root", "/run/bootc/storage", "--runroot", "/proc/self/fd/3",
                           "system", "service", "--time=0", "unix:///run/bootc/podman-api.sock"}));
    CHECK_THAT(
        podpull::service_argv("/usr/bin/podman", {}, "/tmp/d/s.sock"),
        Equals(Argv{"/usr/bin/podman", "system", "service", "--time=0", "unix:///tmp/d/s.sock"}));
}

TEST_CASE("pull_argv", "[podman_command]") {
    const auto ref = parse_reference("oci-archive:/tmp/big-oci.tar");
    CHECK_THAT(podpull::pull_argv("podman", {}, ref, {}, version("6.1.1"), std::nullopt),
               Equals(Argv{"podman", "pull", "--", "oci-archive:/tmp/big-oci.tar"}));

    StorageFlags storage;
    storage.root = "/r";
    storage.storage_driver = "vfs";
    PullParameters params;
    params.tls_verify = false;
    params.os = "linux";
    params.arch = "arm64";
    params.variant = "v8";
    params.policy = podpull::PullPolicy::never; // `podman pull` before 5.6 has no --policy
    params.retries = 3;                         // nor --retry before 5.0
    params.retry_delay_ms = 250;
    CHECK_THAT(
        podpull::pull_argv("podman", storage, ref, params, version("4.3.1"),
                           std::string("/run/auth.json")),
        Equals(Argv{"podman", "--root", "/r", "--storage-driver", "vfs", "pull",
                    "--tls-verify=false", "--os", "linux", "--arch", "arm64", "--variant", "v8",
                    "--authfile", "/run/auth.json", "--", "oci-archive:/tmp/big-oci.tar"}));
    CHECK_THAT(podpull::pull_argv("podman", {}, ref, params, version("5.0.0"), std::nullopt),
               Equals(Argv{"podman", "pull", "--tls-verify=false", "--os", "linux", "--arch",
                           "arm64", "--variant", "v8", "--retry", "3", "--retry-delay", "250ms",
                           "--", "oci-archive:/tmp/big-oci.tar"}));
    params.retries = 0; // podman's own default
    CHECK_THAT(podpull::pull_argv("podman", {}, ref, params, version("6.1.1"), std::nullopt),
               Equals(Argv{"podman", "pull", "--tls-verify=false", "--os", "linux", "--arch",
                           "arm64", "--variant", "v8", "--", "oci-archive:/tmp/big-oci.tar"}));

    PullParameters arch_only;
    arch_only.arch = "amd64";
    arch_only.os = ""; // empty: the host's, as if absent
    CHECK_THAT(podpull::pull_argv("podman", {}, parse_reference("quay.io/x:1"), arch_only,
                                  version("6.1.1"), {}),
               Equals(Argv{"podman", "pull", "--arch", "amd64", "--", "quay.io/x:1"}));

    const auto error = podpull_test::error_from(
        [&] { podpull::pull_argv("podman", {}, ref, {}, version("6.1.1"), std::string()); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
}

TEST_CASE("libpod_pull_target: tlsVerify is sent only to turn verification off",
          "[podman_command]") {
    // An explicit tlsVerify=true would override a registry the host declared insecure in
    // registries.conf; podman applies the parameter only when it is present.
    const auto ref = parse_reference("localhost:5000/x:v1");
    for (const Route route : {Route::libpod_text, Route::libpod_compat, Route::libpod_progress}) {
        CAPTURE(route);
        PullParameters params;
        const std::string verified =
            podpull::libpod_pull_target(ref, params, route, version("6.0.0"));
        CHECK(verified.find("tlsVerify") == std::string::npos);
        params.tls_verify = false;
        const std::string skipped =
            podpull::libpod_pull_target(ref, params, route, version("6.0.0"));
        CHECK_THAT(skipped, ContainsSubstring("&tlsVerify=false"));
        CHECK(skipped.find("tlsverify") == std::string::npos);
    }
}

TEST_CASE("libpod_pull_target: the plain text route", "[podman_command]") {
    const auto ref = parse_reference("localhost:5000/test/big:v1");
    CHECK(podpull::libpod_pull_target(ref, {}, Route::libpod_text, version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=localhost%3A5000%2Ftest%2Fbig%3Av1"
          "&policy=always");
    PullParameters params;
    params.policy = podpull::PullPolicy::missing;
    params.tls_verify = false;
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_text, version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=localhost%3A5000%2Ftest%2Fbig%3Av1"
          "&policy=missing&tlsVerify=false");
    CHECK(podpull::libpod_pull_target(parse_reference("docker://quay.io/x:1"), {},
                                      Route::libpod_text, version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=docker%3A%2F%2Fquay.io%2Fx%3A1"
          "&policy=always");
}

TEST_CASE("libpod_pull_target: platform, route parameter, retries, in that order",
          "[podman_command]") {
    const auto ref = parse_reference("quay.io/x:1");
    PullParameters params;
    params.os = "linux";
    params.arch = "arm64";
    params.variant = "v8";
    params.policy = podpull::PullPolicy::newer;
    params.retries = 3;
    params.retry_delay_ms = 1500;
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_progress, version("6.0.0")) ==
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx%3A1&policy=newer"
          "&OS=linux&Arch=arm64&Variant=v8&pullProgress=true&retry=3&retrydelay=1500ms");
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_compat, version("5.0.0")) ==
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx%3A1&policy=newer"
          "&OS=linux&Arch=arm64&Variant=v8&compatMode=true&retry=3&retrydelay=1500ms");
    // retry came in 5.0.0: an older service would ignore it silently, so it is not sent
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_compat, version("4.9.4")) ==
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx%3A1&policy=newer"
          "&OS=linux&Arch=arm64&Variant=v8&compatMode=true");
}

TEST_CASE("libpod_pull_target: retries", "[podman_command]") {
    const auto ref = parse_reference("quay.io/x");
    PullParameters params;
    const std::string base = "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx&policy=always";
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_text, version("5.0.0")) == base);
    params.retries = 2; // no delay: podman's default backoff, no retrydelay parameter
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_text, version("5.0.0-dev")) ==
          base + "&retry=2");
    params.retry_delay_ms = 250;
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_text, version("5.1.0")) ==
          base + "&retry=2&retrydelay=250ms");
    params.retries = 0; // a delay alone means nothing
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_text, version("5.1.0")) == base);
}

TEST_CASE("libpod_pull_target: platform values are percent-encoded, empty ones left out",
          "[podman_command]") {
    PullParameters params;
    params.os = "linux";
    params.arch = "arm/v7&x=1";
    params.variant = "";
    CHECK(podpull::libpod_pull_target(parse_reference("quay.io/x"), params, Route::libpod_text,
                                      version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx&policy=always"
          "&OS=linux&Arch=arm%2Fv7%26x%3D1");
}

TEST_CASE("libpod_pull_target: only for libpod routes and registry references",
          "[podman_command]") {
    const Route route = GENERATE(Route::automatic, Route::docker_compat, Route::subprocess);
    CAPTURE(route);
    auto error = podpull_test::error_from([&] {
        podpull::libpod_pull_target(parse_reference("quay.io/x"), {}, route, version("6.0.0"));
    });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);

    error = podpull_test::error_from([&] {
        podpull::libpod_pull_target(parse_reference("oci:/x"), {}, Route::libpod_text,
                                    version("6.0.0"));
    });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);
}

TEST_CASE("docker_create_target: name and tag, as seen on 4.3.1", "[podman_command]") {
    // seen on 4.3.1 (docs/podman.md, "Bodies"): POST
    // /v1.41/images/create?fromImage=localhost:5001/test/big&tag=v1
    CHECK(podpull::docker_create_target(parse_reference("localhost:5001/test/big:v1"), {},
                                        version("4.3.1")) ==
          "/v1.41/images/create?fromImage=localhost%3A5001%2Ftest%2Fbig&tag=v1");
}

TEST_CASE("docker_create_target: how a reference is split", "[podman_command]") {
    const std::string digest =
        "sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2";
    const auto [reference, from_image, tag] =
        GENERATE_COPY(table<std::string, std::string, std::string>({
            {"quay.io/a/b:1.2", "quay.io%2Fa%2Fb", "1.2"},
            // no tag: "latest", since Docker reads an empty tag as every tag
            {"quay.io/a/b", "quay.io%2Fa%2Fb", "latest"},
            {"localhost:5000/x", "localhost%3A5000%2Fx", "latest"},
            // the registry's port is not a tag
            {"localhost:5000/x:v1", "localhost%3A5000%2Fx", "v1"},
            // docker:// is not understood by /images/create
            {"docker://quay.io/x:1", "quay.io%2Fx", "1"},
            // a digest goes in tag; podman joins it with '@' because it parses as a digest
            {"quay.io/x@" + digest, "quay.io%2Fx", "sha256%3A" + digest.substr(7)},
            // tag and digest: the tag stays in fromImage, so podman sees "name:tag@digest"
            {"quay.io/x:1@" + digest, "quay.io%2Fx%3A1", "sha256%3A" + digest.substr(7)},
            {"localhost:5000/x@" + digest, "localhost%3A5000%2Fx", "sha256%3A" + digest.substr(7)},
        }));
    CAPTURE(reference);
    CHECK(podpull::docker_create_target(parse_reference(reference), {}, version("4.3.1")) ==
          "/v1.41/images/create?fromImage=" + from_image + "&tag=" + tag);
}

TEST_CASE("docker_create_target: platform", "[podman_command]") {
    const auto ref = parse_reference("quay.io/x:1");
    const std::string base = "/v1.41/images/create?fromImage=quay.io%2Fx&tag=1";
    const auto target = [&](std::optional<std::string> os, std::optional<std::string> arch,
                            std::optional<std::string> variant) {
        PullParameters params;
        params.os = std::move(os);
        params.arch = std::move(arch);
        params.variant = std::move(variant);
        return podpull::docker_create_target(ref, params, version("4.3.1"));
    };
    CHECK(target({}, {}, {}) == base);
    CHECK(target("", "", "") == base);
    CHECK(target("linux", "arm64", "v8") == base + "&platform=linux%2Farm64%2Fv8");
    CHECK(target("linux", {}, {}) == base + "&platform=linux");
    CHECK(target("linux", "amd64", {}) == base + "&platform=linux%2Famd64");
    // podman splits at '/' and reads an empty part as the host's
    CHECK(target({}, "arm64", {}) == base + "&platform=%2Farm64");
    CHECK(target({}, {}, "v7") == base + "&platform=%2F%2Fv7");
    CHECK(target("", "arm", "v7") == base + "&platform=%2Farm%2Fv7");

    const auto error = podpull_test::error_from([&] { target("linux", "arm/v7", {}); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("arch \"arm/v7\" holds a '/'"));
}

TEST_CASE("docker_create_target: retries from 5.0, spelled retryDelay", "[podman_command]") {
    const auto ref = parse_reference("quay.io/x:1");
    const std::string base = "/v1.41/images/create?fromImage=quay.io%2Fx&tag=1";
    PullParameters params;
    params.retries = 4;
    params.retry_delay_ms = 1500;
    params.policy = podpull::PullPolicy::always;
    CHECK(podpull::docker_create_target(ref, params, version("4.9.4")) == base);
    CHECK(podpull::docker_create_target(ref, params, version("5.0.0")) ==
          base + "&retry=4&retryDelay=1500ms");
    params.retry_delay_ms = 0;
    CHECK(podpull::docker_create_target(ref, params, version("5.2.0")) == base + "&retry=4");
    params.retries = 0;
    params.retry_delay_ms = 10;
    CHECK(podpull::docker_create_target(ref, params, version("5.2.0")) == base);
    // no policy and no tlsVerify: /images/create has neither
    params.tls_verify = false;
    params.policy = podpull::PullPolicy::never;
    CHECK(podpull::docker_create_target(ref, params, version("5.2.0")) == base);
}

TEST_CASE("docker_create_target: only registry references", "[podman_command]") {
    auto error = podpull_test::error_from(
        [&] { podpull::docker_create_target(parse_reference("oci:/x"), {}, version("4.3.1")); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);
    error = podpull_test::error_from([&] {
        podpull::docker_create_target(parse_reference("quay.io/x:"), {}, version("4.3.1"));
    });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
}

TEST_CASE("image_inspect_target", "[podman_command]") {
    CHECK(podpull::image_inspect_target(parse_reference("localhost:5000/test/big:v1")) ==
          "/v5.0.0/libpod/images/localhost%3A5000%2Ftest%2Fbig%3Av1/json");
    const std::string hex(64, 'a');
    CHECK(podpull::image_inspect_target(parse_reference("docker://quay.io/x@sha256:" + hex)) ==
          "/v5.0.0/libpod/images/quay.io%2Fx%40sha256%3A" + hex + "/json");
    CHECK(podpull::image_inspect_target(parse_reference("alpine")) ==
          "/v5.0.0/libpod/images/alpine/json");
    const auto error = podpull_test::error_from(
        [&] { podpull::image_inspect_target(parse_reference("dir:/tmp/x")); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);
}
