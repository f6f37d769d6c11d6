// SPDX-License-Identifier: MIT OR Apache-2.0
// A Boost.JSON string as a std::string_view, for every reader of podman's JSON (the NDJSON
// decoders, image inspect answers) and of the host's auth file.
#pragma once

#include <boost/json/string.hpp>

#include <string_view>

namespace podpull {

inline std::string_view view(const boost::json::string &text) noexcept {
    return {text.data(), text.size()};
}

} // namespace podpull
