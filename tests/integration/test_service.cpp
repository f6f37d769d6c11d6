// SPDX-License-Identifier: MIT OR Apache-2.0
// The private service's lifecycle: starting it (and failing to), the fds it inherits, two
// clients side by side, attaching to a host's own service, and cancelling a running pull.

#include "podpull_test/podman_recorder.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// Closes an fd at scope end.
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// A process a test started through the library and that the library should have reaped:
// if it is still there, report it and kill it so the machine is left clean.
bool gone_or_kill(int pid) {
    if (!process_exists(pid)) {
        return true;
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, WNOHANG); // reaps it when it is our child
    return false;
}

} // namespace

TEST_CASE("a podman_path that does not exist fails with PODMAN_NOT_FOUND",
          "[service][errors][no-podman]") {
    (void)test_env();
    Sandbox box;
    podpull_connect_options opts = box.options();
    opts.podman_path = "/nonexistent/podman";
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    CHECK(c.code == PODPULL_ERR_PODMAN_NOT_FOUND);
    CHECK(c.client == nullptr);
    CHECK(c.have_error);
    CHECK(c.error_code == PODPULL_ERR_PODMAN_NOT_FOUND);
    CHECK_FALSE(c.message.empty());
    podpull_free(c.client);
    box.check_no_leftovers();
}

TEST_CASE("a service that never gets ready fails with TIMEOUT after start_timeout_ms and is "
          "killed",
          "[service][errors][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path pids = box.dir() / "fake.pids";
    const fs::path fake = box.dir() / "fake-podman-sleeps";
    write_file(fake, "#!/bin/sh\necho $$ >> '" + pids.string() + "'\nexec sleep 600\n", 0755);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    opts.start_timeout_ms = 500;
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    CHECK(c.code == PODPULL_ERR_TIMEOUT);
    CHECK(c.client == nullptr);
    CHECK(c.have_error);
    CHECK(c.seconds < 2.0);
    podpull_free(c.client);

    const auto started = words(read_file(pids));
    REQUIRE_FALSE(started.empty()); // the fake ran
    for (const auto &pid : started) {
        INFO("fake podman pid " << pid << " is still there after podpull_connect returned");
        CHECK(gone_or_kill(std::atoi(pid.c_str())));
    }
    box.check_no_leftovers();
}

TEST_CASE("a service that exits at once fails with SERVICE and its stderr",
          "[service][errors][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path fake = box.dir() / "fake-podman-boom";
    write_file(fake, "#!/bin/sh\necho boom >&2\nexit 1\n", 0755);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    // The default start timeout (90 s) is left alone: the exit must be noticed, not waited out.
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    CHECK(c.code == PODPULL_ERR_SERVICE);
    CHECK(c.client == nullptr);
    CHECK(c.have_error);
    CHECK(contains(c.message, "boom"));
    CHECK(c.seconds < 10.0);
    podpull_free(c.client);
    box.check_no_leftovers();
}

namespace {
enum class FdVariant { inheritable, cloexec, cloexec_already_at_3 };
const char *variant_name(FdVariant v) {
    switch (v) {
    case FdVariant::inheritable:
        return "O_RDONLY|O_DIRECTORY at a high fd";
    case FdVariant::cloexec:
        return "O_RDONLY|O_DIRECTORY|O_CLOEXEC at a high fd";
    case FdVariant::cloexec_already_at_3:
        return "O_RDONLY|O_DIRECTORY|O_CLOEXEC already at fd 3";
    }
    return "?";
}
} // namespace

