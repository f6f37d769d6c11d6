// SPDX-License-Identifier: MIT OR Apache-2.0
// Security checks: the private socket directory and socket are ours alone, no shell stands
// between the library and podman, the service and the `podman pull` subprocess get only the
// allowlisted part of the host's environment plus its `env` option, and a host killed
// outright leaves no socket directory for long: the next client in the same runtime_dir
// removes it. That no credential reaches an argv, an environment, a log line or an error
// message is checked by test_auth.cpp (`[auth]`), not repeated here.

#include "podpull_test/cli.hpp"
#include "podpull_test/client.hpp"
#include "podpull_test/podman_recorder.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <set>
#include <sstream>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// What the library hands a child from the host's own environment (child_environment in
// src/io/child_process.cpp). Written out here as the expectation: a name added there must be
// added here on purpose.
const std::set<std::string> &environment_allowlist() {
    static const std::set<std::string> names = {"PATH",
                                                "HOME",
                                                "TMPDIR",
                                                "LANG",
                                                "LC_ALL",
                                                "XDG_RUNTIME_DIR",
                                                "XDG_CONFIG_HOME",
                                                "XDG_DATA_HOME",
                                                "CONTAINERS_CONF",
                                                "CONTAINERS_STORAGE_CONF",
                                                "CONTAINERS_REGISTRIES_CONF",
                                                "CONTAINERS_POLICY_JSON",
                                                "REGISTRIES_CONFIG_PATH",
                                                "STORAGE_DRIVER"};
    return names;
}

std::string key_of(const std::string &entry) {
    return entry.substr(0, entry.find('='));
}

// Sets a variable in this process for the scope of a test, then removes it. Only called while
// the test process runs no other thread (before connect, after free).
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const std::string &value) : name(std::move(n)) {
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() { ::unsetenv(name.c_str()); }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;
};

// Checks one child's environment: every entry is an allowlisted variable with this process's
// value, an `env` option entry, or one of `also` (NOTIFY_SOCKET for the service), and the
// canary (in this process's environment, not allowlisted) is nowhere, not even as a value.
void check_child_environment(const std::string &what, const std::vector<std::string> &child_env,
                             const std::vector<std::string> &option_env,
                             const std::set<std::string> &also, const std::string &canary) {
    std::string listing;
    for (const auto &e : child_env) {
        listing += "  " + e + "\n";
    }
    INFO(what << "'s environment:\n" << listing);
    std::map<std::string, std::string> options;
    for (const auto &e : option_env) {
        options[key_of(e)] = e;
    }
    std::set<std::string> seen;
    for (const auto &entry : child_env) {
        const std::string key = key_of(entry);
        INFO("entry " << entry);
        CHECK(seen.insert(key).second); // no duplicate
        CHECK_FALSE(contains(entry, canary));
        if (key == "TMPDIR") {
            // podpull's own, over the host's: the private directory it removes at free.
            const std::string ours = "TMPDIR=" + podman_temp_root().string() + "/podpull-tmp-";
            CHECK(entry.rfind(ours, 0) == 0);
        } else if (options.count(key) != 0) {
            CHECK(entry == options[key]); // the host's `env` wins over its own environment
        } else if (environment_allowlist().count(key) != 0) {
            const char *ours = std::getenv(key.c_str());
            if (ours != nullptr) {
                CHECK(entry == key + "=" + ours);
            } else {
                CHECK(key == "PATH"); // the library's default PATH when the host has none
            }
        } else {
            CHECK(also.count(key) != 0); // anything else is a leak
        }
    }
    for (const auto &[key, entry] : options) {
        INFO("env option entry " << entry << " reached " << what);
        CHECK(seen.count(key) != 0);
    }
    CHECK(seen.count("PODPULL_CANARY_SECRET") == 0);
}

// A podpull-XXXXXX name for a decoy directory.
fs::path decoy(const Sandbox &box, const std::string &six) {
    return box.runtime_dir() / ("podpull-" + six);
}

} // namespace

