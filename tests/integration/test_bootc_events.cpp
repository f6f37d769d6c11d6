// SPDX-License-Identifier: MIT OR Apache-2.0
// The writer of bootc's progress events (podpull_progress_writer) on real pulls, where what a
// host's descriptor does matters: a reader that went away (the host keeps SIGPIPE's default,
// which kills a process that gets it), a reader that stops reading (a full pipe: a cancel must
// still end the pull at once), and several pulls sharing one writer. The events' schema and
// sequence are checked field for field by the Rust crate's tests/bootc_events.rs and by
// tests/cli/cli-progress-fd.sh; here the descriptor's edges.

#include "podpull_test/client.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <csignal>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

namespace {

struct Pipe {
    int read = -1, write = -1;
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read = fds[0];
        write = fds[1];
    }
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (read >= 0)
            ::close(read);
        read = -1;
    }
    void close_write() {
        if (write >= 0)
            ::close(write);
        write = -1;
    }
};

struct Writer {
    podpull_progress_writer *ptr = nullptr;
    explicit Writer(int fd, uint32_t flags = 0) {
        podpull_error *err = nullptr;
        const podpull_code code = podpull_progress_writer_new(fd, flags, &ptr, &err);
        INFO(podpull_error_message(err));
        podpull_error_free(err);
        REQUIRE(code == PODPULL_OK);
    }
    ~Writer() { podpull_progress_writer_free(ptr); }
    Writer(const Writer &) = delete;
    Writer &operator=(const Writer &) = delete;
};

// SIGPIPE at its default (death) for the scope: the host that did nothing about it.
struct DefaultSigpipe {
    struct sigaction old {};
    DefaultSigpipe() {
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        REQUIRE(::sigaction(SIGPIPE, &dfl, &old) == 0);
    }
    ~DefaultSigpipe() { ::sigaction(SIGPIPE, &old, nullptr); }
};

std::string read_available(int fd) {
    std::string text;
    char buffer[65536];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        text.append(buffer, static_cast<std::size_t>(n));
    return text;
}

} // namespace

TEST_CASE("bootc events: a reader that went away ends the events, not the pull, and no SIGPIPE "
          "reaches a host that left it at its default",
          "[bootc-events]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const DefaultSigpipe dfl;
    Pipe pipe;
    Writer writer(pipe.write);
    pipe.close_write(); // the writer has its own duplicate
    pipe.close_read();  // and nobody reads it
    Client client(connect_or_fail(box, box.options()));
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.progress_writer = writer.ptr;
    const PullOutcome out = pull(client.ptr, env.image, rec, &opts);
    INFO(out.describe() << "\n" << box.log_text());
    CHECK(out.code == PODPULL_OK);
    CHECK(out.image_id == env.image_id);
    CHECK(podpull_progress_writer_failed(writer.ptr) == 1);
    CHECK_THAT(box.log_text(), ContainsSubstring("bootc progress events: writing to the progress "
                                                 "fd failed: Broken pipe; no more are written"));
    sigset_t pending;
    sigpending(&pending);
    CHECK_FALSE(sigismember(&pending, SIGPIPE)); // taken back, not left for the host
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("bootc events: a reader that stops reading holds the pull on a full pipe, and a cancel "
          "still ends it at once",
          "[bootc-events][canceller]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Pipe pipe;
    // A full pipe: the writer's first line waits.
    REQUIRE(::fcntl(pipe.write, F_SETFL, O_NONBLOCK) == 0);
    const std::string filler(4096, 'x');
    while (::write(pipe.write, filler.data(), filler.size()) > 0) {
    }
    Writer writer(pipe.write);
    podpull_canceller *canceller = nullptr;
    REQUIRE(podpull_canceller_new(&canceller, nullptr) == PODPULL_OK);
    Client client(connect_or_fail(box, box.options()));

    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.progress_writer = writer.ptr;
    opts.canceller = canceller;
    Clock::time_point fired{};
    std::thread cancel([&] {
        // Once the host heard a blob, the writer is surely waiting on the pipe.
        wait_for([&] { return rec.snapshot().blob_calls > 0; }, 60s);
        std::this_thread::sleep_for(300ms);
        fired = Clock::now();
        podpull_canceller_cancel(canceller);
    });
    const PullOutcome out = pull(client.ptr, env.slow_big_image, rec, &opts);
    const double after_cancel = seconds_since(fired);
    cancel.join();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    CHECK(rec.snapshot().blob_calls > 0);
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    std::printf("full progress pipe: the pull returned %.3f s after the cancel\n", after_cancel);
    CHECK(after_cancel < 1.0);
    CHECK(podpull_progress_writer_failed(writer.ptr) == 1);
    podpull_canceller_free(canceller);
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("bootc events: pulls at once on one writer write one Start and never interleave lines",
          "[bootc-events][concurrency]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Pipe pipe;
    Writer writer(pipe.write);
    pipe.close_write();
    Client client(connect_or_fail(box, box.options()));
    std::string events;
    std::thread reader([&] { events = read_available(pipe.read); });
    std::vector<PullOutcome> outs(2);
    std::vector<std::unique_ptr<PullRecorder>> recs;
    recs.push_back(std::make_unique<PullRecorder>());
    recs.push_back(std::make_unique<PullRecorder>());
    const std::vector<std::string> images = {env.image, env.big_image};
    std::vector<std::thread> pulls;
    for (std::size_t i = 0; i < images.size(); ++i)
        pulls.emplace_back([&, i] {
            podpull_pull_options opts = insecure_pull_options();
            opts.progress_writer = writer.ptr;
            outs[i] = pull(client.ptr, images[i], *recs[i], &opts);
        });
    for (auto &t : pulls)
        t.join();
    podpull_progress_writer_free(writer.ptr); // the reader sees the end
    writer.ptr = nullptr;
    reader.join();
    INFO(events);
    for (const auto &out : outs) {
        CHECK(out.code == PODPULL_OK);
        CHECK(out.manifest_digest.rfind("sha256:", 0) == 0);
    }
    const std::vector<std::string> lines = lines_of(events);
    REQUIRE(lines.size() > 4);
    CHECK(lines.front() == R"({"type":"Start","version":"0.1.0"})");
    std::size_t starts = 0, done_steps = 0;
    for (const auto &line : lines) {
        if (line.empty())
            continue;
        CHECK(line.front() == '{');
        CHECK(line.back() == '}');
        starts += contains(line, R"("type":"Start")") ? 1 : 0;
        done_steps += contains(line, R"("completed":true)") ? 1 : 0;
    }
    CHECK(starts == 1);
    CHECK(done_steps == 2); // each pull's storing step, done
    for (const auto &out : outs)
        CHECK(contains(events, R"("id":")" + out.manifest_digest + "\""));
    client.reset();
    box.check_no_leftovers();
}
