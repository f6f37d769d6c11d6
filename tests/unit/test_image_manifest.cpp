// SPDX-License-Identifier: MIT OR Apache-2.0
// The manifest step's pure parts: manifests parsed from recorded bodies, the
// platform a list's entry is chosen for, the step a pull plans, the blob events of the text
// routes' status lines, and tar headers.
#include "core/copy_text.hpp"
#include "core/image_manifest.hpp"
#include "core/manifest_step.hpp"
#include "core/sha256.hpp"
#include "core/tar_header.hpp"

#include "podpull_test/core.hpp"
#include "recorded_manifests.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <catch2/matchers/catch_matchers_vector.hpp>

#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::Equals;
using namespace podpull;

namespace {

std::uint64_t sum(const std::vector<BlobDescriptor> &blobs) {
    return std::accumulate(blobs.begin(), blobs.end(), std::uint64_t{0},
                           [](std::uint64_t n, const BlobDescriptor &b) { return n + b.size; });
}

std::string refusal(std::string_view raw) {
    const auto error = podpull_test::error_from([&] { parse_manifest(raw); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::protocol);
    return error->what();
}

const Platform amd64{"linux", "amd64", ""};

} // namespace

TEST_CASE("manifest: the OS image's OCI manifest gives 49 blobs and 133,489,331 bytes",
          "[manifest]") {
    const Manifest parsed = parse_manifest(recorded::os_image_manifest);
    const auto *image = std::get_if<ImageManifest>(&parsed);
    REQUIRE(image != nullptr);
    CHECK(image->layers.size() == 48);
    CHECK(image->config.digest ==
          "sha256:3bd7cd15e3f51c8ff76ab2438b07c91bd0ac8778d185b1f9cec9bb75c6812521");
    CHECK(image->config.size == 7262);
    const auto blobs = image_blobs(*image);
    CHECK(blobs.size() == 49);
    CHECK(blobs.back() == image->config); // layers first, then the config
    CHECK(sum(blobs) == 133489331);
}

TEST_CASE("manifest: Docker v2 schema 2", "[manifest]") {
    const Manifest parsed = parse_manifest(recorded::docker_v2_manifest);
    const auto *image = std::get_if<ImageManifest>(&parsed);
    REQUIRE(image != nullptr);
    CHECK_THAT(
        image_blobs(*image),
        Equals(std::vector<BlobDescriptor>{
            {"sha256:25a10d9867dfd9a14dd0ad2c3690c8d5b71eee07a54e110f388830114d92ba65", 2097944},
            {"sha256:0313cb0b981ceb1c711a0d6e3bc11bbde1051cdf1c77212cde8038c1b563c760", 1049277},
            {"sha256:db188782545a96f6304a3596cb61257fbf1b8c7e9665da1ac17dd98ed2d3c6bb", 757}}));
}

TEST_CASE("manifest: a layer listed twice is one blob", "[manifest]") {
    const std::string d = "sha256:" + std::string(64, 'e');
    const std::string c = "sha256:" + std::string(64, 'f');
    const std::string raw = R"({"schemaVersion":2,"config":{"digest":")" + c +
                            R"(","size":3},"layers":[{"digest":")" + d +
                            R"(","size":32},{"digest":")" + d + R"(","size":32}]})";
    const auto image = std::get<ImageManifest>(parse_manifest(raw));
    CHECK(image.layers.size() == 2);
    CHECK(image_blobs(image).size() == 2);
    CHECK(sum(image_blobs(image)) == 35);
}