TEST_CASE("run_root_fd reaches the service as fd 3 with --runroot /proc/self/fd/3, and no "
          "other fd leaks",
          "[service][fd]") {
    const TestEnv &env = test_env();
    const FdVariant variant =
        GENERATE(FdVariant::inheritable, FdVariant::cloexec, FdVariant::cloexec_already_at_3);
    INFO("variant: " << variant_name(variant));
    Sandbox box;
    const PodmanRecorder recorder = write_podman_recorder(box.dir());
    const fs::path runroot = fs::canonical(box.main().runroot);

    // An fd the test process has open without O_CLOEXEC: the service must not inherit it.
    const fs::path canary = box.dir() / "leak-canary";
    write_file(canary, "canary\n");
    Fd canary_fd(::open(canary.c_str(), O_RDONLY)); // deliberately inheritable
    REQUIRE(canary_fd.fd >= 0);

    const bool cloexec = variant != FdVariant::inheritable;
    int opened = ::open(runroot.c_str(), O_RDONLY | O_DIRECTORY | (cloexec ? O_CLOEXEC : 0));
    REQUIRE(opened >= 0);
    int saved_fd3 = -1;
    int saved_fd3_flags = 0;
    int dir_fd = -1;
    if (variant == FdVariant::cloexec_already_at_3) {
        // dup2(3, 3) is a no-op that keeps FD_CLOEXEC: the library must clear it itself.
        saved_fd3_flags = ::fcntl(3, F_GETFD);
        if (saved_fd3_flags >= 0) {
            saved_fd3 = ::fcntl(3, F_DUPFD_CLOEXEC, 100); // park whatever the process had at 3
            REQUIRE(saved_fd3 >= 0);
        }
        REQUIRE(::dup3(opened, 3, O_CLOEXEC) == 3);
        ::close(opened);
        dir_fd = 3;
    } else {
        dir_fd = ::fcntl(opened, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 40);
        ::close(opened);
    }
    REQUIRE(dir_fd >= 0);

    podpull_connect_options opts = box.options();
    opts.run_root = nullptr;
    opts.run_root_fd = dir_fd;
    opts.podman_path = recorder.script.c_str();

    ConnectOutcome c = connect(opts);
    PullOutcome out;
    PullRecorder rec;
    if (c.code == PODPULL_OK) {
        podpull_pull_options popts = insecure_pull_options();
        out = pull(c.client, env.image, rec, &popts);
    }
    podpull_free(c.client);

    // Give the process its fd 3 back before anything can fail.
    ::close(dir_fd);
    if (saved_fd3 >= 0) {
        ::dup3(saved_fd3, 3, (saved_fd3_flags & FD_CLOEXEC) != 0 ? O_CLOEXEC : 0);
        ::close(saved_fd3);
    }

    INFO(c.describe() << "\n" << out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(c.code == PODPULL_OK);
    CHECK(out.code == PODPULL_OK);
    CHECK(out.image_id == env.image_id);
    // The pull landed in the storage, and the runroot fd was the runroot podman used.
    CHECK(fs::is_directory(box.main().root / "vfs-images" / out.image_id));
    CHECK_FALSE(dir_entries(runroot).empty());

    const std::string report_text = read_file(recorder.report);
    INFO("recorder's report:\n" << report_text);
    auto records = read_podman_launches(recorder.report);
    REQUIRE_FALSE(records.empty());
    int services = 0;
    for (const auto &r : records) {
        for (const auto &[fd, target] : r.fds) {
            CHECK(target != canary.string());
        }
        if (!r.has_args({"system", "service"})) {
            continue;
        }
        ++services;
        CHECK(r.has_option("--runroot", "/proc/self/fd/3"));
        CHECK(r.has_option("--root", box.main().root.string()));
        // Exactly 0, 1, 2 and 3 (plus the directory fd the lister itself opened, which has no
        // target by the time it is read).
        std::vector<int> fds;
        for (const auto &[fd, target] : r.fds) {
            if (!target.empty()) {
                fds.push_back(fd);
            }
        }
        CHECK(fds == std::vector<int>{0, 1, 2, 3});
        REQUIRE(r.fds.count(3) == 1);
        CHECK(r.fds.at(3) == runroot.string());
    }
    CHECK(services == 1);

    box.check_no_leftovers();
}

TEST_CASE("two clients in one process get their own socket dirs and both pull",
          "[service][concurrency]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const ServiceDirs a_dirs = box.make_service_dirs("a");
    const ServiceDirs b_dirs = box.make_service_dirs("b");
    Client a(connect_or_fail(box, box.options(a_dirs)));
    Client b(connect_or_fail(box, box.options(b_dirs)));

    auto entries = dir_entries(box.runtime_dir());
    {
        std::string listing;
        for (const auto &e : entries) {
            listing += " " + e;
        }
        INFO("runtime_dir holds:" << listing);
        REQUIRE(entries.size() == 2);
    }
    for (const auto &e : entries) {
        const fs::path p = box.runtime_dir() / e;
        INFO("socket dir " << p);
        struct stat st {};
        REQUIRE(::lstat(p.c_str(), &st) == 0);
        CHECK(S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == 0700);
    }

    // Both at once, from two threads.
    podpull_pull_options opts = insecure_pull_options();
    PullRecorder ra;
    PullRecorder rb;
    PullOutcome oa;
    PullOutcome ob;
    std::thread ta([&] { oa = pull(a.ptr, env.image, ra, &opts); });
    std::thread tb([&] { ob = pull(b.ptr, env.image, rb, &opts); });
    ta.join();
    tb.join();
    INFO("a: " << oa.describe() << "\n"
               << ra.summary() << "b: " << ob.describe() << "\n"
               << rb.summary() << box.log_text());
    CHECK(oa.code == PODPULL_OK);
    CHECK(ob.code == PODPULL_OK);
    CHECK(oa.image_id == env.image_id);
    CHECK(ob.image_id == env.image_id);
    CHECK(ra.snapshot().wrong_thread == 0);
    CHECK(rb.snapshot().wrong_thread == 0);
    CHECK(fs::is_directory(a_dirs.root / "vfs-images" / env.image_id));
    CHECK(fs::is_directory(b_dirs.root / "vfs-images" / env.image_id));

    a.reset();
    CHECK(dir_entries(box.runtime_dir()).size() == 1);
    // b still works after a is gone.
    PullRecorder rb2;
    PullOutcome ob2 = pull(b.ptr, env.image, rb2, &opts);
    INFO(ob2.describe());
    CHECK(ob2.code == PODPULL_OK);
    b.reset();
    CHECK(dir_entries(box.runtime_dir()).empty());

    box.check_no_leftovers();
}

TEST_CASE("socket_path attaches to the host's own service, and podpull_free leaves it running",
          "[service][socket_path]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const ServiceDirs &dirs = box.main();
    PodmanService svc(box, dirs);
    const std::string sock = svc.socket().string();

    podpull_connect_options opts = box.options();
    opts.socket_path = sock.c_str();
    Client client(connect_or_fail(box, opts));
    // Attaching starts nothing: no socket dir, no child.
    CHECK(dir_entries(box.runtime_dir()).empty());
    auto kids = children_of_this_process();
    INFO("children:\n" << describe(kids));
    CHECK(kids.size() == 1);

    check_still_pulls(client.ptr);
    client.reset();

    // The host's service is still running and still answers.
    CHECK(svc.running());
    CHECK(unix_socket_answers(sock));

    svc.stop();
    auto ids = box.podman_image_ids(dirs);
    CHECK(std::find(ids.begin(), ids.end(), env.image_id) != ids.end());

    box.check_no_leftovers();
}

TEST_CASE("podpull_cancel from another thread stops a running pull within a second, and the "
          "client stays usable",
          "[pull][cancel][concurrency]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));

    // The big image through the throttling proxy: its 64 MB blob takes ~4 s, so a cancel
    // once it is being copied (its first byte count, or "Copying blob" on a route without
    // byte counts) lands in the middle of the transfer.
    std::mutex m;
    std::condition_variable cv;
    bool copying = false;
    bool returned = false;
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    call_mid_blob(rec, expected_auto_route(env.slow_big_image, &opts), std::chrono::milliseconds(0),
                  [&] {
                      std::lock_guard<std::mutex> lock(m);
                      copying = true;
                      cv.notify_all();
                  });
    Clock::time_point cancel_at{};
    std::atomic<bool> cancelled{false};
    std::thread canceller([&] {
        std::unique_lock<std::mutex> lock(m);
        cv.wait_for(lock, 120s, [&] { return copying || returned; });
        if (copying && !returned) {
            std::this_thread::sleep_for(100ms); // bytes are surely flowing by now
            cancel_at = Clock::now();
            podpull_cancel(client.ptr);
            cancelled = true;
        }
    });
    PullOutcome out = pull(client.ptr, env.slow_big_image, rec, &opts);
    const auto returned_at = Clock::now();
    {
        std::lock_guard<std::mutex> lock(m);
        returned = true;
        cv.notify_all();
    }
    canceller.join();

    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(cancelled.load());
    const double latency = std::chrono::duration<double>(returned_at - cancel_at).count();
    std::printf("cancel: podpull_pull returned %.3f s after podpull_cancel (pull ran %.3f s)\n",
                latency, out.seconds);
    INFO("returned " << latency << " s after podpull_cancel");
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    CHECK(out.have_error);
    CHECK(out.error_code == PODPULL_ERR_CANCELLED);
    CHECK_FALSE(out.have_result);
    CHECK(latency < 2.0);
    CHECK(rec.snapshot().after_return == 0);

    // The same client pulls again.
    check_still_pulls(client.ptr, &opts);

    client.reset();
    box.check_no_leftovers();
}
