// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/error.hpp"
#include "core/http_failure.hpp"

#include "podpull_test/core.hpp"

#include <boost/system/system_error.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cerrno>
#include <string>

using podpull::classify_podman_failure;
using podpull::code_for_http_status;
using podpull::ErrorCode;
using podpull::one_line;

TEST_CASE("classify_podman_failure: the messages recorded on 4.3.1", "[error]") {
    // docs/podman.md, "Bodies" (libpod, text only): a missing image, missing credentials, a bad
    // name.
    CHECK(classify_podman_failure(
              "initializing source docker://localhost:5000/nope/none:v1: reading manifest v1 in "
              "localhost:5000/nope/none: manifest unknown: manifest unknown") ==
          ErrorCode::not_found);
    CHECK(classify_podman_failure("… unauthorized: authentication required") == ErrorCode::auth);
    CHECK(classify_podman_failure("repository name must be lowercase") == ErrorCode::pull);
}

TEST_CASE("classify_podman_failure: the signature policy's refusals are REJECTED", "[error]") {
    // containers/image's words, as `podman pull --signature-policy` printed them (after
    // "Error: ") for a reject policy and for a signedBy policy without a signature: 4.3.1 and
    // 5.4.2, then 5.8.6 and 6.1.1 (test_signature_policy.cpp); and a bad signature.
    const std::string message = GENERATE(
        "Source image rejected: Running image docker://127.0.0.1:54865/podpull/test:v1 is "
        "rejected by policy.",
        "Source image rejected: A signature was required, but no signature exists",
        "unable to copy from source docker://127.0.0.1:54865/podpull/test:v1: Source image "
        "rejected: Running image docker://127.0.0.1:54865/podpull/test:v1 is rejected by policy.",
        "unable to copy from source docker://127.0.0.1:54865/podpull/test:v1: Source image "
        "rejected: A signature was required, but no signature exists",
        "Source image rejected: Invalid GPG signature: … unauthorized key");
    CAPTURE(message);
    CHECK(classify_podman_failure(message) == ErrorCode::rejected);
    CHECK(classify_podman_failure("writing manifest: image rejected by the registry") ==
          ErrorCode::pull);
}

TEST_CASE("classify_podman_failure: NOT_FOUND wording", "[error]") {
    const std::string message = GENERATE(
        "reading manifest latest in quay.io/x/y: manifest unknown",
        "reading manifest v9 in registry.example.com/img: MANIFEST UNKNOWN: Manifest Unknown",
        "reading manifest latest in localhost:5000/nope: name unknown: repository name not "
        "known to registry",
        "reading manifest latest in r.example/x: repository name not known to registry",
        "reading manifest latest in r.example/x: invalid status code from registry 404 (Not "
        "Found)",
        "reading manifest latest in r.example/x: StatusCode: 404, \"<html><body>404</body>\"",
        "Error: docker-daemon:localhost/img:latest: loading image from docker engine: Error "
        "response from daemon: No such image: localhost/img:latest",
        "containers-storage:localhost/bootc: image not known",
        "reference \"[overlay@/var/lib/containers/storage]localhost/bootc\" does not resolve to "
        "an image ID: identifier is not an image",
        "choosing image instance: no descriptor found for reference \"v2\"");
    CAPTURE(message);
    CHECK(classify_podman_failure(message) == ErrorCode::not_found);
}

TEST_CASE("classify_podman_failure: AUTH wording", "[error]") {
    const std::string message = GENERATE(
        "initializing source docker://localhost:5001/private/img:v1: reading manifest v1 in "
        "localhost:5001/private/img: unauthorized: authentication required",
        "reading manifest latest in docker.io/library/nope: requested access to the resource "
        "is denied",
        "unable to retrieve auth token: invalid username/password: unauthorized: incorrect "
        "username or password",
        "reading manifest v1 in ghcr.io/a/b: denied: denied", "denied: access forbidden",
        "reading manifest v1 in r.example/x: insufficient_scope: authorization failed",
        "reading manifest v1 in r.example/x: invalid status code from registry 403 (Forbidden)",
        "Authentication Required");
    CAPTURE(message);
    CHECK(classify_podman_failure(message) == ErrorCode::auth);
}