TEST_CASE("manifest: an OCI index and a Docker list, with and without mediaType", "[manifest]") {
    const auto index = std::get<ManifestList>(parse_manifest(recorded::oci_index));
    REQUIRE(index.entries.size() == 3);
    CHECK(index.entries[1].platform == Platform{"linux", "arm64", "v8"});
    CHECK(index.entries[1].manifest.size == 1021);
    const auto list = std::get<ManifestList>(parse_manifest(recorded::docker_list));
    CHECK(list.entries.size() == 4);
    // OCI lets mediaType out: the fields tell
    std::string bare(recorded::oci_index);
    bare.replace(bare.find(R"("mediaType": "application/vnd.oci.image.index.v1+json",)"),
                 std::strlen(R"("mediaType": "application/vnd.oci.image.index.v1+json",)"), "");
    CHECK(std::holds_alternative<ManifestList>(parse_manifest(bare)));
}

TEST_CASE("manifest: what is refused, and why", "[manifest]") {
    CHECK_THAT(refusal(recorded::docker_schema1), ContainsSubstring("schema 1"));
    CHECK_THAT(refusal("not json"), ContainsSubstring("not JSON"));
    CHECK_THAT(refusal("[1,2]"), ContainsSubstring("not a JSON object"));
    CHECK_THAT(refusal(R"({"mediaType":"application/vnd.example+json"})"),
               ContainsSubstring("media type"));
    CHECK_THAT(refusal(R"({"schemaVersion":2})"), ContainsSubstring("neither"));
    const std::string c = R"({"digest":"sha256:)" + std::string(64, 'c') + R"(","size":1})";
    CHECK_THAT(refusal(R"({"config":)" + c + "}"), ContainsSubstring("no \"layers\""));
    CHECK_THAT(refusal(R"({"config":)" + c + R"(,"layers":[{"digest":"md5:abc","size":1}]})"),
               ContainsSubstring("digest"));
    CHECK_THAT(refusal(R"({"config":)" + c + R"(,"layers":[{"digest":"sha256:)" +
                       std::string(64, 'A') + R"(","size":1}]})"),
               ContainsSubstring("digest")); // upper case: not what a registry sends
    CHECK_THAT(refusal(R"({"config":)" + c + R"(,"layers":[{"digest":"sha256:)" +
                       std::string(64, 'a') + R"(","size":-1}]})"),
               ContainsSubstring("byte count"));
    CHECK_THAT(refusal(R"({"config":)" + c + R"(,"layers":[{"digest":"sha256:)" +
                       std::string(64, 'a') + R"("}]})"),
               ContainsSubstring("without a size"));
    CHECK_THAT(refusal(R"({"manifests":[{"digest":"sha256:)" + std::string(64, 'a') +
                       R"(","size":1,"platform":"linux"}]})"),
               ContainsSubstring("platform"));
    // oversized: over containers/image's 4 MiB, whatever it holds
    const std::string huge(max_manifest_bytes + 1, ' ');
    CHECK_THAT(refusal(huge), ContainsSubstring("larger than"));
}

TEST_CASE("manifest: digests podpull lets into a command line", "[manifest]") {
    CHECK(is_blob_digest("sha256:" + std::string(64, '0')));
    CHECK(is_blob_digest("sha512:" + std::string(128, 'f')));
    CHECK_FALSE(is_blob_digest("sha256:" + std::string(63, '0')));
    CHECK_FALSE(is_blob_digest("sha256:" + std::string(63, '0') + "-"));
    CHECK_FALSE(is_blob_digest("sha384:" + std::string(96, '0')));
    CHECK_FALSE(is_blob_digest(""));
}

TEST_CASE("platform: the host's, and the one a pull asks for", "[manifest][platform]") {
    CHECK(host_platform("x86_64") == amd64);
    CHECK(host_platform("aarch64") == Platform{"linux", "arm64", "v8"});
    CHECK(host_platform("armv7l") == Platform{"linux", "arm", "v7"});
    CHECK(host_platform("riscv64") == Platform{"linux", "riscv64", ""});
    PullParameters params;
    CHECK(wanted_platform(params, host_platform("aarch64")) == Platform{"linux", "arm64", "v8"});
    params.arch = "arm64";
    CHECK(wanted_platform(params, amd64) == Platform{"linux", "arm64", ""});
    params.variant = "v8";
    CHECK(wanted_platform(params, amd64) == Platform{"linux", "arm64", "v8"});
    params = {};
    params.os = "windows";
    CHECK(wanted_platform(params, amd64) == Platform{"windows", "amd64", ""});
    params = {};
    params.arch = "arm";
    CHECK(wanted_platform(params, host_platform("aarch64")) == Platform{"linux", "arm", ""});
}

