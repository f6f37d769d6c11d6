// SPDX-License-Identifier: MIT OR Apache-2.0
// The first half of the plan: how a client reaches podman. The host's connect options come in
// as the ABI shim read them, unchecked; what comes out is checked and complete, so the client
// only carries it out. The few facts that need a system call (is an fd open, is a directory
// writable) are looked up by the shell (io/host_probe) and handed in: the decisions stay here.
#pragma once

#include "log.hpp"
#include "podman_command.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace podpull {

// podpull_connect_options in C++ terms, nothing checked yet.
struct ConnectOptions {
    std::optional<std::string> podman_path;
    std::optional<std::string> storage_root;
    int storage_root_fd = -1;
    std::optional<std::string> storage_root_alias;
    std::optional<std::string> run_root;
    int run_root_fd = -1;
    std::optional<std::string> storage_driver;
    std::optional<std::string> auth_file;
    int auth_fd = -1;
    std::optional<std::string> socket_path;
    std::optional<std::string> runtime_dir;
    std::vector<std::string> env;
    std::chrono::milliseconds start_timeout{90000};
    LogSink log;
};

// What the plan needs to know of the host, as the shell found it.
struct HostFacts {
    std::function<bool(int fd)> is_open_fd;
    std::function<bool(int fd)> is_directory_fd;
    std::function<bool(const std::string &path)> is_writable_dir;
    std::optional<std::string> xdg_runtime_dir; // $XDG_RUNTIME_DIR
    std::optional<std::string> tmpdir;          // $TMPDIR
};

struct ConnectPlan {
    std::string podman = "podman"; // a path, or a name to look up in PATH
    StorageFlags storage;          // --root, --runroot, --storage-driver
    // The storage root as an open directory, seen by every podman child at its alias (which is
    // then storage.root); nullopt: storage.root is a path of the host's own mount namespace.
    std::optional<StorageBinding> storage_binding;
    int run_root_fd = -1;                 // the host's fd every podman child gets at fd 3
    std::optional<std::string> auth_file; // containers-auth.json(5), read once at connect
    int auth_fd = -1;                     // the same, as the host's open fd
    std::vector<std::string> env;         // extra "KEY=VALUE" for every podman child
    // Attach to the service at this socket; when absent, start a private one whose directory
    // goes in runtime_dir.
    std::optional<std::string> socket_path;
    std::string runtime_dir;
    // Where the client makes the private directory every podman child gets as TMPDIR: podman
    // keeps a blob it is fetching there, so it must be disk, not memory, and the client
    // removes it, with whatever an interrupted pull left, when it is freed.
    std::string temp_root;
    std::chrono::milliseconds start_timeout{90000};
    LogSink log;

    bool reads_credentials() const noexcept { return auth_file.has_value() || auth_fd >= 0; }
};

// Checks the options and fills in the defaults: podman from PATH; a runtime_dir of
// $XDG_RUNTIME_DIR, else /run, else /tmp (the first that is a writable directory); a
// temp_root of the TMPDIR the host puts in env, else its own $TMPDIR, else /var/tmp, else /tmp.
// Throws Error(invalid_argument) for an empty podman_path, an fd that is not -1 and not an open
// descriptor above 2, a storage_root_fd that is not a directory or comes without a
// storage_root_alias (or with storage_root), an alias without the fd or one that
// check_storage_alias refuses, run_root with run_root_fd, auth_file with auth_fd, or an env
// entry that is not KEY=VALUE.
ConnectPlan plan_connection(ConnectOptions options, const HostFacts &host);

} // namespace podpull
