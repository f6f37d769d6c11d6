// SPDX-License-Identifier: MIT OR Apache-2.0
// UTF-8 validation, for text that goes where only text may: messages and callbacks for a
// person, and JSON that podman's Go decoder would otherwise silently "repair".
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace podpull {

// The offset of the first byte that does not begin a valid UTF-8 sequence (overlong forms,
// surrogates and values past U+10FFFF are invalid), or nullopt when all of `text` is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// The length of the valid UTF-8 sequence that starts `text` at `offset` (1 to 4), or 0 when
// none does (as first_invalid_utf8 judges). `offset` must be inside `text`.
std::size_t utf8_sequence_length(std::string_view text, std::size_t offset);

} // namespace podpull
