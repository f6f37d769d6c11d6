// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/reference.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

using Catch::Matchers::ContainsSubstring;
using podpull::ErrorCode;
using podpull::ImageReference;
using podpull::parse_reference;
using podpull::Transport;

namespace {

// The message of the invalid_argument Error that parsing `text` throws ("" if none).
std::string rejection(const std::string &text) {
    const auto error = podpull_test::error_from([&] { parse_reference(text); });
    if (!error)
        return {};
    CHECK(error->code() == ErrorCode::invalid_argument);
    return error->what();
}

} // namespace

TEST_CASE("references that need a subprocess (bootc's seed test)", "[reference]") {
    const auto [text, transport] = GENERATE(table<std::string, Transport>({
        {"oci:/var/tmp/bootc-oci", Transport::oci},
        {"oci-archive:/tmp/image.tar", Transport::oci_archive},
        {"dir:/tmp/image-dir", Transport::dir},
        {"docker-archive:/tmp/image.tar", Transport::docker_archive},
        {"docker-daemon:localhost/img:latest", Transport::docker_daemon},
        {"containers-storage:localhost/bootc", Transport::containers_storage},
    }));
    CAPTURE(text);
    const ImageReference ref = parse_reference(text);
    CHECK(ref.transport == transport);
    CHECK(ref.text == text);
    CHECK(podpull::needs_subprocess(ref.transport));
    CHECK(podpull::registry_host(ref).empty());
    CHECK_FALSE(podpull::is_fully_qualified(ref));
}

TEST_CASE("registry references (bootc's seed test and more)", "[reference]") {
    const std::string text =
        GENERATE(as<std::string>{}, "quay.io/example/foo:latest", "docker.io/library/nginx:latest",
                 "localhost:5000/myimage:v1", "registry.example.com/img", "docker://quay.io/x:1",
                 "alpine", "alpine:3.19", "quay.io/x@sha256:" + std::string(64, 'a'),
                 // podman reads these as registry references too
                 "docker:latest", "docker:5000/img", "foo.bar:5000/baz",
                 // a host is case-insensitive; a repository path is lower case
                 "Quay.IO/example/foo", "[::1]:5000/x", "my-registry.example:443/a/b-c__d.e:v1.0");
    CAPTURE(text);
    const ImageReference ref = parse_reference(text);
    CHECK(ref.transport == Transport::registry);
    CHECK(ref.text == text);
    CHECK_FALSE(podpull::needs_subprocess(ref.transport));
}

TEST_CASE("transport prefixes are exact and case-sensitive", "[reference]") {
    // "ocix:" and "OCI:" are not "oci:", so podman reads these as registry references, which
    // the grammar then refuses ("ocix:" is no host:port); "oci:" is a transport, even when
    // what follows looks like a tag.
    CHECK_THAT(rejection("ocix:/tmp/a/b"), ContainsSubstring("invalid reference format"));
    CHECK_THAT(rejection("OCI:/tmp/x"), ContainsSubstring("invalid reference format"));
    CHECK(parse_reference("oci:latest").transport == Transport::oci);
    CHECK(parse_reference("dir:relative/path").transport == Transport::dir);
    CHECK(parse_reference("containers-storage:quay.io/x:1").transport ==
          Transport::containers_storage);
}

TEST_CASE("transport_name spells podman's names", "[reference]") {
    CHECK(podpull::transport_name(Transport::registry) == "docker");
    CHECK(podpull::transport_name(Transport::oci) == "oci");
    CHECK(podpull::transport_name(Transport::oci_archive) == "oci-archive");
    CHECK(podpull::transport_name(Transport::dir) == "dir");
    CHECK(podpull::transport_name(Transport::docker_archive) == "docker-archive");
    CHECK(podpull::transport_name(Transport::docker_daemon) == "docker-daemon");
    CHECK(podpull::transport_name(Transport::containers_storage) == "containers-storage");
}

