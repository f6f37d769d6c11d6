// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/jsonmessage_decoder.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>
#include <variant>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using podpull::BlobEvent;
using podpull::BlobPhase;
using podpull::ErrorCode;
using podpull::FailedEvent;
using podpull::PullEvent;
using podpull::StatusEvent;

namespace {

std::vector<PullEvent> decode(std::string_view line) {
    return podpull_test::decode_with(podpull::decode_jsonmessage_line, line);
}

// The protocol Error that decoding `line` throws; fails the test when there is none.
std::string protocol_error(std::string_view line) {
    return podpull_test::protocol_error_of(podpull::decode_jsonmessage_line, line);
}

// The one BlobEvent that `line` gives.
BlobEvent only_blob(std::string_view line) {
    const auto events = decode(line);
    REQUIRE(events.size() == 1);
    REQUIRE(std::holds_alternative<BlobEvent>(events[0]));
    return std::get<BlobEvent>(events[0]);
}

// The one FailedEvent that `line` gives.
FailedEvent only_failure(std::string_view line) {
    const auto events = decode(line);
    REQUIRE(events.size() == 1);
    REQUIRE(std::holds_alternative<FailedEvent>(events[0]));
    return std::get<FailedEvent>(events[0]);
}

std::vector<std::string> status_texts(const std::vector<PullEvent> &events) {
    std::vector<std::string> texts;
    for (const auto &event : events) {
        REQUIRE(std::holds_alternative<StatusEvent>(event));
        texts.push_back(std::get<StatusEvent>(event).text);
    }
    return texts;
}

} // namespace

TEST_CASE("jsonmessage: the lines podman sends, as docs/podman.md describes them",
          "[jsonmessage]") {
    SECTION("Pulling fs layer: started, nothing known yet") {
        const auto blob =
            only_blob(R"({"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"})");
        CHECK(blob.id == "855e90a27705");
        CHECK(blob.phase == BlobPhase::started);
        CHECK_FALSE(blob.current);
        CHECK_FALSE(blob.total);
    }
    SECTION("Downloading: bytes so far and the total") {
        const auto blob = only_blob(
            R"({"status":"Downloading","progressDetail":{"current":19003392,"total":73407797},"progress":"[====>   ]  19MB/73.41MB","id":"855e90a27705"})");
        CHECK(blob.id == "855e90a27705");
        CHECK(blob.phase == BlobPhase::progressing);
        CHECK(blob.current == 19003392u);
        CHECK(blob.total == 73407797);
    }
    SECTION("Download complete: finished") {
        const auto blob =
            only_blob(R"({"status":"Download complete","progressDetail":{},"id":"855e90a27705"})");
        CHECK(blob.phase == BlobPhase::finished);
        CHECK_FALSE(blob.current);
        CHECK_FALSE(blob.total);
    }
    SECTION("Already exists: skipped") {
        const auto blob =
            only_blob(R"({"status":"Already exists","progressDetail":{},"id":"aabbccddeeff"})");
        CHECK(blob.id == "aabbccddeeff");
        CHECK(blob.phase == BlobPhase::skipped);
    }
}

TEST_CASE("jsonmessage: Downloading and its omitted numbers", "[jsonmessage]") {
    SECTION("current omitted (offset 0): a start that knows its total") {
        const auto blob = only_blob(
            R"({"status":"Downloading","progressDetail":{"total":500},"id":"855e90a27705"})");
        CHECK(blob.phase == BlobPhase::started);
        CHECK_FALSE(blob.current);
        CHECK(blob.total == 500);
    }
    SECTION("total -1: unknown size") {
        const auto blob = only_blob(
            R"({"status":"Downloading","progressDetail":{"current":10,"total":-1},"id":"x"})");
        CHECK(blob.phase == BlobPhase::progressing);
        CHECK(blob.current == 10u);
        CHECK(blob.total == -1);
    }
    SECTION("total omitted (size 0 in Go)") {
        const auto blob =
            only_blob(R"({"status":"Downloading","progressDetail":{"current":10},"id":"x"})");
        CHECK(blob.current == 10u);
        CHECK_FALSE(blob.total);
    }
    SECTION("no progressDetail at all") {
        const auto blob = only_blob(R"({"status":"Downloading","id":"x"})");
        CHECK(blob.phase == BlobPhase::started);
        CHECK_FALSE(blob.current);
        CHECK_FALSE(blob.total);
    }
    SECTION("null counts as absent") {
        const auto blob = only_blob(
            R"({"status":"Downloading","progressDetail":{"current":null,"total":null},"id":"x","stream":null,"error":null,"errorDetail":null})");
        CHECK(blob.phase == BlobPhase::started);
    }
    SECTION("start, hidecounts and units are ignored") {
        const auto blob = only_blob(
            R"({"status":"Downloading","progressDetail":{"current":3,"total":9,"start":1700000000,"hidecounts":true,"units":"bytes"},"id":"x"})");
        CHECK(blob.current == 3u);
        CHECK(blob.total == 9);
    }
}

