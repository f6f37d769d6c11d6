// SPDX-License-Identifier: MIT OR Apache-2.0
// Every route on the release under test: each forced route (and the SUBPROCESS route for a
// registry reference too) and the automatic choice either pulls the test image, with its full
// ID, the route named in on_route and in the result, and the progress that route gives, or is
// refused with INVALID_ARGUMENT and the reason. The platform (os/arch) and retry options go
// with every pull, and the request the service got (its own access log: the service is one
// the test starts, podpull attaches with socket_path) or the argv `podman pull` got (a
// recording podman_path) shows where they reached podman.

#include "podpull_test/podman_recorder.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <cstdio>
#include <sys/utsname.h>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// The host's architecture as podman spells it (the fixture's images are built for it).
std::string host_arch() {
    utsname u{};
    REQUIRE(::uname(&u) == 0);
    const std::string machine = u.machine;
    if (machine == "x86_64") {
        return "amd64";
    }
    if (machine == "aarch64") {
        return "arm64";
    }
    return machine;
}

// retry and retrydelay came with podman 5.0 (docs/podman.md); podpull sends them only there.
bool takes_retries() {
    return test_env().podman_at_least(5, 0);
}

// One pull of the test image through the fixture's relay (about a second, so the compat
// routes report a byte count for its 8 MB layer now and then), TLS verification on, the relay
// declared insecure in the service's registries.conf; podpull attached to a service of the
// test's own, with a recording podman_path for the subprocess route.
struct RoutePull {
    Sandbox box;
    PodmanRecorder recorder;
    std::unique_ptr<PodmanService> service;
    Client client;
    podpull_pull_options opts{};
    PullRecorder rec;
    PullOutcome out;

    RoutePull(podpull_route route, const std::string &image) {
        const fs::path conf = write_insecure_registries_conf(box.dir() / "registries.conf",
                                                             {test_env().slow_registry});
        const std::vector<std::string> extra = {"CONTAINERS_REGISTRIES_CONF=" + conf.string()};
        service = std::make_unique<PodmanService>(box, box.main(), extra);
        recorder = write_podman_recorder(box.dir());
        podpull_connect_options copts = box.options(extra);
        const std::string socket = service->socket().string();
        copts.socket_path = socket.c_str();
        copts.podman_path = recorder.script.c_str();
        client.ptr = connect_or_fail(box, copts);

        opts = verified_pull_options(route);
        opts.os = "linux";
        static const std::string arch = host_arch();
        opts.arch = arch.c_str();
        opts.retries = 2;
        opts.retry_delay_ms = 300;
        out = pull(client.ptr, image, rec, &opts);
    }

    // The pull requests the service answered (images/pull, images/create).
    std::vector<std::string> pull_requests() const {
        std::vector<std::string> out_requests;
        for (const auto &r : service->requests()) {
            if (contains(r, "/images/pull") || contains(r, "/images/create")) {
                out_requests.push_back(r);
            }
        }
        return out_requests;
    }

    // The `podman pull` calls the recording podman_path saw.
    std::vector<PodmanLaunch> podman_pulls() const {
        std::vector<PodmanLaunch> pulls;
        for (const auto &r : read_podman_launches(recorder.report)) {
            if (r.has_args({"pull"})) {
                pulls.push_back(r);
            }
        }
        return pulls;
    }
};

struct RouteCase {
    podpull_route route;
    bool local; // the oci-archive instead of the registry image
};

} // namespace

