// SPDX-License-Identifier: MIT OR Apache-2.0
// bootc's progress events (core/bootc_progress): the shapes bootc's deploy.rs sends while it
// fetches layers, from what a pull's host hears; and the canonical JSON they are written in.
#include "core/bootc_progress.hpp"
#include "core/canonical_json.hpp"

#include "podpull_test/core.hpp"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using podpull::BlobProgress;
using podpull::BlobState;
using podpull::BootcEvent;
using podpull::BootcEventStream;
using podpull::BootcPullEvents;
using podpull::canonical_json;

namespace json = boost::json;

namespace {

const std::string layer_a = "sha256:" + std::string(64, 'a');
const std::string layer_b = "sha256:" + std::string(64, 'b');
const std::string config = "sha256:" + std::string(64, 'c');
const std::string manifest_digest = "sha256:" + std::string(64, 'd');

// An image of two layers of 1000 and 500 bytes and a config of 10.
podpull::ManifestSummary two_layers() {
    return {manifest_digest, {{layer_a, 1000}, {layer_b, 500}, {config, 10}}, config};
}

BlobProgress report(const std::string &id, BlobState state, std::uint64_t current,
                    std::int64_t total, std::uint64_t pull_current, std::uint64_t pull_cached,
                    std::uint32_t done) {
    BlobProgress p;
    p.id = id;
    p.state = state;
    p.current = current;
    p.total = total;
    p.pull_current = pull_current;
    p.pull_total = 1510;
    p.pull_cached = pull_cached;
    p.blobs_total = 3;
    p.blobs_done = done;
    return p;
}

json::object parsed(const BootcEvent &event) {
    return json::parse(event.line).as_object();
}

} // namespace

TEST_CASE("canonical JSON: sorted keys, no whitespace, only the escapes JSON requires",
          "[bootc-progress][canonical-json]") {
    const json::object value{{"type", "Start"},
                             {"b", json::array{1, "x", true, nullptr}},
                             {"a", "\"\\\n\t\x01 é/"},
                             {"bytesTotal", 3},
                             {"bytes", 2},
                             {"bytesCached", 1}};
    CHECK(canonical_json(value) == R"({"a":"\"\\\n\t\u0001 é/","b":[1,"x",true,null],)"
                                   R"("bytes":2,"bytesCached":1,"bytesTotal":3,"type":"Start"})");
    CHECK(canonical_json(json::object{}) == "{}");
    CHECK(canonical_json(json::value(std::uint64_t{18446744073709551615u})) ==
          "18446744073709551615");
    const auto floating = podpull_test::error_from([] { canonical_json(json::value(1.5)); });
    REQUIRE(floating);
    const auto invalid = podpull_test::error_from([] { canonical_json(json::value("\xff")); });
    REQUIRE(invalid);
}

TEST_CASE("bootc events: Start is bootc's, byte for byte", "[bootc-progress]") {
    CHECK(podpull::bootc_start_event() == R"({"type":"Start","version":"0.1.0"})");
}

