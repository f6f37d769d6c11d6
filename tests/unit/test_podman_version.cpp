// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/podman_version.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <string>

using podpull::parse_podman_version;
using podpull::PodmanVersion;

TEST_CASE("parse_podman_version: versions podman reports", "[podman_version]") {
    const auto [text, major, minor, patch] =
        GENERATE(table<std::string, unsigned, unsigned, unsigned>({
            {"4.3.1", 4, 3, 1},
            {"5.0.0-dev", 5, 0, 0},
            {"6.0.0-rc1", 6, 0, 0},
            {"4.9", 4, 9, 0},
            {"4.9-dev", 4, 9, 0},
            {"4.9.3", 4, 9, 3},
            {"10.20.30", 10, 20, 30},
            {"5.2.1+ds1", 5, 2, 1},
            {"4.3.1~rc2", 4, 3, 1},
            {"4.3.1 (linux)", 4, 3, 1},
            {"04.03.01", 4, 3, 1},
            {"4294967295.0.0", 4294967295u, 0, 0},
        }));
    CAPTURE(text);
    const auto version = parse_podman_version(text);
    REQUIRE(version);
    CHECK(version->major == major);
    CHECK(version->minor == minor);
    CHECK(version->patch == patch);
}

TEST_CASE("parse_podman_version: junk", "[podman_version]") {
    const std::string text =
        GENERATE("", "4", "4.", ".4.1", "4..1", "4.3.", "v4.3.1", "a.b.c", "4.x", "4.9x", "4.3.1.2",
                 "4.3.1dev", " 4.3.1", "-4.3.1", "+4.3.1", "4.-3.1", "4294967296.0.0",
                 "4.3.99999999999", "Libpod/4.3.1");
    CAPTURE(text);
    CHECK_FALSE(parse_podman_version(text));
}

TEST_CASE("PodmanVersion orders and prints", "[podman_version]") {
    CHECK(PodmanVersion{4, 3, 1} < PodmanVersion{4, 8, 0});
    CHECK(PodmanVersion{4, 8, 0} < PodmanVersion{4, 10, 0}); // numeric, not textual
    CHECK(PodmanVersion{5, 8, 9} < PodmanVersion{6, 0, 0});
    CHECK(PodmanVersion{6, 0, 0} == *parse_podman_version("6.0.0-rc1"));
    CHECK(PodmanVersion{4, 3, 1}.to_string() == "4.3.1");
    CHECK(parse_podman_version("4.9")->to_string() == "4.9.0");
    CHECK(PodmanVersion{}.to_string() == "0.0.0");
}
