// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/percent_encoding.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>

using podpull::percent_encode;

TEST_CASE("percent_encode keeps RFC 3986 unreserved bytes", "[percent_encoding]") {
    const std::string unreserved =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    CHECK(percent_encode(unreserved) == unreserved);
    CHECK(percent_encode("") == "");
}

TEST_CASE("percent_encode encodes everything else, in upper-case hex", "[percent_encoding]") {
    CHECK(percent_encode("quay.io/example/foo:latest") == "quay.io%2Fexample%2Ffoo%3Alatest");
    CHECK(percent_encode("localhost:5000/x@sha256:ab") == "localhost%3A5000%2Fx%40sha256%3Aab");
    CHECK(percent_encode("a b&c=d?e#f%g+h") == "a%20b%26c%3Dd%3Fe%23f%25g%2Bh");
    CHECK(percent_encode("\xc3\xa9") == "%C3%A9");
    CHECK(percent_encode(std::string("\0\n\x7f\xff", 4)) == "%00%0A%7F%FF");
    CHECK(percent_encode("docker://quay.io/x:1") == "docker%3A%2F%2Fquay.io%2Fx%3A1");
}

TEST_CASE("percent_encode covers every byte exactly once", "[percent_encoding]") {
    for (int value = 0; value < 256; ++value) {
        const std::string byte(1, static_cast<char>(value));
        const std::string encoded = percent_encode(byte);
        const bool unreserved = (value >= 'A' && value <= 'Z') || (value >= 'a' && value <= 'z') ||
                                (value >= '0' && value <= '9') || value == '-' || value == '.' ||
                                value == '_' || value == '~';
        CAPTURE(value);
        if (unreserved) {
            CHECK(encoded == byte);
        } else {
            REQUIRE(encoded.size() == 3);
            CHECK(encoded[0] == '%');
            CHECK(std::stoi(encoded.substr(1), nullptr, 16) == value);
            CHECK(encoded.find_first_of("abcdef") == std::string::npos);
        }
    }
}
