// SPDX-License-Identifier: MIT OR Apache-2.0
// The fake service's recorded bodies (tests/fake/bodies) against the release under test: the
// same pulls, recorded now with curl from a service the test starts, must have the shape of
// the committed files (tests/support/ndjson-shape.py: the fields of each kind of line, each
// blob's sequence of kinds, the order of layers, config and final report, and the text
// lines). A release without a parameter must answer it as if it were not there: podman
// ignores query parameters it does not know, which is why podpull never sends them there.

#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/routes.hpp"
#include "podpull_test/sandbox.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdio>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// The shape of an NDJSON body in a file, as one line of JSON.
std::string shape_of_file(const fs::path &file) {
    RunResult r = run_process({test_env().python3, PODPULL_NDJSON_SHAPE, file.string()});
    INFO("ndjson-shape.py " << file << ": exit " << r.exit_code << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    while (!r.out.empty() && r.out.back() == '\n') {
        r.out.pop_back();
    }
    return r.out;
}

std::string committed_shape(const std::string &name) {
    return shape_of_file(fake_body(name));
}

// A service of the test's own whose storage holds the test image, so that a pull of the
// derived image skips its three layers and fetches the fourth through the relay.
class BodyRecorder {
  public:
    BodyRecorder() : service_(box_, box_.main()) {
        const TestEnv &env = test_env();
        derived_ = env.slow_registry + "/" + repository_path(env.derived_image);
        const HttpAnswer base =
            curl_unix(service_.socket(), "POST",
                      "/v5.0.0/libpod/images/pull?reference=" + percent_encode(env.image) +
                          "&tlsVerify=false");
        INFO("pulling the test image: HTTP " << base.status << " " << base.error << "\n"
                                             << base.body);
        REQUIRE(base.status == 200);
        REQUIRE(contains(base.body, env.image_id));
    }

    // The body of a pull of the derived image with `parameter` ("compatMode=true", "" for
    // none), kept in a file; the derived image is removed again afterwards, so the next
    // recording starts from the same storage.
    fs::path record(const std::string &parameter) {
        const TestEnv &env = test_env();
        const HttpAnswer answer =
            curl_unix(service_.socket(), "POST",
                      "/v5.0.0/libpod/images/pull?reference=" + percent_encode(derived_) +
                          "&tlsVerify=false" + (parameter.empty() ? "" : "&" + parameter));
        INFO("pulling " << derived_ << " with '" << parameter << "': HTTP " << answer.status << " "
                        << answer.error << "\n"
                        << answer.body);
        REQUIRE(answer.status == 200);
        REQUIRE(contains(answer.body, env.derived_image_id.substr(0, 12)));
        const fs::path file =
            box_.dir() / ("recorded-" + std::to_string(count_++) + "-" + parameter + ".ndjson");
        write_file(file, answer.body);
        const HttpAnswer removed = curl_unix(service_.socket(), "DELETE",
                                             "/v5.0.0/libpod/images/" + percent_encode(derived_));
        INFO("removing it: HTTP " << removed.status << " " << removed.body);
        REQUIRE(removed.status == 200);
        return file;
    }

    // The error body of a pull of a missing tag with `parameter`.
    fs::path record_not_found(const std::string &parameter) {
        const TestEnv &env = test_env();
        const HttpAnswer answer =
            curl_unix(service_.socket(), "POST",
                      "/v5.0.0/libpod/images/pull?reference=" +
                          percent_encode(env.registry + "/podpull/test:no-such") +
                          "&tlsVerify=false&" + parameter);
        INFO("a missing tag with '" << parameter << "': HTTP " << answer.status << "\n"
                                    << answer.body);
        CHECK(answer.status == 404);
        const fs::path file = box_.dir() / ("not-found-" + parameter + ".json");
        write_file(file, answer.body + "\n");
        return file;
    }

    void finish() {
        service_.stop();
        box_.check_no_leftovers();
    }

  private:
    Sandbox box_;
    PodmanService service_;
    std::string derived_;
    int count_ = 0;
};

} // namespace

TEST_CASE("the fake's recorded bodies have the shape of what the release sends now, and a "
          "release without a parameter ignores it",
          "[fake-bodies]") {
    const TestEnv &env = test_env();
    const bool compat_mode = env.podman_at_least(4, 8);
    const bool pull_progress = env.podman_at_least(6, 0);
    BodyRecorder recorder;
    std::string plain; // the body without a parameter, where one is ignored
    if (!compat_mode || !pull_progress) {
        plain = shape_of_file(recorder.record(""));
    }

    const std::string compat = shape_of_file(recorder.record("compatMode=true"));
    if (compat_mode) {
        // 6.x's jsonmessage has no "progress" bar text on its byte counts; 5.x's has.
        const std::string file =
            pull_progress ? "compat-mode-6.1.1.ndjson" : "compat-mode-5.8.6.ndjson";
        const std::string committed = committed_shape(file);
        std::printf("compatMode=true on podman %s: %s %s\n", env.podman_version.c_str(),
                    compat == committed ? "the shape of" : "NOT the shape of", file.c_str());
        INFO("recorded:  " << compat << "\ncommitted: " << committed);
        CHECK(compat == committed);
        const std::string error = shape_of_file(recorder.record_not_found("compatMode=true"));
        INFO("recorded 404:  " << error);
        CHECK(error == committed_shape("error-404-compat-5.8.6.json"));
    } else {
        std::printf("compatMode=true on podman %s: ignored, the libpod text body\n",
                    env.podman_version.c_str());
        INFO("recorded:      " << compat << "\nwithout it: " << plain);
        CHECK(compat == plain);
    }

    const std::string progress = shape_of_file(recorder.record("pullProgress=true"));
    if (pull_progress) {
        const std::string committed = committed_shape("pull-progress-6.1.1.ndjson");
        std::printf("pullProgress=true on podman %s: %s pull-progress-6.1.1.ndjson\n",
                    env.podman_version.c_str(),
                    progress == committed ? "the shape of" : "NOT the shape of");
        INFO("recorded:  " << progress << "\ncommitted: " << committed);
        CHECK(progress == committed);
        const std::string error = shape_of_file(recorder.record_not_found("pullProgress=true"));
        INFO("recorded 404:  " << error);
        CHECK(error == committed_shape("error-404-6.1.1.json"));
    } else {
        std::printf("pullProgress=true on podman %s: ignored, the %s body\n",
                    env.podman_version.c_str(), "libpod text");
        INFO("recorded:      " << progress << "\nwithout it: " << plain);
        CHECK(progress == plain);
    }
    recorder.finish();
}
