// SPDX-License-Identifier: MIT OR Apache-2.0
// Resources: connect/free cycles leave no fd, thread or process behind, against the fake service
// (100 cycles, no podman) and with a real service of the release under test (3 cycles); a
// runtime_dir without space or inodes fails with IO in one clean line. The long endurance run
// (1000 and 20 cycles, with RSS) is in test_concurrency.cpp.

#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

// ---- connect/free cycles --------------------------------------------------------------------

TEST_CASE("100 connect/free cycles on socket_path leave no fd, thread or process behind",
          "[faults][cycles][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir());
    const std::string socket = fake.socket().string();
    podpull_connect_options o;
    podpull_connect_options_init(&o);
    o.socket_path = socket.c_str();
    auto cycle = [&] {
        ConnectOutcome c = connect(o);
        INFO(c.describe());
        REQUIRE(c.code == PODPULL_OK);
        podpull_free(c.client);
    };
    cycle(); // warm-up: anything allocated once per process
    const std::size_t fds0 = open_fd_count(), threads0 = thread_count();
    const auto children0 = children_of_this_process().size(); // the fake
    const auto start = Clock::now();
    for (int i = 0; i < 100; ++i) {
        cycle();
    }
    const double fake_seconds = seconds_since(start);
    const std::size_t fds1 = open_fd_count(), threads1 = thread_count();
    const auto children1 = children_of_this_process().size();
    std::printf("100 socket_path cycles in %.2f s: fds %zu -> %zu, threads %zu -> %zu, children "
                "%zu -> %zu\n",
                fake_seconds, fds0, fds1, threads0, threads1, children0, children1);
    CHECK(fds1 == fds0);
    CHECK(threads1 == threads0);
    CHECK(children1 == children0);
    fake.stop();
    box.check_no_leftovers();
}

TEST_CASE("3 connect/free cycles with a real service leave no fd, thread or process behind",
          "[faults][cycles]") {
    (void)test_env();
    Sandbox box;
    Client(connect_or_fail(box, box.options())).reset(); // warm-up: once-per-process state
    const std::size_t fds2 = open_fd_count(), threads2 = thread_count();
    for (int i = 0; i < 3; ++i) {
        Client client(connect_or_fail(box, box.options()));
        client.reset();
        INFO("children after real cycle " << i << ":\n" << describe(children_of_this_process()));
        CHECK(children_of_this_process().empty());
    }
    const std::size_t fds3 = open_fd_count(), threads3 = thread_count();
    std::printf("3 real-service cycles: fds %zu -> %zu, threads %zu -> %zu\n", fds2, fds3, threads2,
                threads3);
    CHECK(fds3 == fds2);
    CHECK(threads3 == threads2);
    box.check_no_leftovers();
}

// ---- a full runtime_dir -----------------------------------------------------------------------

namespace {
// A tmpfs of 64 KiB and 16 inodes mounted at `dir` while it lives, unmounted on every way out
// (a failed REQUIRE included). A mount that fails fails the test and says why: the case needs
// it, and the suite runs as root.
class TinyTmpfs {
  public:
    explicit TinyTmpfs(const fs::path &dir) : dir_(dir) {
        fs::create_directories(dir);
        if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                    "size=64k,nr_inodes=16,mode=0755") != 0) {
            FAIL("mount -t tmpfs -o size=64k,nr_inodes=16 tmpfs " << dir.string() << ": "
                                                                  << std::strerror(errno));
        }
    }
    ~TinyTmpfs() {
        if (::umount2(dir_.c_str(), 0) != 0) {
            ::umount2(dir_.c_str(), MNT_DETACH); // something still open there: detach it
        }
    }
    TinyTmpfs(const TinyTmpfs &) = delete;
    TinyTmpfs &operator=(const TinyTmpfs &) = delete;

    // Empty files until no inode is left, then `spare` of them removed again.
    void leave_inodes(int spare) {
        int made = 0;
        while (true) {
            const fs::path file = dir_ / ("inode-" + std::to_string(made));
            const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0) {
                REQUIRE(errno == ENOSPC);
                break;
            }
            ::close(fd);
            ++made;
        }
        REQUIRE(made >= spare);
        for (int i = 0; i < spare; ++i) {
            fs::remove(dir_ / ("inode-" + std::to_string(made - 1 - i)));
        }
    }
    // One file grown until no block is left.
    void fill_blocks() {
        const fs::path file = dir_ / "blocks";
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        const std::string block(4096, 'x');
        while (::write(fd, block.data(), block.size()) > 0) {
        }
        const int error = errno;
        ::close(fd);
        REQUIRE(error == ENOSPC);
    }
    // The files there now, but for the fill.
    std::vector<std::string> left() const {
        std::vector<std::string> names;
        for (const auto &name : dir_entries(dir_)) {
            if (!name.starts_with("inode-") && name != "blocks") {
                names.push_back(name);
            }
        }
        return names;
    }

  private:
    fs::path dir_;
};

