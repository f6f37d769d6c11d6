// SPDX-License-Identifier: MIT OR Apache-2.0
// The one image ID check.
#include "core/image_id.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

using Catch::Matchers::ContainsSubstring;

namespace {

const std::string id = "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";

} // namespace

TEST_CASE("image IDs: 64 or 12 lower-case hex digits", "[image_id]") {
    CHECK(podpull::is_image_id(id));
    CHECK(podpull::is_short_image_id(id.substr(0, 12)));
    CHECK_FALSE(podpull::is_image_id(id.substr(0, 63)));
    CHECK_FALSE(podpull::is_image_id(id + "0"));
    CHECK_FALSE(podpull::is_image_id("sha256:" + id.substr(7)));
    CHECK_FALSE(podpull::is_short_image_id("B3F190CA3FBC"));
    CHECK_FALSE(podpull::is_short_image_id("b3f190ca3fbg"));
    CHECK_FALSE(podpull::is_image_id(""));
}

TEST_CASE("expect_image_id", "[image_id]") {
    CHECK(podpull::expect_image_id(id) == id);
    const auto error = podpull_test::error_from([] { podpull::expect_image_id("…"); });
    REQUIRE(error);
    CHECK(error->code() == podpull::ErrorCode::protocol);
    CHECK_THAT(error->what(), ContainsSubstring("where a full image ID belongs"));
}
