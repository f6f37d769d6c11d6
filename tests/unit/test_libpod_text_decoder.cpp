// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/libpod_text_decoder.hpp"

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
using podpull::CompletedEvent;
using podpull::ErrorCode;
using podpull::FailedEvent;
using podpull::PullEvent;
using podpull::StatusEvent;

namespace {

std::vector<PullEvent> decode(std::string_view line) {
    return podpull_test::decode_with(podpull::decode_libpod_line, line);
}

// The protocol Error that decoding `line` throws; fails the test when there is none.
std::string protocol_error(std::string_view line) {
    return podpull_test::protocol_error_of(podpull::decode_libpod_line, line);
}

const std::string &status_text(const PullEvent &event) {
    REQUIRE(std::holds_alternative<StatusEvent>(event));
    return std::get<StatusEvent>(event).text;
}

const BlobEvent &blob(const PullEvent &event) {
    REQUIRE(std::holds_alternative<BlobEvent>(event));
    return std::get<BlobEvent>(event);
}

} // namespace

TEST_CASE("stream text becomes one StatusEvent per line, without newlines", "[decoder]") {
    auto events = decode(R"({"stream":"Copying blob sha256:855e\n"})");
    REQUIRE(events.size() == 1);
    CHECK(status_text(events[0]) == "Copying blob sha256:855e");

    events = decode(R"({"stream":"one\ntwo\r\n\nthree"})");
    REQUIRE(events.size() == 3);
    CHECK(status_text(events[0]) == "one");
    CHECK(status_text(events[1]) == "two");
    CHECK(status_text(events[2]) == "three");

    CHECK(decode(R"({"stream":""})").empty());
    CHECK(decode(R"({"stream":"\n\n"})").empty());
    // The 6.0 body marks text lines with "status":"pulling".
    events = decode(R"({"status":"pulling","stream":"Copying config sha256:abc\n"})");
    REQUIRE(events.size() == 1);
    CHECK(status_text(events[0]) == "Copying config sha256:abc");
}

TEST_CASE("decoding appends to what the vector holds", "[decoder]") {
    std::vector<PullEvent> events{StatusEvent{"earlier"}};
    podpull::decode_libpod_line(R"({"stream":"later\n"})", events);
    REQUIRE(events.size() == 2);
    CHECK(status_text(events[0]) == "earlier");
    CHECK(status_text(events[1]) == "later");
}

TEST_CASE("the final report becomes a CompletedEvent", "[decoder]") {
    const std::string id = "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";
    for (const std::string &line :
         {R"({"images":["b3f190ca"],"id":")" + id + "\"}",
          R"({"status":"success","images":["x"],"id":")" + id + "\"}", R"({"id":")" + id + "\"}",
          R"({"images":[")" + id + "\"]}", R"({"images":["", ")" + id + "\"],\"id\":\"\"}"}) {
        CAPTURE(line);
        const auto events = decode(line);
        REQUIRE(events.size() == 1);
        REQUIRE(std::holds_alternative<CompletedEvent>(events[0]));
        CHECK(std::get<CompletedEvent>(events[0]).image_id == id);
    }
    CHECK(decode(R"({"images":[]})").empty());
    CHECK(decode(R"({"status":"success"})").empty());
}

TEST_CASE("a line still pulling is not a final report", "[decoder]") {
    // Docker's jsonmessage lines carry a short "id"; the libpod decoder must not end on one.
    CHECK(
        decode(R"({"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"})").empty());
    CHECK(decode(R"({"status":"pulling","id":"abc"})").empty());
}

TEST_CASE("an error line becomes a classified FailedEvent", "[decoder]") {
    const auto [line, code, message] = GENERATE(table<std::string, ErrorCode, std::string>({
        {R"({"error":"reading manifest v1 in localhost:5000/nope/none: manifest unknown"})",
         ErrorCode::not_found, "reading manifest v1 in localhost:5000/nope/none: manifest unknown"},
        {R"({"error":"x: unauthorized: authentication required"})", ErrorCode::auth,
         "x: unauthorized: authentication required"},
        {R"({"error":"repository name must be lowercase"})", ErrorCode::pull,
         "repository name must be lowercase"},
        {R"({"status":"error","error":"storage is full"})", ErrorCode::pull, "storage is full"},
        {R"({"status":"error"})", ErrorCode::pull, "podman reported an error without a message"},
        {R"({"status":"error","error":""})", ErrorCode::pull,
         "podman reported an error without a message"},
        // an error wins over an id on the same line
        {R"({"error":"manifest unknown","id":"abc"})", ErrorCode::not_found, "manifest unknown"},
    }));
    CAPTURE(line);
    const auto events = decode(line);
    REQUIRE(events.size() == 1);
    REQUIRE(std::holds_alternative<FailedEvent>(events[0]));
    CHECK(std::get<FailedEvent>(events[0]).code == code);
    CHECK(std::get<FailedEvent>(events[0]).message == message);
}