TEST_CASE("the private socket directory is 0700 and the socket 0600, both owned by us, while "
          "the service runs",
          "[security]") {
    (void)test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));
    const std::string socket = socket_from_log(box.log_text());
    INFO(box.log_text());
    REQUIRE_FALSE(socket.empty());
    const fs::path dir = fs::path(socket).parent_path();
    CHECK(dir.parent_path() == box.runtime_dir());
    CHECK(dir.filename().string().rfind("podpull-", 0) == 0);

    // The same path is what the running service was told to listen on.
    const auto services = children_named(static_cast<int>(::getpid()), "podman");
    REQUIRE(services.size() == 1);
    const auto argv = cmdline_of(services.front());
    CHECK(std::find(argv.begin(), argv.end(), "unix://" + socket) != argv.end());

    struct stat dir_st {};
    REQUIRE(::lstat(dir.c_str(), &dir_st) == 0);
    CHECK(S_ISDIR(dir_st.st_mode));
    CHECK((dir_st.st_mode & 07777) == 0700);
    CHECK(dir_st.st_uid == ::geteuid());
    CHECK(dir_st.st_gid == ::getegid());

    struct stat sock_st {};
    REQUIRE(::lstat(socket.c_str(), &sock_st) == 0);
    CHECK(S_ISSOCK(sock_st.st_mode));
    std::printf("socket dir %s mode %04o, socket mode %04o\n", dir.c_str(),
                static_cast<unsigned>(dir_st.st_mode & 07777),
                static_cast<unsigned>(sock_st.st_mode & 07777));
    CHECK((sock_st.st_mode & 07777) == 0600);
    CHECK(sock_st.st_uid == ::geteuid());

    // Nothing in the directory is open to others (the lock file, the service's stderr log).
    for (const auto &name : dir_entries(dir)) {
        struct stat st {};
        REQUIRE(::lstat((dir / name).c_str(), &st) == 0);
        INFO(name << " mode " << std::oct << (st.st_mode & 07777));
        CHECK((st.st_mode & 0077) == 0);
        CHECK(st.st_uid == ::geteuid());
    }

    client.reset();
    CHECK_FALSE(fs::exists(dir));
    box.check_no_leftovers();
}

TEST_CASE("no shell: the service and the podman pull subprocess are executed directly by the "
          "host process",
          "[security]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const int self = static_cast<int>(::getpid());
    const std::string self_exe = exe_of(self);
    const std::string podman = fs::canonical(env.podman_exe).string();

    SECTION("the real podman as the service") {
        Client client(connect_or_fail(box, box.options()));
        const auto services = children_named(self, "podman");
        REQUIRE(services.size() == 1);
        const int service = services.front();
        CHECK(parent_of(service) == self);
        CHECK(exe_of(service) == podman);
        const auto argv = cmdline_of(service);
        REQUIRE_FALSE(argv.empty());
        // The podman_path given, or, for a chroot release, what its launcher execs in the
        // same process (the recording section below sees the podman_path itself).
        CHECK(argv[0] == env.podman_argv0);
        CHECK(argv[1] == "--root"); // podman's own options, not "sh -c ..."
        CHECK(std::find(argv.begin(), argv.end(), "system") != argv.end());
        client.reset();
    }

    SECTION("a recording podman_path, as the service and as `podman pull` for an oci-archive") {
        const PodmanRecorder recorder = write_podman_recorder(box.dir());
        podpull_connect_options opts = box.options();
        opts.podman_path = recorder.script.c_str();
        Client client(connect_or_fail(box, opts));
        const auto services = children_named(self, "podman");
        REQUIRE(services.size() == 1); // the recorder exec'd podman in its own process
        CHECK(exe_of(services.front()) == podman);

        PullRecorder rec;
        PullOutcome out = pull(client.ptr, "oci-archive:" + env.oci_archive, rec);
        INFO(out.describe() << "\n" << box.log_text());
        CHECK(out.code == PODPULL_OK);
        CHECK(out.route == PODPULL_ROUTE_SUBPROCESS);
        client.reset();

        const auto launches = read_podman_launches(recorder.report);
        REQUIRE(launches.size() == 2);
        for (const auto &l : launches) {
            INFO("argv0 " << l.argv0 << ", parent " << l.ppid << " (" << l.parent_exe << ")");
            CHECK(l.argv0 == recorder.script.string()); // exec'd by path, not through sh -c
            CHECK(l.ppid == self);
            CHECK(l.parent_exe == self_exe);
            CHECK(l.parent_exe != "/bin/sh");
            CHECK(l.parent_exe != "/usr/bin/dash");
        }
        CHECK(launches[0].has_args({"system", "service"}));
        CHECK(launches[1].has_args({"pull"}));
    }
    box.check_no_leftovers();
}

