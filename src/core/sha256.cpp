// SPDX-License-Identifier: MIT OR Apache-2.0
#include "sha256.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace podpull {
namespace {

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of
// the first 64 primes.
constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// The functions of FIPS 180-4 section 4.1.2.
constexpr std::uint32_t choose(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
    return (x & y) ^ (~x & z);
}
constexpr std::uint32_t majority(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
    return (x & y) ^ (x & z) ^ (y & z);
}
constexpr std::uint32_t big_sigma0(std::uint32_t x) {
    return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
constexpr std::uint32_t big_sigma1(std::uint32_t x) {
    return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}
constexpr std::uint32_t small_sigma0(std::uint32_t x) {
    return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
constexpr std::uint32_t small_sigma1(std::uint32_t x) {
    return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}

} // namespace

void Sha256::update(std::string_view bytes) {
    message_bytes_ += bytes.size();
    while (!bytes.empty()) {
        const std::size_t take = std::min(bytes.size(), block_.size() - filled_);
        std::memcpy(block_.data() + filled_, bytes.data(), take);
        filled_ += take;
        bytes.remove_prefix(take);
        if (filled_ == block_.size()) {
            compress_block();
            filled_ = 0;
        }
    }
}

std::array<std::uint8_t, 32> Sha256::finish() {
    // Section 5.1.1: append a 1 bit, then zeros up to 448 bits mod 512, then the message
    // length in bits as a 64-bit big-endian number. When fewer than 8 bytes are left after
    // the 1 bit (56 or more bytes in the last block), the length spills into an extra block.
    // message_bytes_ * 8 wraps only past 2^64 bits, the standard's limit on a message.
    const std::uint64_t message_bits = message_bytes_ * 8;
    block_[filled_++] = 0x80;
    if (filled_ > 56) {
        std::fill(block_.begin() + static_cast<std::ptrdiff_t>(filled_), block_.end(), 0);
        compress_block();
        filled_ = 0;
    }
    std::fill(block_.begin() + static_cast<std::ptrdiff_t>(filled_), block_.begin() + 56, 0);
    for (std::size_t i = 0; i < 8; ++i)
        block_[56 + i] = static_cast<std::uint8_t>(message_bits >> (56 - 8 * i));
    compress_block();
    filled_ = 0;

    std::array<std::uint8_t, 32> hash{};
    for (std::size_t i = 0; i < state_.size(); ++i)
        for (std::size_t k = 0; k < 4; ++k)
            hash[4 * i + k] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * k));
    return hash;
}

// Section 6.2.2: one 512-bit block into the state. The words are big-endian.
void Sha256::compress_block() {
    std::array<std::uint32_t, 64> schedule;
    for (std::size_t t = 0; t < 16; ++t)
        schedule[t] = static_cast<std::uint32_t>(block_[4 * t]) << 24 |
                      static_cast<std::uint32_t>(block_[4 * t + 1]) << 16 |
                      static_cast<std::uint32_t>(block_[4 * t + 2]) << 8 |
                      static_cast<std::uint32_t>(block_[4 * t + 3]);
    for (std::size_t t = 16; t < 64; ++t)
        schedule[t] = small_sigma1(schedule[t - 2]) + schedule[t - 7] +
                      small_sigma0(schedule[t - 15]) + schedule[t - 16];

    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t t1 =
            h + big_sigma1(e) + choose(e, f, g) + round_constants[t] + schedule[t];
        const std::uint32_t t2 = big_sigma0(a) + majority(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
}

std::string sha256_digest(std::string_view bytes) {
    Sha256 hasher;
    hasher.update(bytes);
    constexpr std::string_view hex_digits = "0123456789abcdef";
    std::string digest = "sha256:";
    for (const std::uint8_t byte : hasher.finish()) {
        digest.push_back(hex_digits[byte >> 4]);
        digest.push_back(hex_digits[byte & 0xf]);
    }
    return digest;
}

} // namespace podpull
