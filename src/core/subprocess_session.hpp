// The pure heart of the SUBPROCESS route: what `podman pull` prints, decoded. Its stderr is
// status lines for a person ("Copying blob sha256:…"), and "Error: …" when it fails; its
// stdout is the image ID alone; its exit status says whether it worked (podman exits 125 on a
// failed pull). The I/O shell only moves bytes and reports how the child ended. See
// docs/podman.md, "podman pull".
#pragma once

#include "child_exit.hpp"
#include "line_splitter.hpp"
#include "pull_observer.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace podpull {

class SubprocessSession {
  public:
    // A stderr line longer than this is a protocol error; podman's are a few hundred bytes.
    static constexpr std::size_t max_stderr_line = 64 * 1024;
    // What stdout may hold: an image ID and a newline, with room to spare. More is dropped.
    static constexpr std::size_t max_stdout = 4096;

    explicit SubprocessSession(PullObserver &observer) : observer_(observer) {}

    // Stderr bytes: every complete line goes to the observer as a status line. Throws
    // Error(protocol) for a line over max_stderr_line, and what the observer throws.
    void feed_stderr(std::string_view bytes);

    // Stdout bytes, kept (up to max_stdout) for finish().
    void feed_stdout(std::string_view bytes);

    // Call when the child has ended and its pipes are drained. Returns the image ID. Throws
    // Error: for a failure, the code podman's "Error:" line means (classify_podman_failure) or
    // PULL, with that line or the exit status in the message; PROTOCOL when podman succeeded
    // but its last stdout line is not a full image ID.
    std::string finish(const ChildExit &exit) const;

  private:
    PullObserver &observer_;
    LineSplitter stderr_lines_{max_stderr_line};
    std::string last_error_; // the latest "Error: " line, without that prefix
    std::string stdout_;
};

} // namespace podpull
