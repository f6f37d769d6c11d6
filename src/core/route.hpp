// SPDX-License-Identifier: MIT OR Apache-2.0
// The route decision: given the reference, the podman at hand and the pull options, how to
// pull and, in words a person can read, why.
#pragma once

#include "podman_version.hpp"
#include "pull_parameters.hpp"
#include "reference.hpp"

#include <string>
#include <string_view>

namespace podpull {

// Same numbers as podpull_route in podpull.h (abi/c_enums.hpp checks each).
enum class Route : int {
    automatic = 0,
    libpod_progress = 1,
    libpod_compat = 2,
    docker_compat = 3,
    libpod_text = 4,
    subprocess = 5,
};

// The one spelling of every route: "PODPULL_ROUTE_LIBPOD_PROGRESS" and so on, as
// podpull_route_str() returns it; "PODPULL_ROUTE_UNKNOWN" for a value outside the enum.
const char *route_c_name(Route route);
// The same without the "PODPULL_ROUTE_" prefix, for messages: "LIBPOD_PROGRESS", ...
std::string_view route_name(Route route);

// Whether `value` is a podpull_route value (AUTO included).
bool is_route_value(int value);
// The route a host asked for. Throws Error(invalid_argument) for a value outside the enum.
Route route_from_value(int value);

struct RouteDecision {
    Route route = Route::automatic;
    std::string reason;
};

// With `params.route` AUTO: a local transport, or any pull with a signature policy, goes to
// SUBPROCESS; a registry reference to
// LIBPOD_PROGRESS on podman 6.0+, LIBPOD_COMPAT on 4.8 to 5.x, and on older podman to
// DOCKER_COMPAT when POST /images/create can carry the pull (tls_verify on, policy ALWAYS, a
// fully qualified reference), else LIBPOD_TEXT. The reason says which route and why.
// Throws Error(invalid_argument) when `params.route` forces a route this reference, podman or
// these options cannot take; the message says why.
RouteDecision choose_route(const ImageReference &ref, const PodmanVersion &podman,
                           const PullParameters &params);

} // namespace podpull
