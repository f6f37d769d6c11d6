// SPDX-License-Identifier: MIT OR Apache-2.0
// The command lines and request targets podpull sends to podman, built as data so that tests
// can read them and no shell ever sees them.
#pragma once

#include "podman_version.hpp"
#include "pull_parameters.hpp"
#include "reference.hpp"
#include "route.hpp"

#include <optional>
#include <string>
#include <vector>

namespace podpull {

// Where a podman child finds what the host hands it: the runroot directory (bootc's layout:
// --runroot /proc/self/fd/3) and, for `podman pull`, the credentials (--authfile
// /proc/self/fd/4).
inline constexpr int run_root_child_fd = 3;
inline constexpr int auth_file_child_fd = 4;

// podman's global flags for the host's storage; shared by the service and `podman pull`.
struct StorageFlags {
    std::optional<std::string> root;           // --root
    std::optional<std::string> run_root;       // --runroot (a path)
    bool run_root_at_fd3 = false;              // --runroot /proc/self/fd/3 instead
    std::optional<std::string> storage_driver; // --storage-driver
};

std::vector<std::string> global_flags(const StorageFlags &storage);

// The storage root as bootc holds it: an open directory that podman is to see at an absolute
// alias path (podman records the path in its database, so it must stay the same from one
// client to the next). Every podman and skopeo child gets the directory bind-mounted at the
// alias in a private mount namespace of its own, set up between fork and exec
// (io/child_process), so nothing of it ever shows in the host's mount table and it vanishes
// with the child. The child's --root is the alias.
struct StorageBinding {
    int fd = -1;       // the host's descriptor of the directory
    std::string alias; // absolute and normalized (check_storage_alias)
};

// Throws Error(invalid_argument) unless `alias` is an absolute path without ".", ".." or
// empty components, other than "/" and under PATH_MAX: a mount target the host can predict,
// never one that resolves somewhere else.
void check_storage_alias(std::string_view alias);

// [podman, globals..., system, service, --time=0, unix://<socket>]
std::vector<std::string> service_argv(const std::string &podman, const StorageFlags &storage,
                                      const std::string &socket_path);

// [podman, globals..., pull, [--tls-verify=false], [--os/--arch/--variant ...],
//  [--retry N [--retry-delay <ms>ms]] (podman 5.0+), [--signature-policy <path>],
//  [--authfile <path>], --, <image>]
std::vector<std::string> pull_argv(const std::string &podman, const StorageFlags &storage,
                                   const ImageReference &ref, const PullParameters &params,
                                   const PodmanVersion &version,
                                   const std::optional<std::string> &authfile);

// "/v5.0.0/libpod/images/pull?reference=...&policy=...[&tlsVerify=false]..." with the
// parameters that `route` (LIBPOD_TEXT, LIBPOD_PROGRESS, LIBPOD_COMPAT) and this podman
// understand. Throws Error(internal) for another route or a reference of a local transport.
std::string libpod_pull_target(const ImageReference &ref, const PullParameters &params, Route route,
                               const PodmanVersion &podman);

// DOCKER_COMPAT's request: "/v1.41/images/create?fromImage=<name>&tag=<tag or digest>" with
// [&platform=os/arch/variant] and, on podman 5.0+, [&retry=N[&retryDelay=<ms>ms]]. It has no
// policy or tlsVerify (choose_route keeps such pulls off this route). Throws
// Error(invalid_argument) when os, arch or variant holds a '/', Error(internal) for a
// reference of a local transport.
std::string docker_create_target(const ImageReference &ref, const PullParameters &params,
                                 const PodmanVersion &podman);

// "/v5.0.0/libpod/images/<reference>/json": the image a reference names in local storage,
// to learn the full image ID after a pull on LIBPOD_COMPAT or DOCKER_COMPAT (see
// image_id_from_inspect).
std::string image_inspect_target(const ImageReference &ref);

} // namespace podpull