TEST_CASE("registry_host and is_fully_qualified", "[reference]") {
    const auto [text, host, qualified] = GENERATE(table<std::string, std::string, bool>({
        {"quay.io/example/foo:latest", "quay.io", true},
        {"docker.io/library/nginx:latest", "docker.io", true},
        {"localhost:5000/myimage:v1", "localhost:5000", true},
        {"registry.example.com/img", "registry.example.com", true},
        {"docker://quay.io/x:1", "quay.io", true},
        {"localhost/x", "localhost", true},
        {"index.docker.io/library/alpine", "docker.io", true},
        {"alpine", "docker.io", false},
        {"alpine:latest", "docker.io", false},
        {"library/alpine", "docker.io", false},
        {"docker://alpine", "docker.io", false},
        {"localhost:5000", "docker.io", false}, // the image "localhost", tag "5000"
        {"myregistry/x/y", "docker.io", false},
        {"Registry/x", "Registry", true}, // upper case: never a repository path
    }));
    CAPTURE(text);
    const ImageReference ref = parse_reference(text);
    CHECK(podpull::registry_host(ref) == host);
    CHECK(podpull::is_fully_qualified(ref) == qualified);
}

TEST_CASE("registry_host reads the name only, even of a reference the grammar refuses",
          "[reference]") {
    // Found by fuzzing (tests/fuzz/regressions/registry_auth): the digest starts at the first
    // '@', so "quay.io@x/y" is the short name "quay.io"; parse_reference now refuses both.
    const ImageReference short_name{Transport::registry, "quay.io@x/y"};
    CHECK(podpull::registry_host(short_name) == "docker.io");
    CHECK_FALSE(podpull::is_fully_qualified(short_name));
    const ImageReference qualified{Transport::registry, "quay.io/a@x/y"};
    CHECK(podpull::registry_host(qualified) == "quay.io");
    CHECK_THAT(rejection("quay.io@x/y"), ContainsSubstring("digest"));
}

TEST_CASE("registry references follow distribution/reference's grammar, in podman's words",
          "[reference]") {
    const auto [text, words] = GENERATE(table<std::string, std::string>({
        {"127.0.0.1:5000/Podpull/Test:v1", "repository name must be lowercase"},
        {"Alpine", "repository name must be lowercase"},
        {"quay.io/" + std::string(248, 'a'), "must not be more than 255 characters"},
        {"quay.io/x:" + std::string(129, 't'), "invalid tag"},
        {"quay.io/x:-v1", "invalid tag"},
        {"quay.io/x:v!", "invalid tag"},
        {"quay.io/x@sha256:abc", "64 lowercase hex digits"},
        {"quay.io/x@sha256:" + std::string(64, 'A'), "64 lowercase hex digits"},
        {"quay.io/x@md5:" + std::string(32, 'a'), "unsupported digest algorithm"},
        {"quay.io/x@" + std::string(64, 'a'), "no algorithm"},
        {"quay.io:port/x", "is not a registry host[:port]"},
        {"quay..io/x", "is not a registry host[:port]"},
        {"-quay.io/x", "starts with '-'"},
        {"quay.io/-x", "is not a repository path component"},
        {"quay.io/x-", "is not a repository path component"},
        {"quay.io/a//b", "is not a repository path component"},
        {"quay.io/a/", "is not a repository path component"},
        {"quay.io/a___b", "is not a repository path component"},
        {"foo:bar/baz", "is not a registry host[:port]"},
    }));
    CAPTURE(text);
    CHECK_THAT(rejection(text), ContainsSubstring(words));
}

TEST_CASE("the grammar's limits are inclusive", "[reference]") {
    // 255 bytes of name, 128 of tag, every separator.
    const std::string name = "quay.io/" + std::string(247, 'a');
    REQUIRE(name.size() == 255);
    CHECK(parse_reference(name + ":" + std::string(128, 'v')).text.size() == 255 + 1 + 128);
    CHECK(parse_reference("quay.io/a.b_c__d-e---f/g").transport == Transport::registry);
    CHECK(parse_reference("quay.io/x@sha512:" + std::string(128, '0')).transport ==
          Transport::registry);
}

TEST_CASE("rejected everywhere: empty, too long, a leading '-'", "[reference]") {
    CHECK_THAT(rejection(""), ContainsSubstring("empty"));
    CHECK_THAT(rejection("-foo"), ContainsSubstring("starts with '-'"));
    CHECK_THAT(rejection("--help"), ContainsSubstring("starts with '-'"));
    CHECK_THAT(rejection("-"), ContainsSubstring("starts with '-'"));
    // A '-' further in is fine.
    CHECK(parse_reference("quay.io/my-org/my-image").text == "quay.io/my-org/my-image");
}

