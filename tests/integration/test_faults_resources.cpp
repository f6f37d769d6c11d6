// Resources: connect/free cycles leave no fd, thread or process behind, against the fake service
// (100 cycles, no podman) and with a real service of the release under test (3 cycles). The
// long endurance run (1000 and 20 cycles, with RSS) is in test_concurrency.cpp.

#include "podpull_test/client.hpp"
#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdio>

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
