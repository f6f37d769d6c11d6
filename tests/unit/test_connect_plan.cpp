// SPDX-License-Identifier: MIT OR Apache-2.0
// plan_connection: the host's connect options checked and completed, with the host's facts
// made up by the test (no fd is opened, no directory looked at).
#include "core/connect_plan.hpp"

#include "podpull_test/core.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <set>
#include <string>

using Catch::Matchers::ContainsSubstring;
using podpull::ConnectOptions;
using podpull::ErrorCode;
using podpull::HostFacts;
using podpull::plan_connection;

namespace {

// A host whose open fds, directory fds and writable directories are the given ones.
HostFacts host(std::set<int> open_fds = {}, std::set<std::string> writable = {"/run", "/tmp"},
               std::optional<std::string> xdg = std::nullopt, std::set<int> directory_fds = {}) {
    HostFacts facts;
    facts.is_open_fd = [open_fds, directory_fds](int fd) {
        return open_fds.contains(fd) || directory_fds.contains(fd);
    };
    facts.is_directory_fd = [directory_fds](int fd) { return directory_fds.contains(fd); };
    facts.is_writable_dir = [writable](const std::string &path) { return writable.contains(path); };
    facts.xdg_runtime_dir = std::move(xdg);
    return facts;
}

std::string refusal(ConnectOptions options, const HostFacts &facts = host()) {
    const auto error =
        podpull_test::error_from([&] { plan_connection(std::move(options), facts); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    return error->what();
}

} // namespace

TEST_CASE("connect plan: defaults", "[connect_plan]") {
    const auto plan = plan_connection(ConnectOptions{}, host());
    CHECK(plan.podman == "podman");
    CHECK_FALSE(plan.socket_path);
    CHECK(plan.runtime_dir == "/run");
    CHECK(plan.run_root_fd == -1);
    CHECK_FALSE(plan.storage.run_root_at_fd3);
    CHECK_FALSE(plan.reads_credentials());
    CHECK(plan.start_timeout == std::chrono::milliseconds(90000));
}

TEST_CASE("connect plan: runtime_dir is XDG_RUNTIME_DIR, else /run, else /tmp", "[connect_plan]") {
    CHECK(plan_connection({}, host({}, {"/run", "/x"}, "/x")).runtime_dir == "/x");
    CHECK(plan_connection({}, host({}, {"/run"}, "/gone")).runtime_dir == "/run");
    CHECK(plan_connection({}, host({}, {}, "/gone")).runtime_dir == "/tmp");
    ConnectOptions chosen;
    chosen.runtime_dir = "/mine";
    CHECK(plan_connection(chosen, host()).runtime_dir == "/mine");
}

TEST_CASE("connect plan: podman's TMPDIR goes in the env option's TMPDIR, else the host's, "
          "else /var/tmp, else /tmp",
          "[connect_plan]") {
    // Disk, not memory: podman keeps the blob it is fetching there.
    CHECK(plan_connection({}, host({}, {"/run", "/var/tmp", "/tmp"})).temp_root == "/var/tmp");
    CHECK(plan_connection({}, host({}, {"/run", "/tmp"})).temp_root == "/tmp");
    HostFacts with_tmpdir = host({}, {"/run", "/var/tmp", "/big"});
    with_tmpdir.tmpdir = "/big";
    CHECK(plan_connection({}, with_tmpdir).temp_root == "/big");
    with_tmpdir.tmpdir = "/gone";
    CHECK(plan_connection({}, with_tmpdir).temp_root == "/var/tmp");
    ConnectOptions given;
    given.env = {"TMPDIR=/first", "LANG=C", "TMPDIR=/scratch"}; // the last one, as podman sees
    CHECK(plan_connection(given, with_tmpdir).temp_root == "/scratch");
    CHECK(plan_connection(given, with_tmpdir).env == given.env);
}

TEST_CASE("connect plan: attaching to a socket starts nothing", "[connect_plan]") {
    ConnectOptions options;
    options.socket_path = "/run/podman/podman.sock";
    const auto plan = plan_connection(options, host());
    CHECK(plan.socket_path == "/run/podman/podman.sock");
    CHECK(plan.runtime_dir.empty());
}

TEST_CASE("connect plan: run_root_fd becomes --runroot /proc/self/fd/3", "[connect_plan]") {
    ConnectOptions options;
    options.run_root_fd = 7;
    options.storage_root = "/sysroot/storage";
    const auto plan = plan_connection(options, host({7}));
    CHECK(plan.run_root_fd == 7);
    CHECK(plan.storage.run_root_at_fd3);
    CHECK(plan.storage.root == "/sysroot/storage");
}

TEST_CASE("connect plan: refusals", "[connect_plan]") {
    ConnectOptions empty_podman;
    empty_podman.podman_path = "";
    CHECK(refusal(empty_podman) == "podman_path is empty");

    ConnectOptions closed_fd;
    closed_fd.run_root_fd = 9;
    CHECK(refusal(closed_fd) == "run_root_fd is 9, which is not an open file descriptor above 2");

    ConnectOptions stdio_fd;
    stdio_fd.auth_fd = 1;
    CHECK(refusal(stdio_fd, host({1})) ==
          "auth_fd is 1, which is not an open file descriptor above 2");

    ConnectOptions both_run_roots;
    both_run_roots.run_root_fd = 5;
    both_run_roots.run_root = "/run/containers";
    CHECK(refusal(both_run_roots, host({5})) == "run_root and run_root_fd are both set");

    ConnectOptions both_auths;
    both_auths.auth_fd = 5;
    both_auths.auth_file = "/root/auth.json";
    CHECK(refusal(both_auths, host({5})) == "auth_file and auth_fd are both set");

    for (const char *entry : {"", "=x", "NOEQUALS"}) {
        ConnectOptions bad_env;
        bad_env.env = {"A=1", entry};
        CHECK_THAT(refusal(bad_env), ContainsSubstring("env entries must be KEY=VALUE"));
    }
}

TEST_CASE("connect plan: -1 means no fd, and credentials are read from one source",
          "[connect_plan]") {
    ConnectOptions options;
    options.auth_fd = 6;
    options.env = {"CONTAINERS_REGISTRIES_CONF=/etc/r.conf"};
    const auto plan = plan_connection(options, host({6}));
    CHECK(plan.reads_credentials());
    CHECK(plan.auth_fd == 6);
    CHECK(plan.env == std::vector<std::string>{"CONTAINERS_REGISTRIES_CONF=/etc/r.conf"});
}

TEST_CASE("connect plan: the storage root as a directory fd is podman's --root at its alias",
          "[connect_plan][storage-alias]") {
    ConnectOptions options;
    options.storage_root_fd = 8;
    options.storage_root_alias = "/run/bootc/storage";
    options.run_root_fd = 7;
    const auto plan = plan_connection(options, host({7}, {"/run", "/tmp"}, std::nullopt, {8}));
    REQUIRE(plan.storage_binding);
    CHECK(plan.storage_binding->fd == 8);
    CHECK(plan.storage_binding->alias == "/run/bootc/storage");
    CHECK(plan.storage.root == "/run/bootc/storage");
    CHECK(plan.storage.run_root_at_fd3);
    CHECK(podpull::service_argv("podman", plan.storage, "/s.sock") ==
          std::vector<std::string>{"podman", "--root", "/run/bootc/storage", "--runroot",
                                   "/proc/self/fd/3", "system", "service", "--time=0",
                                   "unix:///s.sock"});
    // Without it, nothing is bound.
    CHECK_FALSE(plan_connection({}, host()).storage_binding);
}

TEST_CASE("connect plan: a storage root fd and its alias are refused before anything starts",
          "[connect_plan][storage-alias]") {
    const HostFacts facts = host({5}, {"/run", "/tmp"}, std::nullopt, {8});
    auto bound = [](int fd, std::optional<std::string> alias) {
        ConnectOptions options;
        options.storage_root_fd = fd;
        options.storage_root_alias = std::move(alias);
        return options;
    };
    CHECK(refusal(bound(5, "/run/bootc/storage"), facts) == "storage_root_fd 5 is not a directory");
    CHECK(refusal(bound(9, "/run/bootc/storage"), facts) ==
          "storage_root_fd is 9, which is not an open file descriptor above 2");
    CHECK_THAT(refusal(bound(8, std::nullopt), facts),
               ContainsSubstring("storage_root_fd needs storage_root_alias"));
    CHECK(refusal(bound(-1, "/run/bootc/storage"), facts) ==
          "storage_root_alias is set without storage_root_fd");
    ConnectOptions both = bound(8, "/run/bootc/storage");
    both.storage_root = "/var/lib/containers/storage";
    CHECK_THAT(refusal(both, facts),
               ContainsSubstring("storage_root and storage_root_fd are both set"));
    // The alias is a mount target: nothing the host could not predict.
    for (const std::string &alias : std::vector<std::string>{
             "", "run/bootc/storage", "./storage", "/", "/run//bootc", "/run/./bootc",
             "/run/../etc", "/run/bootc/", "/run/bootc/..", "/" + std::string(4096, 'a')}) {
        CAPTURE(alias);
        CHECK_THAT(refusal(bound(8, alias), facts), ContainsSubstring("storage_root_alias"));
    }
    CHECK_THAT(refusal(bound(8, "relative"), facts), ContainsSubstring("is not an absolute path"));
    CHECK_THAT(refusal(bound(8, "/a/../b"), facts), ContainsSubstring("is not a normalized path"));
}
