// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/sha256.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using podpull::Sha256;
using podpull::sha256_digest;

namespace {

std::string hex_of(const std::array<std::uint8_t, 32> &hash) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string text;
    for (const std::uint8_t byte : hash) {
        text.push_back(digits[byte >> 4]);
        text.push_back(digits[byte & 0xf]);
    }
    return text;
}

// The hash of `bytes` fed in pieces of `piece` bytes (the last one shorter).
std::string hex_in_pieces(std::string_view bytes, std::size_t piece) {
    Sha256 hasher;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        hasher.update(bytes.substr(at, piece));
    return hex_of(hasher.finish());
}

} // namespace

TEST_CASE("sha256: the empty message and the NIST examples \"abc\" and 448 bits", "[sha256]") {
    const auto [bytes, hex] = GENERATE(table<std::string, std::string>({
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        // 448 bits: the padding's 1 bit fits in the block, the length does not
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    }));
    CAPTURE(bytes);
    CHECK(sha256_digest(bytes) == "sha256:" + hex);
    for (std::size_t piece = 1; piece <= bytes.size(); ++piece)
        CHECK(hex_in_pieces(bytes, piece) == hex);
}

TEST_CASE("sha256: one million 'a'", "[sha256]") {
    const std::string bytes(1'000'000, 'a');
    const std::string hex = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    CHECK(sha256_digest(bytes) == "sha256:" + hex);
    // pieces that straddle block boundaries, and one piece per block
    CHECK(hex_in_pieces(bytes, 1000) == hex);
    CHECK(hex_in_pieces(bytes, 64) == hex);
    CHECK(hex_in_pieces(bytes, 7) == hex);
}

TEST_CASE("sha256: the padding edges, one update against many", "[sha256]") {
    // 55 bytes leave room for the 1 bit and the length in one block; 56 to 63 push the length
    // into a second block; 64 fills a block and pads in the next; 65 starts a second block.
    constexpr std::string_view text =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_";
    static_assert(text.size() == 65);
    // Expected hashes from coreutils on the machine that wrote this test:
    //   t='0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_'
    //   printf '%s' "$t" | head -c N | sha256sum
    const auto [length, hex] = GENERATE(table<std::size_t, std::string>({
        {55, "5886e8a0141eca7afb5c3e2c0fa0e0f11a82a0c705877e28f9be51bd0dc161c0"},
        {56, "f1523fc3c675ae278fab2e86dc03a43e5b1bb14c66575cc5f2b8d6ed811f1907"},
        {63, "22ebe70dcdb7a594cfeb6ed612cf63881d7eac7d26a854c11653ab85b1ace968"},
        {64, "d477bc31ff0011fd2d70d048226abbcb578a9b557c4d51cab60ae9cc50cd9508"},
        {65, "6d65d468c9f448cee38040f91b59e517821aaae925b37e9e527fffee8407fc90"},
    }));
    const std::string_view bytes = text.substr(0, length);
    CAPTURE(length);
    CHECK(sha256_digest(bytes) == "sha256:" + hex);

    // split in two at every point, empty halves included
    for (std::size_t split = 0; split <= length; ++split) {
        CAPTURE(split);
        Sha256 hasher;
        hasher.update(bytes.substr(0, split));
        hasher.update(bytes.substr(split));
        CHECK(hex_of(hasher.finish()) == hex);
    }
    // many small updates, of every piece size
    for (std::size_t piece = 1; piece <= length; ++piece) {
        CAPTURE(piece);
        CHECK(hex_in_pieces(bytes, piece) == hex);
    }
}

TEST_CASE("sha256: the digest is lower-case hex, and empty updates change nothing", "[sha256]") {
    const std::string digest = sha256_digest("abc");
    REQUIRE(digest.size() == 7 + 64);
    CHECK(digest.find_first_not_of("0123456789abcdef", 7) == std::string::npos);

    Sha256 hasher;
    hasher.update("");
    hasher.update("a");
    hasher.update("");
    hasher.update("bc");
    hasher.update("");
    CHECK("sha256:" + hex_of(hasher.finish()) == digest);
}
