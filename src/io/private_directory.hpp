// SPDX-License-Identifier: MIT OR Apache-2.0
// The private directories of a client, each 0700 and holding a lock file that the client keeps
// locked (flock) for as long as it lives:
// - the one its podman service listens in, <runtime_dir>/podpull-XXXXXX (Purpose::sockets);
// - the one every podman child gets as TMPDIR, <temp_root>/podpull-tmp-XXXXXX
//   (Purpose::podman_temp), where podman keeps the blobs it is fetching.
//
// The lock is what lets a later client tell a dead owner's directory from a live one: the
// kernel drops a flock when its holder dies, even by SIGKILL, when nothing of ours could run
// to remove the directory. sweep_stale_private_directories() removes such directories.
#pragma once

#include "core/directory_failure.hpp"
#include "unique_fd.hpp"

#include <string>
#include <vector>

namespace podpull::io {

// sockets: holds only the files a client puts there (podman_service, notify_socket,
// service_log); podman_temp: holds whatever podman writes, and all of it goes with the
// directory.
using Purpose = PrivateDirectoryKind;

class PrivateDirectory {
  public:
    // Creates the directory in `parent` and its locked lock file. Throws Error as
    // private_directory_failure says (IO when `parent` is full, INVALID_ARGUMENT when it is
    // not writable), or Error(invalid_argument) for sockets when it is too long for a socket
    // path.
    PrivateDirectory(const std::string &parent, Purpose purpose);
    // Removes the directory with everything in it, then lets go of the lock.
    ~PrivateDirectory();
    PrivateDirectory(const PrivateDirectory &) = delete;
    PrivateDirectory &operator=(const PrivateDirectory &) = delete;

    const std::string &path() const noexcept { return path_; }

  private:
    void remove() noexcept;

    std::string path_;
    UniqueFd lock_fd_;
};

// Removes every directory of `purpose` in `parent` whose owner is gone: a directory of ours
// (our uid, mode 0700, not a symlink) whose lock file nobody holds and, for sockets, that
// holds no file but the ones a client puts there. Anything else is left alone. Returns the
// paths removed. Never throws.
std::vector<std::string> sweep_stale_private_directories(const std::string &parent,
                                                         Purpose purpose) noexcept;

} // namespace podpull::io