TEST_CASE("jsonmessage: Docker's other per-layer statuses", "[jsonmessage]") {
    SECTION("Waiting: started") {
        CHECK(only_blob(R"({"status":"Waiting","progressDetail":{},"id":"x"})").phase ==
              BlobPhase::started);
    }
    SECTION("Pull complete: finished (the final line of podman 4.0 to 4.7 on a libpod path)") {
        CHECK(only_blob(R"({"status":"Pull complete","progressDetail":{},"id":"x"})").phase ==
              BlobPhase::finished);
    }
    SECTION("no event: checksums, extraction, retries, unknown statuses with an id") {
        // Extracting's numbers count unpacked bytes; they must not move a blob's progress.
        CHECK(decode(R"({"status":"Extracting","progressDetail":{"current":5,"total":9},"id":"x"})")
                  .empty());
        CHECK(decode(R"({"status":"Verifying Checksum","progressDetail":{},"id":"x"})").empty());
        CHECK(decode(R"({"status":"Retrying in 5 seconds","progressDetail":{},"id":"x"})").empty());
        CHECK(decode(R"({"status":"Something new","id":"x"})").empty());
    }
    SECTION("statuses are matched exactly") {
        CHECK(
            decode(R"({"status":"downloading","progressDetail":{"current":5},"id":"x"})").empty());
        CHECK(decode(R"({"status":"Download complete ","id":"x"})").empty());
    }
}

TEST_CASE("jsonmessage: lines for a person", "[jsonmessage]") {
    CHECK(status_texts(decode(R"({"status":"Pulling from podpull/test"})")) ==
          std::vector<std::string>{"Pulling from podpull/test"});
    // Docker keys this one by the tag; it is still text for a person.
    CHECK(status_texts(decode(R"({"status":"Pulling from library/alpine","id":"3.19"})")) ==
          std::vector<std::string>{"Pulling from library/alpine"});
    CHECK(
        status_texts(decode(
            R"({"status":"Digest: sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2"})")) ==
        std::vector<std::string>{
            "Digest: sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2"});
    CHECK(
        status_texts(decode(
            R"({"status":"Status: Downloaded newer image for localhost:5000/test/big:v1"})")) ==
        std::vector<std::string>{"Status: Downloaded newer image for localhost:5000/test/big:v1"});
    // an empty id is no id
    CHECK(status_texts(decode(R"({"status":"Status: Image is up to date","id":""})")) ==
          std::vector<std::string>{"Status: Image is up to date"});
    CHECK(status_texts(decode(R"({"stream":"Step 1/2\nStep 2/2\n"})")) ==
          std::vector<std::string>{"Step 1/2", "Step 2/2"});
    CHECK(status_texts(decode(R"({"status":"two\r\nlines"})")) ==
          std::vector<std::string>{"two", "lines"});
    CHECK(decode(R"({"status":""})").empty());
    CHECK(decode("{}").empty());
    CHECK(decode(R"({"id":"855e90a27705"})").empty());
    CHECK(decode(R"({"progressDetail":{},"aux":{"ID":"sha256:x"},"progress":"[=>]"})").empty());
}

