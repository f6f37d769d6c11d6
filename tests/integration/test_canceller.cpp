// SPDX-License-Identifier: MIT OR Apache-2.0
// podpull_canceller: a host's handle that ends the podpull_connect and the podpull_pull calls
// it was handed to, and only those, from any thread or a signal handler, whatever podman is
// doing: waiting for the storage lock while it starts, silent on a registry that never
// answers, streaming bytes, or running as `podman pull`.

#include "podpull_test/client.hpp"
#include "podpull_test/fixture.hpp"
#include "podpull_test/process.hpp"
#include "podpull_test/recorder.hpp"
#include "podpull_test/sandbox.hpp"
#include "podpull_test/util.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <csignal>
#include <future>
#include <pthread.h>
#include <thread>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// Generous on purpose: a cancel that works ends the call within milliseconds (the figure is
// printed, and bench/ measures it); one that does not would wait for the storage lock, the
// start timeout or the registry, all far longer.
constexpr double cancel_bound_s = 2.0;

struct Canceller {
    podpull_canceller *ptr = nullptr;
    Canceller() { REQUIRE(podpull_canceller_new(&ptr, nullptr) == PODPULL_OK); }
    Canceller(const Canceller &) = delete;
    Canceller &operator=(const Canceller &) = delete;
    ~Canceller() { podpull_canceller_free(ptr); }
};

// A helper process: python3 running `script` with `args`, which prints READY once it is set up.
struct Helper {
    Spawned process;
    fs::path log;
    Helper(Sandbox &box, const std::string &name, const fs::path &script,
           const std::vector<std::string> &args) {
        log = box.dir() / (name + ".log");
        std::vector<std::string> argv{test_env().python3, script.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        process = spawn_process(argv, {}, log);
        REQUIRE(wait_for([&] { return contains(read_file(log), "READY"); }, 20s));
    }
    ~Helper() { stop_process(process, 2000); }
    std::string output() const { return read_file(log); }
};

// A "registry" that accepts connections and never answers, so that podman waits in silence.
fs::path write_black_hole(const Sandbox &box) {
    const fs::path script = box.dir() / "black-hole.py";
    write_file(script, R"(import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print("READY", s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
)");
    return script;
}

// The storage of `dirs` made, with its lock files, by a podman command of this release.
void make_storage(const ServiceDirs &dirs) {
    const RunResult r = run_process(dirs.podman_argv({"images"}), dirs.podman_env());
    INFO("podman images: " << r.err);
    REQUIRE(r.exit_code == 0);
}

// podpull_connect on another thread; fires `fire` once the service is waiting (the storage is
// locked, so it stays waiting), and checks what connect then did.
void connect_cancelled_while_waiting_for_the_lock(
    const std::function<void(pthread_t, podpull_canceller *)> &fire) {
    Sandbox box;
    make_storage(box.main());
    Helper locks(box, "locks", PODPULL_HOLD_STORAGE_LOCKS,
                 {box.main().root.string(), box.main().runroot.string()});
    INFO(locks.output());

    Canceller canceller;
    podpull_connect_options opts = box.options();
    opts.canceller = canceller.ptr;
    std::promise<pthread_t> thread_id;
    auto connecting = std::async(std::launch::async, [&] {
        thread_id.set_value(pthread_self());
        return connect(opts);
    });
    const pthread_t connector = thread_id.get_future().get();
    // Long enough for podman to be up and waiting on the lock; the lock holder never lets go.
    REQUIRE(connecting.wait_for(1500ms) == std::future_status::timeout);
    REQUIRE_FALSE(children_of_this_process().empty());

    const auto fired_at = Clock::now();
    fire(connector, canceller.ptr);
    ConnectOutcome c = connecting.get();
    const double took = seconds_since(fired_at);
    INFO(c.describe() << "\n" << box.log_text());
    std::printf("podman %s: podpull_connect returned %.3f s after the canceller fired\n",
                test_env().podman_version.c_str(), took);
    CHECK(c.code == PODPULL_ERR_CANCELLED);
    CHECK(c.error_code == PODPULL_ERR_CANCELLED);
    CHECK(c.client == nullptr);
    CHECK(took < cancel_bound_s);
    // The service it started is gone, and so is its private directory, before connect returned.
    const auto children = children_of_this_process();
    INFO("children: " << describe(children));
    CHECK(children.size() == 1); // the lock holder only
    CHECK(dir_entries(box.runtime_dir()).empty());
    stop_process(locks.process, 2000);
    box.check_no_leftovers();
}

std::atomic<podpull_canceller *> g_signal_canceller{nullptr};

extern "C" void fire_from_signal(int) {
    podpull_canceller_cancel(g_signal_canceller.load());
}

} // namespace

