// The pure heart of an API pull: body bytes in, observer calls out. It frames NDJSON lines,
// decodes them for the route's wire format, runs them through the progress tracker and tells
// the observer, so the I/O shell only moves bytes.
#pragma once

#include "line_splitter.hpp"
#include "progress_tracker.hpp"
#include "pull_observer.hpp"
#include "route.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podpull {

struct PullOutcome {
    std::string image_id; // as the wire gave it (a 12-hex prefix on DOCKER_COMPAT)
    std::uint64_t bytes = 0;
};

class PullSession {
  public:
    // A line of NDJSON longer than this is a protocol error; podman's longest lines (an
    // error message, a list of image names) stay far below it.
    static constexpr std::size_t default_max_line = 1024 * 1024;

    PullSession(Route route, PullObserver &observer, std::size_t max_line = default_max_line);

    // Feeds body bytes. Throws Error: the failure podman reported (NOT_FOUND, AUTH, PULL),
    // PROTOCOL for a malformed line, CANCELLED when the observer asked to stop.
    void feed(std::string_view bytes);

    // True once podman sent its final report (an image ID).
    bool complete() const noexcept { return outcome_.has_value(); }

    // Call at the end of the body. Throws Error(io) when the body ended without a final
    // report or in the middle of a line.
    PullOutcome finish() const;

  private:
    void dispatch(const PullEvent &event);

    Route route_;
    PullObserver &observer_;
    LineSplitter lines_;
    ProgressTracker tracker_;
    std::vector<PullEvent> events_; // reused for every line
    std::optional<PullOutcome> outcome_;
};

} // namespace podpull