TEST_CASE("text before an error on the same line comes first", "[decoder]") {
    const auto events = decode(R"({"stream":"Trying to pull x\n","error":"manifest unknown"})");
    REQUIRE(events.size() == 2);
    CHECK(status_text(events[0]) == "Trying to pull x");
    CHECK(std::holds_alternative<FailedEvent>(events[1]));
}

TEST_CASE("pullProgress becomes a BlobEvent and hides stream", "[decoder]") {
    SECTION("pulling without current: started, with its total") {
        const auto events = decode(
            R"({"status":"pulling","stream":"Starting to pull artifact","pullProgress":{"status":"pulling","total":73407797,"progressComponentID":"sha256:aa"}})");
        REQUIRE(events.size() == 1);
        CHECK(blob(events[0]).id == "sha256:aa");
        CHECK(blob(events[0]).phase == BlobPhase::started);
        CHECK_FALSE(blob(events[0]).current);
        CHECK(blob(events[0]).total == 73407797);
    }
    SECTION("pulling with current: progressing") {
        const auto events = decode(
            R"({"pullProgress":{"status":"pulling","current":19003392,"total":73407797,"progressComponentID":"sha256:aa"}})");
        REQUIRE(events.size() == 1);
        CHECK(blob(events[0]).phase == BlobPhase::progressing);
        CHECK(blob(events[0]).current == 19003392u);
        CHECK(blob(events[0]).total == 73407797);
    }
    SECTION("success: finished") {
        const auto events = decode(
            R"({"pullProgress":{"status":"success","current":5,"total":9,"progressComponentID":"sha256:aa"}})");
        REQUIRE(events.size() == 1);
        CHECK(blob(events[0]).phase == BlobPhase::finished);
        CHECK(blob(events[0]).current == 5u);
    }
    SECTION("skipped, with every number omitted") {
        const auto events =
            decode(R"({"pullProgress":{"status":"skipped","progressComponentID":"sha256:bb"}})");
        REQUIRE(events.size() == 1);
        CHECK(blob(events[0]).phase == BlobPhase::skipped);
        CHECK_FALSE(blob(events[0]).current);
        CHECK_FALSE(blob(events[0]).total);
    }
    SECTION("total: absent, -1, other negatives, 0") {
        const auto total_of = [](const std::string &total) {
            const auto events = decode(R"({"pullProgress":{"status":"pulling","current":1,)" +
                                       total + R"("progressComponentID":"x"}})");
            REQUIRE(events.size() == 1);
            return blob(events[0]).total;
        };
        CHECK_FALSE(total_of(""));
        CHECK(total_of(R"("total":-1,)") == -1);
        CHECK(total_of(R"("total":-7,)") == -1);
        CHECK(total_of(R"("total":0,)") == 0);
        CHECK(total_of(R"("total":9223372036854775807,)") == 9223372036854775807);
    }
    SECTION("current beyond 2^63") {
        const auto events = decode(
            R"({"pullProgress":{"status":"pulling","current":18446744073709551615,"progressComponentID":"x"}})");
        REQUIRE(events.size() == 1);
        CHECK(blob(events[0]).current == 18446744073709551615u);
    }
    SECTION("an unknown status is ignored") {
        CHECK(
            decode(R"({"pullProgress":{"status":"verifying","progressComponentID":"x"}})").empty());
    }
    SECTION("null fields count as absent") {
        const auto events = decode(
            R"({"stream":null,"error":null,"id":null,"images":null,"pullProgress":{"status":"pulling","current":null,"total":null,"progressComponentID":"x"}})");
        REQUIRE(events.size() == 1);
        CHECK(blob(events[0]).phase == BlobPhase::started);
        CHECK_FALSE(blob(events[0]).total);
    }
}

