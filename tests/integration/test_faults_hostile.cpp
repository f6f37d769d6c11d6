// SPDX-License-Identifier: MIT OR Apache-2.0
// Hostile input: references built to break out of a request target or a podman command line,
// connect and pull options a C host may get wrong, and auth files that are malformed, huge or
// not base64. Each is refused with INVALID_ARGUMENT or sent harmlessly, and no message echoes
// a password; docs/reliability.md tables every input. They run against the fake service and
// a podman_path that records its argv and refuses: no podman is started.

#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/fixture.hpp"
#include "podpull_test/podman_recorder.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

// ---- hostile references ---------------------------------------------------------------------

TEST_CASE("hostile references are rejected with INVALID_ARGUMENT or sent as exactly one "
          "encoded reference= parameter, never a podman flag",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    const PodmanRecorder recorder = write_podman_recorder(box.dir(), ThenRun::nothing);
    FakeLibpod fake(box.dir());
    podpull_connect_options opts = box.attach_options(fake.socket());
    opts.podman_path = recorder.script.c_str();
    Client client(connect_or_fail(box, opts));

    const std::string reg = "127.0.0.1:5000/podpull/";
    const std::string long_name(5000, 'a');
    const std::vector<std::string> bad_parts = {"-x",
                                                "a b",
                                                "a\nb",
                                                "a\rb",
                                                std::string("a\x01"
                                                            "b"),
                                                "a\x7f",
                                                "a?b",
                                                "a&b",
                                                "a#b",
                                                "a%b",
                                                "a%20b",
                                                "../b",
                                                "a..b",
                                                "\xc3\xa9t\xc3\xa9",
                                                "a\tb",
                                                "a\xff"};
    std::vector<std::string> refs;
    for (const auto &part : bad_parts) {
        refs.push_back(reg + part + ":v1");         // in the repository
        refs.push_back(reg + "ok:" + part);         // in the tag
        refs.push_back(part);                       // as the whole reference
        refs.push_back("oci-archive:/tmp/" + part); // in a subprocess-route path
        refs.push_back("oci-archive:" + part);      // the path itself
    }
    refs.push_back("-" + reg + "ok:v1");
    refs.push_back("--help");
    refs.push_back("--root=/");
    refs.push_back("oci:--help");
    refs.push_back(reg + long_name + ":v1");
    refs.push_back(reg + "ok:" + long_name);
    refs.push_back("oci-archive:/tmp/" + long_name);
    refs.push_back(reg + "ok:v1&policy=never");
    refs.push_back(reg + "ok:v1?reference=evil");
    refs.push_back(reg + "ok:v1\r\nX-Registry-Auth: evil");
    refs.push_back(reg + "ok@sha256:" + std::string(64, 'a'));
    refs.push_back(reg + "ok:v1"); // a well-formed control: it must reach the fake

    int rejected = 0, sent = 0, subprocess = 0;
    for (const auto &ref : refs) {
        const std::size_t before = fake.records().size();
        const std::size_t argv_before = read_podman_launches(recorder.report).size();
        PullRecorder rec;
        podpull_pull_options popts = insecure_pull_options();
        PullOutcome out = pull(client.ptr, ref, rec, &popts);
        INFO("reference '" << printable(ref) << "': " << out.describe());
        const auto records = fake.records();
        std::printf("  %-22s %s\n", out.code_str.c_str(), printable(ref).c_str());
        CHECK_FALSE(contains(out.message, "\n")); // a message is one line, nothing injected
        if (out.code == PODPULL_ERR_INVALID_ARGUMENT) {
            ++rejected;
            CHECK(records.size() == before); // nothing was sent
            continue;
        }
        if (records.size() > before) {
            ++sent;
            // /_ping is not made per pull; every new record is a request for this pull.
            bool saw_pull = false;
            for (std::size_t i = before; i < records.size(); ++i) {
                INFO("recorded: " << records[i]);
                const auto target = plain_target(records[i]);
                REQUIRE(target.has_value()); // printable ASCII only: nothing raw on the wire
                CHECK(target->find('#') == std::string::npos);
                CHECK(target->find(' ') == std::string::npos);
                const auto params = query_params(*target);
                int references = 0;
                for (const auto &[key, value] : params) {
                    if (key == "reference") {
                        ++references;
                        // Percent-decoded, the parameter holds the whole reference: nothing
                        // of it was split off into another parameter.
                        const std::string decoded = percent_decode(value);
                        INFO("decoded reference= '" << printable(decoded) << "'");
                        CHECK(contains(decoded, ref.substr(ref.find('/') + 1)));
                    }
                }
                if (contains(*target, "/images/pull") || contains(*target, "/images/create")) {
                    saw_pull = true;
                    CHECK(references == 1);
                    std::vector<std::string> keys;
                    for (const auto &p : params) {
                        keys.push_back(p.first);
                    }
                    std::sort(keys.begin(), keys.end());
                    CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
                }
            }
            CHECK(saw_pull);
            continue;
        }
        // Neither rejected nor sent to the service: the subprocess route ran our recorder.
        const auto calls = read_podman_launches(recorder.report);
        REQUIRE(calls.size() == argv_before + 1);
        ++subprocess;
        const auto &argv = calls.back().argv;
        INFO("podman argv: " << argv.size() << " args");
        REQUIRE(argv.size() >= 2);
        CHECK(argv[argv.size() - 2] == "--"); // the reference is never read as a flag
        CHECK(argv.back() == ref);
    }
    std::printf("hostile references: %zu tried, %d rejected with INVALID_ARGUMENT, %d sent "
                "encoded to the service, %d given to podman pull after --\n",
                refs.size(), rejected, sent, subprocess);
    CHECK(sent >= 1); // the control went through
    client.reset();
    fake.stop();
    box.check_no_leftovers();
}