TEST_CASE("jsonmessage: failures", "[jsonmessage]") {
    SECTION("as docs/podman.md describes them") {
        const auto failed =
            only_failure(R"({"progressDetail":{},"errorDetail":{"message":"…"},"error":"…"})");
        CHECK(failed.code == ErrorCode::pull);
        CHECK(failed.message == "…");
    }
    SECTION("classified by their text") {
        const auto [line, code, message] = GENERATE(table<std::string, ErrorCode, std::string>({
            {R"({"progressDetail":{},"errorDetail":{"message":"reading manifest v1 in localhost:5000/nope/none: manifest unknown"},"error":"reading manifest v1 in localhost:5000/nope/none: manifest unknown"})",
             ErrorCode::not_found,
             "reading manifest v1 in localhost:5000/nope/none: manifest unknown"},
            // podman 6.x leaves the deprecated "error" out on a libpod path
            {R"({"progressDetail":{},"errorDetail":{"message":"x: unauthorized: authentication required"}})",
             ErrorCode::auth, "x: unauthorized: authentication required"},
            // "error" alone
            {R"({"error":"storage is full"})", ErrorCode::pull, "storage is full"},
            // a bare jsonstream.Error, as podman 4.7+ writes it when no progress came first
            {R"({"message":"initializing source docker://q/x:1: manifest unknown"})",
             ErrorCode::not_found, "initializing source docker://q/x:1: manifest unknown"},
            // errorDetail's message is preferred
            {R"({"errorDetail":{"message":"denied: go away","code":403},"error":"other"})",
             ErrorCode::auth, "denied: go away"},
            {R"({"errorDetail":{"message":""},"error":"from error"})", ErrorCode::pull,
             "from error"},
            // an errorDetail that says nothing is still a failure
            {R"({"errorDetail":{}})", ErrorCode::pull,
             "podman reported an error without a message"},
            // a failure wins over a status on the same line
            {R"({"status":"Download complete","id":"abc","errorDetail":{"message":"manifest unknown"}})",
             ErrorCode::not_found, "manifest unknown"},
        }));
        CAPTURE(line);
        const auto failed = only_failure(line);
        CHECK(failed.code == code);
        CHECK(failed.message == message);
    }
    SECTION("an empty error is not a failure") {
        CHECK(decode(R"({"error":""})").empty());
        CHECK(decode(R"({"message":""})").empty());
    }
    SECTION("stream text on the same line comes first") {
        const auto events = decode(R"({"stream":"Trying\n","error":"manifest unknown"})");
        REQUIRE(events.size() == 2);
        CHECK(std::get<StatusEvent>(events[0]).text == "Trying");
        CHECK(std::holds_alternative<FailedEvent>(events[1]));
    }
}

TEST_CASE("jsonmessage: decoding appends to what the vector holds", "[jsonmessage]") {
    std::vector<PullEvent> events{StatusEvent{"earlier"}};
    podpull::decode_jsonmessage_line(R"({"status":"Already exists","id":"x"})", events);
    REQUIRE(events.size() == 2);
    CHECK(std::get<StatusEvent>(events[0]).text == "earlier");
    CHECK(std::holds_alternative<BlobEvent>(events[1]));
}

TEST_CASE("jsonmessage: malformed lines are protocol errors", "[jsonmessage]") {
    const auto [line, problem] = GENERATE(table<std::string, std::string>({
        {"", ""},
        {"not json", ""},
        {R"({"status":"Downloading","id":"x"} trailing)", ""},
        {"[1]", "not a JSON object"},
        {R"({"status":7})", "\"status\" is not a string"},
        {R"({"status":"Downloading","id":12})", "\"id\" is not a string"},
        {R"({"stream":["x"]})", "\"stream\" is not a string"},
        {R"({"error":{"message":"x"}})", "\"error\" is not a string"},
        {R"({"message":5})", "\"message\" is not a string"},
        {R"({"errorDetail":"x"})", "\"errorDetail\" is not an object"},
        {R"({"errorDetail":{"message":1}})", "\"message\" is not a string"},
        {R"({"status":"Downloading","progressDetail":"50%","id":"x"})",
         "\"progressDetail\" is not an object"},
        {R"({"status":"Downloading","progressDetail":{"current":"5"},"id":"x"})",
         "\"current\" is not a byte count"},
        {R"({"status":"Downloading","progressDetail":{"current":-5},"id":"x"})",
         "\"current\" is not a byte count"},
        {R"({"status":"Downloading","progressDetail":{"current":1.5},"id":"x"})",
         "\"current\" is not a byte count"},
        {R"({"status":"Downloading","progressDetail":{"total":"9"},"id":"x"})",
         "\"total\" is not a size"},
        {R"({"status":"Downloading","progressDetail":{"total":18446744073709551615},"id":"x"})",
         "\"total\" is not a size"},
        // a blob status must say which blob
        {R"({"status":"Downloading","progressDetail":{"current":5}})",
         "status \"Downloading\" without an id"},
        {R"({"status":"Download complete","id":""})", "status \"Download complete\" without an id"},
        {R"({"status":"Already exists","id":null})", "status \"Already exists\" without an id"},
        {R"({"status":"Pulling fs layer"})", "status \"Pulling fs layer\" without an id"},
    }));
    CAPTURE(line);
    const std::string message = protocol_error(line);
    CHECK_THAT(message, ContainsSubstring("malformed NDJSON line from podman"));
    CHECK_THAT(message, ContainsSubstring(problem));
}

TEST_CASE("jsonmessage: invalid UTF-8 is a protocol error", "[jsonmessage]") {
    protocol_error("{\"status\":\"caf\xe9\"}");
    protocol_error("{\"error\":\"\xff\"}");
}