TEST_CASE("platform: a list's entry, as containers/image picks it", "[manifest][platform]") {
    const auto index = std::get<ManifestList>(parse_manifest(recorded::oci_index));
    const auto list = std::get<ManifestList>(parse_manifest(recorded::docker_list));
    auto digest_for = [](const ManifestList &l, const Platform &p) {
        const auto entry = select_platform(l, p);
        return entry ? entry->manifest.digest.substr(7, 4) : std::string("none");
    };
    CHECK(digest_for(index, amd64) == "1111");
    CHECK(digest_for(index, Platform{"linux", "arm64", "v8"}) == "2222");
    CHECK(digest_for(index, Platform{"linux", "arm64", ""}) == "2222"); // "" and v8 are one
    CHECK(digest_for(list, Platform{"linux", "arm", "v7"}) == "bbbb");
    CHECK(digest_for(list, Platform{"linux", "arm", "v6"}) == "none");
    CHECK(digest_for(list, Platform{"linux", "arm", ""}) == "bbbb"); // no variant asked: first
    CHECK(digest_for(list, Platform{"linux", "ppc64le", ""}) == "none");
    CHECK(digest_for(index, Platform{"unknown", "unknown", ""}) == "3333");
}

TEST_CASE("manifest step: a list is followed once, by the platform's entry", "[manifest][step]") {
    const auto reading =
        read_manifest(recorded::docker_list, Platform{"linux", "s390x", ""}, false);
    CHECK_FALSE(reading.image);
    REQUIRE(reading.follow);
    CHECK(reading.follow->digest.substr(7, 4) == "dddd");
    const auto image = read_manifest(recorded::os_image_manifest, amd64, true);
    REQUIRE(image.image);
    CHECK(image.image->blobs.size() == 49);
    CHECK(image.image->layer_count() == 48);
    CHECK_FALSE(image.follow);
    // a list inside a list is refused, as podman refuses it
    const auto nested =
        podpull_test::error_from([&] { read_manifest(recorded::oci_index, amd64, true); });
    REQUIRE(nested);
    CHECK(nested->code() == ErrorCode::protocol);
    const auto missing = podpull_test::error_from([&] {
        read_manifest(recorded::oci_index, Platform{"linux", "s390x", ""}, false);
    });
    REQUIRE(missing);
    CHECK(missing->code() == ErrorCode::not_found);
    CHECK_THAT(missing->what(), ContainsSubstring("linux/s390x"));
}

TEST_CASE("manifest step: an OCI layout's index.json, by ref name or its only image",
          "[manifest][step]") {
    const std::string one =
        R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
        std::string(64, '4') + R"(","size":400}]})";
    CHECK(read_layout_index(one, "").digest == "sha256:" + std::string(64, '4'));
    const std::string named =
        R"({"schemaVersion":2,"manifests":[{"digest":"sha256:)" + std::string(64, '5') +
        R"(","size":1,"annotations":{"org.opencontainers.image.ref.name":"v1"}},{"digest":"sha256:)" +
        std::string(64, '6') +
        R"(","size":2,"annotations":{"org.opencontainers.image.ref.name":"v2"}}]})";
    CHECK(read_layout_index(named, "v2").size == 2);
    CHECK(podpull_test::error_from([&] { read_layout_index(named, ""); })->code() ==
          ErrorCode::not_found);
    CHECK(podpull_test::error_from([&] { read_layout_index(named, "v3"); })->code() ==
          ErrorCode::not_found);
}

