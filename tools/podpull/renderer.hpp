// SPDX-License-Identifier: MIT OR Apache-2.0
// What a pull looks like to a person or a program: one interface, one implementation per
// output mode (tty_renderer, plain_renderer, json_renderer, quiet_renderer).
#pragma once

#include <podpull.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace podpull_cli {

using Clock = std::chrono::steady_clock;

struct PullSummary {
    std::string image_id;
    podpull_route route = PODPULL_ROUTE_AUTO;
    uint64_t bytes = 0; // fetched (podpull_result_bytes)
    uint64_t bytes_cached = 0;
    uint32_t blobs_total = 0;
    uint32_t blobs_cached = 0;
    std::string manifest_digest; // podpull_result_manifest_digest: "" when not read
    double seconds = 0;
};

// What the summary line says between its parentheses: "18.1 MiB in 1m26s, route LIBPOD_COMPAT",
// with ", 24 of 48 blobs cached (70.5 MiB)" before the route when some were.
std::string summary_text(const PullSummary &summary);

class Renderer {
  public:
    Renderer() = default;
    Renderer(const Renderer &) = delete;
    Renderer &operator=(const Renderer &) = delete;
    virtual ~Renderer() = default;

    virtual void start(const std::string &image, Clock::time_point now) = 0;
    virtual void route(podpull_route route, const char *reason, Clock::time_point now) = 0;
    virtual void status(const char *line, Clock::time_point now) = 0;
    virtual void blob(const podpull_blob_progress &p, Clock::time_point now) = 0;
    virtual void result(const PullSummary &summary, Clock::time_point now) = 0;
    // retryable: podpull_error_retryable. interrupted: the user pressed Ctrl-C (or SIGTERM).
    virtual void error(podpull_code code, const std::string &message, bool retryable,
                       bool interrupted, Clock::time_point now) = 0;
};

} // namespace podpull_cli
