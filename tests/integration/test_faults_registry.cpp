// SPDX-License-Identifier: MIT OR Apache-2.0
// Faults of the registry: a private registry and its relay SIGKILLed mid-blob, and a relay
// that stops sending mid-blob (the stall timeout), on the routes each release offers. The
// registry is one of the test's own (podpull_test/registry.hpp), reading the fixture's
// storage, so killing it harms no other test; docs/reliability.md lists each case.

#include "podpull_test/client.hpp"
#include "podpull_test/registry.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

using namespace podpull_test;
using namespace std::chrono_literals;

TEST_CASE("the registry SIGKILLed mid-pull: the pull fails with PULL, saying the registry "
          "connection broke, and the service still pulls afterwards",
          "[faults][registry-killed]") {
    (void)test_env();
    Sandbox box;
    PrivateRegistry registry(box);
    Client client(connect_or_fail(box, box.options()));

    Clock::time_point killed_at{};
    bool killed = false;
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.stall_timeout_ms = 60000; // a hang shows as TIMEOUT, not as a stuck test
    // While the 64 MB blob is in flight (16 MiB/s): at its first byte count, or 500 ms after
    // "Copying blob" on a route without byte counts.
    call_mid_blob(rec, expected_auto_route(registry.big_image(), &opts), 500ms, [&] {
        killed_at = Clock::now();
        registry.kill_all();
        killed = true;
    });
    PullOutcome out = pull(client.ptr, registry.big_image(), rec, &opts);
    const auto returned_at = Clock::now();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(killed);
    const double latency = std::chrono::duration<double>(returned_at - killed_at).count();
    std::printf("registry SIGKILL: podpull_pull returned %s %.3f s after the kill: %s\n",
                out.code_str.c_str(), latency, out.message.c_str());
    CHECK((out.code == PODPULL_ERR_PULL || out.code == PODPULL_ERR_IO));
    CHECK(out.error_code == out.code);
    CHECK(contains(out.message, "connection to the registry broke"));
    CHECK_FALSE(contains(out.message, "\n"));
    // podman 4.3.1 does not retry a blob whose body was cut (measured: 0.01 s with the relay
    // killed, 0.35 s with only the registry killed and the relay draining its buffer); 5.x and
    // 6.x try to reconnect once, are refused, and say so ("while reconnecting: ... connection
    // refused"), about 1 s later.
    CHECK(latency < 10.0);
    CHECK(rec.snapshot().after_return == 0);

    // The service is fine: the next pull, of the small image from the fixture's registry,
    // works on the same client.
    check_still_pulls(client.ptr);

    client.reset();
    box.check_no_leftovers();
}

// ---- a relay that stops sending ----------------------------------------------------------

namespace {

// Where a stalled pull runs and when its relay is stopped.
struct StallCase {
    podpull_route requested; // a forced route, or AUTO
    podpull_route route;     // what on_route must name
    bool tls_verify;         // on for DOCKER_COMPAT (the relay declared insecure)
    std::uint32_t stall_timeout_ms;
};

} // namespace

