// SPDX-License-Identifier: MIT OR Apache-2.0
// Command lines and request targets, as data. Every value is its own argv element (no shell,
// no quoting), and the image always follows "--" so that nothing can read it as a flag.
#include "podman_command.hpp"

#include "error.hpp"
#include "percent_encoding.hpp"
#include "podman_features.hpp"

#include <fmt/format.h>

namespace podpull {
namespace {

constexpr std::string_view run_root_at_fd3 = "/proc/self/fd/3";

// The Docker API version podman 4.x reports (Api-Version: 1.41, seen on 4.3.1); later podman
// serves it too, with the deprecated "error" field still in the body (it is left out from
// 1.52).
constexpr std::string_view docker_api_prefix = "/v1.41";

void refuse_non_registry(std::string_view function, const ImageReference &ref) {
    if (needs_subprocess(ref.transport))
        throw Error(ErrorCode::internal, fmt::format("{}: {}: references are not served by the API",
                                                     function, transport_name(ref.transport)));
}

// "os/arch/variant" for /images/create's platform parameter, which podman splits at '/'
// (an empty part means the host's); trailing empty parts are left out. Empty when no part
// is set.
std::string platform_value(const PullParameters &params) {
    const std::optional<std::string> *parts[] = {&params.os, &params.arch, &params.variant};
    constexpr std::string_view names[] = {"os", "arch", "variant"};
    std::size_t last = 0; // one past the last part with a value
    for (std::size_t i = 0; i < 3; ++i) {
        const auto &part = *parts[i];
        if (part && part->find('/') != std::string::npos)
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("{} {} holds a '/'", names[i], quote_for_message(*part, 40)));
        if (part && !part->empty())
            last = i + 1;
    }
    std::string platform;
    for (std::size_t i = 0; i < last; ++i) {
        if (i > 0)
            platform += '/';
        platform += parts[i]->value_or("");
    }
    return platform;
}

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

// "&retry=N[&<delay_name>=<ms>ms]" for a podman that takes retries (5.0+; an older service
// would ignore them silently), else nothing. The delay is a Go duration; 0 means podman's
// default and is left out. libpod spells it retrydelay, /images/create retryDelay.
std::string retry_parameters(const PullParameters &params, const PodmanVersion &podman,
                             std::string_view delay_name) {
    if (podman < retry_since || params.retries == 0)
        return {};
    std::string query = fmt::format("&retry={}", params.retries);
    if (params.retry_delay_ms > 0)
        query += fmt::format("&{}={}ms", delay_name, params.retry_delay_ms);
    return query;
}

// The parameter that makes a libpod pull report bytes on `route`.
std::string_view progress_parameter(Route route) {
    switch (route) {
    case Route::libpod_progress:
        return "&pullProgress=true";
    case Route::libpod_compat:
        return "&compatMode=true";
    case Route::libpod_text:
        return "";
    case Route::automatic:
    case Route::docker_compat:
    case Route::subprocess:
    default:
        throw Error(
            ErrorCode::internal,
            fmt::format("libpod_pull_target: route {} is not a libpod pull", route_name(route)));
    }
}

} // namespace

