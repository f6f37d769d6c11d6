// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/directory_failure.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cerrno>

using podpull::ErrorCode;
using podpull::private_directory_failure;
using podpull::PrivateDirectoryKind;

TEST_CASE("a full or inode-less directory is IO; one the host cannot use is INVALID_ARGUMENT",
          "[directory-failure]") {
    const auto full = private_directory_failure(PrivateDirectoryKind::sockets, "/run/x", ENOSPC,
                                                "No space left on device");
    CHECK(full.code() == ErrorCode::io);
    CHECK(std::string(full.what()) ==
          "cannot create podpull's socket directory in /run/x: No space left on device");
    for (const int exhausted : {EDQUOT, EMLINK, EMFILE, ENFILE, ENOMEM, EIO})
        CHECK(
            private_directory_failure(PrivateDirectoryKind::sockets, "/d", exhausted, "r").code() ==
            ErrorCode::io);
    for (const int unusable : {EACCES, EPERM, EROFS, ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG})
        CHECK(
            private_directory_failure(PrivateDirectoryKind::sockets, "/d", unusable, "r").code() ==
            ErrorCode::invalid_argument);
    const auto temp = private_directory_failure(PrivateDirectoryKind::podman_temp, "/var/tmp",
                                                EACCES, "Permission denied");
    CHECK(std::string(temp.what()) ==
          "cannot create podpull's temporary directory in /var/tmp: Permission denied");
}
