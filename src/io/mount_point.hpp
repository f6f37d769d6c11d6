// SPDX-License-Identifier: MIT OR Apache-2.0
// The directory the storage root is bound at in bootc's layout (core/podman_command.hpp,
// StorageBinding): it must exist in the host's file system for each child to mount onto it.
#pragma once

#include <string>

namespace podpull::io {

// Makes `alias` (absolute and normalized) and any missing parent, as `mkdir -p` would: the
// parents 0755, the alias itself 0700. One that exists must be a directory (a symlink to one
// will do). What it makes stays: podman records the path in its storage database, so every
// later client of the storage needs the same directory again. Throws
// Error(invalid_argument) naming the component that cannot be made, and why.
void make_mount_point(const std::string &alias);

} // namespace podpull::io
