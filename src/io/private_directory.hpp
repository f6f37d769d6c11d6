// The private directory a client's podman service listens in: <runtime_dir>/podpull-XXXXXX,
// 0700, holding a lock file that the client keeps locked (flock) for as long as it lives.
//
// The lock is what lets a later client tell a dead owner's directory from a live one: the
// kernel drops a flock when its holder dies, even by SIGKILL, when nothing of ours could run
// to remove the directory. sweep_stale_private_directories() removes such directories.
#pragma once

#include "unique_fd.hpp"

#include <string>
#include <vector>

namespace podpull::io {

class PrivateDirectory {
  public:
    // Creates the directory and its locked lock file. Throws Error(invalid_argument) when
    // runtime_dir cannot hold it (too long for a socket path, not writable).
    explicit PrivateDirectory(const std::string &runtime_dir);
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

// Removes every <runtime_dir>/podpull-XXXXXX directory whose owner is gone: a directory of
// ours (our uid, mode 0700, not a symlink) whose lock file nobody holds and that holds no
// file but the ones a client puts there. Anything else is left alone. Returns the paths
// removed. Never throws.
std::vector<std::string> sweep_stale_private_directories(const std::string &runtime_dir) noexcept;

} // namespace podpull::io