TEST_CASE("a relay that stops sending mid-blob: the pull fails with TIMEOUT once podman has been "
          "silent for stall_timeout_ms, and the service still pulls afterwards",
          "[faults][stall]") {
    const TestEnv &env = test_env();
    // podman sends nothing at all while its registry is silent (seen with curl on 4.3.1, on
    // both routes it has: no progress line repeats the same byte count; docs/podman.md), so
    // podpull's silence timer is what ends such a pull. On a route with byte counts a healthy
    // pull reports bytes about once a second, so 2 s of silence means a stall. On LIBPOD_TEXT
    // a healthy blob copy is silent too, from "Copying blob" to "Copying config" (4 s for this
    // 64 MB blob at 16 MiB/s), so the timeout there has to exceed the longest blob copy: 8 s.
    StallCase c{};
    SECTION("Docker-compat route, forced: the relay stopped at the first byte count") {
        c = {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_DOCKER_COMPAT, true, 2000};
    }
    SECTION("libpod text route, forced: the relay stopped 0.5 s after Copying blob") {
        c = {PODPULL_ROUTE_LIBPOD_TEXT, PODPULL_ROUTE_LIBPOD_TEXT, false, 8000};
    }
    SECTION("the automatic route with tls_verify on: the relay stopped at the first byte count") {
        podpull_pull_options o;
        podpull_pull_options_init(&o);
        c = {PODPULL_ROUTE_AUTO, expected_auto_route(env.slow_big_image, &o), true, 2000};
        REQUIRE(route_progress(c.route) != Progress::text_only);
        if (c.route == PODPULL_ROUTE_DOCKER_COMPAT) {
            std::printf("the automatic route is DOCKER_COMPAT on podman %s: the forced case above "
                        "is that pull\n",
                        env.podman_version.c_str());
            return;
        }
    }
    const std::chrono::milliseconds stall_timeout(c.stall_timeout_ms);
    Sandbox box;
    PrivateRegistry registry(box);
    const fs::path conf = box.dir() / "registries.conf";
    std::string entries;
    for (const std::string &location :
         {registry.relay_address(), env.registry, env.slow_registry}) {
        entries += "[[registry]]\nlocation = \"" + location + "\"\ninsecure = true\n\n";
    }
    write_file(conf, entries);
    Client client(connect_or_fail(
        box, box.options(box.main(), {"CONTAINERS_REGISTRIES_CONF=" + conf.string()})));
    podpull_pull_options opts = insecure_pull_options();
    opts.tls_verify = c.tls_verify ? 1 : 0;
    opts.stall_timeout_ms = c.stall_timeout_ms;
    opts.route = c.requested;
    const bool text_only = route_progress(c.route) == Progress::text_only;

    const int relay_port = registry.relay_port();
    int connections_at_stop = 0;
    Clock::time_point stopped_at{}, last_callback_start{};
    bool stopped = false, signalled = false;
    PullRecorder rec;
    const auto stop_relay = [&] {
        signalled = registry.freeze_relay();
        stopped_at = Clock::now();
        stopped = true;
        connections_at_stop = established_to(relay_port);
    };
    // The stall timer counts podman's silence, not the host's: podpull reads on while a
    // callback runs. A report reaches its callback after podpull read it, so podman's last
    // word came no later than the last callback's start.
    rec.on_status_hook = [&](const std::string &line) {
        last_callback_start = Clock::now();
        if (!stopped && text_only && contains(line, "Copying blob")) {
            std::this_thread::sleep_for(500ms); // the blob is in flight, unseen on this route
            stop_relay();
        }
    };
    rec.on_blob_hook = [&](const podpull_blob_progress &p) {
        last_callback_start = Clock::now();
        if (!stopped && p.state == PODPULL_BLOB_PULLING && p.current > 0) {
            stop_relay();
        }
        return 0;
    };
    // Should the stall timer never fire, cancel instead of hanging: the test then fails on
    // CANCELLED.
    std::atomic<bool> returned{false};
    std::thread watchdog([&] {
        const auto give_up = Clock::now() + stall_timeout + 60s;
        while (!returned && Clock::now() < give_up) {
            std::this_thread::sleep_for(20ms);
        }
        if (!returned) {
            podpull_cancel(client.ptr);
        }
    });
    PullOutcome out = pull(client.ptr, registry.big_image(), rec, &opts);
    const auto returned_at = Clock::now();
    returned = true;
    watchdog.join();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(stopped);
    REQUIRE(signalled);
    const double after_stop = std::chrono::duration<double>(returned_at - stopped_at).count();
    const double silent = std::chrono::duration<double>(returned_at - last_callback_start).count();
    std::printf("relay stopped (%s, stall_timeout %u ms): podpull_pull returned %s %.3f s after "
                "the stop, %.3f s after the last callback began: %s\n",
                route_name(c.route), c.stall_timeout_ms, out.code_str.c_str(), after_stop, silent,
                out.message.c_str());
    CHECK(rec.snapshot().route == c.route); // the result, which holds the route, is NULL
    CHECK(out.code == PODPULL_ERR_TIMEOUT);
    CHECK(out.error_code == PODPULL_ERR_TIMEOUT);
    CHECK(contains(out.message,
                   "the pull stalled after " + std::to_string(c.stall_timeout_ms) + " ms"));
    CHECK_FALSE(contains(out.message, "\n"));
    // Not before stall_timeout of silence (asio timers never fire early), and soon after it.
    CHECK(silent >= std::chrono::duration<double>(stall_timeout).count() - 0.01);
    CHECK(after_stop < std::chrono::duration<double>(stall_timeout).count() + 3.0);
    CHECK(rec.snapshot().after_return == 0);

    // podman gives up the blob transfer once podpull has closed the pull's connection, so it
    // holds nothing open. Seen: within 0.02 s on 4.3.1 to 5.8.6. podman 6.1.1 mostly lets go
    // within 0.01 s (LIBPOD_PROGRESS) or about 10 s (LIBPOD_TEXT), but in two full suite runs
    // (2026-12-01 and -02, both routes) it still held the stopped relay 30 s after the return:
    // 6.x does not always end a pull whose client went away. podpull cannot end it through the
    // API (there is no such call); the connection goes with the service at podpull_free, which
    // check_no_leftovers() below covers. So on 6.x it is measured, not asserted.
    CHECK(connections_at_stop >= 1); // the blob transfer, open while the relay was stopped
    const bool let_go = wait_for([&] { return established_to(relay_port) == 0; }, 30s);
    if (let_go)
        std::printf("podman %s closed its connection to the stopped relay %.3f s after the "
                    "pull returned\n",
                    env.podman_version.c_str(), seconds_since(returned_at));
    else
        std::printf("podman %s still held its connection to the stopped relay 30 s after the "
                    "pull returned\n",
                    env.podman_version.c_str());
    if (!env.podman_at_least(6, 0))
        CHECK(let_go);

    registry.kill_all(); // ends the stopped relay and its registry, and reaps both

    // A healthy pull of the same 64 MB blob, through the fixture's relay at the same rate and
    // with the same stall timeout, is not cut: the TIMEOUT above was the stall, not the timer
    // firing on any long pull. It also shows the service survived the abandoned pull.
    PullRecorder healthy;
    PullOutcome big = pull(client.ptr, env.slow_big_image, healthy, &opts);
    INFO(big.describe() << "\n" << healthy.summary());
    CHECK(big.code == PODPULL_OK);
    CHECK(big.route == c.route);
    CHECK(big.image_id == env.big_image_id);
    check_still_pulls(client.ptr, &opts);

    client.reset();
    box.check_no_leftovers();
}