TEST_CASE("manifest step: what a pull plans", "[manifest][step]") {
    ManifestFacts facts;
    facts.skopeo = "/usr/bin/skopeo";
    facts.host = amd64;
    facts.registries_conf = "/etc/podpull/registries.conf";
    PullParameters params;
    params.tls_verify = false;
    params.retries = 3;

    const auto registry = plan_manifest(parse_reference("127.0.0.1:5000/podpull/os:v1"), params,
                                        ManifestCredentials::auth_file, facts);
    const auto *step = std::get_if<RegistryManifestStep>(&registry.source);
    REQUIRE(step != nullptr);
    CHECK_THAT(step->argv,
               Equals(std::vector<std::string>{
                   "/usr/bin/skopeo", "--registries-conf", "/etc/podpull/registries.conf",
                   "inspect", "--raw", "--tls-verify=false", "--authfile", "/proc/self/fd/4",
                   "--retry-times", "3", "--", "docker://127.0.0.1:5000/podpull/os:v1"}));
    CHECK(step->reads_auth_file);
    CHECK(registry.timeout == manifest_timeout);
    const std::string digest = "sha256:" + std::string(64, '7');
    CHECK(argv_for_digest(*step, digest).back() == "docker://127.0.0.1:5000/podpull/os@" + digest);
    CHECK(podpull_test::error_from([&] { argv_for_digest(*step, "sha256:x --evil"); }));
    CHECK(describe_manifest_step(registry) ==
          "reading the manifest alongside the pull: /usr/bin/skopeo --registries-conf "
          "/etc/podpull/registries.conf inspect --raw --tls-verify=false --authfile "
          "/proc/self/fd/4 --retry-times 3 -- docker://127.0.0.1:5000/podpull/os:v1");

    // no credentials, TLS verified, a stall timeout shorter than the step's own
    params = {};
    params.stall_timeout_ms = 5000;
    facts.registries_conf.reset();
    const auto plain =
        plan_manifest(parse_reference("docker://quay.io/a/b@sha256:" + std::string(64, '8')),
                      params, ManifestCredentials::own_lookup, facts);
    CHECK_THAT(
        std::get<RegistryManifestStep>(plain.source).argv,
        Equals(std::vector<std::string>{"/usr/bin/skopeo", "inspect", "--raw", "--",
                                        "docker://quay.io/a/b@sha256:" + std::string(64, '8')}));
    CHECK_FALSE(std::get<RegistryManifestStep>(plain.source).reads_auth_file);
    CHECK(plain.timeout == std::chrono::milliseconds(5000));

    // the host's auth file holds none for the image: anonymous, and no auth file to read
    const auto anonymous = plan_manifest(parse_reference("quay.io/a/b:v1"), params,
                                         ManifestCredentials::anonymous, facts);
    const auto &anonymous_step = std::get<RegistryManifestStep>(anonymous.source);
    CHECK_THAT(anonymous_step.argv,
               Equals(std::vector<std::string>{"/usr/bin/skopeo", "inspect", "--raw", "--no-creds",
                                               "--", "docker://quay.io/a/b:v1"}));
    CHECK_FALSE(anonymous_step.reads_auth_file);

    auto unavailable = [&](std::string_view image, const PullParameters &p,
                           const ManifestFacts &f) {
        const auto s = plan_manifest(parse_reference(image), p, ManifestCredentials::own_lookup, f);
        CHECK(std::holds_alternative<std::monostate>(s.source));
        return s.unavailable;
    };
    CHECK_THAT(unavailable("alpine", {}, facts), ContainsSubstring("short name"));
    PullParameters never;
    never.policy = PullPolicy::never;
    CHECK_THAT(unavailable("quay.io/a/b", never, facts), ContainsSubstring("never"));
    ManifestFacts no_skopeo = facts;
    no_skopeo.skopeo.reset();
    CHECK_THAT(unavailable("quay.io/a/b", {}, no_skopeo), ContainsSubstring("skopeo"));
    CHECK_THAT(unavailable("docker-archive:/tmp/x.tar", {}, facts),
               ContainsSubstring("docker-archive"));

    const auto archive = plan_manifest(parse_reference("oci-archive:/tmp/a.tar:v1"), {},
                                       ManifestCredentials::own_lookup,
                                       no_skopeo); // local files need no skopeo
    const auto &local = std::get<LocalManifestStep>(archive.source);
    CHECK(local.transport == Transport::oci_archive);
    CHECK(local.path == "/tmp/a.tar");
    CHECK(local.ref_name == "v1");
    const auto dir =
        plan_manifest(parse_reference("dir:/tmp/d"), {}, ManifestCredentials::own_lookup, facts);
    CHECK(std::get<LocalManifestStep>(dir.source).path == "/tmp/d");
    const auto layout =
        plan_manifest(parse_reference("oci:/tmp/l"), {}, ManifestCredentials::own_lookup, facts);
    CHECK(std::get<LocalManifestStep>(layout.source).ref_name.empty());
}