// ---- bad options ----------------------------------------------------------------------------

TEST_CASE("bad connect and pull options fail with INVALID_ARGUMENT",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir());
    auto base = [&] { return box.attach_options(fake.socket()); };
    auto expect_invalid = [&](const podpull_connect_options &o, const char *what) {
        ConnectOutcome c = connect(o);
        INFO(what << ": " << c.describe());
        CHECK(c.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(c.client == nullptr);
        CHECK(c.have_error);
        podpull_free(c.client);
    };

    {
        auto o = base();
        o.struct_size = 0;
        expect_invalid(o, "struct_size 0");
    }
    {
        auto o = base();
        o.struct_size = 3;
        expect_invalid(o, "struct_size 3");
    }
    {
        // A newer host's struct: bigger, with a field this version does not know set.
        alignas(
            podpull_connect_options) unsigned char big[sizeof(podpull_connect_options) + 64] = {};
        auto o = base();
        std::memcpy(big, &o, sizeof o);
        auto *p = reinterpret_cast<podpull_connect_options *>(big);
        p->struct_size = sizeof big;
        big[sizeof(podpull_connect_options) + 10] = 1;
        expect_invalid(*p, "struct_size too big with a nonzero tail");
        // The same with a zero tail is accepted.
        big[sizeof(podpull_connect_options) + 10] = 0;
        ConnectOutcome c = connect(*p);
        INFO(c.describe());
        CHECK(c.code == PODPULL_OK);
        podpull_free(c.client);
    }
    {
        auto o = base();
        o.struct_size = 1u << 20;
        expect_invalid(o, "struct_size 1 MiB");
    }
    {
        auto o = base();
        o.run_root_fd = 999;
        ::close(999);
        expect_invalid(o, "run_root_fd 999, closed");
    }
    for (int fd : {0, 1, 2, -2}) {
        auto o = base();
        o.run_root_fd = fd;
        expect_invalid(o, ("run_root_fd " + std::to_string(fd)).c_str());
    }
    {
        auto o = base();
        o.auth_fd = 999;
        expect_invalid(o, "auth_fd 999, closed");
    }
    {
        auto o = base();
        o.podman_path = "";
        expect_invalid(o, "empty podman_path");
    }
    {
        auto o = base();
        const char *env[] = {"NOEQUALS", nullptr};
        o.env = env;
        expect_invalid(o, "env entry without '='");
    }
    {
        // (NULL options are the documented defaults, a real service on the host's storage:
        // not tried here.) A NULL out pointer is refused before anything starts.
        auto o = base();
        CHECK(podpull_connect(&o, nullptr, nullptr) == PODPULL_ERR_INVALID_ARGUMENT);
    }

    // Pull options and callbacks on a good client.
    auto o = base();
    Client client(connect_or_fail(box, o));
    auto expect_pull_invalid = [&](const podpull_pull_options *popts, const podpull_callbacks *cb,
                                   const char *what) {
        podpull_result *res = nullptr;
        podpull_error *err = nullptr;
        const auto code =
            podpull_pull(client.ptr, "127.0.0.1:5000/podpull/ok:v1", popts, cb, &res, &err);
        INFO(what << ": " << podpull_code_str(code) << " " << podpull_error_message(err));
        CHECK(code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(res == nullptr);
        podpull_result_free(res);
        podpull_error_free(err);
    };
    {
        podpull_pull_options p = insecure_pull_options();
        p.struct_size = 0;
        expect_pull_invalid(&p, nullptr, "pull options struct_size 0");
    }
    {
        alignas(podpull_pull_options) unsigned char big[sizeof(podpull_pull_options) + 32] = {};
        podpull_pull_options p = insecure_pull_options();
        std::memcpy(big, &p, sizeof p);
        reinterpret_cast<podpull_pull_options *>(big)->struct_size = sizeof big;
        big[sizeof big - 1] = 0x7f;
        expect_pull_invalid(reinterpret_cast<podpull_pull_options *>(big), nullptr,
                            "pull options too big with a nonzero tail");
    }
    {
        podpull_pull_options p = insecure_pull_options();
        const int bad = 99; // not a podpull_policy value, as a C host may pass it
        static_assert(sizeof p.policy == sizeof bad);
        std::memcpy(&p.policy, &bad, sizeof bad);
        expect_pull_invalid(&p, nullptr, "policy 99");
    }
    {
        podpull_pull_options p = insecure_pull_options();
        const int bad = -5;
        static_assert(sizeof p.route == sizeof bad);
        std::memcpy(&p.route, &bad, sizeof bad);
        expect_pull_invalid(&p, nullptr, "route -5");
    }
    {
        podpull_callbacks cb;
        podpull_callbacks_init(&cb);
        cb.struct_size = 0;
        expect_pull_invalid(nullptr, &cb, "callbacks struct_size 0");
    }
    {
        podpull_result *res = nullptr;
        podpull_error *err = nullptr;
        CHECK(podpull_pull(client.ptr, nullptr, nullptr, nullptr, &res, &err) ==
              PODPULL_ERR_INVALID_ARGUMENT);
        podpull_error_free(err);
        CHECK(podpull_pull(nullptr, "x", nullptr, nullptr, &res, &err) ==
              PODPULL_ERR_INVALID_ARGUMENT);
        podpull_error_free(err);
    }
    client.reset();
    fake.stop();
    box.check_no_leftovers();
}

// ---- hostile auth files ---------------------------------------------------------------------

TEST_CASE("malformed, huge and bad-base64 auth files fail with INVALID_ARGUMENT and never echo "
          "the password",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir());
    const std::string secret = "Sekr3tPassw0rd";
    // base64("user:Sekr3tPassw0rd")
    const std::string good_b64 = "dXNlcjpTZWtyM3RQYXNzdzByZA==";
    struct Case {
        const char *name;
        std::string text;
    };
    const std::vector<Case> cases = {
        {"not JSON, the password in clear", "user:" + secret},
        {"truncated JSON", "{\"auths\": {\"r.example\": {\"auth\": \"" + good_b64},
        {"auth not base64", "{\"auths\": {\"r.example\": {\"auth\": \"!!" + secret + "!!\"}}}"},
        {"auth base64 with a bad length", "{\"auths\": {\"r.example\": {\"auth\": \"" +
                                              good_b64.substr(0, good_b64.size() - 3) + "\"}}}"},
        {"auth decodes without a colon",
         "{\"auths\": {\"r.example\": {\"auth\": \"U2VrcjN0UGFzc3cwcmQ=\"}}}"},
        {"auths not an object", "{\"auths\": [\"" + secret + "\"]}"},
        {"auth a number", "{\"auths\": {\"r.example\": {\"auth\": 12}}}"},
        {"huge (2 MiB) with the password at the start",
         "{\"auths\": {\"r.example\": {\"auth\": \"" + good_b64 + "\", \"x\": \"" +
             std::string(2 * 1024 * 1024, 'A') + "\"}}}"},
        {"a NUL inside", std::string("{\"auths\": {\"r.example\": {\"auth\": \"") + good_b64 +
                             std::string(1, '\0') + "\"}}}"},
    };
    int i = 0;
    for (const auto &c : cases) {
        const fs::path file = box.dir() / ("auth-" + std::to_string(i++) + ".json");
        write_file(file, c.text, 0600);
        podpull_connect_options o = box.attach_options(fake.socket());
        o.auth_file = file.c_str();
        ConnectOutcome out = connect(o);
        INFO(c.name << ": " << out.describe());
        CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(out.client == nullptr);
        CHECK_FALSE(out.message.empty());
        CHECK_FALSE(contains(out.message, secret));
        CHECK_FALSE(contains(out.message, good_b64));
        CHECK_FALSE(contains(box.log_text(), secret));
        podpull_free(out.client);
    }
    fake.stop();
    box.check_no_leftovers();
}

