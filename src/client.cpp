#include "client.hpp"

#include "core/error.hpp"
#include "core/image_inspect.hpp"
#include "core/reference.hpp"
#include "io/api_pull.hpp"
#include "io/background_loop.hpp"
#include "io/cancel_hub.hpp"
#include "io/child_process.hpp"
#include "io/podman_service.hpp"
#include "io/private_directory.hpp"
#include "io/secret_file.hpp"
#include "io/subprocess_pull.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace podpull {
namespace {

using Clock = std::chrono::steady_clock;

bool is_writable_dir(const char *path) {
    struct stat st {};
    return path != nullptr && *path != '\0' && ::stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
           ::access(path, W_OK | X_OK) == 0;
}

// $XDG_RUNTIME_DIR, else /run, else /tmp: where a private socket directory may go.
std::string default_runtime_dir() {
    if (const char *xdg = std::getenv("XDG_RUNTIME_DIR"); is_writable_dir(xdg))
        return xdg;
    if (is_writable_dir("/run"))
        return "/run";
    return "/tmp";
}

std::string host_path() {
    const char *path = std::getenv("PATH");
    return path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
}

} // namespace

Client::Client(ConnectConfig config) : config_(std::move(config)) {
    try {
        connect();
    } catch (...) {
        shutdown();
        throw;
    }
}

void Client::connect() {
    const auto started = Clock::now();
    if (config_.auth_file || config_.auth_fd >= 0)
        auth_ = parse_registry_auth(
            io::read_secret(config_.auth_file.value_or(""), config_.auth_fd, max_auth_file_bytes));
    env_ = io::child_environment(config_.env);
    loop_ = std::make_unique<io::BackgroundLoop>();
    cancel_hub_ = std::make_unique<io::CancelHub>(loop_->executor());

    if (!config_.socket_path) {
        podman_ = io::resolve_executable(config_.podman_path, host_path());
        io::ServiceConfig service;
        service.podman = podman_;
        service.storage = config_.storage;
        service.run_root_fd = config_.run_root_fd;
        service.env = env_;
        service.runtime_dir = config_.runtime_dir.value_or(default_runtime_dir());
        service.start_timeout = config_.start_timeout;
        // A host killed outright (SIGKILL) leaves its socket directory behind; the next
        // client in the same runtime_dir removes it.
        for (const auto &stale : io::sweep_stale_private_directories(service.runtime_dir))
            log(LogLevel::info,
                fmt::format("removed {}, left by a podpull client that is gone", stale));
        log(LogLevel::debug,
            fmt::format("starting {}", fmt::join(service_argv(podman_, config_.storage,
                                                              "<private dir>/podman.sock"),
                                                 " ")));
        service_ = std::make_unique<io::PodmanService>(*loop_, service);
        log(LogLevel::debug,
            fmt::format(
                "podman service ready at {} after {} ms", service_->socket_path(),
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
                    .count()));
    } else {
        // The subprocess route still needs a podman binary; look it up when it is used.
        podman_ = config_.podman_path;
    }

    const auto spent =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    const auto left = std::max(config_.start_timeout - spent, std::chrono::milliseconds(1));
    const auto reported = io::fetch_libpod_version(socket_path(), left);
    const auto version = parse_podman_version(reported);
    if (!version)
        throw Error(ErrorCode::protocol,
                    fmt::format("podman reported an unreadable version '{}'", reported));
    version_ = *version;
    log(LogLevel::info,
        fmt::format("connected to podman {} at {}", version_.to_string(), socket_path()));
}

Client::~Client() {
    shutdown();
}

void Client::shutdown() noexcept {
    // Order matters: the service stops through the loop, then the loop stops, and only then
    // may the objects with operations on it go.
    service_.reset();
    if (loop_)
        loop_->stop();
    cancel_hub_.reset();
    loop_.reset();
}

std::string Client::socket_path() const {
    return service_ ? service_->socket_path() : *config_.socket_path;
}

