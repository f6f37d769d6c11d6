// SPDX-License-Identifier: MIT OR Apache-2.0
#include "pull_parameters.hpp"

#include "error.hpp"

#include <fmt/format.h>

namespace podpull {

std::string_view policy_name(PullPolicy policy) {
    // podman's spelling of the policy query parameter and of `podman pull --policy`.
    switch (policy) {
    case PullPolicy::always:
        return "always";
    case PullPolicy::missing:
        return "missing";
    case PullPolicy::newer:
        return "newer";
    case PullPolicy::never:
        return "never";
    }
    throw Error(ErrorCode::invalid_argument,
                fmt::format("unknown pull policy {}", static_cast<int>(policy)));
}

PullPolicy policy_from_value(int value) {
    if (value < static_cast<int>(PullPolicy::always) || value > static_cast<int>(PullPolicy::never))
        throw Error(ErrorCode::invalid_argument, "policy is not a podpull_policy value");
    return static_cast<PullPolicy>(value);
}

} // namespace podpull
