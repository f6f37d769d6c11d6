// Reading never waits on the host. A host whose first on_blob call does not return
// until the fake service has sent a whole 16 MiB pull body: bytes counted, not time. Were the
// socket read on the host's thread, nobody would read while the callback waits, the fake's
// send would block once the socket buffers (a few hundred KiB) were full, and the body could
// never be sent whole.
#include <podpull.h>

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <spawn.h>
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

constexpr std::uint64_t body_bytes = 16 * 1024 * 1024;
// The host's patience: far beyond the second or so the fake takes to send 16 MiB to a reader
// that keeps up, even under sanitizers on a loaded machine, and below ctest's 60 s.
constexpr auto give_up_after = std::chrono::seconds(40);

// fake-libpod.py --long-pull in its own temporary directory (test_fake_service.cpp has the
// fixed-body one); stopped and removed on destruction.
class LongPullFake {
  public:
    LongPullFake() {
        char pattern[] = "/tmp/podpull-slow-host.XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        socket_ = dir_ / "podman.sock";
        sent_file_ = dir_ / "sent";
        const auto ready = dir_ / "ready";
        std::vector<std::string> args = {
            "python3",
            PODPULL_FAKE_LIBPOD,
            "--socket",
            socket_,
            "--version",
            "6.1.1",
            "--body",
            std::string(PODPULL_FAKE_BODIES) + "/pull-progress-derived-unknown-size.ndjson",
            "--long-pull",
            std::to_string(body_bytes),
            "--sent-file",
            sent_file_,
            "--ready-file",
            ready};
        std::vector<char *> argv;
        for (auto &arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        REQUIRE(::posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) == 0);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!fs::exists(ready)) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ~LongPullFake() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        fs::remove_all(dir_);
    }
    LongPullFake(const LongPullFake &) = delete;
    LongPullFake &operator=(const LongPullFake &) = delete;

    std::string socket() const { return socket_; }

    // What the fake's --sent-file says: bytes sent so far, the whole body, its lines.
    struct Sent {
        std::uint64_t sent = 0, total = 0, lines = 0;
    };
    Sent sent() const {
        Sent s;
        std::ifstream in(sent_file_);
        in >> s.sent >> s.total >> s.lines;
        return s;
    }

  private:
    fs::path dir_, socket_, sent_file_;
    pid_t pid_ = -1;
};

struct SlowHost {
    const LongPullFake *fake = nullptr;
    std::vector<podpull_blob_progress> blobs;
    std::vector<std::string> ids;
    std::vector<std::string> events; // "status LINE" and "blob ID STATE", in arrival order
    bool first_call_done = false;
    LongPullFake::Sent when_released;
    bool whole_body_sent_while_waiting = false;

    static void on_status(void *self, const char *line) {
        static_cast<SlowHost *>(self)->events.push_back(std::string("status ") + line);
    }
    static int on_blob(void *self, const podpull_blob_progress *p) {
        auto *host = static_cast<SlowHost *>(self);
        if (!host->first_call_done) {
            host->first_call_done = true;
            // Wait for the fake to have sent everything, which it can only do if podpull goes
            // on reading while this callback has not returned.
            const auto deadline = std::chrono::steady_clock::now() + give_up_after;
            while (std::chrono::steady_clock::now() < deadline) {
                host->when_released = host->fake->sent();
                if (host->when_released.total != 0 &&
                    host->when_released.sent == host->when_released.total) {
                    host->whole_body_sent_while_waiting = true;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        host->blobs.push_back(*p);
        host->ids.emplace_back(p->id);
        const char *states[] = {"STARTED", "PULLING", "DONE", "SKIPPED"};
        host->events.push_back("blob " + std::string(p->id) + " " + states[p->state]);
        return 0;
    }
};

} // namespace

TEST_CASE("a host that blocks in on_blob does not stop podpull reading the pull body",
          "[concurrency][slow-host]") {
    LongPullFake fake;
    podpull_connect_options options;
    podpull_connect_options_init(&options);
    const std::string socket = fake.socket();
    options.socket_path = socket.c_str();
    podpull_client *client = nullptr;
    podpull_error *error = nullptr;
    REQUIRE(podpull_connect(&options, &client, &error) == PODPULL_OK);

    SlowHost host;
    host.fake = &fake;
    podpull_callbacks callbacks;
    podpull_callbacks_init(&callbacks);
    callbacks.user_data = &host;
    callbacks.on_status = SlowHost::on_status;
    callbacks.on_blob = SlowHost::on_blob;
    podpull_result *result = nullptr;
    const auto code = podpull_pull(client, "registry.example/podpull/test:v1", nullptr, &callbacks,
                                   &result, &error);
    INFO(podpull_error_message(error));
    REQUIRE(code == PODPULL_OK);
    CHECK(podpull_result_image_id(result) == config_id);
    CHECK(podpull_result_route(result) == PODPULL_ROUTE_LIBPOD_PROGRESS);

    // The proof: the whole body left the fake while the host's first callback was waiting.
    INFO("sent " << host.when_released.sent << " of " << host.when_released.total);
    CHECK(host.whole_body_sent_while_waiting);
    const auto sent = fake.sent();
    CHECK(sent.total >= body_bytes);
    CHECK(sent.lines > 70000);

    // Nothing but PULLING was merged: every STARTED, DONE, SKIPPED and status line came, in
    // the body's order.
    std::vector<std::string> fixed;
    for (const auto &event : host.events)
        if (event.find(" PULLING") == std::string::npos)
            fixed.push_back(event);
    CHECK(fixed == std::vector<std::string>{
                       "status Trying to pull registry.example/podpull/test:v1...",
                       "blob " + layer + " STARTED",
                       "blob " + unknown_size + " STARTED",
                       "blob " + layer + " DONE",
                       "blob " + unknown_size + " DONE",
                       "blob " + skipped + " SKIPPED",
                       "status Copying config sha256:" + config_id,
                   });

    // The ~77,000 PULLING lines the host had no time for merged: a handful of callbacks, the
    // layer's bytes rising to the body's last figure for it.
    CHECK(host.blobs.size() < 100);
    std::uint64_t layer_at = 0, last_pull_current = 0;
    int layer_pulling = 0;
    for (std::size_t i = 0; i < host.blobs.size(); ++i) {
        CHECK(host.blobs[i].pull_current >= last_pull_current);
        last_pull_current = host.blobs[i].pull_current;
        if (host.ids[i] != layer || host.blobs[i].state != PODPULL_BLOB_PULLING)
            continue;
        ++layer_pulling;
        CHECK(host.blobs[i].current > layer_at);
        layer_at = host.blobs[i].current;
    }
    CHECK(layer_pulling >= 1);
    CHECK(layer_at == 52428800);

    // Whole-pull totals after merging: the sized layer and the unknown-size blob's bytes.
    REQUIRE_FALSE(host.blobs.empty());
    const auto &last = host.blobs.back();
    CHECK(last.pull_current == 73407797u + 8192u);
    CHECK(last.pull_total == 73407797u);
    CHECK(last.blobs_seen == 3);
    CHECK(last.blobs_done == 3);
    CHECK(podpull_result_bytes(result) == 73407797u + 8192u);

    podpull_result_free(result);
    podpull_error_free(error);
    podpull_free(client);
}
