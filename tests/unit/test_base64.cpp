// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/base64.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <optional>
#include <string>

using podpull::base64_decode;
using podpull::base64_encode;
using podpull::Base64Alphabet;

TEST_CASE("base64: RFC 4648 section 10 test vectors", "[base64]") {
    const auto [bytes, text] = GENERATE(table<std::string, std::string>({
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    }));
    const Base64Alphabet alphabet = GENERATE(Base64Alphabet::standard, Base64Alphabet::url_safe);
    CAPTURE(bytes, alphabet == Base64Alphabet::url_safe);
    CHECK(base64_encode(bytes, alphabet) == text);
    CHECK(base64_decode(text, alphabet) == bytes);
}

TEST_CASE("base64: the two alphabets differ in 62 and 63 only", "[base64]") {
    const std::string bytes("\xfb\xff\xbf", 3); // 111110 111111 111110 111111
    CHECK(base64_encode(bytes, Base64Alphabet::standard) == "+/+/");
    CHECK(base64_encode(bytes, Base64Alphabet::url_safe) == "-_-_");
    CHECK(base64_decode("+/+/", Base64Alphabet::standard) == bytes);
    CHECK(base64_decode("-_-_", Base64Alphabet::url_safe) == bytes);
    CHECK_FALSE(base64_decode("-_-_", Base64Alphabet::standard));
    CHECK_FALSE(base64_decode("+/+/", Base64Alphabet::url_safe));
    // the URL-safe form still pads, as Go's base64.URLEncoding does
    CHECK(base64_encode("\xff", Base64Alphabet::url_safe) == "_w==");
}

TEST_CASE("base64: every byte value round-trips, at every length mod 3", "[base64]") {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<char>(i));
    for (std::size_t length : {256u, 255u, 254u, 1u, 2u, 3u}) {
        const std::string bytes = all.substr(all.size() - length);
        for (const auto alphabet : {Base64Alphabet::standard, Base64Alphabet::url_safe}) {
            const std::string text = base64_encode(bytes, alphabet);
            CHECK(text.size() == (length + 2) / 3 * 4);
            CHECK(base64_decode(text, alphabet) == bytes);
        }
    }
    // a known value: "user:pass" as auth.json stores it
    CHECK(base64_encode("user:pass", Base64Alphabet::standard) == "dXNlcjpwYXNz");
}

TEST_CASE("base64: what is not base64", "[base64]") {
    const std::string text = GENERATE(as<std::string>{}, "Zg", "Zg=", "Zm9vY",
                                      "Z===", "====", "=Zg=", "Zg==Zg==", "Zm=v", "Zm9v\n", " Zm9v",
                                      "Zm9v!abc", "Zm9\xc3\xa9", std::string("Zm\0v", 4));
    CAPTURE(text);
    CHECK_FALSE(base64_decode(text, Base64Alphabet::standard));
    CHECK_FALSE(base64_decode(text, Base64Alphabet::url_safe));
}

TEST_CASE("base64: unused low bits of the last symbol are not checked, as in Go", "[base64]") {
    // "Zh==" carries the same byte as "Zg==" with a stray low bit.
    CHECK(base64_decode("Zh==", Base64Alphabet::standard) == std::string("f"));
    CHECK(base64_decode("Zm9=", Base64Alphabet::standard) == std::string("fo"));
}