TEST_CASE("manifest step: what on_route's reason says", "[manifest][step]") {
    const auto summary =
        summarize_manifest(std::get<ImageManifest>(parse_manifest(recorded::os_image_manifest)),
                           recorded::os_image_manifest);
    CHECK(manifest_note(summary, "skopeo inspect, 170 ms") ==
          "blob sizes from the image's manifest before the first byte (49 blobs, 133489331 bytes, "
          "skopeo inspect, 170 ms)");
    CHECK(no_manifest_note("skopeo, which reads the manifest, is not in PATH") ==
          "no blob sizes before the bytes: skopeo, which reads the manifest, is not in PATH");
}

TEST_CASE("manifest summary: the digest of the bytes as served, and which blobs are layers",
          "[manifest]") {
    const std::string raw(recorded::os_image_manifest);
    const auto image = std::get<ImageManifest>(parse_manifest(raw));
    const auto summary = summarize_manifest(image, raw);
    // sha256sum of the recorded manifest's bytes: the digest a registry serves it under.
    CHECK(summary.digest == podpull::sha256_digest(raw));
    CHECK(summary.digest.size() == 7 + 64);
    CHECK(summary.config == image.config.digest);
    CHECK(summary.layer_count() == image.layers.size());
    CHECK(summary.is_layer(image.layers.front().digest));
    CHECK_FALSE(summary.is_layer(image.config.digest));
    CHECK_FALSE(summary.is_layer("sha256:" + std::string(64, '0')));
    // The same manifest with another byte is another image manifest.
    CHECK(summarize_manifest(image, raw + " ").digest != summary.digest);
}

// ---- the text routes --------------------------------------------------------------------------

namespace {

std::vector<std::string> text_events(const std::vector<std::string> &lines) {
    CopyTextReader reader;
    std::vector<std::string> out;
    for (const auto &line : lines) {
        std::vector<BlobEvent> events;
        reader.read(line, events);
        for (const auto &e : events) {
            const char *phase = e.phase == BlobPhase::started    ? "started"
                                : e.phase == BlobPhase::finished ? "finished"
                                : e.phase == BlobPhase::skipped  ? "skipped"
                                                                 : "progressing";
            out.push_back(e.id.substr(0, 11) + " " + phase);
        }
    }
    return out;
}

} // namespace

TEST_CASE("copy text: podman's status lines, as every release prints them", "[copy_text]") {
    // podman 4.3.1 to 6.1.1, libpod text body and `podman pull` alike (docs/podman.md)
    const std::vector<std::string> lines = {
        "Trying to pull 127.0.0.1:40121/podpull/mini-b:v1...",
        "Getting image source signatures",
        "Copying blob sha256:208ad5148efa0badd7c38af3007fb41d0e50d098fbe81a1a3b756d6d06f8bdd7",
        "Copying blob sha256:25a10d9867dfd9a14dd0ad2c3690c8d5b71eee07a54e110f388830114d92ba65",
        "Copying config sha256:42b6f987cb21ce2a901ada90573a073a1d30a9041021e49b60e8694b3d5f3ad7",
        "Writing manifest to image destination",
        "Storing signatures",
    };
    CHECK_THAT(text_events(lines),
               Equals(std::vector<std::string>{"sha256:208a started", "sha256:25a1 started",
                                               "sha256:208a finished", "sha256:25a1 finished",
                                               "sha256:42b6 started", "sha256:42b6 finished"}));
}

