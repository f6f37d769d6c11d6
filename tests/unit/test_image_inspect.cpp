// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/image_inspect.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

using Catch::Matchers::ContainsSubstring;
using podpull::ErrorCode;
using podpull::image_id_from_inspect;

namespace {

const std::string full_id = "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";

} // namespace

TEST_CASE("image_id_from_inspect: the Id, checked against the pull's prefix", "[inspect]") {
    const std::string body =
        R"({"Id":")" + full_id +
        R"(","Digest":"sha256:aa","RepoTags":["localhost:5000/test/big:v1"],"Size":73407797})";
    CHECK(image_id_from_inspect(body, "b3f190ca3fbc") == full_id);
    CHECK(image_id_from_inspect(body, "") == full_id);
    // the Docker-compatible inspect writes it with its algorithm
    CHECK(image_id_from_inspect(R"({"Id":"sha256:)" + full_id + "\"}", "b3f190ca3fbc") == full_id);
}

TEST_CASE("image_id_from_inspect: another image than the pull stored", "[inspect]") {
    const auto error = podpull_test::error_from(
        [&] { image_id_from_inspect(R"({"Id":")" + full_id + "\"}", "855e90a27705"); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::pull);
    CHECK_THAT(error->what(), ContainsSubstring("\"855e90a27705\""));
    CHECK_THAT(error->what(), ContainsSubstring(full_id));
    CHECK_THAT(error->what(), ContainsSubstring("re-tagged"));
}

TEST_CASE("image_id_from_inspect: bodies that are not an inspect answer", "[inspect]") {
    const auto [body, problem] = GENERATE(table<std::string, std::string>({
        {"", "is not JSON"},
        {"<html>", "is not JSON"},
        {"[]", "is not a JSON object"},
        {"{}", "has no \"Id\" string"},
        {R"({"Id":5})", "has no \"Id\" string"},
        {R"({"id":"b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c"})",
         "has no \"Id\" string"},
        {R"({"Id":"b3f190ca3fbc"})", "not 64 hex digits"},
        {R"({"Id":"B3F190CA3FBC68CA819BD6BBBAAF12D794D08CBDD94B794E691DA6F581A4F01C"})",
         "not 64 hex digits"},
        {R"({"Id":"sha512:b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c"})",
         "not 64 hex digits"},
        {R"({"Id":"b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c0"})",
         "not 64 hex digits"},
    }));
    CAPTURE(body);
    const auto error = podpull_test::error_from([&] { image_id_from_inspect(body, ""); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::protocol);
    CHECK_THAT(error->what(), ContainsSubstring(problem));
}
