#include "progress_fd_renderer.hpp"

#include "format.hpp"
#include "json.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace podpull_cli {

namespace {

// bootc drops a lossy event when it wrote any event less than 1/REFRESH_HZ (5 Hz) ago.
constexpr auto lossy_interval = std::chrono::milliseconds(200);

uint64_t minus(uint64_t a, uint64_t b) {
    return a > b ? a - b : 0;
}

void add_u64(std::string &s, const char *key, uint64_t v) {
    s += ",\"";
    s += key;
    s += "\":";
    s += std::to_string(v);
}

} // namespace

std::string format_start_event() {
    return std::string(R"({"type":"Start","version":)") + json_string(bootc_progress_version) + "}";
}

std::string format_progress_bytes(const ProgressBytesEvent &e) {
    std::string s = R"({"type":"ProgressBytes","apiVersion":)" +
                    json_string(bootc_progress_api_version) + R"(,"task":)" + json_string(e.task) +
                    R"(,"description":)" + json_string(e.description) + R"(,"id":)" +
                    json_string(e.id);
    add_u64(s, "bytesCached", e.bytes_cached);
    add_u64(s, "bytes", e.bytes);
    add_u64(s, "bytesTotal", e.bytes_total);
    add_u64(s, "stepsCached", e.steps_cached);
    add_u64(s, "steps", e.steps);
    add_u64(s, "stepsTotal", e.steps_total);
    s += R"(,"subtasks":[)";
    bool first = true;
    for (const SubtaskBytes &t : e.subtasks) {
        if (!first) {
            s += ',';
        }
        first = false;
        s += R"({"subtask":)" + json_string(t.subtask) + R"(,"description":)" +
             json_string(t.description) + R"(,"id":)" + json_string(t.id);
        add_u64(s, "bytesCached", t.bytes_cached);
        add_u64(s, "bytes", t.bytes);
        add_u64(s, "bytesTotal", t.bytes_total);
        s += '}';
    }
    s += "]}";
    return s;
}

ProgressBytesEvent progress_event(const std::string &image, const BlobTable &table) {
    ProgressBytesEvent e;
    // bootc names the task "pulling" and the image in the description and the id.
    e.task = "pulling";
    e.description = "Pulling image: " + image;
    e.id = image;
    // pull_current and pull_total count cached blobs too; bootc's bytes and bytesTotal do not.
    e.bytes_cached = table.pull_cached();
    e.bytes = minus(table.pull_current(), table.pull_cached());
    e.bytes_total = minus(table.pull_total(), table.pull_cached());
    const uint64_t blobs = table.blobs_total() > 0 ? table.blobs_total() : table.blobs_seen();
    e.steps_cached = table.blobs_cached();
    e.steps = minus(table.blobs_done(), table.blobs_cached());
    e.steps_total = minus(blobs, table.blobs_cached());
    for (const BlobRow &r : table.rows()) {
        if (r.state == PODPULL_BLOB_SKIPPED) {
            continue; // counted in bytesCached and stepsCached: nothing was fetched
        }
        SubtaskBytes t;
        // "blob", not bootc's "layer": the image's config is one of the steps too.
        t.subtask = "blob";
        t.description = "blob " + short_id(r.id.c_str());
        t.id = r.id;
        t.bytes = r.current;
        // A finished blob of unknown size stands at what it transferred, so that bytes ==
        // bytesTotal says it is complete, as bootc's consumers read it; 0 is "not known".
        if (r.total >= 0) {
            t.bytes_total = static_cast<uint64_t>(r.total);
        } else if (r.state == PODPULL_BLOB_DONE) {
            t.bytes_total = r.current;
        }
        e.subtasks.push_back(std::move(t));
    }
    return e;
}

