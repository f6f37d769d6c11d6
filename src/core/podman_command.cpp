// Command lines and request targets, as data. Every value is its own argv element (no shell,
// no quoting), and the image always follows "--" so that nothing can read it as a flag.
#include "podman_command.hpp"

#include "error.hpp"
#include "percent_encoding.hpp"

#include <fmt/format.h>

namespace podpull {
namespace {

constexpr std::string_view run_root_at_fd3 = "/proc/self/fd/3";

// retry and retrydelay came in podman 5.0.0 (podman-facts.md).
constexpr PodmanVersion retry_since{5, 0, 0};

void add_flag(std::vector<std::string> &argv, std::string_view flag,
              const std::optional<std::string> &value) {
    if (!value)
        return;
    if (value->empty())
        throw Error(ErrorCode::invalid_argument, fmt::format("{} given an empty value", flag));
    argv.emplace_back(flag);
    argv.push_back(*value);
}

// A platform field: podman reads an empty value as "the host's", like an absent one, so an
// empty string is sent as nothing at all.
bool has_value(const std::optional<std::string> &value) {
    return value && !value->empty();
}

} // namespace

std::vector<std::string> global_flags(const StorageFlags &storage) {
    if (storage.run_root && storage.run_root_at_fd3)
        throw Error(ErrorCode::invalid_argument,
                    "run_root and run_root_fd are both set; podman takes one --runroot");
    std::vector<std::string> argv;
    add_flag(argv, "--root", storage.root);
    if (storage.run_root_at_fd3) {
        argv.emplace_back("--runroot");
        argv.emplace_back(run_root_at_fd3);
    } else {
        add_flag(argv, "--runroot", storage.run_root);
    }
    add_flag(argv, "--storage-driver", storage.storage_driver);
    return argv;
}

std::vector<std::string> service_argv(const std::string &podman, const StorageFlags &storage,
                                      const std::string &socket_path) {
    std::vector<std::string> argv{podman};
    for (auto &flag : global_flags(storage))
        argv.push_back(std::move(flag));
    argv.insert(argv.end(), {"system", "service", "--time=0", "unix://" + socket_path});
    return argv;
}

std::vector<std::string> pull_argv(const std::string &podman, const StorageFlags &storage,
                                   const ImageReference &ref, const PullParameters &params,
                                   const std::optional<std::string> &authfile) {
    // Not passed, because podman 4.3.1 has no such flag: --policy (5.6+; `podman pull` always
    // pulls) and --retry/--retry-delay (5.0+; podman's default applies).
    std::vector<std::string> argv{podman};
    for (auto &flag : global_flags(storage))
        argv.push_back(std::move(flag));
    argv.emplace_back("pull");
    if (!params.tls_verify)
        argv.emplace_back("--tls-verify=false");
    if (has_value(params.os))
        argv.insert(argv.end(), {"--os", *params.os});
    if (has_value(params.arch))
        argv.insert(argv.end(), {"--arch", *params.arch});
    if (has_value(params.variant))
        argv.insert(argv.end(), {"--variant", *params.variant});
    add_flag(argv, "--authfile", authfile);
    argv.emplace_back("--");
    argv.push_back(ref.text);
    return argv;
}

std::string libpod_pull_target(const ImageReference &ref, const PullParameters &params, Route route,
                               const PodmanVersion &podman) {
    if (needs_subprocess(ref.transport))
        throw Error(ErrorCode::internal,
                    fmt::format("libpod_pull_target: {}: references are not served by the API",
                                transport_name(ref.transport)));
    // The /v5.0.0/ prefix is not checked against the server (seen on 4.3.1); parameter names
    // are podman's exact spellings.
    std::string target = fmt::format("/v5.0.0/libpod/images/pull?reference={}&policy={}"
                                     "&tlsVerify={}",
                                     percent_encode(ref.text), policy_name(params.policy),
                                     params.tls_verify ? "true" : "false");
    if (has_value(params.os))
        target += "&OS=" + percent_encode(*params.os);
    if (has_value(params.arch))
        target += "&Arch=" + percent_encode(*params.arch);
    if (has_value(params.variant))
        target += "&Variant=" + percent_encode(*params.variant);
    switch (route) {
    case Route::libpod_progress:
        target += "&pullProgress=true";
        break;
    case Route::libpod_compat:
        target += "&compatMode=true";
        break;
    case Route::libpod_text:
        break;
    case Route::automatic:
    case Route::docker_compat:
    case Route::subprocess:
    default:
        throw Error(
            ErrorCode::internal,
            fmt::format("libpod_pull_target: route {} is not a libpod pull", route_name(route)));
    }
    // An older service ignores retry parameters silently, so they are sent only where they
    // mean something. retrydelay is a Go duration; 0 means podman's default and is left out.
    if (podman >= retry_since && params.retries > 0) {
        target += fmt::format("&retry={}", params.retries);
        if (params.retry_delay_ms > 0)
            target += fmt::format("&retrydelay={}ms", params.retry_delay_ms);
    }
    return target;
}

} // namespace podpull