TEST_CASE("the service and the podman pull subprocess get only the allowlisted environment and "
          "the host's env entries; a canary of the host's environment is absent",
          "[security]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const std::string canary = "canary-" + std::to_string(::getpid()) + "-" +
                               std::to_string(Clock::now().time_since_epoch().count());
    ScopedEnv canary_env("PODPULL_CANARY_SECRET", canary);
    // An allowlisted variable with a value of this test's own: passed through as it is.
    ScopedEnv lang("LC_ALL", "C.UTF-8");

    const PodmanRecorder recorder = write_podman_recorder(box.dir());
    const std::vector<std::string> extra = {"PODPULL_HOST_ENTRY=from-the-env-option"};
    podpull_connect_options opts = box.options(extra);
    opts.podman_path = recorder.script.c_str();
    std::vector<std::string> option_env;
    for (const char *const *e = opts.env; *e != nullptr; ++e) {
        option_env.emplace_back(*e);
    }

    Client client(connect_or_fail(box, opts));
    const auto services = children_named(static_cast<int>(::getpid()), "podman");
    REQUIRE(services.size() == 1);
    // The running service itself, as the kernel shows it. A chroot release's launcher is a
    // /bin/sh script, and the shell exports PWD to what it execs: that one entry is the
    // launcher's, not podpull's (the environment podpull gave is the one recorded at exec,
    // checked below on every release).
    std::set<std::string> running_extra = {"NOTIFY_SOCKET"};
    if (env.podman_is_launcher()) {
        running_extra.insert("PWD");
        std::printf("podman %s runs through a /bin/sh launcher, which adds PWD to the running "
                    "service's environment\n",
                    env.podman_version.c_str());
    }
    check_child_environment("the running service (/proc/PID/environ)", environ_of(services[0]),
                            option_env, running_extra, canary);

    PullRecorder rec;
    PullOutcome out = pull(client.ptr, "oci-archive:" + env.oci_archive, rec);
    INFO(out.describe() << "\n" << box.log_text());
    CHECK(out.code == PODPULL_OK);
    client.reset();

    const auto launches = read_podman_launches(recorder.report);
    REQUIRE(launches.size() == 2);
    check_child_environment("the service as exec'd", launches[0].environ, option_env,
                            {"NOTIFY_SOCKET"}, canary);
    check_child_environment("podman pull", launches[1].environ, option_env, {}, canary);
    // Both saw the canary's neighbour that is allowlisted.
    for (const auto &l : launches) {
        CHECK(std::find(l.environ.begin(), l.environ.end(), "LC_ALL=C.UTF-8") != l.environ.end());
    }
    // The canary was really in this process's environment, and the log never shows it.
    CHECK(std::getenv("PODPULL_CANARY_SECRET") == canary);
    CHECK_FALSE(contains(box.log_text(), canary));
    box.check_no_leftovers();
}

