// SPDX-License-Identifier: MIT OR Apache-2.0
#include "connect_plan.hpp"

#include "error.hpp"

#include <fmt/format.h>

namespace podpull {
namespace {

// -1 means "none"; anything else must be a descriptor the host has open, and not stdio,
// which the children get anyway.
void check_fd(int fd, const char *what, const HostFacts &host) {
    if (fd == -1)
        return;
    if (fd < 3 || !host.is_open_fd(fd))
        throw Error(
            ErrorCode::invalid_argument,
            fmt::format("{} is {}, which is not an open file descriptor above 2", what, fd));
}

std::string default_runtime_dir(const HostFacts &host) {
    if (host.xdg_runtime_dir && host.is_writable_dir(*host.xdg_runtime_dir))
        return *host.xdg_runtime_dir;
    if (host.is_writable_dir("/run"))
        return "/run";
    return "/tmp";
}

// podman's own default is /var/tmp; a TMPDIR the host gives podman, or has itself, wins.
std::string default_temp_root(const std::vector<std::string> &env, const HostFacts &host) {
    for (auto entry = env.rbegin(); entry != env.rend(); ++entry)
        if (entry->starts_with("TMPDIR=") && entry->size() > 7)
            return entry->substr(7);
    if (host.tmpdir && host.is_writable_dir(*host.tmpdir))
        return *host.tmpdir;
    if (host.is_writable_dir("/var/tmp"))
        return "/var/tmp";
    return "/tmp";
}

// The combinations podman cannot take, in the order a host reads its options.
void check_options(const ConnectOptions &options, const HostFacts &host) {
    if (options.podman_path && options.podman_path->empty())
        throw Error(ErrorCode::invalid_argument, "podman_path is empty");
    check_fd(options.storage_root_fd, "storage_root_fd", host);
    check_fd(options.run_root_fd, "run_root_fd", host);
    check_fd(options.auth_fd, "auth_fd", host);
    if (options.storage_root_fd >= 0) {
        if (!host.is_directory_fd(options.storage_root_fd))
            throw Error(
                ErrorCode::invalid_argument,
                fmt::format("storage_root_fd {} is not a directory", options.storage_root_fd));
        if (options.storage_root)
            throw Error(ErrorCode::invalid_argument,
                        "storage_root and storage_root_fd are both set; podman takes one --root");
        if (!options.storage_root_alias)
            throw Error(ErrorCode::invalid_argument,
                        "storage_root_fd needs storage_root_alias, the path podman is to see the "
                        "storage at");
        check_storage_alias(*options.storage_root_alias);
    } else if (options.storage_root_alias) {
        throw Error(ErrorCode::invalid_argument,
                    "storage_root_alias is set without storage_root_fd");
    }
    if (options.run_root_fd >= 0 && options.run_root)
        throw Error(ErrorCode::invalid_argument, "run_root and run_root_fd are both set");
    if (options.auth_file && options.auth_fd >= 0)
        throw Error(ErrorCode::invalid_argument, "auth_file and auth_fd are both set");
    for (const auto &entry : options.env) {
        if (entry.find('=') == std::string::npos || entry.front() == '=')
            throw Error(ErrorCode::invalid_argument,
                        "env entries must be KEY=VALUE; one has no key or no '='");
    }
}

} // namespace

ConnectPlan plan_connection(ConnectOptions options, const HostFacts &host) {
    check_options(options, host);
    ConnectPlan plan;
    if (options.podman_path)
        plan.podman = std::move(*options.podman_path);
    plan.storage.root = std::move(options.storage_root);
    if (options.storage_root_fd >= 0) {
        plan.storage_binding = StorageBinding{options.storage_root_fd, *options.storage_root_alias};
        plan.storage.root = std::move(options.storage_root_alias);
    }
    plan.storage.run_root = std::move(options.run_root);
    plan.storage.run_root_at_fd3 = options.run_root_fd >= 0;
    plan.storage.storage_driver = std::move(options.storage_driver);
    plan.run_root_fd = options.run_root_fd;
    plan.auth_file = std::move(options.auth_file);
    plan.auth_fd = options.auth_fd;
    plan.temp_root = default_temp_root(options.env, host);
    plan.env = std::move(options.env);
    plan.socket_path = std::move(options.socket_path);
    if (!plan.socket_path)
        plan.runtime_dir =
            options.runtime_dir ? std::move(*options.runtime_dir) : default_runtime_dir(host);
    plan.start_timeout = options.start_timeout;
    plan.log = std::move(options.log);
    return plan;
}

} // namespace podpull