TEST_CASE("an auth file with credHelpers and credsStore: a warning on the log names their "
          "registries only, and the auths entry still goes with the pull",
          "[faults][hostile][cred-helpers][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir());
    const std::string secret = "Sekr3tPassw0rd";
    const std::string good_b64 = "dXNlcjpTZWtyM3RQYXNzdzByZA=="; // base64("user:Sekr3tPassw0rd")
    const fs::path file = box.dir() / "auth-helpers.json";
    write_file(file,
               R"({"auths": {"registry.example": {"auth": ")" + good_b64 +
                   R"("}}, "credHelpers": {"gcr.io": "gcloud", "quay.io": "quay-helper"},)"
                   R"( "credsStore": "desktop"})",
               0600);
    podpull_connect_options o = box.attach_options(fake.socket());
    o.auth_file = file.c_str();
    Client client(connect_or_fail(box, o));
    const std::string log = box.log_text();
    INFO(log);
    for (const auto &line : lines_of(log)) {
        if (contains(line, "[warn]")) {
            std::printf("auth file with helpers: %s\n", line.c_str());
        }
    }
    CHECK(contains(log, "[warn] auth file: podpull runs no credential helper, so it ignores "
                        "\"credHelpers\" (for \"gcr.io\", \"quay.io\") and \"credsStore\"; "
                        "credentials come only from \"auths\"\n"));
    for (const std::string &never :
         std::vector<std::string>{"gcloud", "quay-helper", "desktop", secret, good_b64}) {
        CHECK_FALSE(contains(log, never));
    }

    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    PullOutcome out = pull(client.ptr, "registry.example/podpull/test:v1", rec, &opts);
    INFO(out.describe());
    CHECK(out.code == PODPULL_OK);
    bool sent_auth = false;
    for (const auto &record : fake.records()) {
        sent_auth = sent_auth || contains(record, "\"X-Registry-Auth\"");
    }
    CHECK(sent_auth);
    CHECK_FALSE(contains(box.log_text(), secret));
    client.reset();
    fake.stop();
    box.check_no_leftovers();
}

