// SPDX-License-Identifier: MIT OR Apache-2.0
#include "client.hpp"

#include "core/error.hpp"
#include "core/image_id.hpp"
#include "core/image_inspect.hpp"
#include "core/retry_policy.hpp"
#include "io/api_pull.hpp"
#include "io/background_loop.hpp"
#include "io/blob_claims_gate.hpp"
#include "io/bootc_events_observer.hpp"
#include "io/cancel_hub.hpp"
#include "io/canceller.hpp"
#include "io/child_process.hpp"
#include "io/host_probe.hpp"
#include "io/mount_point.hpp"
#include "io/podman_service.hpp"
#include "io/private_directory.hpp"
#include "io/regular_file.hpp"
#include "io/retry_pause.hpp"
#include "io/secret_file.hpp"
#include "io/subprocess_pull.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <optional>

namespace podpull {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// The host's observer, told the manifest and the route once per pull (a retry's attempt,
// podpull's own, announces them again, and that is dropped), with the route (and so the
// manifest step's outcome) logged as the host hears it, on its thread, and the manifest's
// digest kept for the result.
class AnnouncedOnce final : public PullObserver {
  public:
    AnnouncedOnce(PullObserver &host, std::function<void(const RouteDecision &)> log)
        : host_(host), log_(std::move(log)) {}
    void manifest_read(const ManifestSummary &manifest) override {
        if (told_)
            return;
        manifest_digest_ = manifest.digest;
        host_.manifest_read(manifest);
    }
    void route_chosen(const RouteDecision &decision) override {
        if (told_)
            return;
        told_ = true;
        log_(decision);
        host_.route_chosen(decision);
    }
    void status(std::string_view line) override { host_.status(line); }
    bool blob(const BlobProgress &progress) override { return host_.blob(progress); }

    const std::string &manifest_digest() const noexcept { return manifest_digest_; }

  private:
    PullObserver &host_;
    std::function<void(const RouteDecision &)> log_;
    bool told_ = false;
    std::string manifest_digest_;
};

io::ManifestFetchRequest manifest_request(const PullPlan &plan, const ConnectPlan &connection,
                                          const std::vector<std::string> &env) {
    io::ManifestFetchRequest request;
    request.step = plan.manifest;
    request.env = env;
    request.storage_binding = connection.storage_binding;
    if (const auto *registry = std::get_if<RegistryManifestStep>(&plan.manifest.source);
        registry != nullptr && registry->reads_auth_file)
        request.auth_file = subprocess_auth_file(plan);
    return request;
}

} // namespace

namespace {

// A canceller that fired before the call began ends it before anything starts.
void throw_if_cancelled(const io::Canceller *canceller, const char *what) {
    if (canceller != nullptr && canceller->cancelled())
        throw Error(ErrorCode::cancelled, fmt::format("{} was cancelled before it began", what));
}

} // namespace

Client::Client(ConnectOptions options, const io::Canceller *canceller)
    : plan_(plan_connection(std::move(options), io::probe_host())) {
    throw_if_cancelled(canceller, "podpull_connect");
    try {
        connect(canceller);
    } catch (...) {
        shutdown();
        throw;
    }
}

void Client::connect(const io::Canceller *canceller) {
    const auto started = Clock::now();
    keep_directory_fds();
    if (plan_.storage_binding)
        io::make_mount_point(plan_.storage_binding->alias);
    if (plan_.reads_credentials()) {
        auth_ = parse_registry_auth(io::read_secret(plan_.auth_file.value_or(""), plan_.auth_fd,
                                                    max_auth_file_bytes, plan_.start_timeout,
                                                    canceller));
        // A registry the host expects a helper to serve would otherwise fail later with AUTH,
        // with nothing to say why.
        if (const auto warning = ignored_helpers_warning(auth_); !warning.empty())
            log(LogLevel::warn, warning);
    }
    make_temp_directory();
    loop_ = std::make_unique<io::BackgroundLoop>();
    cancel_hub_ = std::make_unique<io::CancelHub>(loop_->executor());
    claims_ = std::make_unique<io::BlobClaimsGate>();
    // Without a service of our own, the subprocess route looks podman up when it runs.
    podman_ = plan_.podman;
    if (!plan_.socket_path)
        start_service(canceller);

    // The version check shares the start timeout with the service's start.
    const auto left = std::max(plan_.start_timeout - since(started), std::chrono::milliseconds(1));
    version_ = version_from_ping(io::fetch_libpod_version(socket_path(), left, canceller));
    log(LogLevel::info,
        fmt::format("connected to podman {} at {}", version_.to_string(), socket_path()));
}

