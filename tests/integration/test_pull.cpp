// SPDX-License-Identifier: MIT OR Apache-2.0
// Pulls through a private podman service the library starts: from the fixture's registry
// (on the route the automatic choice takes on the release under test), from an oci-archive
// (the subprocess route), and the errors podman reports for a missing tag and a bad name.

#include "podpull_test/podman_recorder.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

using namespace podpull_test;

namespace {

bool any_line_contains(const std::vector<std::string> &lines, const std::string &needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string &l) { return contains(l, needle); });
}

} // namespace

TEST_CASE("a registry pull takes the release's automatic route and returns the image ID",
          "[pull][registry]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    // The service got the env option: its containers.conf put podman's tmp_dir in the sandbox.
    CHECK(fs::exists(box.main().tmpdir / "alive"));

    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    const podpull_route expected = expected_auto_route(env.image, &opts);
    PullOutcome out = pull(client.ptr, env.image, rec, &opts);
    // A callback that arrives late (from a thread the library left running) shows up here.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto s = rec.snapshot();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());

    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.have_result);
    CHECK_FALSE(out.have_error);

    // on_route: first, exactly once, the route the automatic choice takes on this release
    // (tls_verify off: the libpod endpoint's best), with a reason a person can read.
    CHECK(s.route_first);
    CHECK(s.route_calls == 1);
    CHECK(s.route == expected);
    CHECK_FALSE(s.reason.empty());

    // podman's status text, where the route has it, arrives line by line without newlines.
    CHECK_FALSE(any_line_contains(s.status, "\n"));
    if (route_progress(expected) == Progress::text_only) {
        CHECK(any_line_contains(s.status, "Trying to pull"));
    }
    check_route_progress("automatic pull of the test image", expected,
                         registry_image(env.registry, repository_path(env.image)), s, out, true);

    // Callbacks on the calling thread only, and none after podpull_pull returned.
    CHECK(s.wrong_thread == 0);
    CHECK(s.after_return == 0);

    CHECK(out.route == expected);
    CHECK(is_hex64(out.image_id));
    CHECK(out.image_id == env.image_id);

    client.reset();
    // What podman itself lists in that storage.
    auto ids = box.podman_image_ids(box.main());
    INFO("podman images: " << ids.size() << " image(s)");
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == out.image_id);

    box.check_no_leftovers();
}

TEST_CASE("a missing tag fails with NOT_FOUND and podman's 'manifest unknown'",
          "[pull][registry][errors]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    PullOutcome out = pull(client.ptr, env.registry + "/podpull/test:no-such-tag", rec, &opts);
    auto s = rec.snapshot();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());

    CHECK(out.code == PODPULL_ERR_NOT_FOUND);
    CHECK(out.have_error);
    CHECK(out.error_code == out.code);
    CHECK_FALSE(out.have_result);
    CHECK(contains(out.message, "manifest unknown"));
    CHECK(s.route_calls == 1);
    CHECK(s.route_first);

    // The client is still usable after a failed pull.
    check_still_pulls(client.ptr, &opts);

    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("an upper-case repository name is refused before podman sees it, in podman's words",
          "[pull][registry][errors]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    PullOutcome out = pull(client.ptr, env.registry + "/Podpull/Test:v1", rec, &opts);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());

    CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
    CHECK(out.have_error);
    CHECK(out.error_code == out.code);
    CHECK_FALSE(out.have_result);
    CHECK(contains_nocase(out.message, "must be lowercase"));
    const auto s = rec.snapshot();
    CHECK(s.route_calls == 0); // refused before a route was chosen
    CHECK(s.after_return == 0);

    check_still_pulls(client.ptr, &opts);
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("an oci-archive: reference takes the subprocess route", "[pull][subprocess]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    PullRecorder rec;
    PullOutcome out = pull(client.ptr, "oci-archive:" + env.oci_archive, rec, nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto s = rec.snapshot();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());

    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.have_result);
    CHECK_FALSE(out.have_error);

    CHECK(s.route_first);
    CHECK(s.route_calls == 1);
    CHECK(s.route == PODPULL_ROUTE_SUBPROCESS);
    CHECK(contains(s.reason, "oci-archive"));
    CHECK(out.route == PODPULL_ROUTE_SUBPROCESS);

    // `podman pull`'s stderr lines become status lines.
    CHECK_FALSE(s.status.empty());
    CHECK(any_line_contains(s.status, "Copying blob"));
    CHECK_FALSE(any_line_contains(s.status, "\n"));
    CHECK(s.wrong_thread == 0);
    CHECK(s.after_return == 0);

    CHECK(is_hex64(out.image_id));
    CHECK(out.image_id == env.oci_archive_id);

    client.reset();
    auto ids = box.podman_image_ids(box.main());
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == out.image_id);

    box.check_no_leftovers();
}

TEST_CASE("the env option reaches the service and the podman pull subprocess",
          "[pull][subprocess][env]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const PodmanRecorder recorder = write_podman_recorder(box.dir());
    podpull_connect_options opts =
        box.options(std::vector<std::string>{"PODPULL_WRAPPER_MARK=env-reaches-children"});
    opts.podman_path = recorder.script.c_str();
    Client client(connect_or_fail(box, opts));

    PullRecorder rec;
    PullOutcome out = pull(client.ptr, "oci-archive:" + env.oci_archive, rec, nullptr);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    CHECK(out.code == PODPULL_OK);
    client.reset();

    auto records = read_podman_launches(recorder.report);
    INFO("recorder's report:\n" << read_file(recorder.report));
    bool saw_service = false;
    bool saw_pull = false;
    for (const auto &r : records) {
        CHECK(r.mark == std::optional<std::string>("env-reaches-children"));
        saw_service = saw_service || r.has_args({"system", "service"});
        saw_pull = saw_pull || r.has_args({"pull"});
        // Every podman the library runs gets the storage options it was given.
        CHECK(r.has_option("--root", box.main().root.string()));
        CHECK(r.has_option("--storage-driver", "vfs"));
    }
    CHECK(saw_service);
    CHECK(saw_pull);

    box.check_no_leftovers();
}

TEST_CASE("a cancel with no pull in flight does not affect a later pull", "[pull][cancel]") {
    (void)test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    podpull_cancel(client.ptr);
    podpull_cancel(client.ptr);

    check_still_pulls(client.ptr);

    client.reset();
    box.check_no_leftovers();
}
