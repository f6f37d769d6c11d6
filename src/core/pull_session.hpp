// SPDX-License-Identifier: MIT OR Apache-2.0
// The pure heart of an API pull: body bytes in, observer calls out. It frames NDJSON lines,
// decodes them for the route's wire format, runs them through the progress tracker and tells
// the observer, so the I/O shell only moves bytes.
#pragma once

#include "copy_text.hpp"
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
    // The full 64-hex image ID on LIBPOD_TEXT and LIBPOD_PROGRESS. Empty on LIBPOD_COMPAT and
    // DOCKER_COMPAT, whose body never carries it: the caller looks it up
    // (image_inspect_target) and checks it against image_id_prefix.
    std::string image_id;
    // LIBPOD_COMPAT and DOCKER_COMPAT: the image ID's first 12 hex digits, from podman's final
    // "Download complete" line. Empty on the other routes.
    std::string image_id_prefix;
    PullTotals totals;
};

class PullSession {
  public:
    // A line of NDJSON longer than this is a protocol error; podman's longest lines (an
    // error message, a list of image names) stay far below it.
    static constexpr std::size_t default_max_line = 1024 * 1024;

    // Throws Error(internal) for a route that is not an API pull (AUTO, SUBPROCESS).
    PullSession(Route route, PullObserver &observer, std::size_t max_line = default_max_line);
    // The same, with a tracker that outlives the session: the attempts of one pull share it
    // (podpull's own retries), so what the host was told of an earlier attempt stands, and
    // totals never go back (ProgressTracker: finished blobs stay finished, bytes never drop).
    PullSession(Route route, PullObserver &observer, ProgressTracker &tracker,
                std::size_t max_line = default_max_line);

    // The image's blobs, from its manifest: call before the first feed() (ProgressTracker).
    void expect(const std::vector<BlobDescriptor> &blobs) { tracker_.expect(blobs); }

    // Feeds body bytes. Throws Error: the failure podman reported (NOT_FOUND, AUTH, PULL),
    // PROTOCOL for a malformed line, CANCELLED when the observer asked to stop.
    void feed(std::string_view bytes);

    // True when the body may end here: podman sent its final report (an image ID) on the
    // libpod routes; on the jsonmessage routes, the latest line was a "Download complete"
    // (only the end of the body tells which one is the final report).
    bool complete() const noexcept;

    // Call at the end of the body. Tells the observer what the tracker settles (blobs podman
    // stored without saying so, blobs the storage had: ProgressTracker::settle). Throws
    // Error(io) when the body ended in the middle of a line or without podman's final report,
    // Error(protocol) when the final report's short image ID is not 12 hex digits, and
    // Error(cancelled) when the observer asks to stop.
    PullOutcome finish();

  private:
    enum class WireFormat { libpod, jsonmessage };

    void on_libpod_line(std::string_view line);
    void on_jsonmessage_line(std::string_view line);
    void dispatch(const PullEvent &event);
    void tell(const BlobProgress &progress);

    Route route_;
    WireFormat format_;
    PullObserver &observer_;
    LineSplitter lines_;
    ProgressTracker own_tracker_; // unused when the caller hands one over
    ProgressTracker &tracker_;
    // LIBPOD_TEXT: blob events read from the status lines.
    std::optional<CopyTextReader> copy_text_;
    std::vector<BlobEvent> text_events_;
    std::vector<PullEvent> events_;      // reused for every line
    std::optional<PullOutcome> outcome_; // libpod: the final report
    // jsonmessage: the id of the "Download complete" that ended the latest line, and that
    // event itself while it names nothing the tracker knows (see on_jsonmessage_line).
    std::optional<std::string> last_complete_;
    std::optional<BlobEvent> held_;
};

} // namespace podpull
