// SPDX-License-Identifier: MIT OR Apache-2.0
#include "pull_plan.hpp"

#include "error.hpp"
#include "podman_command.hpp"
#include "podman_features.hpp"

#include <fmt/format.h>

namespace podpull {
namespace {

ApiPullPlan plan_api(const ImageReference &ref, const PullParameters &params, Route route,
                     const PodmanVersion &podman) {
    if (route == Route::docker_compat)
        return {docker_create_target(ref, params, podman), image_inspect_target(ref)};
    // LIBPOD_COMPAT speaks jsonmessage too, and so ends with a short ID as well.
    std::optional<std::string> inspect;
    if (route == Route::libpod_compat)
        inspect = image_inspect_target(ref);
    return {libpod_pull_target(ref, params, route, podman), std::move(inspect)};
}

// podman resolves a relative path against its own working directory, which is not the
// host's; an empty one it would take as "the default policy".
void check_signature_policy(const std::optional<std::string> &path) {
    if (path && (path->empty() || path->front() != '/'))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("signature_policy {} is not an absolute path",
                                quote_for_message(*path, 80)));
}

// What skopeo gets of the credentials podman gets. A short name gets no skopeo step at all.
ManifestCredentials manifest_credentials(const PullCredentials &credentials) {
    if (!credentials.sends_any_file())
        return ManifestCredentials::own_lookup;
    return credentials.entries.empty() ? ManifestCredentials::anonymous
                                       : ManifestCredentials::auth_file;
}

} // namespace

PullPlan plan_pull(std::string_view image, const PullParameters &params,
                   const PodmanVersion &podman, const RegistryAuth *auth,
                   const ConnectPlan &connection, const ManifestFacts &facts) {
    PullPlan plan;
    plan.reference = parse_reference(image);
    check_signature_policy(params.signature_policy);
    plan.decision = choose_route(plan.reference, podman, params);
    plan.stall_timeout = std::chrono::milliseconds(params.stall_timeout_ms);
    plan.credentials = credentials_for_pull(auth, plan.reference);

    plan.own_retries = own_retry_rule(plan.reference.transport == Transport::registry,
                                      params.retries, params.retry_delay_ms, podman);
    if (plan.own_retries.retries > 0)
        plan.notes.push_back(fmt::format(
            "podman {} takes no retry count ({} added it); podpull retries a pull that fails "
            "on a transient registry error itself, up to {} times",
            podman.to_string(), retry_since.to_string(), plan.own_retries.retries));
    plan.notes.push_back(describe_credentials(plan.credentials, plan.reference));
    if (params.signature_policy)
        plan.notes.push_back(fmt::format("the image must satisfy the signature policy {}",
                                         quote_for_message(*params.signature_policy, 200)));

    if (plan.decision.route == Route::subprocess) {
        std::optional<std::string> authfile;
        if (plan.credentials.sends_any_file())
            authfile = fmt::format("/proc/self/fd/{}", auth_file_child_fd);
        plan.steps = SubprocessPullPlan{pull_argv(connection.podman, connection.storage,
                                                  plan.reference, params, podman, authfile)};
    } else {
        plan.steps = plan_api(plan.reference, params, plan.decision.route, podman);
    }
    plan.manifest =
        plan_manifest(plan.reference, params, manifest_credentials(plan.credentials), facts);
    return plan;
}

HttpHeaderList api_request_headers(const PullPlan &plan) {
    HttpHeaderList headers;
    if (auto header = credentials_header(plan.credentials))
        headers.push_back(std::move(*header));
    return headers;
}

std::optional<std::string> subprocess_auth_file(const PullPlan &plan) {
    return credentials_auth_file(plan.credentials);
}

} // namespace podpull