TEST_CASE("lines without anything known give no events", "[decoder]") {
    CHECK(decode("{}").empty());
    CHECK(decode(R"({"status":"pulling"})").empty());
    CHECK(decode(R"({"unknown":[1,2,{"x":null}],"progress":"[==>  ]"})").empty());
    CHECK(decode(" \t{ \"stream\" : \"a\\n\" } \r").size() == 1);
}

TEST_CASE("malformed lines are protocol errors", "[decoder]") {
    const auto [line, problem] = GENERATE(table<std::string, std::string>({
        {"", ""},
        {"not json", ""},
        {R"({"stream":"unterminated)", ""},
        {R"({"stream":"a"} trailing)", ""},
        {R"({"stream":"a"}{"stream":"b"})", ""},
        {"[1,2]", "not a JSON object"},
        {"42", "not a JSON object"},
        {R"("text")", "not a JSON object"},
        {"null", "not a JSON object"},
        {R"({"stream":5})", "\"stream\" is not a string"},
        {R"({"error":{"message":"x"}})", "\"error\" is not a string"},
        {R"({"status":true})", "\"status\" is not a string"},
        {R"({"id":7})", "\"id\" is not a string"},
        {R"({"images":"abc"})", "\"images\" is not an array"},
        {R"({"images":["abc",3]})", "\"images\" holds a value that is not a string"},
        {R"({"pullProgress":"50%"})", "\"pullProgress\" is not an object"},
        {R"({"pullProgress":{"progressComponentID":"x"}})", "\"pullProgress\" has no status"},
        {R"({"pullProgress":{"status":"pulling"}})", "has no progressComponentID"},
        {R"({"pullProgress":{"status":"pulling","progressComponentID":""}})",
         "has no progressComponentID"},
        {R"({"pullProgress":{"status":"pulling","progressComponentID":3}})",
         "\"progressComponentID\" is not a string"},
        {R"({"pullProgress":{"status":1,"progressComponentID":"x"}})",
         "\"status\" is not a string"},
        {R"({"pullProgress":{"status":"pulling","current":"5","progressComponentID":"x"}})",
         "\"current\" is not a byte count"},
        {R"({"pullProgress":{"status":"pulling","current":1.5,"progressComponentID":"x"}})",
         "\"current\" is not a byte count"},
        {R"({"pullProgress":{"status":"pulling","current":-3,"progressComponentID":"x"}})",
         "\"current\" is not a byte count"},
        {R"({"pullProgress":{"status":"pulling","total":"9","progressComponentID":"x"}})",
         "\"total\" is not a size"},
        {R"({"pullProgress":{"status":"pulling","total":1e3,"progressComponentID":"x"}})",
         "\"total\" is not a size"},
        {R"({"pullProgress":{"status":"pulling","total":18446744073709551615,"progressComponentID":"x"}})",
         "\"total\" is not a size"},
        {R"({"stream":"a"} // comment)", ""},
        {R"({"stream":"a",})", ""},
    }));
    CAPTURE(line);
    const std::string message = protocol_error(line);
    CHECK_THAT(message, ContainsSubstring("malformed NDJSON line from podman"));
    CHECK_THAT(message, ContainsSubstring(problem));
}

TEST_CASE("invalid UTF-8 in a line is a protocol error", "[decoder]") {
    const std::string line = GENERATE(
        std::string("{\"stream\":\"caf\xe9\"}"), std::string("{\"stream\":\"\xc3\"}"),
        std::string("{\"stream\":\"\xed\xa0\x80\"}"), std::string("{\"error\":\"\xff\xfe\"}"));
    CAPTURE(line);
    protocol_error(line);
    // Valid UTF-8 passes through untouched.
    const auto events = decode("{\"stream\":\"caf\xc3\xa9 \xe2\x80\xa6\\n\"}");
    REQUIRE(events.size() == 1);
    CHECK(status_text(events[0]) == "caf\xc3\xa9 \xe2\x80\xa6");
}

TEST_CASE("a protocol error quotes at most ~200 bytes of the line, escaped", "[decoder]") {
    const std::string line = "{\"stream\":\"" + std::string(100000, 'A') + "\n" + "END";
    const std::string message = protocol_error(line);
    CHECK(message.size() < 400);
    CHECK(message.find("END") == std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, ContainsSubstring("\"{\\\"stream\\\":\\\"AAAA"));
}

TEST_CASE("deep nesting is refused, not recursed into", "[decoder]") {
    const std::string line = "{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
    protocol_error(line);
}
