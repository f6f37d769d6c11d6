// The route decision: given the reference, the podman at hand and the pull options, how to
// pull and, in words a person can read, why.
#pragma once

#include "podman_version.hpp"
#include "pull_parameters.hpp"
#include "reference.hpp"

#include <string>
#include <string_view>

namespace podpull {

// Same numbers as podpull_route in podpull.h.
enum class Route : int {
    automatic = 0,
    libpod_progress = 1,
    libpod_compat = 2,
    docker_compat = 3,
    libpod_text = 4,
    subprocess = 5,
};

std::string_view route_name(Route route); // "LIBPOD_PROGRESS", ...

struct RouteDecision {
    Route route = Route::automatic;
    std::string reason;
};

// With `params.route` AUTO: a local transport goes to SUBPROCESS; a registry reference to
// LIBPOD_PROGRESS on podman 6.0+, LIBPOD_COMPAT on 4.8 to 5.x, and on older podman to
// DOCKER_COMPAT when POST /images/create can carry the pull (tls_verify on, policy ALWAYS, a
// fully qualified reference), else LIBPOD_TEXT. The reason says which route and why.
// Throws Error(invalid_argument) when `params.route` forces a route this reference, podman or
// these options cannot take; the message says why.
RouteDecision choose_route(const ImageReference &ref, const PodmanVersion &podman,
                           const PullParameters &params);

} // namespace podpull
