// SPDX-License-Identifier: MIT OR Apache-2.0
// The pure heart of the SUBPROCESS route: what `podman pull` prints, decoded. Its stderr is
// status lines for a person ("Copying blob sha256:…"), and "Error: …" when it fails; its
// stdout is the image ID alone; its exit status says whether it worked (podman exits 125 on a
// failed pull). The I/O shell only moves bytes and reports how the child ended. See
// docs/podman.md, "podman pull".
#pragma once

#include "child_exit.hpp"
#include "copy_text.hpp"
#include "line_splitter.hpp"
#include "progress_tracker.hpp"
#include "pull_observer.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace podpull {

// What a `podman pull` stored: the image ID, and the blob totals read from its status lines
// (with the manifest's sizes, when the session was given them).
struct SubprocessOutcome {
    std::string image_id;
    PullTotals totals;
};

class SubprocessSession {
  public:
    // A stderr line longer than this is a protocol error; podman's are a few hundred bytes.
    static constexpr std::size_t max_stderr_line = 64 * 1024;
    // What stdout may hold: an image ID and a newline, with room to spare. More is dropped.
    static constexpr std::size_t max_stdout = 4096;

    explicit SubprocessSession(PullObserver &observer)
        : SubprocessSession(observer, own_tracker_) {}
    // With a tracker the attempts of one pull share (PullSession's second constructor).
    SubprocessSession(PullObserver &observer, ProgressTracker &tracker)
        : observer_(observer), tracker_(tracker) {}

    // The image's blobs, from its manifest: call before the first feed (ProgressTracker).
    void expect(const std::vector<BlobDescriptor> &blobs) { tracker_.expect(blobs); }

    // Stderr bytes: every complete line goes to the observer as a status line, followed by
    // the blob events it means (CopyTextReader). Throws Error(protocol) for a line over
    // max_stderr_line, Error(cancelled) when the observer's blob() asks to stop, and what the
    // observer throws.
    void feed_stderr(std::string_view bytes);

    // Stdout bytes, kept (up to max_stdout) for finish().
    void feed_stdout(std::string_view bytes);

    // Call when the child has ended and its pipes are drained. Returns the image ID and the
    // totals, having told the observer what the tracker settles (ProgressTracker::settle).
    // Throws Error: for a failure, the code podman's "Error:" line means
    // (classify_podman_failure) or PULL, with that line or the exit status in the message;
    // PROTOCOL when podman succeeded but its last stdout line is not a full image ID;
    // CANCELLED when the observer asks to stop.
    SubprocessOutcome finish(const ChildExit &exit);

  private:
    void tell(const BlobProgress &progress);

    PullObserver &observer_;
    ProgressTracker own_tracker_; // unused when the caller hands one over
    ProgressTracker &tracker_;
    CopyTextReader copy_text_;
    std::vector<BlobEvent> events_; // reused for every line
    LineSplitter stderr_lines_{max_stderr_line};
    std::string last_error_; // the latest "Error: " line, without that prefix
    std::string stdout_;
};

} // namespace podpull
