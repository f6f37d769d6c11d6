// SPDX-License-Identifier: MIT OR Apache-2.0
// The route decision. Each route's requirements live in one function, `unmet_requirement`,
// which both the automatic choice and a forced route ask; the automatic choice walks
// `automatic_order` and takes the first route whose requirements hold. Adding a route to the
// automatic choice is adding it to that list.
#include "route.hpp"

#include "error.hpp"
#include "podman_features.hpp"

#include <array>
#include <fmt/format.h>
#include <optional>

namespace podpull {
namespace {

// The routes an automatic choice tries for a registry reference, best first: per-blob
// bytes, per-layer bytes from the libpod endpoint (which takes every option), per-layer bytes
// from the Docker-compatible one (which does not), then text. LIBPOD_TEXT takes every
// registry reference, so the walk always ends.
constexpr std::array automatic_order{Route::libpod_progress, Route::libpod_compat,
                                     Route::docker_compat, Route::libpod_text};

constexpr std::string_view c_name_prefix = "PODPULL_ROUTE_";

std::string api_refusal(const ImageReference &ref) {
    return fmt::format("{}: references are not served by podman's API",
                       transport_name(ref.transport));
}

// No release's pull endpoints take a policy (a service reads the one it started with, and
// only 6.x lets CONTAINERS_POLICY_JSON choose that); `podman pull --signature-policy` does,
// on every release.
constexpr std::string_view api_takes_no_policy =
    "a signature policy was given, and podman's API takes none (`podman pull "
    "--signature-policy` does)";

// Why POST /images/create cannot carry this pull, or nullopt when it can. Its parameters on
// every podman from 4.0 (pkg/api/handlers/compat/images.go, CreateImageFromImage; upstream
// source) are fromImage, tag and platform ("os/arch/variant"), plus retry and retryDelay
// from 5.0. Hence:
//   - it has no tlsVerify: TLS follows registries.conf, where a host declares a plain-HTTP or
//     self-signed registry insecure (a file handed to the service through
//     CONTAINERS_REGISTRIES_CONF in `env`). tls_verify off asks for more than it can do;
//   - it always pulls (config.PullPolicyAlways), whatever policy was asked for;
//   - with containers.conf's default compat_api_enforce_docker_hub, it resolves a short name
//     on Docker Hub, not through registries.conf's search list as the libpod endpoint does;
//   - os, arch and variant go in `platform`, so they are no obstacle.
std::optional<std::string> docker_compat_limit(const ImageReference &ref,
                                               const PullParameters &params) {
    if (!params.tls_verify)
        return std::string("tls_verify is off and /images/create cannot skip TLS verification "
                           "(keep tls_verify on and declare the registry insecure in a "
                           "registries.conf passed through CONTAINERS_REGISTRIES_CONF)");
    if (params.policy != PullPolicy::always)
        return fmt::format("policy is \"{}\" and /images/create always pulls",
                           policy_name(params.policy));
    if (!is_fully_qualified(ref))
        return fmt::format("{} is a short name, which /images/create would look up on Docker "
                           "Hub instead of through registries.conf",
                           quote_for_message(ref.text, 80));
    return std::nullopt;
}

// Why `route` cannot pull `ref` from this podman with these options, or nullopt when it can.
std::optional<std::string> unmet_requirement(Route route, const ImageReference &ref,
                                             const PodmanVersion &podman,
                                             const PullParameters &params) {
    if (route == Route::subprocess)
        return std::nullopt; // `podman pull` takes every transport, on every version
    if (needs_subprocess(ref.transport))
        return api_refusal(ref); // every other route is a request to the API
    if (params.signature_policy)
        return std::string(api_takes_no_policy);
    switch (route) {
    case Route::libpod_progress:
        if (podman < pull_progress_since)
            return fmt::format("pullProgress needs podman {} or newer; this is podman {}",
                               pull_progress_since.to_string(), podman.to_string());
        return std::nullopt;
    case Route::libpod_compat:
        if (podman < compat_mode_since)
            return fmt::format("compatMode needs podman {} or newer; this is podman {}",
                               compat_mode_since.to_string(), podman.to_string());
        return std::nullopt;
    case Route::docker_compat:
        return docker_compat_limit(ref, params);
    case Route::libpod_text:
        return std::nullopt;
    case Route::automatic:
    case Route::subprocess:
        break;
    }
    return fmt::format("route {} is not a route", static_cast<int>(route));
}

// "podman 4.3.1 has neither pullProgress (6.0.0) nor compatMode (4.8.0)"
std::string lacks_byte_parameters(const PodmanVersion &podman) {
    return fmt::format("podman {} has neither pullProgress ({}) nor compatMode ({})",
                       podman.to_string(), pull_progress_since.to_string(),
                       compat_mode_since.to_string());
}

// What `route` gives the host here, in words for a person.
std::string describe(Route route, const ImageReference &ref, const PodmanVersion &podman) {
    switch (route) {
    case Route::libpod_progress:
        return fmt::format("podman {} reports per-blob bytes with pullProgress",
                           podman.to_string());
    case Route::libpod_compat:
        return fmt::format("podman {} reports per-layer bytes with compatMode", podman.to_string());
    case Route::docker_compat:
        return "POST /images/create reports per-layer bytes on every podman; the image ID is "
               "looked up after the pull";
    case Route::libpod_text:
        if (podman < pull_progress_since)
            return fmt::format("podman {} has no pullProgress (it came in {}): status text only, "
                               "per-blob bytes are unavailable on this route",
                               podman.to_string(), pull_progress_since.to_string());
        return fmt::format("podman {}: status text only, per-blob bytes are unavailable on "
                           "this route",
                           podman.to_string());
    case Route::subprocess:
        if (needs_subprocess(ref.transport))
            return api_refusal(ref) + "; running `podman pull`";
        return "running `podman pull`: status text only, per-blob bytes are unavailable on "
               "this route";
    case Route::automatic:
        break;
    }
    return "automatic";
}

// Why the automatic choice took `route` for a registry reference: what it gives, and why no
// route before it in automatic_order would do.
std::string automatic_reason(Route route, const ImageReference &ref, const PodmanVersion &podman,
                             const PullParameters &params) {
    switch (route) {
    case Route::libpod_compat:
        return fmt::format("{} (per-blob bytes need pullProgress, podman {})",
                           describe(route, ref, podman), pull_progress_since.to_string());
    case Route::docker_compat:
        return fmt::format("{}: POST /images/create reports per-layer bytes; the image ID is "
                           "looked up after the pull",
                           lacks_byte_parameters(podman));
    case Route::libpod_text:
        if (podman >= compat_mode_since) // unreachable while LIBPOD_COMPAT takes every option
            break;
        return fmt::format("{}, and POST /images/create cannot take this pull: {}; status text "
                           "only, per-blob bytes are unavailable on this route",
                           lacks_byte_parameters(podman),
                           docker_compat_limit(ref, params).value_or("?"));
    default:
        break;
    }
    return describe(route, ref, podman);
}

} // namespace

const char *route_c_name(Route route) {
    switch (route) {
    case Route::automatic:
        return "PODPULL_ROUTE_AUTO";
    case Route::libpod_progress:
        return "PODPULL_ROUTE_LIBPOD_PROGRESS";
    case Route::libpod_compat:
        return "PODPULL_ROUTE_LIBPOD_COMPAT";
    case Route::docker_compat:
        return "PODPULL_ROUTE_DOCKER_COMPAT";
    case Route::libpod_text:
        return "PODPULL_ROUTE_LIBPOD_TEXT";
    case Route::subprocess:
        return "PODPULL_ROUTE_SUBPROCESS";
    }
    return "PODPULL_ROUTE_UNKNOWN";
}

std::string_view route_name(Route route) {
    return std::string_view(route_c_name(route)).substr(c_name_prefix.size());
}

bool is_route_value(int value) {
    return value >= static_cast<int>(Route::automatic) &&
           value <= static_cast<int>(Route::subprocess);
}

Route route_from_value(int value) {
    if (!is_route_value(value))
        throw Error(ErrorCode::invalid_argument, "route is not a podpull_route value");
    return static_cast<Route>(value);
}

RouteDecision choose_route(const ImageReference &ref, const PodmanVersion &podman,
                           const PullParameters &params) {
    if (params.route == Route::automatic) {
        if (needs_subprocess(ref.transport))
            return {Route::subprocess, describe(Route::subprocess, ref, podman)};
        if (params.signature_policy)
            return {Route::subprocess, fmt::format("{}: {}", api_takes_no_policy,
                                                   describe(Route::subprocess, ref, podman))};
        for (const Route route : automatic_order) {
            if (!unmet_requirement(route, ref, podman, params))
                return {route, automatic_reason(route, ref, podman, params)};
        }
        // Unreachable while LIBPOD_TEXT, which every registry reference can take, is listed.
        throw Error(ErrorCode::internal, "no route can pull this reference");
    }
    if (!is_route_value(static_cast<int>(params.route)))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("unknown route {}", static_cast<int>(params.route)));
    if (const auto unmet = unmet_requirement(params.route, ref, podman, params))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("route {} cannot pull {}: {}", route_name(params.route),
                                quote_for_message(ref.text, 80), *unmet));
    return {params.route, fmt::format("{} requested by the caller: {}", route_name(params.route),
                                      describe(params.route, ref, podman))};
}

} // namespace podpull