// ---- a registry with transient failures: retries ------------------------------------------

namespace {

// Only the derived image's 32 MB layer is at least this big: the proxy fails its GETs, and
// the test image's three layers below it are stored by the first attempt.
const std::string big_layer_only = "16000000";

int count_of(const std::string &text, const std::string &needle) {
    int count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

// Whether pull_current and pull_total never went down across the pull (all its attempts).
bool totals_never_went_back(const PullRecorder::Snapshot &s) {
    uint64_t current = 0, total = 0;
    for (const auto &b : s.blobs) {
        if (b.pull_current < current || b.pull_total < total) {
            return false;
        }
        current = b.pull_current;
        total = b.pull_total;
    }
    return true;
}

} // namespace

TEST_CASE("a registry answering 429 to the big layer's first 5 GETs: with retries the pull "
          "succeeds, podpull retrying on 4.x only, fetching only what is missing",
          "[faults][retry]") {
    const TestEnv &env = test_env();
    Sandbox box;
    // containers/image tries a 429 5 times itself (Retry-After: 0 makes that quick): the 5
    // failures are one failed attempt of podman's pull.
    FaultyRegistry registry(box, {"--status", "429", "--retry-after", "0", "--fail", "5",
                                  "--min-bytes", big_layer_only});
    Client client(connect_or_fail(box, box.options()));
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.retries = 3;
    opts.retry_delay_ms = 200;
    const PullOutcome out = pull(client.ptr, registry.image("podpull/derived:v1"), rec, &opts);
    const std::string log = box.log_text();
    INFO(out.describe() << "\n" << rec.summary() << log << "\n" << registry.log());
    const auto s = rec.snapshot();
    const int retries = count_of(log, "retrying the pull in 200 ms");
    std::printf("429 x5 on podman %s: %s in %.2f s, podpull retries %d, blob GETs relayed %d, "
                "failed %d\n",
                env.podman_version.c_str(), out.code_str.c_str(), out.seconds, retries,
                registry.blobs_relayed(), registry.blobs_failed());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == env.derived_image_id);
    CHECK(registry.blobs_failed() == 5);
    CHECK(s.route_calls == 1);
    CHECK(totals_never_went_back(s));
    if (env.podman_at_least(5, 0)) {
        CHECK(retries == 0); // podman retried; podpull adds nothing on top
    } else {
        CHECK(retries == 1);
        CHECK(contains(log, "(attempt 2 of 4): the registry is rate limiting pulls"));
        // The second attempt fetched only the missing layer (and the config again): 5 blobs,
        // each relayed once, plus at most the config.
        CHECK(registry.blobs_relayed() <= 6);
        // Every byte of the image was fetched (the first attempt's layers count as fetched).
        CHECK(out.bytes_cached == 0);
        CHECK(out.blobs_cached == 0);
    }
    client.reset();
    registry.stop();
    box.check_no_leftovers();
}

