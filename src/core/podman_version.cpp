// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podman_version.hpp"

#include "error.hpp"

#include <charconv>
#include <fmt/format.h>

namespace podpull {
namespace {

// Reads one decimal component at the front of `text`. No sign, no empty number, no overflow.
std::optional<unsigned> take_number(std::string_view &text) {
    unsigned value = 0;
    const char *const begin = text.data();
    const char *const end = begin + text.size();
    const auto [stop, error] = std::from_chars(begin, end, value);
    if (error != std::errc{} || stop == begin)
        return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(stop - begin));
    return value;
}

} // namespace

std::string PodmanVersion::to_string() const {
    return fmt::format("{}.{}.{}", major, minor, patch);
}

std::optional<PodmanVersion> parse_podman_version(std::string_view text) {
    // MAJOR.MINOR[.PATCH] and then either nothing or a suffix that starts with '-' (5.0.0-dev,
    // 6.0.0-rc1), '+' (build metadata), '~' (distribution packaging) or a space. Anything
    // else after the numbers ("4.9x", "4.3.1.2", "4.3.") is not a version podman reports.
    PodmanVersion version;
    const auto major = take_number(text);
    if (!major || !text.starts_with('.'))
        return std::nullopt;
    text.remove_prefix(1);
    const auto minor = take_number(text);
    if (!minor)
        return std::nullopt;
    version.major = *major;
    version.minor = *minor;
    if (text.starts_with('.')) {
        text.remove_prefix(1);
        const auto patch = take_number(text);
        if (!patch)
            return std::nullopt;
        version.patch = *patch;
    }
    if (!text.empty() && text.front() != '-' && text.front() != '+' && text.front() != '~' &&
        text.front() != ' ')
        return std::nullopt;
    return version;
}

PodmanVersion version_from_ping(std::string_view reported) {
    const auto version = parse_podman_version(reported);
    if (!version)
        throw Error(ErrorCode::protocol,
                    fmt::format("podman reported an unreadable version '{}'", reported));
    return *version;
}

} // namespace podpull