TEST_CASE("copy text: skips, repeats and lines that are not about blobs", "[copy_text]") {
    const std::string d = "sha256:" + std::string(64, '1');
    CHECK_THAT(text_events({"Copying blob " + d + " skipped: already exists", "Copying blob " + d,
                            "Copying blob " + d, "Copying blob sha256:12", "Copying blob",
                            "Copying config not-a-digest", "Error: nothing"}),
               Equals(std::vector<std::string>{"sha256:1111 skipped", "sha256:1111 started",
                                               "sha256:1111 started"}));
    // a "Writing manifest" without a config line finishes the layers still open
    CHECK_THAT(text_events({"Copying blob " + d, "Writing manifest to image destination"}),
               Equals(std::vector<std::string>{"sha256:1111 started", "sha256:1111 finished"}));
}

// ---- tar headers ------------------------------------------------------------------------------

namespace {

std::string tar_block_for(const std::string &name, std::uint64_t size, char type = '0',
                          const std::string &prefix = "") {
    std::string block(tar_block, '\0');
    std::memcpy(block.data(), name.data(), std::min<std::size_t>(name.size(), 100));
    std::snprintf(block.data() + 100, 8, "%07o", 0644);
    char octal[12];
    std::snprintf(octal, sizeof octal, "%011llo", static_cast<unsigned long long>(size));
    std::memcpy(block.data() + 124, octal, 11);
    block[156] = type;
    std::memcpy(block.data() + 257, "ustar", 5);
    std::memcpy(block.data() + 263, "00", 2);
    std::memcpy(block.data() + 345, prefix.data(), std::min<std::size_t>(prefix.size(), 155));
    std::memset(block.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (const char c : block)
        sum += static_cast<unsigned char>(c);
    std::snprintf(block.data() + 148, 8, "%06o", sum);
    return block;
}

} // namespace

TEST_CASE("tar: ustar headers, names with a prefix, the end, and a bad checksum", "[tar]") {
    const auto header = parse_tar_header(tar_block_for("./index.json", 1234));
    REQUIRE(header);
    CHECK(header->name == "index.json");
    CHECK(header->size == 1234);
    CHECK(header->type == '0');
    CHECK(header->data_blocks() == 3);
    const auto prefixed = parse_tar_header(tar_block_for("x", 0, '0', "blobs/sha256"));
    CHECK(prefixed->name == "blobs/sha256/x");
    CHECK(prefixed->data_blocks() == 0);
    CHECK_FALSE(parse_tar_header(std::string(tar_block, '\0')));
    std::string bad = tar_block_for("index.json", 1);
    bad[0] = 'j';
    CHECK(podpull_test::error_from([&] { parse_tar_header(bad); })->code() == ErrorCode::protocol);
    CHECK(podpull_test::error_from([&] { parse_tar_header("short"); })->code() ==
          ErrorCode::protocol);
    // GNU's base-256 size, for a member past 8 GiB
    std::string big = tar_block_for("layer", 0);
    std::memset(big.data() + 124, 0, 12);
    big[124] = static_cast<char>(0x80);
    big[131] = 0x02; // 2 << 32
    std::memset(big.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (const char c : big)
        sum += static_cast<unsigned char>(c);
    std::snprintf(big.data() + 148, 8, "%06o", sum);
    CHECK(parse_tar_header(big)->size == (std::uint64_t{2} << 32));
}