TEST_CASE("a registry that keeps failing: PULL, retryable, rate limiting read as such, on every "
          "release",
          "[faults][retry]") {
    const TestEnv &env = test_env();
    std::string status;
    SECTION("429 Too Many Requests") {
        status = "429";
    }
    SECTION("503 Service Unavailable") {
        status = "503";
    }
    Sandbox box;
    FaultyRegistry registry(box, {"--status", status, "--retry-after", "0", "--fail", "-1",
                                  "--min-bytes", big_layer_only});
    Client client(connect_or_fail(box, box.options()));
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options(); // retries = 0
    const PullOutcome out = pull(client.ptr, registry.image("podpull/derived:v1"), rec, &opts);
    const std::string log = box.log_text();
    INFO(out.describe() << "\n" << rec.summary() << log);
    std::printf("%s always on podman %s: %s after %.2f s, retryable %d: %s\n", status.c_str(),
                env.podman_version.c_str(), out.code_str.c_str(), out.seconds, out.retryable,
                out.message.c_str());
    CHECK(out.code == PODPULL_ERR_PULL);
    CHECK(out.retryable == 1);
    CHECK_FALSE(contains(log, "retrying the pull"));
    if (status == "429") {
        CHECK(contains(out.message, "the registry is rate limiting pulls (HTTP 429"));
    }
    client.reset();
    registry.stop();
    box.check_no_leftovers();
}

TEST_CASE("a missing image is never retried and is not retryable", "[faults][retry]") {
    Sandbox box;
    FaultyRegistry registry(box, {"--status", "503", "--fail", "-1"});
    Client client(connect_or_fail(box, box.options()));
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.retries = 3;
    opts.retry_delay_ms = 200;
    const PullOutcome out =
        pull(client.ptr, registry.image("podpull/test:no-such-tag"), rec, &opts);
    const std::string log = box.log_text();
    INFO(out.describe() << "\n" << log);
    CHECK(out.code == PODPULL_ERR_NOT_FOUND);
    CHECK(out.retryable == 0);
    CHECK_FALSE(contains(log, "retrying the pull"));
    client.reset();
    registry.stop();
    box.check_no_leftovers();
}

TEST_CASE("cancelling during podpull's wait before a retry ends the pull within 100 ms",
          "[faults][retry]") {
    const TestEnv &env = test_env();
    if (env.podman_at_least(5, 0)) {
        std::printf("podman %s retries itself: podpull never waits to retry\n",
                    env.podman_version.c_str());
        return;
    }
    bool use_canceller = false;
    SECTION("podpull_cancel") {
        use_canceller = false;
    }
    SECTION("the pull's canceller") {
        use_canceller = true;
    }
    Sandbox box;
    FaultyRegistry registry(box,
                            {"--status", "503", "--fail", "-1", "--min-bytes", big_layer_only});
    Client client(connect_or_fail(box, box.options()));
    podpull_canceller *canceller = nullptr;
    REQUIRE(podpull_canceller_new(&canceller, nullptr) == PODPULL_OK);
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.retries = 3;
    opts.retry_delay_ms = 30000;
    opts.canceller = canceller;
    Clock::time_point cancelled_at{};
    std::thread canceller_thread([&] {
        if (!wait_for([&] { return contains(box.log_text(), "retrying the pull in 30000 ms"); },
                      60s)) {
            podpull_cancel(client.ptr); // the test fails below, without hanging
            return;
        }
        std::this_thread::sleep_for(300ms); // well inside the wait
        cancelled_at = Clock::now();
        if (use_canceller) {
            podpull_canceller_cancel(canceller);
        } else {
            podpull_cancel(client.ptr);
        }
    });
    const PullOutcome out = pull(client.ptr, registry.image("podpull/derived:v1"), rec, &opts);
    const auto returned_at = Clock::now();
    canceller_thread.join();
    INFO(out.describe() << "\n" << box.log_text());
    const double latency = std::chrono::duration<double>(returned_at - cancelled_at).count();
    std::printf("cancel (%s) during the retry wait: %s %.3f s after it\n",
                use_canceller ? "canceller" : "podpull_cancel", out.code_str.c_str(), latency);
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    CHECK(out.retryable == 0);
    CHECK(latency < 0.1);
    CHECK(rec.snapshot().after_return == 0);
    podpull_canceller_free(canceller);
    client.reset();
    registry.stop();
    box.check_no_leftovers();
}
