// SPDX-License-Identifier: MIT OR Apache-2.0
// --json: one JSON object per line on stdout, for programs; human text on stderr.
//   {"event":"start","version":"1.0.0","image":...}
//   {"event":"route","route":"DOCKER_COMPAT","reason":...}
//   {"event":"status","line":...}
//   {"event":"progress","bytes":N,"bytesTotal":N,"blobsDone":N,"blobsSeen":N,
//    "subtasks":[{"id":...,"state":"pulling","bytes":N,"bytesTotal":N|null}...]}
//   {"event":"result","imageId":...,"route":...,"bytes":N,"seconds":S}
//   {"event":"error","code":"PODPULL_ERR_...","codeNumber":N,"message":...,"retryable":B,
//    "interrupted":B}   (retryable: podpull_error_retryable, whether trying later may help)
// Progress events come at most 10 times a second, plus one on every blob state change.
// In an update of several images (update_renderer.hpp), each image's events carry its
// reference and position too, "image":..., "index":N, and the error line on stderr names it.
#pragma once

#include "blob_table.hpp"
#include "renderer.hpp"

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

namespace podpull_cli {

// Which image of an update the events are about.
struct EventTag {
    std::string image;
    size_t index = 0;
};

class JsonRenderer : public Renderer {
  public:
    JsonRenderer(std::FILE *out, std::FILE *err, bool quiet, std::optional<EventTag> tag = {})
        : out_(out), err_(err), quiet_(quiet), tag_(std::move(tag)) {}

    void start(const std::string &image, Clock::time_point now) override;
    void route(podpull_route route, const char *reason, Clock::time_point now) override;
    void status(const char *line, Clock::time_point now) override;
    void blob(const podpull_blob_progress &p, Clock::time_point now) override;
    void result(const PullSummary &summary, Clock::time_point now) override;
    void error(podpull_code code, const std::string &message, bool retryable, bool interrupted,
               Clock::time_point now) override;

  private:
    void emit(const std::string &line);
    void emit_progress();

    std::FILE *out_;
    std::FILE *err_;
    bool quiet_;
    std::optional<EventTag> tag_;
    BlobTable table_;
    bool progress_pending_ = false;
    Clock::time_point last_progress_{};
};

} // namespace podpull_cli