namespace {

io::UniqueFd duplicate(int fd, const char *what) {
    io::UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (!copy)
        throw Error(ErrorCode::internal,
                    fmt::format("cannot duplicate {} {}: {}", what, fd, std::strerror(errno)));
    return copy;
}

} // namespace

void Client::keep_directory_fds() {
    // Every child of the client's life gets them (`podman pull`, skopeo), not only the
    // service, so the client keeps its own copies: the host may close its fds once connected.
    if (plan_.storage_binding) {
        storage_root_fd_ = duplicate(plan_.storage_binding->fd, "storage_root_fd");
        plan_.storage_binding->fd = storage_root_fd_.get();
    }
    if (plan_.run_root_fd >= 0) {
        run_root_fd_ = duplicate(plan_.run_root_fd, "run_root_fd");
        plan_.run_root_fd = run_root_fd_.get();
    }
}

void Client::make_temp_directory() {
    // A host killed outright (SIGKILL) leaves its podman's temporary files behind, partial
    // blobs included; the next client with the same temp_root removes them.
    for (const auto &stale :
         io::sweep_stale_private_directories(plan_.temp_root, io::Purpose::podman_temp))
        log(LogLevel::info,
            fmt::format("removed {}, left by a podpull client that is gone", stale));
    temp_dir_ = std::make_unique<io::PrivateDirectory>(plan_.temp_root, io::Purpose::podman_temp);
    auto env = plan_.env;
    env.push_back("TMPDIR=" + temp_dir_->path());
    env_ = io::child_environment(env);
}

void Client::start_service(const io::Canceller *canceller) {
    const auto started = Clock::now();
    podman_ = io::resolve_executable(plan_.podman, io::host_search_path());
    io::ServiceConfig service;
    service.podman = podman_;
    service.storage = plan_.storage;
    service.run_root_fd = plan_.run_root_fd;
    service.storage_binding = plan_.storage_binding;
    service.env = env_;
    service.runtime_dir = plan_.runtime_dir;
    service.start_timeout = plan_.start_timeout;
    service.canceller = canceller;
    // A host killed outright (SIGKILL) leaves its socket directory behind; the next client in
    // the same runtime_dir removes it.
    for (const auto &stale :
         io::sweep_stale_private_directories(service.runtime_dir, io::Purpose::sockets))
        log(LogLevel::info,
            fmt::format("removed {}, left by a podpull client that is gone", stale));
    log(LogLevel::debug,
        fmt::format(
            "starting {}",
            fmt::join(service_argv(podman_, plan_.storage, "<private dir>/podman.sock"), " ")));
    service_ = std::make_unique<io::PodmanService>(*loop_, service);
    log(LogLevel::debug, fmt::format("podman service ready at {} after {} ms",
                                     service_->socket_path(), since(started).count()));
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
    // Last: podman is gone, and so is everything it left there.
    temp_dir_.reset();
}

std::string Client::socket_path() const {
    return service_ ? service_->socket_path() : *plan_.socket_path;
}

void Client::cancel() noexcept {
    cancel_hub_->cancel_all();
}

void Client::log(LogLevel level, std::string_view message) const {
    if (plan_.log)
        plan_.log(level, message);
}

