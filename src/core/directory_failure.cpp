// SPDX-License-Identifier: MIT OR Apache-2.0
#include "directory_failure.hpp"

#include <fmt/format.h>

#include <cerrno>

namespace podpull {
namespace {

bool is_exhaustion(int error_number) {
    switch (error_number) {
    case ENOSPC: // no space, and on tmpfs and ext4 also no inode left
    case EDQUOT:
    case EMLINK: // too many entries in the directory
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EIO:
        return true;
    default:
        return false;
    }
}

} // namespace

Error private_directory_failure(PrivateDirectoryKind kind, std::string_view parent,
                                int error_number, std::string_view reason) {
    const std::string_view what =
        kind == PrivateDirectoryKind::sockets ? "socket directory" : "temporary directory";
    return Error(is_exhaustion(error_number) ? ErrorCode::io : ErrorCode::invalid_argument,
                 fmt::format("cannot create podpull's {} in {}: {}", what, parent, reason));
}

} // namespace podpull
