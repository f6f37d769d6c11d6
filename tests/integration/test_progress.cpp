// SPDX-License-Identifier: MIT OR Apache-2.0
// Byte progress, on every route of the release under test that reports bytes:
// LIBPOD_PROGRESS (podman >= 6.0), LIBPOD_COMPAT (>= 4.8), and DOCKER_COMPAT (POST
// /images/create, every podman), which has no tlsVerify: it is taken with TLS verification on
// and the registry declared insecure in a registries.conf the service reads
// (CONTAINERS_REGISTRIES_CONF through the env option). A route a release does not serve is
// refused, and the case says so. The big image comes through the fixture's throttling relay,
// so its 64 MB layer takes about 4 s and several byte counts arrive.

#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cstdio>
#include <map>

using namespace podpull_test;

namespace {

// A client whose service treats the slow registry as insecure (plain HTTP) on its own.
podpull_client *connect_with_insecure_registry(Sandbox &box) {
    const fs::path conf =
        write_insecure_registries_conf(box.dir() / "registries.conf", {test_env().slow_registry});
    return connect_or_fail(
        box, box.options(std::vector<std::string>{"CONTAINERS_REGISTRIES_CONF=" + conf.string()}));
}

} // namespace

TEST_CASE("every route with byte progress reports climbing bytes for a 64 MB layer, with TLS "
          "verification on and the registry insecure in registries.conf",
          "[pull][progress]") {
    const TestEnv &env = test_env();
    const podpull_route route = GENERATE(PODPULL_ROUTE_LIBPOD_PROGRESS, PODPULL_ROUTE_LIBPOD_COMPAT,
                                         PODPULL_ROUTE_DOCKER_COMPAT);
    Sandbox box;
    Client client(connect_with_insecure_registry(box));

    PullRecorder rec;
    const podpull_pull_options opts = verified_pull_options(route);
    const std::string refusal = expected_refusal(route, env.slow_big_image, opts);
    PullOutcome out = pull(client.ptr, env.slow_big_image, rec, &opts);
    auto s = rec.snapshot();
    INFO(route_name(route) << ": " << out.describe() << "\n" << rec.summary() << box.log_text());

    if (!refusal.empty()) {
        // Not on this release: podpull refuses it before asking podman anything.
        std::printf("%s: not served by podman %s, refused: %s\n", route_name(route),
                    env.podman_version.c_str(), out.message.c_str());
        CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(contains(out.message, refusal));
        CHECK(s.blob_calls == 0);
        client.reset();
        box.check_no_leftovers();
        return;
    }
    REQUIRE(out.code == PODPULL_OK);
    CHECK(s.route_first);
    CHECK(s.route_calls == 1);
    CHECK(s.route == route);
    CHECK(out.route == route);
    CHECK(out.image_id == env.big_image_id);
    CHECK(s.wrong_thread == 0);
    CHECK(s.after_return == 0);

    // The 64 MB layer: its bytes climb while it downloads, and it ends DONE.
    REQUIRE_FALSE(s.blobs.empty());
    std::map<std::string, std::vector<PullRecorder::BlobEvent>> by_id;
    for (const auto &b : s.blobs) {
        by_id[b.id].push_back(b);
    }
    const std::vector<PullRecorder::BlobEvent> *big = nullptr;
    for (const auto &[id, events] : by_id) {
        for (const auto &e : events) {
            if (e.total > 60 * 1000 * 1000) {
                big = &events;
            }
        }
    }
    REQUIRE(big != nullptr);
    int pulling_with_bytes = 0;
    uint64_t last = 0;
    uint64_t last_pull_current = 0;
    for (const auto &e : *big) {
        CHECK(e.current >= last); // never goes back
        last = e.current;
        if (e.state == PODPULL_BLOB_PULLING && e.current > 0) {
            ++pulling_with_bytes;
            CHECK(e.total > 0);
            CHECK(e.current <= static_cast<uint64_t>(e.total));
        }
        CHECK(e.pull_current >= last_pull_current);
        last_pull_current = e.pull_current;
    }
    std::printf("%s: %d byte counts for the 64 MB layer, result bytes %llu\n", route_name(route),
                pulling_with_bytes, static_cast<unsigned long long>(out.bytes));
    CHECK(pulling_with_bytes >= 2); // ~4 s of download: more than one byte count
    CHECK(big->back().state == PODPULL_BLOB_DONE);
    CHECK(out.bytes > 0);
    check_route_progress("the big image", route,
                         registry_image(env.registry, repository_path(env.big_image)), s, out,
                         true);

    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("on_blob returning nonzero cancels the pull, and the client stays usable",
          "[pull][progress][cancel]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_with_insecure_registry(box));

    PullRecorder rec;
    int calls_after_stop = 0;
    bool stopped = false;
    rec.on_blob_hook = [&](const podpull_blob_progress &p) {
        if (stopped) {
            ++calls_after_stop;
            return 1;
        }
        if (p.state == PODPULL_BLOB_PULLING && p.current > 0) {
            stopped = true;
            return 1;
        }
        return 0;
    };
    // The automatic route with TLS verification on reports bytes on every release.
    const podpull_pull_options opts = verified_pull_options();
    REQUIRE(route_progress(expected_auto_route(env.slow_big_image, &opts)) != Progress::text_only);
    PullOutcome out = pull(client.ptr, env.slow_big_image, rec, &opts);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(stopped);
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    CHECK(out.error_code == PODPULL_ERR_CANCELLED);
    CHECK_FALSE(out.have_result);
    CHECK(calls_after_stop == 0); // no on_blob after the one that said stop
    CHECK(out.seconds < 3.5);     // it stopped well before the ~4 s layer was through

    check_still_pulls(client.ptr, &opts, env.slow_image);

    client.reset();
    box.check_no_leftovers();
}
