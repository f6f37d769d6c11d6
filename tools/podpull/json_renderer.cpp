// SPDX-License-Identifier: MIT OR Apache-2.0
#include "json_renderer.hpp"

#include "format.hpp"
#include "json.hpp"

#include <string>

namespace podpull_cli {

void JsonRenderer::emit(const std::string &line) {
    if (tag_) {
        // Every event is one object ending in '}': the tag goes in as its last fields.
        std::string tagged = line.substr(0, line.size() - 1) + R"(,"image":)" +
                             json_string(tag_->image) + R"(,"index":)" +
                             std::to_string(tag_->index) + "}";
        std::fputs(tagged.c_str(), out_);
    } else {
        std::fputs(line.c_str(), out_);
    }
    std::fputc('\n', out_);
    std::fflush(out_);
}

void JsonRenderer::start(const std::string &image, Clock::time_point) {
    if (tag_) { // the tag names the image: once is enough
        emit(R"({"event":"start","version":)" + json_string(podpull_version()) + "}");
        return;
    }
    emit(R"({"event":"start","version":)" + json_string(podpull_version()) + R"(,"image":)" +
         json_string(image) + "}");
}

void JsonRenderer::route(podpull_route route, const char *reason, Clock::time_point) {
    emit(R"({"event":"route","route":)" + json_string(route_name(route)) + R"(,"reason":)" +
         json_string(reason != nullptr ? reason : "") + "}");
}

void JsonRenderer::status(const char *line, Clock::time_point) {
    emit(R"({"event":"status","line":)" + json_string(line != nullptr ? line : "") + "}");
}

void JsonRenderer::emit_progress() {
    std::string s = R"({"event":"progress","bytes":)" + std::to_string(table_.pull_current()) +
                    R"(,"bytesTotal":)" + std::to_string(table_.pull_total()) + R"(,"blobsDone":)" +
                    std::to_string(table_.blobs_done()) + R"(,"blobsSeen":)" +
                    std::to_string(table_.blobs_seen()) + R"(,"bytesCached":)" +
                    std::to_string(table_.pull_cached()) + R"(,"blobsTotal":)" +
                    std::to_string(table_.blobs_total()) + R"(,"blobsCached":)" +
                    std::to_string(table_.blobs_cached()) + R"(,"subtasks":[)";
    bool first = true;
    for (const BlobRow &r : table_.rows()) {
        if (!first) {
            s += ',';
        }
        first = false;
        s += R"({"id":)" + json_string(r.id) + R"(,"state":)" +
             json_string(blob_state_name(r.state)) + R"(,"bytes":)" + std::to_string(r.current) +
             R"(,"bytesTotal":)" + (r.total >= 0 ? std::to_string(r.total) : "null") + "}";
    }
    s += "]}";
    emit(s);
    progress_pending_ = false;
}

void JsonRenderer::blob(const podpull_blob_progress &p, Clock::time_point now) {
    const bool changed = table_.update(p, now);
    progress_pending_ = true;
    if (changed || now - last_progress_ >= std::chrono::milliseconds(100)) {
        last_progress_ = now;
        emit_progress();
    }
}

void JsonRenderer::result(const PullSummary &s, Clock::time_point) {
    if (progress_pending_) {
        emit_progress();
    }
    emit(R"({"event":"result","imageId":)" + json_string(s.image_id) + R"(,"route":)" +
         json_string(route_name(s.route)) + R"(,"bytes":)" + std::to_string(s.bytes) +
         R"(,"bytesCached":)" + std::to_string(s.bytes_cached) + R"(,"blobsTotal":)" +
         std::to_string(s.blobs_total) + R"(,"blobsCached":)" + std::to_string(s.blobs_cached) +
         R"(,"manifestDigest":)" + json_string(s.manifest_digest) + R"(,"seconds":)" +
         std::to_string(s.seconds) + "}");
    if (!quiet_) {
        std::fprintf(err_, "pulled %s (%s)\n", s.image_id.c_str(), summary_text(s).c_str());
        std::fflush(err_);
    }
}

void JsonRenderer::error(podpull_code code, const std::string &message, bool retryable,
                         bool interrupted, Clock::time_point) {
    if (progress_pending_) {
        emit_progress();
    }
    emit(R"({"event":"error","code":)" + json_string(podpull_code_str(code)) + R"(,"codeNumber":)" +
         std::to_string(static_cast<int>(code)) + R"(,"message":)" + json_string(message) +
         R"(,"retryable":)" + (retryable ? "true" : "false") + R"(,"interrupted":)" +
         (interrupted ? "true" : "false") + "}");
    if (tag_) {
        std::fprintf(err_, "podpull: %s: %s: %s\n", tag_->image.c_str(), podpull_code_str(code),
                     message.c_str());
    } else {
        std::fprintf(err_, "podpull: %s: %s\n", podpull_code_str(code), message.c_str());
    }
    std::fflush(err_);
}

} // namespace podpull_cli