void Client::cancel() noexcept {
    cancel_hub_->cancel_all();
}

void Client::log(LogLevel level, std::string_view message) const {
    if (config_.log)
        config_.log(level, message);
}

PullResult Client::pull(std::string_view image, const PullParameters &params,
                        PullObserver &observer) {
    const auto reference = parse_reference(image);
    const auto decision = choose_route(reference, version_, params);
    log(LogLevel::debug, fmt::format("route {}: {}", route_name(decision.route), decision.reason));
    observer.route_chosen(decision);

    if (params.retries > 0 && version_ < PodmanVersion{5, 0, 0})
        log(LogLevel::debug, fmt::format("podman {} takes no retry count (5.0 added it); "
                                         "its own default applies",
                                         version_.to_string()));

    PullResult result;
    result.route = decision.route;
    if (decision.route == Route::subprocess) {
        result.image_id = run_subprocess(reference, params, observer);
        return result;
    }

    io::ApiPullRequest request;
    request.socket_path = socket_path();
    request.target = decision.route == Route::docker_compat
                         ? docker_create_target(reference, params, version_)
                         : libpod_pull_target(reference, params, decision.route, version_);
    request.route = decision.route;
    request.stall_timeout = std::chrono::milliseconds(params.stall_timeout_ms);
    if (const auto credentials = select_credentials(auth_, reference)) {
        request.headers.emplace_back("X-Registry-Auth", registry_auth_header(*credentials));
        log(LogLevel::debug,
            fmt::format("sending the credentials stored under '{}'", credentials->key));
    }
    log(LogLevel::debug, fmt::format("POST {}", request.target));
    auto outcome = io::run_api_pull(request, observer, *cancel_hub_);
    result.bytes = outcome.bytes;
    // The Docker-format routes end with a 12-hex prefix of the ID; ask podman for the rest.
    result.image_id = outcome.image_id.empty()
                          ? image_id_after_compat_pull(reference, outcome.image_id_prefix)
                          : std::move(outcome.image_id);
    if (result.image_id.size() != 64 ||
        result.image_id.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Error(ErrorCode::protocol,
                    fmt::format("podman reported '{}' where a full image ID belongs",
                                result.image_id.substr(0, 80)));
    return result;
}

std::string Client::image_id_after_compat_pull(const ImageReference &reference,
                                               const std::string &prefix) const {
    constexpr std::size_t inspect_limit = 4 * 1024 * 1024; // an inspect answer is a few KiB
    constexpr std::chrono::seconds inspect_timeout{30};
    const auto body = io::fetch_body(socket_path(), image_inspect_target(reference),
                                     inspect_timeout, inspect_limit);
    return image_id_from_inspect(body, prefix);
}

std::string Client::run_subprocess(const ImageReference &reference, const PullParameters &params,
                                   PullObserver &observer) {
    io::SubprocessPullRequest request;
    // Credentials reach `podman pull` as a sealed memory file at fd 4: never on argv, never
    // in a file on disk.
    std::optional<io::SecretMemfd> auth_memfd;
    std::optional<std::string> authfile;
    if (const auto credentials = select_credentials(auth_, reference)) {
        auth_memfd.emplace(minimal_auth_file(*credentials));
        request.child.inherited.push_back({auth_memfd->fd(), 4});
        authfile = "/proc/self/fd/4";
    }
    request.child.argv = pull_argv(io::resolve_executable(podman_, host_path()), config_.storage,
                                   reference, params, authfile);
    request.child.env = env_;
    if (config_.run_root_fd >= 0)
        request.child.inherited.push_back({config_.run_root_fd, 3});
    request.stall_timeout = std::chrono::milliseconds(params.stall_timeout_ms);
    log(LogLevel::debug, fmt::format("running {}", fmt::join(request.child.argv, " ")));
    return io::run_subprocess_pull(request, observer, *cancel_hub_);
}

} // namespace podpull