TEST_CASE("classify_podman_failure: everything else is PULL", "[error]") {
    const std::string message = GENERATE(
        "", "repository name must be lowercase",
        // "denied" of a file system is not the registry refusing credentials
        "writing blob: open /var/lib/containers/storage/overlay/l/ABC: permission denied",
        "access denied by SELinux policy",
        // "not found" of a program or a file is a broken setup, not a missing image
        "exec: \"fuse-overlayfs\": executable file not found in $PATH",
        "open /var/tmp/bootc-oci/index.json: no such file or directory",
        // "name unknown" only at the start of a word
        "dial tcp: hostname unknown: r.example",
        "toomanyrequests: You have reached your pull rate limit",
        "writing blob: storing blob to file: write /var/tmp/x: no space left on device",
        "short-name \"foo\" did not resolve to an alias and no unqualified-search registries "
        "are defined");
    CAPTURE(message);
    CHECK(classify_podman_failure(message) == ErrorCode::pull);
}

TEST_CASE("classify_podman_failure: NOT_FOUND wins over AUTH in one message", "[error]") {
    CHECK(classify_podman_failure("(Mirrors also failed: [m.example/x: manifest unknown]): "
                                  "r.example/x: unauthorized: authentication required") ==
          ErrorCode::not_found);
}

TEST_CASE("code_for_http_status", "[error]") {
    const auto [status, code] = GENERATE(table<unsigned, ErrorCode>({
        {400, ErrorCode::invalid_argument},
        {401, ErrorCode::auth},
        {403, ErrorCode::auth},
        {404, ErrorCode::not_found},
        {500, ErrorCode::pull},
        {502, ErrorCode::pull},
        {503, ErrorCode::pull},
        {599, ErrorCode::pull},
        {200, ErrorCode::protocol},
        {204, ErrorCode::protocol},
        {301, ErrorCode::protocol},
        {405, ErrorCode::protocol},
        {409, ErrorCode::protocol},
        {429, ErrorCode::pull}, // the registry's rate limit, passed on (retry_policy.hpp)
        {600, ErrorCode::protocol},
        {0, ErrorCode::protocol},
    }));
    CAPTURE(status);
    CHECK(code_for_http_status(status) == code);
}

TEST_CASE("Error carries its code and message", "[error]") {
    const podpull::Error error(ErrorCode::auth, "no credentials");
    CHECK(error.code() == ErrorCode::auth);
    CHECK(std::string(error.what()) == "no credentials");
    const auto caught =
        podpull_test::error_from([] { throw podpull::Error(ErrorCode::timeout, "late"); });
    REQUIRE(caught);
    CHECK(caught->code() == ErrorCode::timeout);
}

