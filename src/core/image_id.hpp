// SPDX-License-Identifier: MIT OR Apache-2.0
// Image IDs as podman prints them: 64 lower-case hex digits (the config blob's sha256), and on
// the Docker-format routes their first 12. One check for every place an ID comes in: a libpod
// body's final report, `podman pull`'s stdout, an image inspect answer, a "Download complete".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace podpull {

inline constexpr std::size_t image_id_length = 64;
inline constexpr std::size_t short_image_id_length = 12;

// Whether `text` is nothing but lower-case hex digits (podman never prints upper case).
constexpr bool is_lower_hex(std::string_view text) noexcept {
    return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

constexpr bool is_image_id(std::string_view text) noexcept {
    return text.size() == image_id_length && is_lower_hex(text);
}

constexpr bool is_short_image_id(std::string_view text) noexcept {
    return text.size() == short_image_id_length && is_lower_hex(text);
}

// `reported` when it is a full image ID; else throws Error(protocol) quoting it (cut short).
std::string expect_image_id(std::string_view reported);

} // namespace podpull
