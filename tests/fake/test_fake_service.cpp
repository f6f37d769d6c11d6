// podpull against tests/fake/fake-libpod.py, through the real HTTP code (socket_path): only
// for what a real podman cannot be made to do on cue (a stream that stalls, an error line in
// the middle of a body) and for body shapes no release in the suite sends. What the releases
// do send is tested against them (tests/integration, once per release).
#include <podpull.h>

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

namespace fs = std::filesystem;

const std::string layer = "sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2";
const std::string unknown_size =
    "sha256:7d1e4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060";
const std::string skipped =
    "sha256:3c2b7e6d9a0f4e1b8c5d7a9e0f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d";
const std::string config_id = "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";

// The fake service in its own temporary directory; stopped and removed on destruction.
class FakeService {
  public:
    FakeService(const std::string &version, const std::string &body, int status = 200,
                const std::string &inspect_id = "", int stall_after = -1) {
        char pattern[] = "/tmp/podpull-fake.XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        socket_ = dir_ / "podman.sock";
        record_ = dir_ / "requests.ndjson";
        const auto ready = dir_ / "ready";
        std::vector<std::string> args = {
            "python3",      PODPULL_FAKE_LIBPOD,
            "--socket",     socket_,
            "--version",    version,
            "--body",       std::string(PODPULL_FAKE_BODIES) + "/" + body,
            "--record",     record_,
            "--status",     std::to_string(status),
            "--ready-file", ready};
        if (!inspect_id.empty()) {
            args.emplace_back("--inspect-id");
            args.push_back(inspect_id);
        }
        args.emplace_back("--stall-after");
        args.push_back(std::to_string(stall_after));
        std::vector<char *> argv;
        for (auto &arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        REQUIRE(::posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) == 0);
        // The fake has no READY=1 of its own; it writes a file once it listens.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!fs::exists(ready)) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ~FakeService() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        fs::remove_all(dir_);
    }
    std::string socket() const { return socket_; }
    std::string requests() const {
        std::ifstream in(record_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

  private:
    fs::path dir_, socket_, record_;
    pid_t pid_ = -1;
};

struct Recorder {
    std::vector<std::string> events;
    std::vector<podpull_blob_progress> blobs;
    std::vector<std::string> blob_ids;
    int routes = 0;
    podpull_route route = PODPULL_ROUTE_AUTO;

    static void on_route(void *self, podpull_route route, const char *reason) {
        auto *r = static_cast<Recorder *>(self);
        r->routes++;
        r->route = route;
        r->events.push_back(std::string("route ") + reason);
    }
    static void on_status(void *self, const char *line) {
        static_cast<Recorder *>(self)->events.push_back(std::string("status ") + line);
    }
    static int on_blob(void *self, const podpull_blob_progress *p) {
        auto *r = static_cast<Recorder *>(self);
        r->blobs.push_back(*p);
        r->blob_ids.emplace_back(p->id);
        r->events.push_back("blob " + std::string(p->id));
        return 0;
    }
    podpull_callbacks callbacks() {
        podpull_callbacks cb;
        podpull_callbacks_init(&cb);
        cb.user_data = this;
        cb.on_route = on_route;
        cb.on_status = on_status;
        cb.on_blob = on_blob;
        return cb;
    }
};

// Whether one blob's reports are: STARTED at 0 (of `started_total`, what the wire said then);
// PULLING at some of the byte counts the body carries (`pulling`, rising), always the last of them
// (a host that falls behind sees earlier ones merged into it, so which of the others it sees
// depends on thread timing); DONE at `total`.
bool is_started_pulling_done(const std::vector<podpull_blob_progress> &events,
                             std::int64_t started_total, std::int64_t total,
                             const std::vector<std::uint64_t> &pulling) {
    if (events.size() < 3 || events.size() > pulling.size() + 2)
        return false;
    const auto &first = events.front();
    const auto &last = events.back();
    if (first.state != PODPULL_BLOB_STARTED || first.current != 0 || first.total != started_total ||
        last.state != PODPULL_BLOB_DONE || last.current != static_cast<std::uint64_t>(total) ||
        last.total != total)
        return false;
    std::size_t next = 0; // the earliest of `pulling` the next PULLING may show
    for (std::size_t i = 1; i + 1 < events.size(); ++i) {
        if (events[i].state != PODPULL_BLOB_PULLING || events[i].total != total)
            return false;
        while (next < pulling.size() && pulling[next] != events[i].current)
            ++next;
        if (next == pulling.size())
            return false;
        ++next;
    }
    return events[events.size() - 2].current == pulling.back();
}

podpull_client *connect_to(const FakeService &fake) {
    podpull_connect_options options;
    podpull_connect_options_init(&options);
    const std::string socket = fake.socket();
    options.socket_path = socket.c_str();
    podpull_client *client = nullptr;
    podpull_error *error = nullptr;
    const auto code = podpull_connect(&options, &client, &error);
    INFO(podpull_error_message(error));
    podpull_error_free(error);
    REQUIRE(code == PODPULL_OK);
    return client;
}

} // namespace

TEST_CASE("a pullProgress body with a blob of unknown size and a final count short of its "
          "total, which no release in the suite sends: per-blob bytes and whole-pull totals") {
    FakeService fake("6.1.1", "pull-progress-derived-unknown-size.ndjson");
    podpull_client *client = connect_to(fake);
    Recorder recorder;
    const auto callbacks = recorder.callbacks();
    podpull_result *result = nullptr;
    podpull_error *error = nullptr;
    const auto code = podpull_pull(client, "registry.example/podpull/test:v1", nullptr, &callbacks,
                                   &result, &error);
    INFO(podpull_error_message(error));
    REQUIRE(code == PODPULL_OK);
    CHECK(podpull_result_image_id(result) == config_id);
    CHECK(podpull_result_route(result) == PODPULL_ROUTE_LIBPOD_PROGRESS);

    // The route comes first and once; pullProgress was asked for.
    REQUIRE(!recorder.events.empty());
    CHECK(recorder.routes == 1);
    CHECK(recorder.events.front().starts_with("route "));
    CHECK(recorder.route == PODPULL_ROUTE_LIBPOD_PROGRESS);
    CHECK(fake.requests().find("pullProgress=true") != std::string::npos);

    // The sized layer: STARTED with its total, PULLING rising, DONE at its total even though
    // podman's last `current` stopped short of it.
    std::vector<podpull_blob_progress> sized;
    for (std::size_t i = 0; i < recorder.blobs.size(); ++i)
        if (recorder.blob_ids[i] == layer)
            sized.push_back(recorder.blobs[i]);
    CHECK(is_started_pulling_done(sized, 73407797, 73407797, {19003392, 52428800}));

    // The blob of unknown size keeps total -1; the skipped one is SKIPPED.
    bool saw_unknown = false, saw_skipped = false;
    for (std::size_t i = 0; i < recorder.blobs.size(); ++i) {
        if (recorder.blob_ids[i] == unknown_size) {
            saw_unknown = true;
            CHECK(recorder.blobs[i].total == -1);
        }
        if (recorder.blob_ids[i] == skipped) {
            saw_skipped = true;
            CHECK(recorder.blobs[i].state == PODPULL_BLOB_SKIPPED);
        }
    }
    CHECK(saw_unknown);
    CHECK(saw_skipped);

    // Whole-pull totals: three blobs seen, all done, bytes = the layer plus the unknown one.
    const auto &last = recorder.blobs.back();
    CHECK(last.blobs_seen == 3);
    CHECK(last.blobs_done == 3);
    CHECK(last.pull_current == 73407797u + 8192u);
    CHECK(podpull_result_bytes(result) == 73407797u + 8192u);

    podpull_result_free(result);
    podpull_free(client);
}

TEST_CASE("an error line in the middle of the body (6.1.1's, its registry cut off) ends the "
          "pull with its code and message") {
    FakeService fake("6.1.1", "pull-progress-6.1.1-error.ndjson");
    podpull_client *client = connect_to(fake);
    podpull_result *result = nullptr;
    podpull_error *error = nullptr;
    const auto code =
        podpull_pull(client, "registry.example/podpull/test:v1", nullptr, nullptr, &result, &error);
    const std::string message = podpull_error_message(error);
    INFO(message);
    CHECK(code == PODPULL_ERR_PULL);
    CHECK(result == nullptr);
    CHECK(message.find("unexpected EOF") != std::string::npos);
    CHECK(message.find("the connection to the registry broke") != std::string::npos);
    podpull_error_free(error);
    podpull_free(client);
}

TEST_CASE("an HTTP error answer maps its status and podman's message") {
    FakeService fake("6.1.1", "error-404-6.1.1.json", 404);
    podpull_client *client = connect_to(fake);
    podpull_error *error = nullptr;
    const auto code =
        podpull_pull(client, "registry.example/podpull/none:v1", nullptr, nullptr, nullptr, &error);
    CHECK(code == PODPULL_ERR_NOT_FOUND);
    const std::string message = podpull_error_message(error);
    CHECK(message.find("404") != std::string::npos);
    CHECK(message.find("manifest unknown") != std::string::npos);
    podpull_error_free(error);
    podpull_free(client);
}

TEST_CASE("a stream that stops sending ends in TIMEOUT after stall_timeout_ms") {
    // 6.1.1's body stops after its first four lines (three text lines and a blob's start).
    FakeService fake("6.1.1", "pull-progress-6.1.1.ndjson", 200, "", 4);
    podpull_client *client = connect_to(fake);
    podpull_pull_options options;
    podpull_pull_options_init(&options);
    options.stall_timeout_ms = 300;
    Recorder recorder;
    const auto callbacks = recorder.callbacks();
    podpull_error *error = nullptr;
    const auto started = std::chrono::steady_clock::now();
    const auto code = podpull_pull(client, "registry.example/podpull/test:v1", &options, &callbacks,
                                   nullptr, &error);
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(code == PODPULL_ERR_TIMEOUT);
    CHECK(std::string(podpull_error_message(error)).find("300 ms") != std::string::npos);
    // What came before the stall was delivered: the route, three status lines, one blob.
    CHECK(recorder.events.size() == 5);
    CHECK(recorder.blobs.size() == 1);
    // Bounded, not timed: without the stall timeout this pull would never return.
    CHECK(took < std::chrono::seconds(30));
    podpull_error_free(error);
    podpull_free(client);
}

TEST_CASE("podpull_cancel from another thread stops a pull stalled on the fake service",
          "[concurrency][cancel]") {
    // The body stops after 4 lines (the last a blob's start) and the connection stays open:
    // only the cancel ends it.
    FakeService fake("6.1.1", "pull-progress-6.1.1.ndjson", 200, "", 4);
    podpull_client *client = connect_to(fake);
    podpull_pull_options options;
    podpull_pull_options_init(&options);
    options.stall_timeout_ms = 120000; // a backstop far beyond the bound below, never the cause

    // The pulling thread counts blob callbacks; the cancelling thread waits for the first so
    // the cancel lands in a pull that is in flight (a cancel with none in flight is dropped).
    struct Seen {
        std::atomic<int> blobs{0};
        static int on_blob(void *self, const podpull_blob_progress *) {
            static_cast<Seen *>(self)->blobs.fetch_add(1);
            return 0;
        }
    } seen;
    podpull_callbacks callbacks;
    podpull_callbacks_init(&callbacks);
    callbacks.user_data = &seen;
    callbacks.on_blob = Seen::on_blob;

    std::atomic<bool> cancelled{false};
    std::chrono::steady_clock::time_point cancel_time;
    std::thread canceller([&] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (seen.blobs.load() == 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        cancel_time = std::chrono::steady_clock::now();
        podpull_cancel(client);
        cancelled = true;
    });
    podpull_error *error = nullptr;
    const auto code = podpull_pull(client, "registry.example/podpull/test:v1", &options, &callbacks,
                                   nullptr, &error);
    const auto returned = std::chrono::steady_clock::now();
    canceller.join();
    INFO(podpull_error_message(error));
    CHECK(cancelled.load());
    CHECK(seen.blobs.load() > 0);
    CHECK(code == PODPULL_ERR_CANCELLED);
    // Generous: the machine is shared; without the cancel the pull would wait 120 s.
    CHECK(returned - cancel_time < std::chrono::seconds(10));
    podpull_error_free(error);
    podpull_free(client);
}