TEST_CASE("length limit: 4096 bytes pass, 4097 do not, and the message is short", "[reference]") {
    // A path of a local transport may be that long (a registry name stops at 255 bytes).
    const std::string at_limit = "oci:/" + std::string(4096 - 5, 'a');
    REQUIRE(at_limit.size() == 4096);
    CHECK(parse_reference(at_limit).text == at_limit);

    const std::string over = at_limit + "a";
    const std::string message = rejection(over);
    CHECK_THAT(message, ContainsSubstring("4097 bytes"));
    CHECK_THAT(message, ContainsSubstring("4096"));
    CHECK(message.size() < 300);

    const std::string huge(1 << 20, 'b');
    CHECK(rejection(huge).size() < 300);
}

TEST_CASE("rejected everywhere: spaces and control bytes", "[reference]") {
    CHECK_THAT(rejection("quay.io/a b"), ContainsSubstring("space at byte 9"));
    CHECK_THAT(rejection(" quay.io/a"), ContainsSubstring("space at byte 0"));
    CHECK_THAT(rejection("dir:/tmp/my dir"), ContainsSubstring("space"));
    CHECK_THAT(rejection("quay.io/a\nb"), ContainsSubstring("control byte 0x0a"));
    CHECK_THAT(rejection("quay.io/a\r"), ContainsSubstring("control byte 0x0d"));
    CHECK_THAT(rejection("quay.io/a\tb"), ContainsSubstring("control byte 0x09"));
    CHECK_THAT(rejection("oci:/tmp/a\x1b[2J"), ContainsSubstring("control byte 0x1b"));
    CHECK_THAT(rejection("quay.io/a\x7f"), ContainsSubstring("control byte 0x7f"));
    CHECK_THAT(rejection(std::string("quay.io/a\0b", 11)), ContainsSubstring("control byte 0x00"));
    // The message never carries the raw byte: it is written as \xNN.
    const std::string message = rejection("quay.io/a\nX-Injected: 1");
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, ContainsSubstring("\\x0a"));
}

TEST_CASE("registry references refuse query, fragment and escape bytes", "[reference]") {
    const std::string text =
        GENERATE("quay.io/a?b", "quay.io/a&tlsVerify=false", "quay.io/a#b", "quay.io/a%2fb",
                 "quay.io\\a", "docker://quay.io/a?x=1", "alpine&policy=never");
    CAPTURE(text);
    CHECK_THAT(rejection(text), ContainsSubstring("not allowed in a registry reference"));
}

TEST_CASE("paths of local transports may hold those bytes", "[reference]") {
    // They reach podman only as one argv element after "--".
    const std::string text =
        GENERATE("oci:/tmp/a?b#c", "dir:/tmp/50%", "oci-archive:/tmp/a&b.tar", "dir:C:\\x");
    CAPTURE(text);
    CHECK(parse_reference(text).text == text);
}

TEST_CASE("non-ASCII: refused in registry references, UTF-8 allowed in paths", "[reference]") {
    CHECK_THAT(rejection("quay.io/\xc3\xa9t\xc3\xa9"), ContainsSubstring("ASCII"));
    CHECK_THAT(rejection("docker://quay.io/a\xff"), ContainsSubstring("0xff"));
    // A no-break space (U+00A0) is not a space byte, but still not ASCII.
    CHECK_THAT(rejection("quay.io/a\xc2\xa0"), ContainsSubstring("ASCII"));

    CHECK(parse_reference("oci:/var/tmp/\xc3\xa9t\xc3\xa9").transport == Transport::oci);
    CHECK(parse_reference("dir:/tmp/\xe2\x80\xa6/\xf0\x9f\x93\xa6").transport == Transport::dir);
    const std::string bad_utf8 =
        GENERATE("oci:/tmp/\xff", "dir:/tmp/\xc3", "dir:/tmp/\xc0\xaf", "dir:/tmp/\xed\xa0\x80",
                 "dir:/tmp/\xf4\x90\x80\x80", "dir:/tmp/\xe2\x80");
    CAPTURE(bad_utf8);
    CHECK_THAT(rejection(bad_utf8), ContainsSubstring("not valid UTF-8"));
}