TEST_CASE("a host SIGKILLed mid-pull leaves a socket directory that the next client in the same "
          "runtime_dir removes, leaving live clients' and foreign directories alone",
          "[security][recovery]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const int self = static_cast<int>(::getpid());

    // A live client in the same runtime_dir, started first.
    ServiceDirs live_dirs = box.make_service_dirs("live");
    Client live(connect_or_fail(box, box.options(live_dirs)));
    const fs::path live_dir = fs::path(socket_from_log(box.log_text())).parent_path();
    REQUIRE(fs::exists(live_dir / "podman.sock"));

    // Decoys that look like private directories but must not be touched.
    const fs::path unknown_content = decoy(box, "unkno1"); // unlocked lock, plus a foreign file
    const fs::path no_lock = decoy(box, "nolck1");         // no lock file: being set up
    const fs::path other_user = decoy(box, "other1");      // not ours
    const fs::path wide_open = decoy(box, "mode01");       // not 0700
    const fs::path link = decoy(box, "link01");            // a symlink to a stale-looking dir
    const fs::path link_target = box.dir() / "link-target";
    for (const auto &d : {unknown_content, no_lock, other_user, wide_open, link_target}) {
        fs::create_directory(d);
        ::chmod(d.c_str(), 0700);
        write_file(d / "lock", "", 0600);
        write_file(d / "podman.sock", "", 0600);
    }
    fs::remove(no_lock / "lock");
    write_file(unknown_content / "keep.me", "not podpull's", 0600);
    REQUIRE(::chown(other_user.c_str(), 65534, 65534) == 0);
    ::chmod(wide_open.c_str(), 0755);
    fs::create_directory_symlink(link_target, link);

    // The host: pulling the slow big image, killed while its blob is copied; its service,
    // reparented to this test, is reaped here.
    const auto temp_dirs_before = podman_temp_dirs(); // the live client's
    CliHost host(PODPULL_CLI, box, box.main(), env.slow_big_image);
    const int service = host.wait_until_copying();
    host.kill();
    int status = 0;
    REQUIRE(wait_for([&] { return ::waitpid(service, &status, WNOHANG) == service; }, 5000ms));

    // What the host left: one directory that is neither the live client's nor a decoy.
    const std::set<std::string> known = {
        live_dir.filename().string(),  unknown_content.filename().string(),
        no_lock.filename().string(),   other_user.filename().string(),
        wide_open.filename().string(), link.filename().string()};
    std::vector<std::string> stale;
    for (const auto &name : dir_entries(box.runtime_dir())) {
        if (known.count(name) == 0) {
            stale.push_back(name);
        }
    }
    REQUIRE(stale.size() == 1);
    const fs::path stale_dir = box.runtime_dir() / stale.front();
    std::string stale_listing;
    for (const auto &n : dir_entries(stale_dir)) {
        stale_listing += " " + n;
    }
    std::printf("host SIGKILL: it left %s holding:%s\n", stale_dir.c_str(), stale_listing.c_str());
    CHECK(fs::exists(stale_dir / "lock"));
    // And its podman's private TMPDIR, with the partial blob podman was writing.
    std::vector<fs::path> stale_temp;
    // The dead host's directory, not those of clients alive elsewhere on the machine.
    for (const auto &name : podman_temp_dirs_not_held_elsewhere()) {
        if (temp_dirs_before.count(name) == 0) {
            stale_temp.push_back(podman_temp_root() / name);
        }
    }
    REQUIRE(stale_temp.size() == 1);
    std::string temp_listing;
    for (const auto &n : dir_entries(stale_temp.front())) {
        temp_listing += " " + n;
    }
    std::printf("host SIGKILL: it left %s holding:%s\n", stale_temp.front().c_str(),
                temp_listing.c_str());

    // The next client in the same runtime_dir and temp root removes both.
    ServiceDirs next_dirs = box.make_service_dirs("next");
    Client next(connect_or_fail(box, box.options(next_dirs)));
    INFO(box.log_text());
    CHECK_FALSE(fs::exists(stale_dir));
    CHECK(contains(box.log_text(), "removed " + stale_dir.string()));
    CHECK_FALSE(fs::exists(stale_temp.front()));
    CHECK(contains(box.log_text(), "removed " + stale_temp.front().string()));

    // The live client's directory is untouched, its lock still held, and it still pulls.
    CHECK(fs::exists(live_dir / "podman.sock"));
    CHECK(fs::exists(live_dir / "lock"));
    {
        const int fd = ::open((live_dir / "lock").c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        CHECK(::flock(fd, LOCK_EX | LOCK_NB) != 0);
        ::close(fd);
    }
    check_still_pulls(live.ptr);

    // The decoys, every file in them, and the symlink's target are untouched.
    CHECK(fs::exists(unknown_content / "lock"));
    CHECK(fs::exists(unknown_content / "keep.me"));
    CHECK(fs::exists(no_lock / "podman.sock"));
    CHECK(fs::exists(other_user / "lock"));
    CHECK(fs::exists(wide_open / "lock"));
    CHECK(fs::is_symlink(link));
    CHECK(fs::exists(link_target / "lock"));
    CHECK(fs::exists(link_target / "podman.sock"));

    live.reset();
    next.reset();
    for (const auto &d : {unknown_content, no_lock, other_user, wide_open, link}) {
        fs::remove_all(d);
    }
    CHECK(children_named(self, "podman").empty());
    box.check_no_leftovers();
}