TEST_CASE("bootc events: a pull with a manifest, in deploy.rs's shapes", "[bootc-progress]") {
    BootcPullEvents events("127.0.0.1:5000/podpull/os:v1");
    events.manifest_read(two_layers());

    // The first event says what the task is, and is never dropped.
    auto first = events.blob(report(layer_a, BlobState::started, 0, 1000, 0, 0, 0));
    REQUIRE(first.size() == 1);
    CHECK_FALSE(first[0].lossy);
    CHECK(first[0].line ==
          R"({"bytes":0,"bytesCached":0,"bytesTotal":1510,"description":"Pulling Image: )" +
              manifest_digest + R"(","id":")" + manifest_digest +
              R"(","steps":0,"stepsCached":0,"stepsTotal":2,"subtasks":[{"bytes":0,)"
              R"("bytesCached":0,"bytesTotal":1000,"description":"layer: aaaaaaaaaaaaaaaaaaaaa",)"
              R"("id":"aaaaaaaaaaaaaaaaaaaaa","subtask":"layer"}],"task":"pulling",)"
              R"("type":"ProgressBytes"})");

    // Bytes of a layer: lossy.
    auto bytes = events.blob(report(layer_a, BlobState::pulling, 400, 1000, 400, 0, 0));
    REQUIRE(bytes.size() == 1);
    CHECK(bytes[0].lossy);
    CHECK(parsed(bytes[0]).at("bytes").as_int64() == 400);

    // A layer the storage had: cached, not a subtask; what is left to fetch shrinks.
    auto skipped = events.blob(report(layer_b, BlobState::skipped, 0, 500, 900, 500, 1));
    REQUIRE(skipped.size() == 1);
    auto e = parsed(skipped[0]);
    CHECK(e.at("bytesCached").as_int64() == 500);
    CHECK(e.at("bytes").as_int64() == 400);
    CHECK(e.at("bytesTotal").as_int64() == 1010);
    CHECK(e.at("stepsCached").as_int64() == 1);
    CHECK(e.at("stepsTotal").as_int64() == 1);
    CHECK(e.at("subtasks").as_array().size() == 1);

    // A layer finishing is always sent, and stays in the list at its size.
    auto done = events.blob(report(layer_a, BlobState::done, 1000, 1000, 1500, 500, 2));
    REQUIRE(done.size() == 1);
    CHECK_FALSE(done[0].lossy);
    e = parsed(done[0]);
    CHECK(e.at("steps").as_int64() == 1);
    const auto &subtask = e.at("subtasks").as_array().at(0).as_object();
    CHECK(subtask.at("bytes").as_int64() == 1000);
    CHECK(subtask.at("bytesTotal").as_int64() == 1000);

    // The config is no step and no subtask; once every blob is stored, podman stores the image.
    auto stored = events.blob(report(config, BlobState::done, 10, 10, 1510, 500, 3));
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].lossy);
    e = parsed(stored[0]);
    CHECK(e.at("bytes").as_int64() == 1010);
    CHECK(e.at("bytesTotal").as_int64() == 1010);
    CHECK(e.at("subtasks").as_array().size() == 1);
    CHECK_FALSE(stored[1].lossy);
    CHECK(stored[1].line ==
          R"({"description":"Storing Image","id":")" + manifest_digest +
              R"(","steps":0,"stepsCached":0,"stepsTotal":1,"subtasks":[{"completed":false,)"
              R"("description":"Storing Image","id":"storing","subtask":"storing"}],)"
              R"("task":"storing","type":"ProgressSteps"})");

    // The end: the result's figures, then the step done. Nothing is dropped.
    const auto last = events.succeeded({1010, 500, 3, 1});
    REQUIRE(last.size() == 2);
    CHECK_FALSE(last[0].lossy);
    e = parsed(last[0]);
    CHECK(e.at("bytes").as_int64() == 1010);
    CHECK(e.at("bytesTotal").as_int64() == 1010);
    CHECK(e.at("bytesCached").as_int64() == 500);
    CHECK(e.at("steps").as_int64() == 1);
    CHECK(e.at("stepsTotal").as_int64() == 1);
    CHECK(e.at("stepsCached").as_int64() == 1);
    CHECK_FALSE(last[1].lossy);
    CHECK_THAT(last[1].line, ContainsSubstring(R"("completed":true)"));
    CHECK_THAT(last[1].line, ContainsSubstring(R"("steps":1,)"));
}

TEST_CASE("bootc events: without a manifest the task is the reference, every blob a layer",
          "[bootc-progress]") {
    BootcPullEvents events("quay.io/x:1");
    BlobProgress p;
    p.id = "0123456789ab"; // a compat route's short id
    p.state = BlobState::pulling;
    p.current = 10;
    p.pull_current = 10;
    p.pull_total = 10;
    auto out = events.blob(p);
    REQUIRE(out.size() == 1);
    const auto e = parsed(out[0]);
    CHECK(e.at("id").as_string() == "quay.io/x:1");
    CHECK(e.at("description").as_string() == "Pulling Image: quay.io/x:1");
    CHECK(e.at("stepsTotal").as_int64() == 1);
    CHECK(e.at("subtasks").as_array().at(0).as_object().at("id").as_string() == "0123456789ab");
    // No manifest: the storing step comes only with the result.
    const auto last = events.succeeded({10, 0, 0, 0});
    REQUIRE(last.size() == 3);
    CHECK_THAT(last[1].line, ContainsSubstring(R"("completed":false)"));
    CHECK_THAT(last[2].line, ContainsSubstring(R"("completed":true)"));
}

TEST_CASE("bootc events: bytes never go back, and a repeat is no event", "[bootc-progress]") {
    BootcPullEvents events("r");
    events.manifest_read(two_layers());
    auto a = report(layer_a, BlobState::pulling, 300, 1000, 300, 0, 0);
    REQUIRE(events.blob(a).size() == 1);
    CHECK(events.blob(a).empty()); // the same line again
    auto lower = report(layer_a, BlobState::pulling, 300, 1000, 200, 0, 0);
    const auto out = events.blob(lower);
    for (const auto &event : out)
        CHECK(parsed(event).at("bytes").as_int64() >= 300);
}

TEST_CASE("bootc events: the stream writes Start once, and drops lossy events within 200 ms",
          "[bootc-progress]") {
    using namespace std::chrono_literals;
    const BootcEventStream::Clock::time_point t0{};
    BootcEventStream stream;
    const BootcEvent required{"R", false}, lossy{"L", true};
    CHECK(stream.accept(lossy, t0) ==
          std::vector<std::string>{R"({"type":"Start","version":"0.1.0"})", "L"});
    CHECK(stream.accept(lossy, t0 + 199ms).empty());
    CHECK(stream.accept(required, t0 + 199ms) == std::vector<std::string>{"R"});
    CHECK(stream.accept(lossy, t0 + 300ms).empty()); // 101 ms after R
    CHECK(stream.accept(lossy, t0 + 399ms) == std::vector<std::string>{"L"});

    BootcEventStream after_host_start(true);
    CHECK(after_host_start.accept(lossy, t0) == std::vector<std::string>{"L"});
}