void check_storage_alias(std::string_view alias) {
    constexpr std::size_t path_max = 4096; // PATH_MAX, with its terminating NUL
    const auto refuse = [&](std::string_view why) {
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("storage_root_alias {} {}", quote_for_message(alias, 80), why));
    };
    if (alias.empty() || alias.front() != '/')
        refuse("is not an absolute path");
    if (alias.size() >= path_max)
        refuse("is longer than PATH_MAX");
    if (alias == "/")
        refuse("is the root directory");
    if (alias.find('\0') != std::string_view::npos)
        refuse("holds a NUL byte");
    std::string_view rest = alias.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto part = rest.substr(0, slash);
        if (part.empty() || part == "." || part == "..")
            refuse("is not a normalized path (an empty, \".\" or \"..\" component)");
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
        if (rest.empty())
            refuse("ends with '/'");
    }
}

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
                                   const PodmanVersion &version,
                                   const std::optional<std::string> &authfile) {
    // Never passed: --policy (5.6+; `podman pull` always pulls). --retry and --retry-delay
    // only from 5.0 on: an older `podman pull` refuses flags it does not know.
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
    if (version >= retry_since && params.retries > 0) {
        argv.insert(argv.end(), {"--retry", std::to_string(params.retries)});
        if (params.retry_delay_ms > 0)
            argv.insert(argv.end(), {"--retry-delay", fmt::format("{}ms", params.retry_delay_ms)});
    }
    add_flag(argv, "--signature-policy", params.signature_policy);
    add_flag(argv, "--authfile", authfile);
    argv.emplace_back("--");
    argv.push_back(ref.text);
    return argv;
}

std::string libpod_pull_target(const ImageReference &ref, const PullParameters &params, Route route,
                               const PodmanVersion &podman) {
    refuse_non_registry("libpod_pull_target", ref);
    // The /v5.0.0/ prefix is not checked against the server (seen on 4.3.1); parameter names
    // are podman's exact spellings. tlsVerify is sent only to turn verification off: podman
    // applies it only when present, and then it overrides registries.conf (upstream source:
    // pkg/api/handlers/libpod/images_pull.go, and containers/image's docker_client.go), so an
    // explicit "true" would undo a registry the host declared insecure there, which
    // POST /images/create and `podman pull` (without --tls-verify) both honour.
    std::string target = fmt::format("/v5.0.0/libpod/images/pull?reference={}&policy={}",
                                     percent_encode(ref.text), policy_name(params.policy));
    if (!params.tls_verify)
        target += "&tlsVerify=false";
    if (has_value(params.os))
        target += "&OS=" + percent_encode(*params.os);
    if (has_value(params.arch))
        target += "&Arch=" + percent_encode(*params.arch);
    if (has_value(params.variant))
        target += "&Variant=" + percent_encode(*params.variant);
    target += progress_parameter(route);
    return target + retry_parameters(params, podman, "retrydelay");
}

std::string docker_create_target(const ImageReference &ref, const PullParameters &params,
                                 const PodmanVersion &podman) {
    refuse_non_registry("docker_create_target", ref);
    // podman joins fromImage and tag with '@' when tag parses as a digest, else with ':'
    // (mergeNameAndTagOrDigest in pkg/api/handlers/compat/images.go). A reference with both
    // keeps its tag in fromImage: "name:tag" + "@" + digest is the reference as written. No
    // tag at all is sent as "latest": Docker reads an empty tag as "every tag".
    const RepositoryParts parts = split_repository(ref);
    std::string from_image = parts.name;
    std::string tag = parts.digest.empty() ? parts.tag : parts.digest;
    if (!parts.digest.empty() && !parts.tag.empty())
        from_image += ":" + parts.tag;
    if (tag.empty())
        tag = "latest";
    std::string target = fmt::format("{}/images/create?fromImage={}&tag={}", docker_api_prefix,
                                     percent_encode(from_image), percent_encode(tag));
    if (const std::string platform = platform_value(params); !platform.empty())
        target += "&platform=" + percent_encode(platform);
    // retry and retryDelay came to /images/create with 5.0 too (upstream source:
    // pkg/api/handlers/compat/images.go at v5.0.0).
    return target + retry_parameters(params, podman, "retryDelay");
}

std::string image_inspect_target(const ImageReference &ref) {
    refuse_non_registry("image_inspect_target", ref);
    // podman's router matches encoded paths and unescapes the name ({name:.*}, UseEncodedPath
    // and utils.GetName), so '/' and ':' travel percent-encoded.
    return fmt::format("/v5.0.0/libpod/images/{}/json", percent_encode(without_docker_prefix(ref)));
}

} // namespace podpull
