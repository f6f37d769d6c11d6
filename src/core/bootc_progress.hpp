// SPDX-License-Identifier: MIT OR Apache-2.0
// bootc's progress events for one pull: what `bootc upgrade --progress-fd` readers expect,
// made from what podpull's host hears. The schema is bootc's (crates/lib/src/progress_jsonl.rs
// in bootc-dev/bootc) and so are the shapes, the ones its deploy.rs sends while it fetches an
// image's layers:
//
//   {"type":"Start","version":"0.1.0"}                                   once per stream
//   {"type":"ProgressBytes","task":"pulling","description":"Pulling Image: DIGEST","id":DIGEST,
//    "bytesCached":C,"bytes":B,"bytesTotal":T,"stepsCached":SC,"steps":S,"stepsTotal":ST,
//    "subtasks":[{"subtask":"layer","description":"layer: HEX21","id":HEX21,
//                 "bytesCached":0,"bytes":b,"bytesTotal":t}, ...]}
//   {"type":"ProgressSteps","task":"storing","description":"Storing Image","id":DIGEST,
//    "stepsCached":0,"steps":0|1,"stepsTotal":1,
//    "subtasks":[{"subtask":"storing","description":"Storing Image","id":"storing",
//                 "completed":false|true}]}
//
// As in bootc, what the storage had already is apart from the rest: bytesTotal and stepsTotal
// are what this pull fetches, bytesCached and stepsCached what it found (podman's SKIPPED),
// so bytes reaches bytesTotal when the pull is done. Steps are the manifest's layers; a
// layer's subtask is named by its digest's first 21 hex digits, as deploy.rs names it, and a
// finished one stays in the list. Bytes also count the config blob, which bootc's own count
// leaves out (a few KiB), so that the last event's bytes are the result's bytes fetched.
// The "storing" step is the time podman takes after the last blob to write the image's
// manifest and signatures (bootc's own "importing" step comes after it, from bootc).
//
// Lossy events may be dropped by the stream (BootcEventStream) when another was written less
// than 200 ms ago (bootc's 5 Hz); a layer that finishes, the first event and the last ones are
// never dropped.
#pragma once

#include "image_manifest.hpp"
#include "progress_tracker.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podpull {

// The protocol version bootc's Start event carries.
inline constexpr std::string_view bootc_progress_version = "0.1.0";
// bootc's REFRESH_HZ of 5: a lossy event within this of the last one written is dropped.
inline constexpr std::chrono::milliseconds bootc_lossy_interval{200};

// One event, as the line to write (without its newline).
struct BootcEvent {
    std::string line;
    bool lossy = false;
};

class BootcPullEvents {
  public:
    // `reference`: the image as the host named it; the task's id until a manifest names it.
    explicit BootcPullEvents(std::string reference);

    // The manifest, before the first blob report: the task is then the manifest's digest,
    // the steps its layers.
    void manifest_read(const ManifestSummary &manifest);
    // The events for a blob report: none when it changes nothing a reader sees, else the
    // ProgressBytes event, and the "storing" step once every blob of the manifest is stored.
    std::vector<BootcEvent> blob(const BlobProgress &progress);
    // The pull succeeded with `totals`: the last ProgressBytes (its bytes the result's), then
    // the "storing" step, done.
    std::vector<BootcEvent> succeeded(const PullTotals &totals);

  private:
    struct Layer {
        std::string digest; // the id podman reports it under
        BlobState state = BlobState::started;
        std::uint64_t current = 0;
        std::int64_t total = -1;
    };

    bool is_layer(const std::string &id) const;
    Layer &layer(const std::string &id);
    std::string progress_bytes(std::uint64_t bytes, std::uint64_t bytes_total,
                               std::uint64_t bytes_cached) const;
    std::string storing(bool completed) const;

    std::string id_; // the manifest's digest, else the reference
    std::optional<ManifestSummary> manifest_;
    std::vector<Layer> layers_;     // in the order podman first reported them
    std::vector<std::size_t> done_; // indexes into layers_, in the order they finished
    std::uint64_t bytes_high_ = 0;  // bytes never go down between events
    std::string last_line_;         // the last ProgressBytes made
    bool storing_told_ = false;
};

// The stream's side, shared by the pulls that write to one descriptor: Start once, before
// anything else, and bootc's limit on lossy events. Time comes from the caller.
class BootcEventStream {
  public:
    using Clock = std::chrono::steady_clock;

    // `start_sent`: the host wrote a Start on this stream itself.
    explicit BootcEventStream(bool start_sent = false) : started_(start_sent) {}

    // The lines to write for `event` now: none (a lossy one too soon after the last), else
    // the event, after Start the first time.
    std::vector<std::string> accept(const BootcEvent &event, Clock::time_point now);

  private:
    bool started_;
    bool wrote_ = false;
    Clock::time_point last_{};
};

// {"type":"Start","version":"0.1.0"}
std::string bootc_start_event();

} // namespace podpull