TEST_CASE("an auth_file that is a FIFO is refused, and an auth_fd pipe never closed ends in "
          "TIMEOUT or CANCELLED, not a hang",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir());
    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    // The host wrote its credentials but never closed its end: podpull cannot know they are
    // complete.
    const std::string partial = R"({"auths": {"r.example": {"auth": "dXNlcjpw)";
    REQUIRE(::write(pipe_fds[1], partial.data(), partial.size()) ==
            static_cast<ssize_t>(partial.size()));

    SECTION("a FIFO as auth_file: refused before anything waits for a writer") {
        const fs::path fifo = box.dir() / "auth.fifo";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        podpull_connect_options o = box.attach_options(fake.socket());
        o.auth_file = fifo.c_str();
        const auto started = Clock::now();
        ConnectOutcome out = connect(o);
        INFO(out.describe());
        CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(contains(out.message, "not a regular file"));
        CHECK(Clock::now() - started < 5s);
        podpull_free(out.client);
    }
    SECTION("an open pipe: TIMEOUT once start_timeout_ms passes") {
        podpull_connect_options o = box.attach_options(fake.socket());
        o.auth_fd = pipe_fds[0];
        o.start_timeout_ms = 300;
        ConnectOutcome out = connect(o);
        INFO(out.describe());
        CHECK(out.code == PODPULL_ERR_TIMEOUT);
        CHECK(contains(out.message, "no end of file"));
        CHECK_FALSE(contains(out.message, "dXNlcjpw"));
        podpull_free(out.client);
    }
    SECTION("an open pipe: CANCELLED as soon as the host's canceller fires") {
        podpull_canceller *canceller = nullptr;
        REQUIRE(podpull_canceller_new(&canceller, nullptr) == PODPULL_OK);
        podpull_connect_options o = box.attach_options(fake.socket());
        o.auth_fd = pipe_fds[0];
        o.start_timeout_ms = 60000;
        o.canceller = canceller;
        std::thread firing([&] {
            std::this_thread::sleep_for(200ms);
            podpull_canceller_cancel(canceller);
        });
        const auto started = Clock::now();
        ConnectOutcome out = connect(o);
        const auto took = Clock::now() - started;
        firing.join();
        INFO(out.describe());
        CHECK(out.code == PODPULL_ERR_CANCELLED);
        CHECK(took < 5s); // the fire came at 200 ms; the start timeout is a minute
        podpull_free(out.client);
        podpull_canceller_free(canceller);
    }
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    fake.stop();
    box.check_no_leftovers();
}
