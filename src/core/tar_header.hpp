// SPDX-License-Identifier: MIT OR Apache-2.0
// One 512-byte header of a tar archive (POSIX ustar, and what GNU tar and Go's archive/tar
// write), read for what an oci-archive: needs: a member's name, type and size, so that the
// shell can find index.json and a blob and skip everything else without reading it. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podpull {

inline constexpr std::size_t tar_block = 512;

struct TarHeader {
    std::string name; // "prefix/name" for ustar; without a leading "./"
    char type = '0';  // '0' (or '\0') a file, '5' a directory, 'x'/'g' PAX, 'L' a GNU long name
    std::uint64_t size = 0;

    // The blocks the member's data takes after its header.
    std::uint64_t data_blocks() const noexcept { return (size + tar_block - 1) / tar_block; }
};

// Reads one header block. nullopt for an all-zero block (the end of the archive). Throws
// Error(protocol) for a block whose checksum is wrong or whose size field is not a number.
std::optional<TarHeader> parse_tar_header(std::string_view block);

} // namespace podpull