ProgressBytesEvent final_event(const std::string &image, const BlobTable &table,
                               const PullSummary &summary) {
    ProgressBytesEvent e = progress_event(image, table);
    e.bytes = summary.bytes;
    e.bytes_total = summary.bytes;
    e.bytes_cached = summary.bytes_cached;
    if (summary.blobs_total > 0) {
        e.steps_cached = summary.blobs_cached;
        e.steps_total = minus(summary.blobs_total, summary.blobs_cached);
    }
    e.steps = e.steps_total;
    return e;
}

FdLineWriter::FdLineWriter(int fd, std::FILE *err, std::function<bool()> interrupted)
    : fd_(fd), err_(err), interrupted_(std::move(interrupted)) {
    // podman and its children must not hold the reader's pipe open after we are done.
    if (fd_ >= 0) {
        const int flags = ::fcntl(fd_, F_GETFD);
        if (flags >= 0) {
            ::fcntl(fd_, F_SETFD, flags | FD_CLOEXEC);
        }
    }
}

FdLineWriter::~FdLineWriter() {
    // The reader sees the end of the events as soon as the pull is over, not when the
    // service has stopped.
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool FdLineWriter::write_line(std::string_view line) {
    if (failed()) {
        return false;
    }
    std::string buf(line);
    buf += '\n';
    size_t off = 0;
    while (off < buf.size()) {
        pollfd pfd{fd_, POLLOUT, 0};
        const int ready = ::poll(&pfd, 1, 100);
        if (ready == 0 || (ready < 0 && errno == EINTR)) {
            if (interrupted_ && interrupted_()) {
                stopped_ = true; // the user ended the pull: no message, nothing more
                return false;
            }
            continue;
        }
        // Writable, or an error or hangup on it (or poll itself failed): write() says which.
        const ssize_t n = ::write(fd_, buf.data() + off, buf.size() - off);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                continue;
            }
            std::fprintf(err_, "podpull: --progress-fd %d: %s; no more progress events\n", fd_,
                         std::strerror(errno));
            std::fflush(err_);
            stopped_ = true;
            return false;
        }
        off += static_cast<size_t>(n);
    }
    return true;
}

void ProgressFdStream::write_event(std::string_view line) {
    if (!started_) {
        started_ = true;
        out_.write_line(format_start_event());
    }
    out_.write_line(line);
}

ProgressFdRenderer::ProgressFdRenderer(int fd, std::FILE *err, std::function<bool()> interrupted)
    : ProgressFdRenderer(std::make_shared<ProgressFdStream>(fd, err, std::move(interrupted))) {}

ProgressFdRenderer::ProgressFdRenderer(std::shared_ptr<ProgressFdStream> stream)
    : out_(std::move(stream)), limiter_(lossy_interval) {}

void ProgressFdRenderer::start(const std::string &image, Clock::time_point) {
    image_ = image;
}

void ProgressFdRenderer::emit(const ProgressBytesEvent &e, Clock::time_point now) {
    std::string line = format_progress_bytes(e);
    out_->write_event(line);
    last_line_ = std::move(line);
    limiter_.wrote(now);
}

void ProgressFdRenderer::blob(const podpull_blob_progress &p, Clock::time_point now) {
    const bool changed = table_.update(p, now);
    // bootc always sends a finished layer's event and drops byte updates that come too soon.
    const bool finished =
        changed && (p.state == PODPULL_BLOB_DONE || p.state == PODPULL_BLOB_SKIPPED);
    if (!finished && !limiter_.due(now)) {
        return;
    }
    ProgressBytesEvent e = progress_event(image_, table_);
    e.bytes = std::max(e.bytes, bytes_high_);
    bytes_high_ = e.bytes;
    emit(e, now);
}

void ProgressFdRenderer::result(const PullSummary &summary, Clock::time_point now) {
    // Always the last word, unless the last event written already says the same.
    const ProgressBytesEvent e = final_event(image_, table_, summary);
    if (format_progress_bytes(e) != last_line_) {
        emit(e, now);
    }
}

} // namespace podpull_cli