TEST_CASE("a canceller fired from another thread ends podpull_connect while podman waits for "
          "the storage lock: CANCELLED at once, the service stopped and its directory removed",
          "[canceller][concurrency]") {
    connect_cancelled_while_waiting_for_the_lock(
        [](pthread_t, podpull_canceller *canceller) { podpull_canceller_cancel(canceller); });
}

TEST_CASE("a canceller fired from a signal handler on the connecting thread ends podpull_connect "
          "the same way",
          "[canceller][concurrency]") {
    struct sigaction sa {
    }, old{};
    sa.sa_handler = fire_from_signal;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
    connect_cancelled_while_waiting_for_the_lock(
        [](pthread_t connector, podpull_canceller *canceller) {
            g_signal_canceller.store(canceller);
            // Whatever podpull_connect is doing on that thread, the handler interrupts it there.
            REQUIRE(pthread_kill(connector, SIGUSR1) == 0);
        });
    sigaction(SIGUSR1, &old, nullptr);
    g_signal_canceller.store(nullptr);
}

TEST_CASE("podpull_connect and podpull_pull with a canceller that already fired end with "
          "CANCELLED before they start anything",
          "[canceller][concurrency]") {
    Sandbox box;
    Canceller fired;
    podpull_canceller_cancel(fired.ptr);
    CHECK(podpull_canceller_is_cancelled(fired.ptr) == 1);

    podpull_connect_options copts = box.options();
    copts.canceller = fired.ptr;
    ConnectOutcome c = connect(copts);
    INFO(c.describe());
    CHECK(c.code == PODPULL_ERR_CANCELLED);
    CHECK(contains(c.message, "before it began"));
    CHECK(children_of_this_process().empty());

    // A live client, and a pull handed the fired canceller: no callback at all.
    Client client(connect_or_fail(box, box.options()));
    PullRecorder rec;
    podpull_pull_options popts = insecure_pull_options();
    popts.canceller = fired.ptr;
    PullOutcome out = pull(client.ptr, test_env().image, rec, &popts);
    INFO(out.describe() << "\n" << rec.summary());
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    CHECK(rec.snapshot().route_calls == 0);
    CHECK(rec.snapshot().blob_calls == 0);

    // Without it, the same client pulls.
    PullRecorder ok;
    popts.canceller = nullptr;
    PullOutcome again = pull(client.ptr, test_env().image, ok, &popts);
    INFO(again.describe());
    CHECK(again.code == PODPULL_OK);
    CHECK(again.image_id == test_env().image_id);
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("a canceller ends its own pull, streaming or silent, and no other pull of the client",
          "[canceller][concurrency]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Helper hole(box, "black-hole", write_black_hole(box), {});
    const std::string hole_port = hole.output().substr(hole.output().find("READY ") + 6);
    const std::string silent_image =
        "127.0.0.1:" + hole_port.substr(0, hole_port.find('\n')) + "/podpull/silent:v1";

    Client client(connect_or_fail(box, box.options()));

    // Three pulls at once: the big image through the slowed relay (about 4 s) with a
    // canceller of its own fired at its first bytes, one from a registry that never answers
    // with another canceller fired once it has waited a second, and the test image, which
    // must pull untouched.
    Canceller streaming_canceller, silent_canceller;
    podpull_pull_options streaming_opts = insecure_pull_options();
    streaming_opts.canceller = streaming_canceller.ptr;
    podpull_pull_options silent_opts = insecure_pull_options();
    silent_opts.canceller = silent_canceller.ptr;
    podpull_pull_options plain_opts = insecure_pull_options();

    PullRecorder streaming_rec, silent_rec, plain_rec;
    std::atomic<bool> streaming_fired{false};
    Clock::time_point streaming_fired_at;
    // Mid-blob: at the first bytes, or on the text routes (no bytes) at the first blob copy.
    auto fire_streaming = [&] {
        if (!streaming_fired.exchange(true)) {
            streaming_fired_at = Clock::now();
            podpull_canceller_cancel(streaming_canceller.ptr);
        }
    };
    streaming_rec.on_blob_hook = [&](const podpull_blob_progress &p) {
        if (p.current > 0)
            fire_streaming();
        return 0;
    };
    streaming_rec.on_status_hook = [&](const std::string &line) {
        if (line.rfind("Copying blob", 0) == 0)
            fire_streaming();
    };
    auto streaming = std::async(std::launch::async, [&] {
        PullOutcome o = pull(client.ptr, env.slow_big_image, streaming_rec, &streaming_opts);
        return std::make_pair(o, Clock::now());
    });
    auto silent = std::async(std::launch::async, [&] {
        PullOutcome o = pull(client.ptr, silent_image, silent_rec, &silent_opts);
        return std::make_pair(o, Clock::now());
    });
    auto plain = std::async(std::launch::async, [&] {
        return pull(client.ptr, env.slow_image, plain_rec, &plain_opts);
    });

    std::this_thread::sleep_for(1s);
    REQUIRE(silent.wait_for(0s) == std::future_status::timeout); // still waiting on the hole
    const auto silent_fired_at = Clock::now();
    podpull_canceller_cancel(silent_canceller.ptr);

    const auto [silent_out, silent_end] = silent.get();
    const auto [streaming_out, streaming_end] = streaming.get();
    const PullOutcome plain_out = plain.get();
    INFO("silent: " << silent_out.describe() << "\nstreaming: " << streaming_out.describe()
                    << "\nplain: " << plain_out.describe() << "\n"
                    << box.log_text());
    const double silent_took = std::chrono::duration<double>(silent_end - silent_fired_at).count();
    std::printf("podman %s: a silent pull ended %.3f s after its canceller fired\n",
                env.podman_version.c_str(), silent_took);
    CHECK(silent_out.code == PODPULL_ERR_CANCELLED);
    CHECK(silent_took < cancel_bound_s);

    REQUIRE(streaming_fired.load());
    const double streaming_took =
        std::chrono::duration<double>(streaming_end - streaming_fired_at).count();
    std::printf("podman %s: a streaming pull ended %.3f s after its canceller fired\n",
                env.podman_version.c_str(), streaming_took);
    CHECK(streaming_out.code == PODPULL_ERR_CANCELLED);
    CHECK(streaming_took < cancel_bound_s);

    CHECK(plain_out.code == PODPULL_OK);
    CHECK(plain_out.image_id == env.image_id);

    // The client stays usable for the cancelled images too.
    PullRecorder again;
    PullOutcome big = pull(client.ptr, env.big_image, again, &plain_opts);
    INFO(big.describe());
    CHECK(big.code == PODPULL_OK);
    CHECK(big.image_id == env.big_image_id);

    client.reset();
    stop_process(hole.process, 2000);
    box.check_no_leftovers();
}

TEST_CASE("a canceller ends a `podman pull` subprocess pull and the child is gone when "
          "podpull_pull returns",
          "[canceller][concurrency]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    Canceller canceller;
    podpull_pull_options opts = insecure_pull_options();
    opts.canceller = canceller.ptr;
    PullRecorder rec;
    Clock::time_point fired_at;
    rec.on_status_hook = [&](const std::string &) {
        if (!podpull_canceller_is_cancelled(canceller.ptr)) {
            fired_at = Clock::now();
            podpull_canceller_cancel(canceller.ptr);
        }
    };
    PullOutcome out = pull(client.ptr, "oci-archive:" + env.oci_archive, rec, &opts);
    const double took = seconds_since(fired_at);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    std::printf("podman %s: a `podman pull` ended %.3f s after its canceller fired\n",
                env.podman_version.c_str(), took);
    CHECK(rec.snapshot().route == PODPULL_ROUTE_SUBPROCESS);
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    // SIGTERM first (podman cleans up), SIGKILL only after the 3 s grace.
    CHECK(took < 3.0 + cancel_bound_s);
    // Only the service is left, no `podman pull`.
    CHECK(children_of_this_process().size() == 1);
    client.reset();
    box.check_no_leftovers();
}
