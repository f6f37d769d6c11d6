// SPDX-License-Identifier: MIT OR Apache-2.0
#include "pull_setup.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace podpull_cli {

namespace {

const char *or_null(const std::string &s) {
    return s.empty() ? nullptr : s.c_str();
}

extern "C" void log_to_stderr(void *verbose, podpull_log_level level, const char *message) {
    // Warnings always (an ignored credential helper, progress events that stopped): they
    // change what the command does. The rest with --verbose.
    if (verbose == nullptr && level < PODPULL_LOG_WARN) {
        return;
    }
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const auto i = static_cast<unsigned>(level);
    std::fprintf(stderr, "podpull [%s] %s\n", i < 4 ? names[i] : "log",
                 message != nullptr ? message : "");
}

// log_to_stderr's user_data: non-NULL with --verbose.
char verbose_marker;

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
    if (o.root_fd >= 0) {
        copts.storage_root_fd = o.root_fd;
        copts.storage_root_alias = or_null(o.root);
    } else {
        copts.storage_root = or_null(o.root);
    }
    copts.run_root = or_null(o.runroot);
    copts.run_root_fd = o.runroot_fd;
    copts.storage_driver = or_null(o.storage_driver);
    copts.auth_file = or_null(o.authfile);
    copts.socket_path = or_null(o.socket);
    copts.runtime_dir = or_null(o.runtime_dir);
    copts.env = env.data();
    if (o.start_timeout_ms != 0) {
        copts.start_timeout_ms = o.start_timeout_ms;
    }
    copts.log = log_to_stderr;
    copts.log_user_data = o.verbose ? &verbose_marker : nullptr;
    copts.canceller = canceller;
    return copts;
}

podpull_pull_options pull_options(const Options &o, podpull_canceller *canceller,
                                  podpull_progress_writer *progress_writer) {
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
    popts.progress_writer = progress_writer;
    return popts;
}

ProgressFdWriter::ProgressFdWriter(int fd) {
    if (fd < 0) {
        return;
    }
    podpull_error *err = nullptr;
    if (podpull_progress_writer_new(fd, 0, &writer_, &err) != PODPULL_OK) {
        const std::string message = podpull_error_message(err);
        podpull_error_free(err);
        throw std::runtime_error("--progress-fd " + std::to_string(fd) + ": " + message);
    }
    ::close(fd); // the writer has its own duplicate
}

ProgressFdWriter::~ProgressFdWriter() {
    close();
}

void ProgressFdWriter::close() noexcept {
    podpull_progress_writer_free(writer_);
    writer_ = nullptr;
}

PullSummary pull_summary(const podpull_result *res, double seconds) {
    PullSummary s;
    s.image_id = podpull_result_image_id(res);
    s.route = podpull_result_route(res);
    s.bytes = podpull_result_bytes(res);
    s.bytes_cached = podpull_result_bytes_cached(res);
    s.blobs_total = podpull_result_blobs_total(res);
    s.blobs_cached = podpull_result_blobs_cached(res);
    s.manifest_digest = podpull_result_manifest_digest(res);
    s.seconds = seconds;
    return s;
}

} // namespace podpull_cli
