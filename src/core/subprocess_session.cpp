// SPDX-License-Identifier: MIT OR Apache-2.0
#include "subprocess_session.hpp"

#include "error.hpp"
#include "image_id.hpp"
#include "retry_policy.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace podpull {
namespace {

// podman's prefix for the failure it exits with (cmd/podman/main.go writes "Error: " and the
// error's text).
constexpr std::string_view error_prefix = "Error: ";

} // namespace

void SubprocessSession::feed_stderr(std::string_view bytes) {
    stderr_lines_.feed(bytes, [this](std::string_view line) {
        if (line.starts_with(error_prefix))
            last_error_ = line.substr(error_prefix.size());
        observer_.status(line);
        events_.clear();
        copy_text_.read(line, events_);
        for (const auto &event : events_) {
            if (auto progress = tracker_.apply(event))
                tell(*progress);
        }
    });
}

void SubprocessSession::tell(const BlobProgress &progress) {
    if (!observer_.blob(progress))
        throw Error(ErrorCode::cancelled, "the on_blob callback cancelled the pull");
}

void SubprocessSession::feed_stdout(std::string_view bytes) {
    const std::size_t room = max_stdout - std::min(max_stdout, stdout_.size());
    stdout_.append(bytes.substr(0, room));
}

SubprocessOutcome SubprocessSession::finish(const ChildExit &exit) {
    if (exit.signaled || exit.value != 0) {
        std::string message = last_error_;
        if (message.empty())
            message = exit.signaled ? fmt::format("podman pull was killed by signal {}", exit.value)
                                    : fmt::format("podman pull exited with status {}", exit.value);
        throw Error(classify_podman_failure(message),
                    explain_rate_limit("podman pull failed: " + message));
    }
    std::string_view text = stdout_;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    const std::size_t last_newline = text.rfind('\n');
    const std::string_view id =
        last_newline == std::string_view::npos ? text : text.substr(last_newline + 1);
    if (!is_image_id(id))
        throw Error(ErrorCode::protocol,
                    fmt::format("podman pull succeeded but printed no image ID (got {} bytes)",
                                text.size()));
    for (const auto &progress : tracker_.settle())
        tell(progress);
    return {std::string(id), tracker_.totals()};
}

} // namespace podpull
