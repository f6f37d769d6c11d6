// SPDX-License-Identifier: MIT OR Apache-2.0
// The pull options of podpull_pull_options, in C++ types, after the shim has read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podpull {

enum class Route : int;

// Same numbers as podpull_policy in podpull.h (abi/c_enums.hpp checks each).
enum class PullPolicy { always = 0, missing = 1, newer = 2, never = 3 };

std::string_view policy_name(PullPolicy policy); // "always", "missing", "newer", "never"

// The policy a host asked for. Throws Error(invalid_argument) for a value outside the enum.
PullPolicy policy_from_value(int value);

// What a host gets unless it says otherwise (PODPULL_DEFAULT_STALL_TIMEOUT_MS, the same value).
inline constexpr std::uint32_t default_stall_timeout_ms = 120'000;

struct PullParameters {
    PullPolicy policy = PullPolicy::always;
    // false skips TLS verification. true is podman's default: verify, unless the host's
    // registries.conf declares the registry insecure (so podpull never sends tlsVerify=true).
    bool tls_verify = true;
    std::optional<std::string> os, arch, variant;
    std::uint32_t retries = 0;
    std::uint32_t retry_delay_ms = 0;
    std::uint32_t stall_timeout_ms = default_stall_timeout_ms;
    Route route{}; // Route::automatic
    // The containers-policy.json(5) file `podman pull --signature-policy` is given; nullopt:
    // podman's default. An absolute path (plan_pull checks); the shell checks it is readable.
    std::optional<std::string> signature_policy;
};

} // namespace podpull
