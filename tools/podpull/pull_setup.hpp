// SPDX-License-Identifier: MIT OR Apache-2.0
// What the command hands the library, made from its options: the same for one image and for an
// update of several.
#pragma once

#include "cli.hpp"
#include "renderer.hpp"

#include <podpull.h>

#include <vector>

namespace podpull_cli {

// The --env strings as the NULL-ended array podpull_connect_options.env takes; it points into
// `o`, which must outlive it.
std::vector<const char *> env_array(const Options &o);
// `env` (env_array's) and `o` must outlive the options; canceller ends the connect.
podpull_connect_options connect_options(const Options &o, const std::vector<const char *> &env,
                                        podpull_canceller *canceller);
// `progress_writer` (may be NULL) gets bootc's events of every pull made with these options.
podpull_pull_options pull_options(const Options &o, podpull_canceller *canceller,
                                  podpull_progress_writer *progress_writer);

// --progress-fd: the library's writer of bootc's progress events (podpull_progress_writer_new),
// one for every pull of the run, so an update of several images is one Start and a task per
// image, as bootc writes them. The command's own descriptor is closed once the writer holds its
// duplicate, so the reader sees the end of the events as soon as the writer goes, before the
// service is stopped. Why writing stopped, if it did, the library logs (a warning: shown).
class ProgressFdWriter {
  public:
    // -1: no writer. Throws std::runtime_error when the library refuses the descriptor (the
    // parser checked it already, so that is a surprise).
    explicit ProgressFdWriter(int fd);
    ~ProgressFdWriter();
    ProgressFdWriter(const ProgressFdWriter &) = delete;
    ProgressFdWriter &operator=(const ProgressFdWriter &) = delete;

    podpull_progress_writer *get() const noexcept { return writer_; }
    // Closes the descriptor: the reader sees the end. Also done by the destructor.
    void close() noexcept;

  private:
    podpull_progress_writer *writer_ = nullptr;
};
// What a successful pull's result says, for the renderers; seconds: how long it took.
PullSummary pull_summary(const podpull_result *res, double seconds);

} // namespace podpull_cli
