// SPDX-License-Identifier: MIT OR Apache-2.0
// Faults of the podman service and of the host: the service SIGKILLed mid-pull, the host
// process SIGKILLed mid-pull, podmans that ignore SIGTERM, before and after they answer, that
// fail with a screenful of hostile stderr or flood it, and a socket_path that is not podman.
// Each case ends in the named code within a bound and leaves no process or socket dir;
// docs/reliability.md lists every case with its code, bound and test name.

#include "podpull_test/cli.hpp"
#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

TEST_CASE("the service SIGKILLed mid-pull: podpull_pull fails with IO within 1 s, nothing left",
          "[faults][service]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));
    const int self = static_cast<int>(::getpid());
    const auto services = children_named(self, "podman");
    REQUIRE(services.size() == 1);
    const int service = services.front();

    Clock::time_point killed_at{};
    bool killed = false;
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    // While the 64 MB blob is copied: at its first byte count, or 200 ms after "Copying blob"
    // on a route without byte counts.
    call_mid_blob(rec, expected_auto_route(env.slow_big_image, &opts), 200ms, [&] {
        killed_at = Clock::now();
        ::kill(service, SIGKILL);
        killed = true;
    });
    PullOutcome out = pull(client.ptr, env.slow_big_image, rec, &opts);
    const auto returned_at = Clock::now();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(killed);
    const double latency = std::chrono::duration<double>(returned_at - killed_at).count();
    std::printf("service SIGKILL: podpull_pull returned %s %.3f s after the kill\n",
                out.code_str.c_str(), latency);
    CHECK(out.code == PODPULL_ERR_IO);
    CHECK(out.error_code == PODPULL_ERR_IO);
    CHECK_FALSE(out.message.empty());
    CHECK(latency < 1.0);
    CHECK(rec.snapshot().after_return == 0);

    const auto before_free = Clock::now();
    client.reset();
    CHECK(seconds_since(before_free) < 4.0);
    CHECK_FALSE(process_exists(service));
    box.check_no_leftovers();
}

TEST_CASE("the host process SIGKILLed mid-pull: its podman service is gone within 2 s",
          "[faults][service]") {
    const TestEnv &env = test_env();
    Sandbox box;
    // The host is the podpull command, a child of this test, pulling mid-blob when killed.
    const auto temp_dirs_before = podman_temp_dirs();
    CliHost host(PODPULL_CLI, box, box.main(), env.slow_big_image);
    const int service = host.wait_until_copying();
    std::this_thread::sleep_for(300ms);
    REQUIRE(process_exists(service));

    const int status = host.kill();
    const auto killed_at = Clock::now();
    CHECK(WIFSIGNALED(status));

    // The service dies (PR_SET_PDEATHSIG) and, reparented to us, is reaped here.
    int service_status = 0;
    const bool reaped = wait_for(
        [&] {
            const pid_t r = ::waitpid(service, &service_status, WNOHANG);
            return r == service || (r < 0 && errno == ECHILD && !process_exists(service));
        },
        2000ms);
    const double gone_after = seconds_since(killed_at);
    std::printf("host SIGKILL: podman service %d gone %.3f s after the host was killed\n", service,
                gone_after);
    CHECK(reaped);
    CHECK(gone_after < 2.0);
    CHECK_FALSE(process_exists(service));

    // A host killed outright cannot remove its directories: its socket directory under
    // runtime_dir and its podman's TMPDIR (docs/reliability.md). The next client removes both.
    const auto runtime_left = dir_entries(box.runtime_dir());
    std::vector<std::string> temp_left;
    // The dead host's directory, not those of clients alive elsewhere on the machine.
    for (const auto &name : podman_temp_dirs_not_held_elsewhere()) {
        if (temp_dirs_before.count(name) == 0) {
            temp_left.push_back(name);
        }
    }
    std::printf("host SIGKILL: runtime_dir held: %s; %s held: %s\n",
                join(runtime_left, " ").c_str(), podman_temp_root().c_str(),
                join(temp_left, " ").c_str());
    CHECK(runtime_left.size() == 1);
    CHECK(temp_left.size() == 1);
    Client next(connect_or_fail(box, box.options()));
    next.reset();
    box.check_no_leftovers();
}

