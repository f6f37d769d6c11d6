// SPDX-License-Identifier: MIT OR Apache-2.0
// The first podman version with each feature podpull uses (docs/podman.md, "Pull endpoint").
// Features are detected from the service's Libpod-Api-Version, never from errors: an older
// service ignores a query parameter it does not know.
#pragma once

#include "podman_version.hpp"

namespace podpull {

inline constexpr PodmanVersion compat_mode_since{4, 8, 0};   // compatMode=true
inline constexpr PodmanVersion retry_since{5, 0, 0};         // retry, retrydelay / retryDelay
inline constexpr PodmanVersion pull_progress_since{6, 0, 0}; // pullProgress=true

} // namespace podpull
