// --progress-fd N: bootc's progress protocol (JSON Lines) on a descriptor the host passed in,
// so that a host that already reads `bootc upgrade --progress-fd` can read podpull the same way.
// It runs beside the terminal's renderer (tee_renderer.hpp), never instead of it.
//
// What bootc writes, and so what we write, one object per line:
//   {"type":"Start","version":"0.1.0"}                     once, before the first event
//   {"type":"ProgressBytes","apiVersion":"org.containers.bootc.progress/v1","task":"pulling",
//    "description":...,"id":IMAGE,
//    "bytesCached":N,"bytes":N,"bytesTotal":N,"stepsCached":N,"steps":N,"stepsTotal":N,
//    "subtasks":[{"subtask":"blob","description":...,"id":BLOB,"bytesCached":0,"bytes":N,
//                 "bytesTotal":N}...]}
// bootc counts the cached part apart from the rest: bytesTotal and stepsTotal are what this
// pull has to fetch, bytesCached and stepsCached what the storage had, so bytes reaches
// bytesTotal when the pull is done. Byte updates are lossy (at most one per 200 ms, bootc's
// 5 Hz); a blob that finishes, the first event and the final one are always written.
//
// An update of several images is one task per image on the one descriptor, after one Start:
// each task's events are those of a pull of that image alone (its id the reference as given,
// its bytes never going down, its own 5 Hz limit, its final event always written), and the
// tasks' events interleave as the pulls run.
#pragma once

#include "blob_table.hpp"
#include "renderer.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace podpull_cli {

// bootc's protocol version, as its Start event carries it.
inline constexpr const char *bootc_progress_version = "0.1.0";
// What bootc's first releases of the protocol put in every event instead of a Start line;
// readers built against them require it, and today's readers ignore a field they do not know.
inline constexpr const char *bootc_progress_api_version = "org.containers.bootc.progress/v1";

// Whether a lossy event may be written now: not when any event was written less than an
// interval ago. Time comes in from the caller so that it can be tested without a clock.
class RateLimiter {
  public:
    explicit RateLimiter(Clock::duration interval) : interval_(interval) {}
    bool due(Clock::time_point now) const { return !wrote_ || now - last_ >= interval_; }
    void wrote(Clock::time_point now) {
        wrote_ = true;
        last_ = now;
    }

  private:
    Clock::duration interval_;
    bool wrote_ = false;
    Clock::time_point last_{};
};

struct SubtaskBytes {
    std::string subtask, description, id;
    uint64_t bytes_cached = 0, bytes = 0, bytes_total = 0;
};

struct ProgressBytesEvent {
    std::string task, description, id;
    uint64_t bytes_cached = 0, bytes = 0, bytes_total = 0;
    uint64_t steps_cached = 0, steps = 0, steps_total = 0;
    std::vector<SubtaskBytes> subtasks;
};

std::string format_start_event();
std::string format_progress_bytes(const ProgressBytesEvent &e);

// The event for `image` as the table stands: the blobs fetched or being fetched as subtasks
// (cached ones are in bytesCached/stepsCached only, as in bootc).
ProgressBytesEvent progress_event(const std::string &image, const BlobTable &table);
// The final event: the result's figures, so that its bytes are the result's bytes.
ProgressBytesEvent final_event(const std::string &image, const BlobTable &table,
                               const PullSummary &summary);

// Writes whole lines to a descriptor it owns (closed on destruction), blocking while a pipe is
// full, as bootc does. The first write error (EPIPE from a reader that went away, ENOSPC, ...)
// is reported once on `err` and ends the writing, not the pull. While it waits on a full pipe
// it asks `interrupted` every 100 ms, so that Ctrl-C is not held up by a reader that stopped
// reading (the line being written is then cut short, and nothing more is written).
// SIGPIPE must be ignored (signals.cpp does it) so that a reader gone away is EPIPE, not death.
class FdLineWriter {
  public:
    FdLineWriter(int fd, std::FILE *err, std::function<bool()> interrupted);
    FdLineWriter(const FdLineWriter &) = delete;
    FdLineWriter &operator=(const FdLineWriter &) = delete;
    ~FdLineWriter();

    bool write_line(std::string_view line); // false: not written (now or before)
    bool failed() const { return fd_ < 0 || stopped_; }

  private:
    int fd_;
    std::FILE *err_;
    std::function<bool()> interrupted_;
    bool stopped_ = false;
};

// The events of one descriptor: Start goes first, once, whichever task writes first. An update
// of several images writes each image's events, one ProgressFdRenderer each, to one stream.
class ProgressFdStream {
  public:
    ProgressFdStream(int fd, std::FILE *err, std::function<bool()> interrupted)
        : out_(fd, err, std::move(interrupted)) {}

    void write_event(std::string_view line);

  private:
    FdLineWriter out_;
    bool started_ = false;
};

class ProgressFdRenderer : public Renderer {
  public:
    // A stream of its own on fd: one image.
    ProgressFdRenderer(int fd, std::FILE *err, std::function<bool()> interrupted);
    // One task of the shared stream: an image of an update. Calls on the renderers that share
    // a stream must come one at a time.
    explicit ProgressFdRenderer(std::shared_ptr<ProgressFdStream> stream);

    void start(const std::string &image, Clock::time_point now) override;
    void route(podpull_route, const char *, Clock::time_point) override {}
    void status(const char *, Clock::time_point) override {}
    void blob(const podpull_blob_progress &p, Clock::time_point now) override;
    void result(const PullSummary &summary, Clock::time_point now) override;
    // bootc writes nothing more when an operation fails: the events written stay the last.
    void error(podpull_code, const std::string &, bool, bool, Clock::time_point) override {}

  private:
    void emit(const ProgressBytesEvent &e, Clock::time_point now);

    std::shared_ptr<ProgressFdStream> out_;
    std::string image_;
    BlobTable table_;
    RateLimiter limiter_;     // per task: each image's updates come at bootc's rate
    uint64_t bytes_high_ = 0; // bytes never go down between events
    std::string last_line_;
};

} // namespace podpull_cli