// ---- a podman that never exits on SIGTERM ---------------------------------------------------

namespace {
// A fake podman: binds the unix:// socket of its argv, sends READY=1 to $NOTIFY_SOCKET and
// ignores SIGTERM. `answer` makes it answer every request as podman 4.3.1's /_ping; otherwise
// it accepts connections and never says a word.
fs::path write_stubborn_podman(const fs::path &dir, const fs::path &pid_file, bool answer) {
    const fs::path script = dir / (answer ? "fake-podman-stubborn" : "fake-podman-mute");
    write_file(
        script,
        "#!" + test_env().python3 + "\n" +
            "import os, signal, socket, sys, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "with open('" +
            pid_file.string() +
            "', 'a') as f:\n"
            "    f.write('%d\\n' % os.getpid())\n"
            "url = [a for a in sys.argv if a.startswith('unix://')][0][len('unix://'):]\n"
            "srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            "srv.bind(url)\n"
            "srv.listen(16)\n"
            "n = os.environ['NOTIFY_SOCKET']\n"
            "if n.startswith('@'):\n"
            "    n = '\\0' + n[1:]\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
            "s.sendto(b'READY=1', n)\n"
            "s.close()\n"
            "answer = " +
            (answer ? "True" : "False") +
            "\n"
            "held = []\n"
            "while True:\n"
            "    c, _ = srv.accept()\n"
            "    if not answer:\n"
            "        held.append(c)\n"
            "        continue\n"
            "    data = b''\n"
            "    while b'\\r\\n\\r\\n' not in data:\n"
            "        chunk = c.recv(4096)\n"
            "        if not chunk:\n"
            "            break\n"
            "        data += chunk\n"
            "    c.sendall(b'HTTP/1.1 200 OK\\r\\nLibpod-Api-Version: 4.3.1\\r\\n'\n"
            "              b'Content-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nOK')\n"
            "    c.close()\n",
        0755);
    return script;
}
} // namespace

TEST_CASE("a podman that ignores SIGTERM and never answers: connect fails with TIMEOUT within "
          "start_timeout + 3 s grace + 1 s, and it is killed",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path pids = box.dir() / "stubborn.pids";
    const fs::path fake = write_stubborn_podman(box.dir(), pids, false);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    opts.start_timeout_ms = 1000;
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    std::printf("mute stubborn podman: connect returned %s after %.3f s\n",
                podpull_code_str(c.code), c.seconds);
    CHECK(c.code == PODPULL_ERR_TIMEOUT);
    CHECK(c.client == nullptr);
    CHECK(c.seconds < 1.0 + 3.0 + 1.0);
    podpull_free(c.client);
    const std::string started = read_file(pids);
    REQUIRE_FALSE(started.empty()); // the fake ran
    CHECK_FALSE(process_exists(std::atoi(started.c_str())));
    box.check_no_leftovers();
}

TEST_CASE("a connected podman that ignores SIGTERM: podpull_free returns within the 3 s grace "
          "+ 1 s and it is killed",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path pids = box.dir() / "stubborn.pids";
    const fs::path fake = write_stubborn_podman(box.dir(), pids, true);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    opts.start_timeout_ms = 10000;
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    REQUIRE(c.code == PODPULL_OK);
    const int pid = std::atoi(read_file(pids).c_str());
    REQUIRE(process_exists(pid));
    const auto before = Clock::now();
    podpull_free(c.client);
    const double took = seconds_since(before);
    std::printf("stubborn podman: podpull_free returned after %.3f s\n", took);
    CHECK(took >= 2.5); // it did wait for the grace period
    CHECK(took < 3.0 + 1.0);
    CHECK_FALSE(process_exists(pid));
    box.check_no_leftovers();
}

// ---- podman's stderr ------------------------------------------------------------------------

namespace {
// A fake podman that writes a screenful of what a terminal-minded tool writes to stderr:
// 10,000 logrus lines with colour codes, a "\r" progress line, a 1 MB line of "é", then
// `last_line` (podman's "Error:" line is the last it writes), and exits with 125 or, when
// `hangs`, never gets ready.
fs::path write_noisy_podman(const fs::path &dir, const std::string &last_line, bool hangs) {
    const fs::path script = dir / (hangs ? "fake-podman-noisy-hang" : "fake-podman-noisy-exit");
    write_file(script,
               "#!" + test_env().python3 + "\n" +
                   "import sys, time\n"
                   "e = sys.stderr.buffer\n"
                   "for i in range(10000):\n"
                   "    e.write(b'time=\"2026-12-02T10:00:00Z\" level=debug "
                   "msg=\"\\x1b[2mstep %d\\x1b[0m\"\\n' % i)\n"
                   "e.write(b'Copying blob 10%\\rCopying blob 55%\\r\\n')\n"
                   "e.write(b'\\xc3\\xa9' * 500000 + b'\\n')\n"
                   "e.write(b'" +
                   last_line +
                   "')\n"
                   "e.flush()\n" +
                   (hangs ? "time.sleep(600)\n" : "sys.exit(125)\n"),
               0755);
    return script;
}
} // namespace

TEST_CASE("a podman that fails with 1.6 MB of hostile stderr: the connect error holds one clean "
          "line of it, its Error: line or else its last, at most 300 bytes",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    // podman's "Error:" line in colour, after a progress text it rewrites with "\r", with a
    // window title (OSC), bytes that are not UTF-8, a NUL and a CRLF end.
    const std::string error_line = "Copying blob 99%\\r\\x1b[31mError\\x1b[0m: \\x1b]0;title"
                                   "\\x07cannot listen: \\xff\\xfe bad\\x00byte\\r\\n";
    {
        const fs::path fake = write_noisy_podman(box.dir(), error_line, false);
        podpull_connect_options opts = box.options();
        opts.podman_path = fake.c_str();
        ConnectOutcome c = connect(opts);
        INFO(c.describe() << "\n" << box.log_text());
        std::printf("noisy podman exiting: %s after %.3f s: %s\n", podpull_code_str(c.code),
                    c.seconds, c.message.c_str());
        CHECK(c.code == PODPULL_ERR_SERVICE);
        CHECK(c.message == "podman system service exited with status 125 before it was ready: "
                           "Error: cannot listen: ?? bad byte");
        CHECK(c.seconds < 10.0);
        podpull_free(c.client);
    }
    {
        // Never ready, and no "Error:" line: the last line with text, the 1 MB one, cut.
        const fs::path fake = write_noisy_podman(box.dir(), "", true);
        podpull_connect_options opts = box.options();
        opts.podman_path = fake.c_str();
        opts.start_timeout_ms = 2000;
        ConnectOutcome c = connect(opts);
        INFO(c.describe() << "\n" << box.log_text());
        std::printf("noisy podman never ready: %s after %.3f s, a message of %zu bytes\n",
                    podpull_code_str(c.code), c.seconds, c.message.size());
        const std::string lead = "podman system service was not ready after 2000 ms; its stderr: ";
        CHECK(c.code == PODPULL_ERR_TIMEOUT);
        CHECK(c.message.starts_with(lead + "\xc3\xa9\xc3\xa9"));
        CHECK(c.message.ends_with("\xc3\xa9…"));
        CHECK(c.message.size() <= lead.size() + 300);
        CHECK(is_clean_line(c.message));
        CHECK(c.seconds < 2.0 + 3.0 + 1.0);
        podpull_free(c.client);
    }
    box.check_no_leftovers();
}

TEST_CASE("a real podman that cannot start (no such storage driver): SERVICE with its Error: "
          "line, one clean line",
          "[faults][service]") {
    (void)test_env();
    Sandbox box;
    podpull_connect_options opts = box.options();
    opts.storage_driver = "no-such-driver";
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    std::printf("podman %s with no such storage driver: %s after %.3f s: %s\n",
                test_env().release.c_str(), podpull_code_str(c.code), c.seconds, c.message.c_str());
    CHECK(c.code == PODPULL_ERR_SERVICE);
    // Every release writes a logrus error line first, and then main's "Error:" line.
    CHECK(c.message.starts_with(
        "podman system service exited with status 125 before it was ready: Error: "));
    CHECK(contains(c.message, "driver not supported"));
    CHECK_FALSE(contains(c.message, "level=error"));
    CHECK(is_clean_line(c.message));
    podpull_free(c.client);
    box.check_no_leftovers();
}

namespace {
// A podman_path that runs tests/fake/fake-libpod.py as the service podpull starts: on the
// socket of its unix:// argument, sending READY=1, and writing `flood` bytes to stderr.
fs::path write_flooding_podman(const fs::path &dir, std::size_t flood) {
    const fs::path script = dir / "fake-podman-flood";
    const std::string python = test_env().python3;
    write_file(script,
               "#!" + python + "\n" +
                   "import os, sys\n"
                   "url = [a for a in sys.argv if a.startswith('unix://')][0][len('unix://'):]\n"
                   "os.execv('" +
                   python + "', ['" + python + "', '" + PODPULL_FAKE_LIBPOD +
                   "', '--socket', url, '--version', '6.1.1', '--body', '" +
                   fake_body("pull-progress-6.1.1.ndjson").string() +
                   "', '--notify', '--stderr-flood', '" + std::to_string(flood) + "'])\n",
               0755);
    return script;
}
} // namespace

TEST_CASE("a podman that writes 8 MiB to stderr: service.log stays under 200 KiB with its "
          "first and latest lines, and the client still pulls",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    constexpr std::size_t flood = 8 * 1024 * 1024;
    const fs::path fake = write_flooding_podman(box.dir(), flood);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    Client client(connect_or_fail(box, opts));
    const auto dirs = dir_entries(box.runtime_dir());
    REQUIRE(dirs.size() == 1);
    const fs::path log = box.runtime_dir() / dirs.front() / "service.log";

    const auto start = Clock::now();
    const std::string done_line = "fake-libpod: stderr flood done\n";
    const bool done = wait_for([&] { return read_file(log).ends_with(done_line); }, 30s);
    const double took = seconds_since(start);
    const std::string text = read_file(log);
    std::printf("stderr flood of %zu bytes: service.log %zu bytes, complete %.3f s after connect\n",
                flood, text.size(), took);
    INFO("service.log starts: " << printable(text, 300));
    REQUIRE(done);
    CHECK(text.size() < 200 * 1024);
    CHECK(text.starts_with("time=\"2026-12-02T10:00:00.000000Z\" level=debug "
                           "msg=\"fake-libpod flood line 0: "));
    CHECK(contains(text, " bytes of podman's stderr left out here]\n"));
    CHECK(text.ends_with("\n" + done_line));

    PullRecorder rec;
    podpull_pull_options pull_opts = insecure_pull_options();
    PullOutcome out = pull(client.ptr, "registry.example/podpull/test:v1", rec, &pull_opts);
    INFO(out.describe() << "\n" << box.log_text());
    CHECK(out.code == PODPULL_OK);
    CHECK(is_hex64(out.image_id));
    client.reset();
    box.check_no_leftovers();
}

// ---- socket_path that is not podman --------------------------------------------------------

TEST_CASE("socket_path to a server that answers /_ping with 404: SERVICE, not a podman service",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir(), {"--ping-status", "404"});
    ConnectOutcome c = connect(box.attach_options(fake.socket()));
    INFO(c.describe() << "\n" << box.log_text());
    std::printf("socket_path answering 404: %s after %.3f s: %s\n", podpull_code_str(c.code),
                c.seconds, c.message.c_str());
    CHECK(c.code == PODPULL_ERR_SERVICE);
    CHECK(c.message == "the server at " + fake.socket().string() +
                           " is not a podman service: GET /_ping answered HTTP 404");
    CHECK(c.seconds < 5.0);
    podpull_free(c.client);
    fake.stop();
    box.check_no_leftovers();
}

TEST_CASE("socket_path to a server that answers /_ping with 200 but no Libpod-Api-Version (a "
          "Docker daemon): SERVICE, not a podman service",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir(), {"--docker-ping"});
    ConnectOutcome c = connect(box.attach_options(fake.socket()));
    INFO(c.describe() << "\n" << box.log_text());
    CHECK(c.code == PODPULL_ERR_SERVICE);
    CHECK(c.message == "the server at " + fake.socket().string() +
                           " is not a podman service: GET /_ping answered without a "
                           "Libpod-Api-Version header (a Docker daemon answers so)");
    CHECK(c.client == nullptr);
    podpull_free(c.client);
    fake.stop();
    box.check_no_leftovers();
}
