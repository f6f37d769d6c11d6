// SPDX-License-Identifier: MIT OR Apache-2.0
// The second half of the plan: one pull, decided before anything is sent. The image, the
// host's options, the podman at hand and the credentials come in; out comes the route and
// why, and every request or command line the shell will use. The client carries it out step
// by step and decides nothing itself.
#pragma once

#include "connect_plan.hpp"
#include "manifest_step.hpp"
#include "podman_version.hpp"
#include "pull_parameters.hpp"
#include "reference.hpp"
#include "registry_auth.hpp"
#include "retry_policy.hpp"
#include "route.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace podpull {

// LIBPOD_PROGRESS, LIBPOD_COMPAT, LIBPOD_TEXT and DOCKER_COMPAT: a request to the service.
struct ApiPullPlan {
    std::string target; // POST /v5.0.0/libpod/images/pull?... or /v1.41/images/create?...
    // The routes whose body ends with only the image ID's first 12 hex digits: GET this
    // afterwards for the full ID (image_id_from_inspect).
    std::optional<std::string> inspect_target;
};

// SUBPROCESS: `podman pull`.
struct SubprocessPullPlan {
    // argv[0] is podman as the connect plan names it; the shell resolves it in PATH.
    std::vector<std::string> argv;
};

struct PullPlan {
    ImageReference reference;
    RouteDecision decision;
    std::chrono::milliseconds stall_timeout{0}; // 0: none
    // What podman and skopeo are handed of the host's credentials. The secret part of the
    // plan: it goes only into api_request_headers() and subprocess_auth_file(), never into a
    // note.
    PullCredentials credentials;
    // What the debug log should say about the plan, in order. Never a secret.
    std::vector<std::string> notes;
    std::variant<ApiPullPlan, SubprocessPullPlan> steps;
    // Where the blob sizes come from, carried out alongside `steps` (manifest_step.hpp).
    ManifestStep manifest;
    // The retries podpull makes itself, where podman makes none (retry_policy.hpp).
    OwnRetries own_retries;
};

// `auth`: the host's auth file, parsed; null when it named none. Throws
// Error(invalid_argument) for a malformed reference, a route that cannot pull it
// (choose_route), or options that podman could not take (a platform part with '/', an empty
// value, a signature policy that is not an absolute path); Error(internal) only for a bug.
PullPlan plan_pull(std::string_view image, const PullParameters &params,
                   const PodmanVersion &podman, const RegistryAuth *auth,
                   const ConnectPlan &connection, const ManifestFacts &facts);

using HttpHeaderList = std::vector<std::pair<std::string, std::string>>;

// The API request's headers, the credentials' included (credentials_header; podman ignores
// REGISTRY_AUTH_FILE on API pulls): build them only to send them.
HttpHeaderList api_request_headers(const PullPlan &plan);

// For `podman pull` and skopeo: the auth file they read at auth_file_child_fd (and
// manifest_auth_fd), credentials_auth_file; nullopt when the host named no auth file.
std::optional<std::string> subprocess_auth_file(const PullPlan &plan);

} // namespace podpull