TEST_CASE("every route, forced or automatic, pulls with the right ID and the progress it gives, "
          "or is refused with a reason; the platform and retry options reach podman where it "
          "takes them",
          "[routes]") {
    const TestEnv &env = test_env();
    const RouteCase c = GENERATE(
        RouteCase{PODPULL_ROUTE_AUTO, false}, RouteCase{PODPULL_ROUTE_LIBPOD_PROGRESS, false},
        RouteCase{PODPULL_ROUTE_LIBPOD_COMPAT, false},
        RouteCase{PODPULL_ROUTE_DOCKER_COMPAT, false}, RouteCase{PODPULL_ROUTE_LIBPOD_TEXT, false},
        RouteCase{PODPULL_ROUTE_SUBPROCESS, false}, RouteCase{PODPULL_ROUTE_SUBPROCESS, true},
        RouteCase{PODPULL_ROUTE_DOCKER_COMPAT, true});
    const std::string image = c.local ? "oci-archive:" + env.oci_archive : env.slow_image;
    const std::string id = c.local ? env.oci_archive_id : env.image_id;
    RoutePull p(c.route, image);
    const auto s = p.rec.snapshot();
    const podpull_route expected =
        c.route == PODPULL_ROUTE_AUTO ? expected_auto_route(image, &p.opts) : c.route;
    const std::string refusal = expected_refusal(c.route, image, p.opts);
    const std::string what = std::string(route_name(c.route)) + (c.local ? " (oci-archive)" : "");
    INFO(what << ": " << p.out.describe() << "\n"
              << p.rec.summary() << p.box.log_text() << "own service's requests:\n"
              << [&] {
                     std::string text;
                     for (const auto &r : p.service->requests()) {
                         text += "  " + r + "\n";
                     }
                     return text;
                 }());

    if (!refusal.empty()) {
        std::printf("%s: refused on podman %s: %s\n", what.c_str(), env.podman_version.c_str(),
                    p.out.message.c_str());
        CHECK(p.out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(p.out.error_code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(contains(p.out.message, refusal));
        CHECK(contains(p.out.message, route_name(c.route)));
        CHECK_FALSE(p.out.have_result);
        CHECK(s.route_calls == 0); // refused before any callback
        CHECK(s.blob_calls == 0);
        CHECK(p.pull_requests().empty()); // nothing reached podman
        CHECK(p.podman_pulls().empty());
        p.client.reset();
        p.service->stop();
        p.box.check_no_leftovers();
        return;
    }

    REQUIRE(p.out.code == PODPULL_OK);
    CHECK(p.out.image_id == id);
    CHECK(s.route_first);
    CHECK(s.route_calls == 1);
    CHECK(s.route == expected);
    CHECK(p.out.route == expected);
    CHECK(s.wrong_thread == 0);
    CHECK(s.after_return == 0);
    if (!c.local) {
        check_route_progress(what, expected,
                             registry_image(env.registry, repository_path(env.image)), s, p.out,
                             true);
    } else {
        std::printf("%s: %s, %zu status lines, %zu blob events, %llu bytes\n", what.c_str(),
                    route_name(expected), s.status.size(), s.blobs.size(),
                    static_cast<unsigned long long>(p.out.bytes));
        if (manifest_read(s)) { // oci:, oci-archive:, dir: (podpull reads their manifest)
            REQUIRE_FALSE(s.blobs.empty());
            CHECK(s.blobs.back().blobs_done == s.blobs.back().blobs_seen);
            CHECK(p.out.bytes == s.blobs.back().pull_total);
        } else { // `podman pull` reports text only
            CHECK(s.blobs.empty());
            CHECK(p.out.bytes == 0);
        }
    }

    // Where the options reached podman.
    const std::string arch = p.opts.arch;
    if (expected == PODPULL_ROUTE_SUBPROCESS) {
        CHECK(p.pull_requests().empty()); // no API pull: `podman pull` did it
        const auto pulls = p.podman_pulls();
        REQUIRE(pulls.size() == 1);
        INFO("podman pull argv:" << [&] {
            std::string text;
            for (const auto &a : pulls[0].argv) {
                text += " " + a;
            }
            return text;
        }());
        CHECK(pulls[0].has_option("--os", "linux"));
        CHECK(pulls[0].has_option("--arch", arch));
        CHECK(pulls[0].argv.back() == image);
        // The retry options on this route: the next test case.
    } else {
        std::vector<std::string> requests;
        // podman writes its access log line once the answer is complete; allow it a moment.
        wait_for([&] { return !(requests = p.pull_requests()).empty(); }, 5s);
        REQUIRE(requests.size() == 1);
        const std::string &target = requests.front();
        std::printf("%s: podman %s got %s\n", what.c_str(), env.podman_version.c_str(),
                    target.c_str());
        CHECK(p.podman_pulls().empty());
        if (route_progress(expected) == Progress::per_layer_bytes) {
            // The compat routes end with a 12-hex short id: podpull asks for the full one.
            const auto all = p.service->requests();
            const std::string inspect = "GET /v5.0.0/libpod/images/" + std::string("127.0.0.1%3A") +
                                        env.slow_registry.substr(env.slow_registry.find(':') + 1);
            CHECK(std::any_of(all.begin(), all.end(), [&](const std::string &r) {
                return r.rfind(inspect, 0) == 0 && contains(r, "/json");
            }));
        }
        if (expected == PODPULL_ROUTE_DOCKER_COMPAT) {
            CHECK(target.rfind("POST /v", 0) == 0);
            CHECK(contains(target, "/images/create?fromImage="));
            CHECK_FALSE(contains(target, "/libpod/"));
            CHECK(contains(target, "platform=linux%2F" + arch));
            CHECK(contains(target, "&retry=2&retryDelay=300ms") == takes_retries());
        } else {
            CHECK(contains(target, "/libpod/images/pull?reference="));
            CHECK(contains(target, "pullProgress=true") ==
                  (expected == PODPULL_ROUTE_LIBPOD_PROGRESS));
            CHECK(contains(target, "compatMode=true") == (expected == PODPULL_ROUTE_LIBPOD_COMPAT));
            CHECK(contains(target, "OS=linux"));
            CHECK(contains(target, "Arch=" + arch));
            CHECK(contains(target, "&retry=2&retrydelay=300ms") == takes_retries());
            CHECK_FALSE(contains(target, "tlsVerify")); // on: registries.conf decides
        }
        CHECK_FALSE((contains(target, "retry") && !takes_retries())); // never to an older podman
    }
    p.client.reset();
    p.service->stop();
    p.box.check_no_leftovers();
}

TEST_CASE("the subprocess route gives `podman pull` the retry options where it takes them "
          "(podman >= 5.0) and none on older releases",
          "[routes]") {
    const TestEnv &env = test_env();
    RoutePull p(PODPULL_ROUTE_SUBPROCESS, env.slow_image);
    INFO(p.out.describe() << "\n" << p.rec.summary() << p.box.log_text());
    REQUIRE(p.out.code == PODPULL_OK);
    const auto pulls = p.podman_pulls();
    REQUIRE(pulls.size() == 1);
    std::string argv;
    for (const auto &a : pulls[0].argv) {
        argv += " " + a;
    }
    INFO("podman pull argv:" << argv);
    std::printf("subprocess route on podman %s: podman pull%s\n", env.podman_version.c_str(),
                argv.c_str());
    // podpull.h: retries are "used where podman supports it"; `podman pull` has --retry and
    // --retry-delay from 5.0 on (docs/podman.md), and 4.3 refuses flags it does not know.
    CHECK(pulls[0].has_option("--retry", "2") == takes_retries());
    CHECK(pulls[0].has_option("--retry-delay", "300ms") == takes_retries());
    if (!takes_retries()) {
        CHECK_FALSE(contains(argv, "--retry"));
    }
    p.client.reset();
    p.service->stop();
    p.box.check_no_leftovers();
}
