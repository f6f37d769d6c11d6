// SPDX-License-Identifier: MIT OR Apache-2.0
// SHA-256 (FIPS 180-4), written from the specification. An image manifest is named by the
// digest of its raw bytes ("sha256:<hex>"), and podpull computes that digest itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace podpull {

// Incremental: feed the message in pieces of any size with update(), then call finish() once.
// Feeding it in one piece or in many gives the same hash.
class Sha256 {
  public:
    void update(std::string_view bytes);

    // The 32-byte hash of everything passed to update(). This pads the message into the
    // internal state, so afterwards the object is spent: neither update() nor finish() may be
    // called on it again (the result would be meaningless). Use a new Sha256 for a new message.
    std::array<std::uint8_t, 32> finish();

  private:
    void compress_block();

    // FIPS 180-4 section 5.3.3: the first 32 bits of the fractional parts of the square
    // roots of the first eight primes.
    std::array<std::uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<std::uint8_t, 64> block_{}; // the 512-bit block being filled
    std::size_t filled_ = 0;               // bytes of block_ in use, always < 64 between calls
    std::uint64_t message_bytes_ = 0;      // the length goes into the padding
};

// "sha256:" followed by the 64 lower-case hex digits of the hash of `bytes`: the form of an
// OCI / Docker content digest.
std::string sha256_digest(std::string_view bytes);

} // namespace podpull
