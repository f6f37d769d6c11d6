// SPDX-License-Identifier: MIT OR Apache-2.0
// What a decoder makes of one NDJSON line: typed events that no longer depend on which wire
// format (libpod text, libpod pullProgress, Docker jsonmessage) they came from.
#pragma once

#include "error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace podpull {

// A line for a person ("Copying blob sha256:..."), without its newline.
struct StatusEvent {
    std::string text;
};

enum class BlobPhase {
    started,     // the blob is known; bytes may follow
    progressing, // bytes so far
    finished,    // all of it is stored (treat as complete even if `current` < `total`)
    skipped,     // already present, nothing transferred
};

struct BlobEvent {
    std::string id; // "sha256:<hex>" or a 12-hex short id
    BlobPhase phase = BlobPhase::started;
    std::optional<std::uint64_t> current; // absent when the wire omitted it
    std::optional<std::int64_t> total;    // absent when omitted; -1 when podman says unknown
};

// The pull finished; `image_id` is what the wire carried (full 64-hex on libpod routes, a
// 12-hex prefix on the Docker-compatible route).
struct CompletedEvent {
    std::string image_id;
};

// podman reported that the pull failed.
struct FailedEvent {
    ErrorCode code = ErrorCode::pull;
    std::string message;
};

using PullEvent = std::variant<StatusEvent, BlobEvent, CompletedEvent, FailedEvent>;

} // namespace podpull
