// The route decision. Each route's requirements live in one function, `unmet_requirement`,
// which both the automatic choice and a forced route ask; the automatic choice walks
// `automatic_order` and takes the first route whose requirements hold. Adding a route to the
// automatic choice is adding it to that list.
#include "route.hpp"

#include "error.hpp"

#include <array>
#include <fmt/format.h>
#include <optional>

namespace podpull {
namespace {

// First podman versions with a feature (podman-facts.md, "Query parameters by podman
// version"). Detected from the service's Libpod-Api-Version, never from errors.
constexpr PodmanVersion compat_mode_since{4, 8, 0};
constexpr PodmanVersion pull_progress_since{6, 0, 0};

// The routes an automatic choice tries for a registry reference, best first.
// LIBPOD_COMPAT and DOCKER_COMPAT belong between these two once their decoder exists; until
// then they are taken only when a caller forces them.
constexpr std::array automatic_order{Route::libpod_progress, Route::libpod_text};

bool is_known(Route route) {
    const int value = static_cast<int>(route);
    return value >= static_cast<int>(Route::libpod_progress) &&
           value <= static_cast<int>(Route::subprocess);
}

std::string api_refusal(const ImageReference &ref) {
    return fmt::format("{}: references are not served by podman's API",
                       transport_name(ref.transport));
}

// Why `route` cannot pull `ref` from this podman, or nullopt when it can.
std::optional<std::string> unmet_requirement(Route route, const ImageReference &ref,
                                             const PodmanVersion &podman) {
    if (route == Route::subprocess)
        return std::nullopt; // `podman pull` takes every transport, on every version
    if (needs_subprocess(ref.transport))
        return api_refusal(ref); // every other route is a request to the API
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
    case Route::libpod_text:
        return std::nullopt;
    case Route::automatic:
    case Route::subprocess:
        break;
    }
    return fmt::format("route {} is not a route", static_cast<int>(route));
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
        return "POST /images/create reports per-layer bytes on every podman";
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

} // namespace

std::string_view route_name(Route route) {
    switch (route) {
    case Route::automatic:
        return "AUTO";
    case Route::libpod_progress:
        return "LIBPOD_PROGRESS";
    case Route::libpod_compat:
        return "LIBPOD_COMPAT";
    case Route::docker_compat:
        return "DOCKER_COMPAT";
    case Route::libpod_text:
        return "LIBPOD_TEXT";
    case Route::subprocess:
        return "SUBPROCESS";
    }
    return "UNKNOWN";
}

RouteDecision choose_route(const ImageReference &ref, const PodmanVersion &podman,
                           const PullParameters &params) {
    if (params.route == Route::automatic) {
        if (needs_subprocess(ref.transport))
            return {Route::subprocess, describe(Route::subprocess, ref, podman)};
        for (const Route route : automatic_order) {
            if (!unmet_requirement(route, ref, podman))
                return {route, describe(route, ref, podman)};
        }
        // Unreachable while LIBPOD_TEXT, which every registry reference can take, is listed.
        throw Error(ErrorCode::internal, "no route can pull this reference");
    }
    if (!is_known(params.route))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("unknown route {}", static_cast<int>(params.route)));
    if (const auto unmet = unmet_requirement(params.route, ref, podman))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("route {} cannot pull {}: {}", route_name(params.route),
                                quote_for_message(ref.text, 80), *unmet));
    return {params.route, fmt::format("{} requested by the caller: {}", route_name(params.route),
                                      describe(params.route, ref, podman))};
}

} // namespace podpull