TEST_CASE("transports podpull does not serve, and URL schemes", "[reference]") {
    CHECK_THAT(rejection("sif:/tmp/x.sif"), ContainsSubstring("\"sif:\" transport"));
    CHECK_THAT(rejection("tarball:/tmp/x.tar"), ContainsSubstring("\"tarball:\" transport"));
    CHECK_THAT(rejection("ostree:x@/ostree/repo"), ContainsSubstring("\"ostree:\" transport"));
    CHECK_THAT(rejection("https://quay.io/x"),
               ContainsSubstring("\"https://\" is not a transport podman knows"));
    CHECK_THAT(rejection("oci-layout://x"), ContainsSubstring("not a transport"));
}

TEST_CASE("a transport with nothing after it", "[reference]") {
    CHECK_THAT(rejection("docker://"), ContainsSubstring("nothing follows the \"docker\""));
    CHECK_THAT(rejection("oci:"), ContainsSubstring("nothing follows the \"oci\""));
    CHECK_THAT(rejection("containers-storage:"),
               ContainsSubstring("nothing follows the \"containers-storage\""));
}

TEST_CASE("a rejection quotes a bounded, escaped excerpt of the reference", "[reference]") {
    const std::string text = "quay.io/" + std::string(200, 'z') + " tail";
    const std::string message = rejection(text);
    CHECK_THAT(message, ContainsSubstring("invalid image reference \"quay.io/zzz"));
    CHECK_THAT(message, ContainsSubstring("\"..."));
    CHECK(message.find("tail") == std::string::npos);
}

TEST_CASE("split_repository: name, tag and digest", "[reference]") {
    const std::string digest = "sha256:" + std::string(64, 'e');
    const auto [text, name, tag, digest_part] =
        GENERATE_COPY(table<std::string, std::string, std::string, std::string>({
            {"quay.io/example/foo:latest", "quay.io/example/foo", "latest", ""},
            {"quay.io/example/foo", "quay.io/example/foo", "", ""},
            {"localhost:5000/myimage:v1", "localhost:5000/myimage", "v1", ""},
            {"localhost:5000/myimage", "localhost:5000/myimage", "", ""},
            {"localhost:5000", "localhost", "5000", ""}, // the image "localhost", tag "5000"
            {"alpine", "alpine", "", ""},
            {"alpine:3.19", "alpine", "3.19", ""},
            {"docker://quay.io/x:1", "quay.io/x", "1", ""},
            {"quay.io/x@" + digest, "quay.io/x", "", digest},
            {"quay.io/x:1@" + digest, "quay.io/x", "1", digest},
            {"localhost:5000/x@" + digest, "localhost:5000/x", "", digest},
            {"docker:latest", "docker", "latest", ""},
        }));
    CAPTURE(text);
    const auto parts = podpull::split_repository(parse_reference(text));
    CHECK(parts.name == name);
    CHECK(parts.tag == tag);
    CHECK(parts.digest == digest_part);
}

TEST_CASE("split_repository: empty parts and local transports are refused", "[reference]") {
    for (const std::string text :
         {"quay.io/x:", "quay.io/x@", "quay.io/x:@sha256:ab", "docker://:tag", "@sha256:ab"}) {
        CAPTURE(text);
        const auto error =
            podpull_test::error_from([&] { podpull::split_repository(parse_reference(text)); });
        REQUIRE(error);
        CHECK(error->code() == ErrorCode::invalid_argument);
    }
    const auto error =
        podpull_test::error_from([&] { podpull::split_repository(parse_reference("oci:/tmp/x")); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    CHECK_THAT(error->what(), ContainsSubstring("oci: references have no registry repository"));
}

TEST_CASE("one Docker Hub rule: every name of it is docker.io", "[reference]") {
    for (const char *host : {"docker.io", "index.docker.io", "registry-1.docker.io"})
        CHECK(podpull::canonical_registry_host(host) == "docker.io");
    CHECK(podpull::canonical_registry_host("quay.io") == "quay.io");
    CHECK(podpull::canonical_registry_host("docker.io.example") == "docker.io.example");
    CHECK(podpull::registry_host(parse_reference("registry-1.docker.io/library/alpine")) ==
          "docker.io");
}

TEST_CASE("without_docker_prefix", "[reference]") {
    CHECK(podpull::without_docker_prefix(parse_reference("docker://quay.io/x:1")) == "quay.io/x:1");
    CHECK(podpull::without_docker_prefix(parse_reference("quay.io/x:1")) == "quay.io/x:1");
    const auto error = podpull_test::error_from(
        [] { podpull::without_docker_prefix(parse_reference("oci:/var/tmp/x")); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::internal);
}