TEST_CASE("quote_for_message", "[error]") {
    using podpull::quote_for_message;
    CHECK(quote_for_message("quay.io/x") == "\"quay.io/x\"");
    CHECK(quote_for_message("") == "\"\"");
    CHECK(quote_for_message("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(quote_for_message("a\nb\r\x7f") == "\"a\\x0ab\\x0d\\x7f\"");
    CHECK(quote_for_message("\xc3\xa9") == "\"\\xc3\\xa9\"");
    CHECK(quote_for_message(std::string(10, 'x'), 4) == "\"xxxx\"...");
    CHECK(quote_for_message(std::string(4, 'x'), 4) == "\"xxxx\"");
    const std::string long_text(100000, 'y');
    CHECK(quote_for_message(long_text).size() == 200 + 2 + 3);
}

TEST_CASE("explain_api_pull_failure: a registry connection that broke mid-transfer is named",
          "[error]") {
    using podpull::explain_api_pull_failure;
    // Seen on 4.3.1 with the registry (and its relay) SIGKILLed while a blob was copied.
    const std::string seen = "writing blob: storing blob to file \"/tmp/x/storage1/1\": happened "
                             "during read: unexpected EOF";
    CHECK(explain_api_pull_failure(seen) == seen + " (the connection to the registry broke)");
    CHECK(classify_podman_failure(seen) == ErrorCode::pull);
    const std::string message =
        GENERATE("reading blob sha256:855e: read tcp 127.0.0.1:1->127.0.0.1:2: read: connection "
                 "reset by peer",
                 "writing blob: write tcp 127.0.0.1:1->127.0.0.1:2: write: broken pipe",
                 "happened during read: Unexpected EOF");
    CAPTURE(message);
    CHECK(explain_api_pull_failure(message) == message + " (the connection to the registry broke)");
    // Other failures keep podman's words unchanged.
    const std::string other =
        GENERATE("repository name must be lowercase", "… unauthorized: authentication required",
                 "EOFs are not what this says", "");
    CAPTURE(other);
    CHECK(explain_api_pull_failure(other) == other);
}

TEST_CASE("one_line turns every control byte of podman's text into a space", "[error]") {
    CHECK(one_line("copying system image from manifest list:\nerror\r\tend\x1b[31m") ==
          "copying system image from manifest list: error  end [31m");
    CHECK(one_line("manifest unknown") == "manifest unknown");
    CHECK(one_line("caf\xc3\xa9 \x7f") == "caf\xc3\xa9  "); // UTF-8 kept, DEL replaced
}

TEST_CASE("http_failure: a foreign body's excerpt is one line of UTF-8", "[error]") {
    // Found by fuzzing (tests/fuzz/regressions/http_response): raw body bytes reached the
    // message, including bytes that are not UTF-8 and a character cut at the 200-byte limit.
    const auto binary = podpull::http_failure(502, "bad\xfa\ngateway\xc3");
    CHECK(binary.code() == ErrorCode::pull);
    CHECK(std::string(binary.what()) == "podman answered HTTP 502: body: bad? gateway?");
    const std::string cut = std::string(199, 'x') + "\xc3\xa9" + "tail";
    const std::string message = podpull::http_failure(500, cut).what();
    CHECK(message.find("x?…") != std::string::npos);
    CHECK(message.find('\xc3') == std::string::npos);
    // podman's own message, from JSON, loses its newlines.
    CHECK(std::string(podpull::http_failure(404, R"({"message":"no\nsuch image"})").what()) ==
          "podman answered HTTP 404: no such image");
}

TEST_CASE("ping_failure: a server that does not answer /_ping with 200 is not podman",
          "[error][ping]") {
    const auto error = podpull::ping_failure("/run/other.sock", 404);
    CHECK(error.code() == ErrorCode::service);
    CHECK(std::string(error.what()) ==
          "the server at /run/other.sock is not a podman service: GET /_ping answered HTTP 404");
    CHECK(podpull::ping_failure("/s", 502).code() == ErrorCode::service);
}

TEST_CASE("ping_without_libpod_version: a 200 without podman's version header is not podman",
          "[error][ping]") {
    const auto error = podpull::ping_without_libpod_version("/run/docker.sock");
    CHECK(error.code() == ErrorCode::service);
    CHECK(std::string(error.what()) ==
          "the server at /run/docker.sock is not a podman service: GET /_ping answered without a "
          "Libpod-Api-Version header (a Docker daemon answers so)");
}

TEST_CASE("system_error_text keeps the cause and drops Boost's source location", "[error]") {
    static constexpr boost::source_location here = BOOST_CURRENT_LOCATION;
    const boost::system::error_code located(ENOSPC, boost::system::system_category(), &here);
    const boost::system::system_error bind_failed(located, "bind");
    INFO(bind_failed.what());
    REQUIRE(std::string(bind_failed.what()).find("test_error.cpp") != std::string::npos);
    const auto text = [](const boost::system::system_error &e) {
        return podpull::system_error_text(e.what(), e.code().what(), e.code().message());
    };
    CHECK(text(bind_failed) == "bind: No space left on device");
    const boost::system::system_error plain(
        boost::system::error_code(EBADF, boost::system::system_category()));
    CHECK(text(plain) == "Bad file descriptor");
}