// What no message may hold: a Boost source location ("[system:28 at /usr/include/boost/...
// in function ...]"), or the words of a write to stderr that failed.
void check_no_source_location(const std::string &message) {
    CHECK_FALSE(contains(message, "boost"));
    CHECK_FALSE(contains(message, ".hpp"));
    CHECK_FALSE(contains(message, "[system:"));
    CHECK_FALSE(contains(message, "/dev/stderr"));
}
} // namespace

TEST_CASE("a runtime_dir with no inode left, or too few for podpull's files: IO, cannot create "
          "podpull's socket directory, in one line; with too few for podman's socket: SERVICE",
          "[faults][resources]") {
    (void)test_env();
    Sandbox box;
    const fs::path dir = box.dir() / "tiny-runtime";
    // 0: the directory itself; 1: its lock file; 2: notify.sock; 3: service.log; 4: podman's
    // own socket, the service's to make.
    for (int spare = 0; spare <= 4; ++spare) {
        TinyTmpfs tiny(dir);
        tiny.leave_inodes(spare);
        podpull_connect_options opts = box.options();
        opts.runtime_dir = dir.c_str();
        ConnectOutcome c = connect(opts);
        INFO(spare << " inodes spare: " << c.describe() << "\n" << box.log_text());
        std::printf("runtime_dir with %d inodes spare: %s after %.3f s: %s\n", spare,
                    podpull_code_str(c.code), c.seconds, c.message.c_str());
        if (spare < 4) {
            CHECK(c.code == PODPULL_ERR_IO);
            CHECK(c.message == "cannot create podpull's socket directory in " + dir.string() +
                                   ": No space left on device");
        } else {
            CHECK(c.code == PODPULL_ERR_SERVICE);
            CHECK(contains_nocase(c.message, "no space left on device"));
        }
        CHECK(is_clean_line(c.message));
        check_no_source_location(c.message);
        CHECK(c.seconds < 10.0);
        podpull_free(c.client);
        CHECK(tiny.left().empty()); // podpull's directory went, with everything in it
    }
    box.check_no_leftovers();
}

TEST_CASE("a runtime_dir with no space left (inodes to spare): podman needs none there, so "
          "connect and a pull succeed; the messages never name a failed stderr write",
          "[faults][resources]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const fs::path dir = box.dir() / "tiny-runtime";
    {
        TinyTmpfs tiny(dir);
        tiny.fill_blocks();
        podpull_connect_options opts = box.options();
        opts.runtime_dir = dir.c_str();
        ConnectOutcome c = connect(opts);
        INFO(c.describe() << "\n" << box.log_text());
        std::printf("runtime_dir with no space left: %s after %.3f s: %s\n",
                    podpull_code_str(c.code), c.seconds, c.message.c_str());
        check_no_source_location(c.message);
        REQUIRE(c.code == PODPULL_OK);
        Client client(c.client);
        PullRecorder rec;
        podpull_pull_options pull_opts = insecure_pull_options();
        PullOutcome out = pull(client.ptr, env.image, rec, &pull_opts);
        INFO(out.describe());
        CHECK(out.code == PODPULL_OK);
        CHECK(out.image_id == env.image_id);
        client.reset();
        CHECK(tiny.left().empty());
    }
    box.check_no_leftovers();
}
