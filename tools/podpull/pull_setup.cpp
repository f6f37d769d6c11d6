#include "pull_setup.hpp"

#include <cstdio>

namespace podpull_cli {

namespace {

const char *or_null(const std::string &s) {
    return s.empty() ? nullptr : s.c_str();
}

extern "C" void log_to_stderr(void *, podpull_log_level level, const char *message) {
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const auto i = static_cast<unsigned>(level);
    std::fprintf(stderr, "podpull [%s] %s\n", i < 4 ? names[i] : "log",
                 message != nullptr ? message : "");
}

} // namespace

std::vector<const char *> env_array(const Options &o) {
    std::vector<const char *> env;
    for (const auto &kv : o.env) {
        env.push_back(kv.c_str());
    }
    env.push_back(nullptr);
    return env;
}

podpull_connect_options connect_options(const Options &o, const std::vector<const char *> &env,
                                        podpull_canceller *canceller) {
    podpull_connect_options copts;
    podpull_connect_options_init(&copts);
    copts.podman_path = or_null(o.podman);
    copts.storage_root = or_null(o.root);
    copts.run_root = or_null(o.runroot);
    copts.storage_driver = or_null(o.storage_driver);
    copts.auth_file = or_null(o.authfile);
    copts.socket_path = or_null(o.socket);
    copts.runtime_dir = or_null(o.runtime_dir);
    copts.env = env.data();
    if (o.start_timeout_ms != 0) {
        copts.start_timeout_ms = o.start_timeout_ms;
    }
    if (o.verbose) {
        copts.log = log_to_stderr;
    }
    copts.canceller = canceller;
    return copts;
}

podpull_pull_options pull_options(const Options &o, podpull_canceller *canceller) {
    podpull_pull_options popts;
    podpull_pull_options_init(&popts);
    popts.policy = o.policy;
    popts.tls_verify = o.tls_verify ? 1 : 0;
    popts.os = or_null(o.os);
    popts.arch = or_null(o.arch);
    popts.variant = or_null(o.variant);
    popts.retries = o.retries;
    popts.retry_delay_ms = o.retry_delay_ms;
    popts.stall_timeout_ms = o.stall_timeout_ms;
    popts.route = o.route;
    popts.signature_policy = or_null(o.signature_policy);
    // A signal that came after the connect finished cancels the pull before it begins.
    popts.canceller = canceller;
    return popts;
}

PullSummary pull_summary(const podpull_result *res, double seconds) {
    PullSummary s;
    s.image_id = podpull_result_image_id(res);
    s.route = podpull_result_route(res);
    s.bytes = podpull_result_bytes(res);
    s.bytes_cached = podpull_result_bytes_cached(res);
    s.blobs_total = podpull_result_blobs_total(res);
    s.blobs_cached = podpull_result_blobs_cached(res);
    s.seconds = seconds;
    return s;
}

} // namespace podpull_cli