PullResult Client::pull(std::string_view image, const PullParameters &params,
                        PullObserver &host_observer, const io::Canceller *canceller,
                        io::BootcProgressWriter *progress_writer) {
    throw_if_cancelled(canceller, "the pull");
    const auto generation = cancel_hub_->generation();
    const PullPlan plan =
        plan_pull(image, params, version_, plan_.reads_credentials() ? &auth_ : nullptr, plan_,
                  io::probe_manifest_facts(env_));
    // A policy podman could not read would fail the pull only once podman ran, and a FIFO
    // would hang it: refuse it here, before anything starts.
    if (params.signature_policy)
        io::open_regular_file(*params.signature_policy,
                              "signature_policy " + quote_for_message(*params.signature_policy));
    for (const auto &note : plan.notes)
        log(LogLevel::debug, note);
    log(LogLevel::debug, describe_manifest_step(plan.manifest));
    // bootc's progress events follow what the host hears, when the host asked for them.
    std::optional<io::BootcEventsObserver> events;
    if (progress_writer != nullptr)
        events.emplace(
            host_observer, *progress_writer, std::string(image),
            [this, generation, canceller] {
                return cancel_hub_->cancelled_since(generation) ||
                       (canceller != nullptr && canceller->cancelled());
            },
            plan_.log);
    PullObserver &observer = events ? static_cast<PullObserver &>(*events) : host_observer;
    // The host hears the route once the manifest step's outcome is known (io::ManifestGate).
    AnnouncedOnce logged(observer, [this](const RouteDecision &decision) {
        log(LogLevel::info,
            fmt::format("route {}: {}", route_name(decision.route), decision.reason));
    });

    // Every attempt reports through one tracker, so a retry's report never takes back what
    // the host was told: blobs an earlier attempt stored stay done, bytes never go down, and
    // the totals count a blob fetched by an earlier attempt as fetched, not cached.
    ProgressTracker tracker;
    std::optional<io::RetryPause> pause;
    if (plan.own_retries.retries > 0)
        pause.emplace(*cancel_hub_, canceller);
    for (std::uint32_t attempt = 1;; ++attempt) {
        try {
            const auto *subprocess = std::get_if<SubprocessPullPlan>(&plan.steps);
            PullResult result =
                subprocess != nullptr
                    ? run_subprocess_pull(plan, *subprocess, logged, canceller, tracker)
                    : run_api_pull(plan, std::get<ApiPullPlan>(plan.steps), logged, canceller,
                                   tracker);
            result.manifest_digest = logged.manifest_digest();
            if (events)
                events->succeeded(result.totals);
            return result;
        } catch (const Error &error) {
            const auto delay = next_retry(plan.own_retries, attempt, error);
            if (!delay)
                throw;
            log(LogLevel::info,
                describe_retry(*delay, attempt + 1, plan.own_retries, error.what()));
            pause->wait(*delay);
        }
    }
}

PullResult Client::run_api_pull(const PullPlan &plan, const ApiPullPlan &api,
                                PullObserver &observer, const io::Canceller *canceller,
                                ProgressTracker &tracker) {
    io::ApiPullRequest request;
    request.socket_path = socket_path();
    request.target = api.target;
    request.headers = api_request_headers(plan);
    request.route = plan.decision.route;
    request.stall_timeout = plan.stall_timeout;
    request.decision = plan.decision;
    request.manifest = manifest_request(plan, plan_, env_);
    request.canceller = canceller;
    request.podman_pid = service_ ? service_->pid() : -1;
    request.tracker = &tracker;
    request.claims = claims_.get();
    log(LogLevel::debug, fmt::format("POST {}", request.target));
    const PullOutcome outcome = io::run_api_pull(request, observer, *cancel_hub_);

    PullResult result;
    result.route = plan.decision.route;
    result.totals = outcome.totals;
    if (api.inspect_target) {
        constexpr std::size_t inspect_limit = 4 * 1024 * 1024; // an answer is a few KiB
        constexpr std::chrono::seconds inspect_timeout{30};
        const auto body =
            io::fetch_body(socket_path(), *api.inspect_target, inspect_timeout, inspect_limit);
        result.image_id = image_id_from_inspect(body, outcome.image_id_prefix);
    } else {
        result.image_id = expect_image_id(outcome.image_id);
    }
    return result;
}

PullResult Client::run_subprocess_pull(const PullPlan &plan, const SubprocessPullPlan &subprocess,
                                       PullObserver &observer, const io::Canceller *canceller,
                                       ProgressTracker &tracker) {
    io::SubprocessPullRequest request;
    request.child.argv = subprocess.argv;
    request.child.argv.front() = io::resolve_executable(podman_, io::host_search_path());
    request.child.env = env_;
    if (plan_.run_root_fd >= 0)
        request.child.inherited.push_back({plan_.run_root_fd, run_root_child_fd});
    request.child.storage = plan_.storage_binding;
    // Credentials reach `podman pull` as a sealed memory file: never on argv, never in a file
    // on disk.
    std::optional<io::SecretMemfd> auth_memfd;
    if (const auto auth_file = subprocess_auth_file(plan)) {
        auth_memfd.emplace(*auth_file);
        request.child.inherited.push_back({auth_memfd->fd(), auth_file_child_fd});
    }
    request.stall_timeout = plan.stall_timeout;
    request.decision = plan.decision;
    request.manifest = manifest_request(plan, plan_, env_);
    request.canceller = canceller;
    request.tracker = &tracker;
    request.claims = claims_.get();
    log(LogLevel::debug, fmt::format("running {}", fmt::join(request.child.argv, " ")));
    auto outcome = io::run_subprocess_pull(request, observer, *cancel_hub_);
    PullResult result;
    result.image_id = std::move(outcome.image_id);
    result.route = plan.decision.route;
    result.totals = outcome.totals;
    return result;
}

} // namespace podpull
