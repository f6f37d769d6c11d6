// SPDX-License-Identifier: MIT OR Apache-2.0
#include "private_directory.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

namespace podpull::io {
namespace {

constexpr std::size_t name_suffix_length = 6; // mkdtemp's XXXXXX
constexpr const char *lock_name = "lock";
// The lock file is made and locked under this name, then renamed to lock_name: a file named
// lock_name is locked from the moment it exists, so a sweeper never mistakes a directory that
// is being set up for a dead one.
constexpr const char *new_lock_name = "lock.new";
// Everything a client puts in its directory (podman_service.cpp, notify_socket.cpp).
constexpr std::array<const char *, 5> known_names = {"podman.sock", "notify.sock", "service.log",
                                                     new_lock_name, lock_name};

std::string_view name_prefix(Purpose purpose) {
    return purpose == Purpose::sockets ? "podpull-" : "podpull-tmp-";
}

bool is_private_directory_name(std::string_view name, Purpose purpose) {
    const auto prefix = name_prefix(purpose);
    return name.size() == prefix.size() + name_suffix_length && name.starts_with(prefix);
}

bool is_known_name(std::string_view name) {
    return std::any_of(known_names.begin(), known_names.end(),
                       [&](const char *known) { return name == known; });
}

// Whether the directory open at `dir_fd` holds only names a client puts there.
bool holds_only_known_names(int dir_fd) {
    const int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return false;
    DIR *dir = ::fdopendir(copy);
    if (dir == nullptr) {
        ::close(copy);
        return false;
    }
    bool only_known = true;
    while (const dirent *entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != ".." && !is_known_name(name))
            only_known = false;
    }
    ::closedir(dir);
    return only_known;
}

// Removes <parent>/<name> if it is a stale private directory. Every check goes through file
// descriptors opened without following symlinks, so a name swapped for a link between the
// checks cannot redirect a removal.
bool remove_if_stale(int parent_fd, const std::string &parent, const std::string &name,
                     Purpose purpose) {
    const UniqueFd dir(
        ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.get() < 0)
        return false;
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & 07777) != 0700)
        return false;
    // No lock file: a directory being set up right now, or not ours to judge.
    const UniqueFd lock(::openat(dir.get(), lock_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (lock.get() < 0 || ::fstat(lock.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    // Held: its client is alive. Taken: its owner is dead, and we now hold the lock, so no
    // second sweeper works on it at the same time.
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0)
        return false;
    if (purpose == Purpose::podman_temp) {
        // What a dead client's podman left: partial blobs, possibly many GB. Only this
        // uid's 0700 directory can hold them, and remove_all never follows a link inside.
        std::error_code ignored;
        std::filesystem::remove_all(parent + "/" + name, ignored);
        return !ignored;
    }
    if (!holds_only_known_names(dir.get()))
        return false;
    for (const char *known : known_names)
        if (std::string_view(known) != lock_name)
            ::unlinkat(dir.get(), known, 0);
    ::unlinkat(dir.get(), lock_name, 0);
    return ::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) == 0;
}

[[noreturn]] void throw_failure(Purpose purpose, const std::string &parent, int error) {
    throw private_directory_failure(purpose, parent, error,
                                    std::error_code(error, std::generic_category()).message());
}

} // namespace

PrivateDirectory::PrivateDirectory(const std::string &parent, Purpose purpose) {
    std::string pattern = fmt::format("{}/{}XXXXXX", parent, name_prefix(purpose));
    // The socket path must fit in sockaddr_un; say so before podman fails obscurely.
    const std::size_t socket_path_length = pattern.size() + std::strlen("/podman.sock");
    if (purpose == Purpose::sockets && socket_path_length >= sizeof(sockaddr_un::sun_path))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("runtime_dir {} is too long for a Unix socket path", parent));
    // mkdtemp makes the directory 0700 with a name no other client or process can take.
    if (::mkdtemp(pattern.data()) == nullptr)
        throw_failure(purpose, parent, errno);
    path_ = std::move(pattern);

    const std::string new_lock = path_ + "/" + new_lock_name;
    lock_fd_.reset(
        ::open(new_lock.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!lock_fd_ || ::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0 ||
        ::rename(new_lock.c_str(), (path_ + "/" + lock_name).c_str()) != 0) {
        // On tmpfs the directory needs no block, the lock file an inode: a file system out of
        // inodes fails here, and says so as the directory would.
        const int error = errno;
        remove();
        throw_failure(purpose, parent, error);
    }
}

PrivateDirectory::~PrivateDirectory() {
    remove();
}

void PrivateDirectory::remove() noexcept {
    // While the lock is still held: no sweeper works on the directory meanwhile.
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    lock_fd_.reset();
}

std::vector<std::string> sweep_stale_private_directories(const std::string &parent,
                                                         Purpose purpose) noexcept {
    std::vector<std::string> removed;
    try {
        const UniqueFd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (parent_fd.get() < 0)
            return removed;
        std::vector<std::string> candidates;
        {
            const int copy = ::fcntl(parent_fd.get(), F_DUPFD_CLOEXEC, 0);
            if (copy < 0)
                return removed;
            DIR *dir = ::fdopendir(copy);
            if (dir == nullptr) {
                ::close(copy);
                return removed;
            }
            while (const dirent *entry = ::readdir(dir))
                if (is_private_directory_name(entry->d_name, purpose))
                    candidates.emplace_back(entry->d_name);
            ::closedir(dir);
        }
        for (const auto &name : candidates)
            if (remove_if_stale(parent_fd.get(), parent, name, purpose))
                removed.push_back(parent + "/" + name);
    } catch (...) {
        // Out of memory while listing: sweeping is a courtesy, connecting goes on.
    }
    return removed;
}

} // namespace podpull::io
