#include "core/podman_command.hpp"

#include "test_support.hpp"

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
    return podpull::parse_podman_version(text).value();
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
    auto error = test::error_from([&] { podpull::global_flags(both); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("run_root_fd"));

    StorageFlags empty_root;
    empty_root.root = "";
    error = test::error_from([&] { podpull::global_flags(empty_root); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("--root"));
}

TEST_CASE("service_argv: bootc's command line", "[podman_command]") {
    // podman-facts.md: podman --root /run/bootc/storage --runroot /proc/self/fd/3 system
    // service --time=0 unix:///run/bootc/podman-api.sock
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
    CHECK_THAT(podpull::pull_argv("podman", {}, ref, {}, std::nullopt),
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
    CHECK_THAT(
        podpull::pull_argv("podman", storage, ref, params, std::string("/run/auth.json")),
        Equals(Argv{"podman", "--root", "/r", "--storage-driver", "vfs", "pull",
                    "--tls-verify=false", "--os", "linux", "--arch", "arm64", "--variant", "v8",
                    "--authfile", "/run/auth.json", "--", "oci-archive:/tmp/big-oci.tar"}));

    PullParameters arch_only;
    arch_only.arch = "amd64";
    arch_only.os = ""; // empty: the host's, as if absent
    CHECK_THAT(podpull::pull_argv("podman", {}, parse_reference("quay.io/x:1"), arch_only, {}),
               Equals(Argv{"podman", "pull", "--arch", "amd64", "--", "quay.io/x:1"}));

    const auto error =
        test::error_from([&] { podpull::pull_argv("podman", {}, ref, {}, std::string()); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
}

TEST_CASE("libpod_pull_target: the plain text route", "[podman_command]") {
    const auto ref = parse_reference("localhost:5000/test/big:v1");
    CHECK(podpull::libpod_pull_target(ref, {}, Route::libpod_text, version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=localhost%3A5000%2Ftest%2Fbig%3Av1"
          "&policy=always&tlsVerify=true");
    PullParameters params;
    params.policy = podpull::PullPolicy::missing;
    params.tls_verify = false;
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_text, version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=localhost%3A5000%2Ftest%2Fbig%3Av1"
          "&policy=missing&tlsVerify=false");
    CHECK(podpull::libpod_pull_target(parse_reference("docker://quay.io/x:1"), {},
                                      Route::libpod_text, version("4.3.1")) ==
          "/v5.0.0/libpod/images/pull?reference=docker%3A%2F%2Fquay.io%2Fx%3A1"
          "&policy=always&tlsVerify=true");
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
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx%3A1&policy=newer&tlsVerify=true"
          "&OS=linux&Arch=arm64&Variant=v8&pullProgress=true&retry=3&retrydelay=1500ms");
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_compat, version("5.0.0")) ==
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx%3A1&policy=newer&tlsVerify=true"
          "&OS=linux&Arch=arm64&Variant=v8&compatMode=true&retry=3&retrydelay=1500ms");
    // retry came in 5.0.0: an older service would ignore it silently, so it is not sent
    CHECK(podpull::libpod_pull_target(ref, params, Route::libpod_compat, version("4.9.4")) ==
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx%3A1&policy=newer&tlsVerify=true"
          "&OS=linux&Arch=arm64&Variant=v8&compatMode=true");
}

TEST_CASE("libpod_pull_target: retries", "[podman_command]") {
    const auto ref = parse_reference("quay.io/x");
    PullParameters params;
    const std::string base =
        "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx&policy=always&tlsVerify=true";
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
          "/v5.0.0/libpod/images/pull?reference=quay.io%2Fx&policy=always&tlsVerify=true"
          "&OS=linux&Arch=arm%2Fv7%26x%3D1");
}

TEST_CASE("libpod_pull_target: only for libpod routes and registry references",
          "[podman_command]") {
    const Route route = GENERATE(Route::automatic, Route::docker_compat, Route::subprocess);
    CAPTURE(route);
    auto error = test::error_from([&] {
        podpull::libpod_pull_target(parse_reference("quay.io/x"), {}, route, version("6.0.0"));
    });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);

    error = test::error_from([&] {
        podpull::libpod_pull_target(parse_reference("oci:/x"), {}, Route::libpod_text,
                                    version("6.0.0"));
    });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);
}
