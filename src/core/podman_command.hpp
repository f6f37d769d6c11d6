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

// podman's global flags for the host's storage; shared by the service and `podman pull`.
struct StorageFlags {
    std::optional<std::string> root;           // --root
    std::optional<std::string> run_root;       // --runroot (a path)
    bool run_root_at_fd3 = false;              // --runroot /proc/self/fd/3 instead
    std::optional<std::string> storage_driver; // --storage-driver
};

std::vector<std::string> global_flags(const StorageFlags &storage);

// [podman, globals..., system, service, --time=0, unix://<socket>]
std::vector<std::string> service_argv(const std::string &podman, const StorageFlags &storage,
                                      const std::string &socket_path);

// [podman, globals..., pull, [--tls-verify=false], [--os/--arch/--variant ...],
//  [--authfile <path>], --, <image>]
std::vector<std::string> pull_argv(const std::string &podman, const StorageFlags &storage,
                                   const ImageReference &ref, const PullParameters &params,
                                   const std::optional<std::string> &authfile);

// "/v5.0.0/libpod/images/pull?reference=...&policy=...&tlsVerify=..." with the parameters
// that `route` and this podman understand.
std::string libpod_pull_target(const ImageReference &ref, const PullParameters &params,
                               Route route, const PodmanVersion &podman);

} // namespace podpull
