// SPDX-License-Identifier: MIT OR Apache-2.0
// podman's version as the service reports it in the Libpod-Api-Version header. Features are
// detected from it, never from errors: an old service ignores unknown query parameters.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace podpull {

struct PodmanVersion {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;

    auto operator<=>(const PodmanVersion &) const = default;
    std::string to_string() const;
};

// "4.3.1", "5.0.0-dev", "6.0.0-rc1" (a suffix is ignored). nullopt when it does not start
// with MAJOR.MINOR.
std::optional<PodmanVersion> parse_podman_version(std::string_view text);

// The version in the service's Libpod-Api-Version header. Throws Error(protocol) when it is
// not one (parse_podman_version): features could not be told apart.
PodmanVersion version_from_ping(std::string_view reported);

} // namespace podpull
