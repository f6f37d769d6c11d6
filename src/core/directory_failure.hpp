// SPDX-License-Identifier: MIT OR Apache-2.0
// What it means when a client cannot make its private directory, or a file in it: the error a
// host gets, decided from errno alone. Whether the directory, its lock file, the notify socket
// or the service log failed is the same fault to a host (the directory it named cannot hold
// podpull's files), so every step says the same.
#pragma once

#include "error.hpp"

#include <string_view>

namespace podpull {

enum class PrivateDirectoryKind {
    sockets,     // <runtime_dir>/podpull-XXXXXX: the service's socket, its stderr
    podman_temp, // <temp_root>/podpull-tmp-XXXXXX: every podman child's TMPDIR
};

// "cannot create podpull's socket directory in DIR: <reason>" (or "temporary directory").
// IO when the file system ran out of something (space, inodes, quota, descriptors) or failed
// (EIO): the same options may work later. INVALID_ARGUMENT otherwise (no permission, read-only,
// missing, not a directory): the host named a directory that cannot hold it. `reason` is the
// system's text for `error_number`; no source location, nothing else.
Error private_directory_failure(PrivateDirectoryKind kind, std::string_view parent,
                                int error_number, std::string_view reason);

} // namespace podpull
