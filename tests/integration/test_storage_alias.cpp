// SPDX-License-Identifier: MIT OR Apache-2.0
// bootc's storage layout (podpull_connect_options.storage_root_fd, storage_root_alias): the
// storage root handed over as an open directory that podman sees at an alias path, the runroot
// as an open directory at fd 3. Every podman and skopeo podpull starts gets the directory
// bind-mounted at the alias in a private mount namespace of its own; the host's mount table is
// read before, during and after (also after the host was killed) and must not change. Two
// clients in turn on the same fd and alias, as bootc runs them, both work. Bad input is
// INVALID_ARGUMENT before anything starts.
//
// A systemd host's mounts are shared, and a bind mount made in a copy of such a namespace
// propagates back unless it is made private first; this machine's are not. So ctest runs
// these cases in a namespace of shared mounts (tests/integration/CMakeLists.txt,
// `unshare --propagation shared`), and the cases that start podman fail elsewhere: without it
// they would pass even if podpull left its bind to propagate.

#include "podpull_test/cli.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

namespace {

// An open directory, closed at scope end.
struct DirectoryFd {
    int fd = -1;
    explicit DirectoryFd(const fs::path &dir) {
        fs::create_directories(dir);
        fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        REQUIRE(fd >= 0);
    }
    ~DirectoryFd() { ::close(fd); }
    DirectoryFd(const DirectoryFd &) = delete;
    DirectoryFd &operator=(const DirectoryFd &) = delete;
};

// The mount table as /proc/PID/mountinfo lists it: its mount points (field 5) with their
// sources and options, without the ids (field 1 and 2), which a remount renumbers.
std::string mount_table(const std::string &pid = "self") {
    std::istringstream in(read_file("/proc/" + pid + "/mountinfo"));
    std::string line, table;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, rest;
        fields >> id >> parent;
        std::getline(fields, rest);
        table += rest + "\n";
    }
    return table;
}

// The line of process `pid`'s mountinfo whose mount point is `path` (as its root sees it), or
// "" when it has none.
std::string mount_at(int pid, const fs::path &path) {
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, devices, root, mount_point;
        fields >> id >> parent >> devices >> root >> mount_point;
        if (mount_point == path.string())
            return line;
    }
    return "";
}

bool has_mount_at(int pid, const fs::path &path) {
    return !mount_at(pid, path).empty();
}

std::size_t line_count(const std::string &text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string mount_namespace(int pid) {
    std::error_code ec;
    return fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/mnt", ec).string();
}

// Whether "/" is a shared mount here, as on a systemd host (tests/integration/CMakeLists.txt).
bool root_mount_is_shared() {
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, devices, root, mount_point, options, optional;
        fields >> id >> parent >> devices >> root >> mount_point >> options;
        if (mount_point != "/")
            continue;
        while (fields >> optional && optional != "-")
            if (optional.rfind("shared:", 0) == 0)
                return true;
    }
    return false;
}

void require_shared_mounts() {
    INFO("run these cases in a mount namespace of shared mounts, as ctest does: unshare --mount "
         "--propagation shared -- podpull_integration_tests [storage-alias]");
    REQUIRE(root_mount_is_shared());
}

// The podman service of this process's client: its only podman child.
int service_pid() {
    const auto podmans = children_named(::getpid(), "podman");
    REQUIRE(podmans.size() == 1);
    return podmans.front();
}

// Connect options in bootc's layout: the sandbox's storage as a directory fd seen at `alias`
// (which must outlive the options), the runroot as a directory fd.
podpull_connect_options bootc_layout(Sandbox &box, const DirectoryFd &storage,
                                     const DirectoryFd &runroot, const std::string &alias) {
    podpull_connect_options opts = box.options();
    opts.storage_root = nullptr;
    opts.storage_root_fd = storage.fd;
    opts.run_root = nullptr;
    opts.run_root_fd = runroot.fd;
    opts.storage_root_alias = alias.c_str();
    return opts;
}

} // namespace

TEST_CASE("bootc's layout: podman works in the storage directory through its alias, in a mount "
          "namespace of its own; the host's mount table never changes; a second client in turn "
          "finds what the first stored",
          "[storage-alias]") {
    require_shared_mounts();
    const TestEnv &env = test_env();
    Sandbox box;
    const fs::path real = box.dir() / "sysroot/ostree/bootc/storage";
    const std::string alias = (box.dir() / "run/bootc/storage").string(); // made by podpull
    DirectoryFd storage(real);
    DirectoryFd runroot(box.dir() / "run/bootc/runroot");
    const std::string before = mount_table();

    {
        podpull_connect_options opts = bootc_layout(box, storage, runroot, alias);
        Client client(connect_or_fail(box, opts));
        CHECK(mount_table() == before);
        CHECK(fs::is_directory(alias));
        const int service = service_pid();
        INFO("the service's mount table:\n" << mount_table(std::to_string(service)));
        CHECK(mount_namespace(service) != mount_namespace(::getpid()));
        CHECK(has_mount_at(service, alias));
        std::printf("storage alias: the host's mount table: %zu mounts before and with the "
                    "service running, identical: %s; the service's: %zu mounts, its own "
                    "namespace, at the alias: %s\n",
                    line_count(before), mount_table() == before ? "yes" : "NO",
                    line_count(mount_table(std::to_string(service))),
                    mount_at(service, alias).c_str());
        const auto argv = cmdline_of(service);
        CHECK(std::find(argv.begin(), argv.end(), alias) != argv.end());

        // A registry image over the API, and an oci-archive: through `podman pull`.
        PullRecorder rec;
        const podpull_pull_options popts = insecure_pull_options();
        PullOutcome out = pull(client.ptr, env.image, rec, &popts);
        INFO(out.describe() << "\n" << rec.summary() << box.log_text());
        REQUIRE(out.code == PODPULL_OK);
        CHECK(out.image_id == env.image_id);
        CHECK(out.manifest_digest.rfind("sha256:", 0) == 0);
        CHECK(manifest_read(rec.snapshot())); // skopeo ran in the same layout
        PullRecorder archive_rec;
        PullOutcome archive = pull(client.ptr, "oci-archive:" + env.oci_archive, archive_rec);
        INFO(archive.describe() << "\n" << archive_rec.summary());
        REQUIRE(archive.code == PODPULL_OK);
        CHECK(archive.route == PODPULL_ROUTE_SUBPROCESS);
        CHECK(mount_table() == before);
    }
    CHECK(mount_table() == before);
    // podman wrote into the directory the fd names, through the alias; the host's alias
    // directory itself stayed the empty mount point it was.
    CHECK(fs::exists(real / "vfs-images"));
    CHECK(dir_entries(alias).empty());

    // bootc runs one client after another on the same storage: the second finds the image
    // (policy NEVER fails unless it is in the storage) and pulls another beside it.
    {
        podpull_connect_options opts = bootc_layout(box, storage, runroot, alias);
        Client client(connect_or_fail(box, opts));
        CHECK(mount_table() == before);
        podpull_pull_options never = insecure_pull_options();
        never.policy = PODPULL_POLICY_NEVER;
        PullRecorder rec;
        PullOutcome again = pull(client.ptr, env.image, rec, &never);
        INFO(again.describe() << "\n" << rec.summary() << box.log_text());
        CHECK(again.code == PODPULL_OK);
        CHECK(again.image_id == env.image_id);
        PullRecorder derived_rec;
        const podpull_pull_options popts = insecure_pull_options();
        PullOutcome derived = pull(client.ptr, env.derived_image, derived_rec, &popts);
        INFO(derived.describe() << "\n" << derived_rec.summary());
        CHECK(derived.code == PODPULL_OK);
        CHECK(derived.image_id == env.derived_image_id);
    }
    CHECK(mount_table() == before);
    CHECK(dir_entries(alias).empty());
    std::printf("storage alias: after two clients in turn, the host's mount table is the one "
                "before: %s\n",
                mount_table() == before ? "yes" : "NO");
    box.check_no_leftovers();
}

TEST_CASE("bootc's layout, the host SIGKILLed mid-pull: its podman goes, and the host's mount "
          "table is as it was",
          "[storage-alias][faults]") {
    require_shared_mounts();
    const TestEnv &env = test_env();
    Sandbox box;
    const fs::path real = box.dir() / "storage";
    const std::string alias = (box.dir() / "alias/storage").string();
    fs::create_directories(real);
    fs::create_directories(box.dir() / "runroot");
    const std::string before = mount_table();

    // The podpull command as the host, handed the directories as fds 5 and 6 by a shell that
    // then becomes it (exec), so that the host is this test's child.
    const std::vector<std::string> command = {PODPULL_CLI,
                                              "pull",
                                              "--podman",
                                              env.podman,
                                              "--root-fd",
                                              "5",
                                              "--root",
                                              alias,
                                              "--runroot-fd",
                                              "6",
                                              "--storage-driver",
                                              "vfs",
                                              "--runtime-dir",
                                              box.runtime_dir().string(),
                                              "--env",
                                              "CONTAINERS_CONF=" +
                                                  box.main().containers_conf.string(),
                                              "--tls-verify=false",
                                              "--json",
                                              env.slow_big_image};
    std::string script = "exec";
    for (const auto &arg : command)
        script += " '" + arg + "'";
    script += " 5<'" + real.string() + "' 6<'" + (box.dir() / "runroot").string() + "'";
    CliHost host(box, {"/bin/sh", "-c", script});
    const int service = host.wait_until_copying();
    INFO(host.output());
    CHECK(has_mount_at(service, alias));
    CHECK(mount_table() == before);

    const int status = host.kill();
    CHECK(WIFSIGNALED(status));
    int service_status = 0;
    CHECK(wait_for(
        [&] {
            const pid_t r = ::waitpid(service, &service_status, WNOHANG);
            return r == service || (r < 0 && errno == ECHILD && !process_exists(service));
        },
        2000ms));
    CHECK_FALSE(process_exists(service));
    CHECK(mount_table() == before);
    CHECK(dir_entries(alias).empty());
    std::printf("storage alias: the host SIGKILLed mid-pull, its podman gone: the host's mount "
                "table is the one before: %s\n",
                mount_table() == before ? "yes" : "NO");

    // What the dead host left (its socket dir) the next client removes, in the same layout.
    DirectoryFd storage(real);
    DirectoryFd runroot(box.dir() / "runroot");
    podpull_connect_options opts = bootc_layout(box, storage, runroot, alias);
    Client next(connect_or_fail(box, opts));
    next.reset();
    CHECK(mount_table() == before);
    box.check_no_leftovers();
}

TEST_CASE("bootc's layout: a storage fd that is no directory, an alias that is relative or cannot "
          "be made: INVALID_ARGUMENT, and nothing starts",
          "[storage-alias][errors][no-podman]") {
    Sandbox box;
    DirectoryFd storage(box.dir() / "storage");
    DirectoryFd runroot(box.dir() / "runroot");
    const fs::path file = box.dir() / "a-file";
    { std::ofstream(file) << "x"; }
    const int file_fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(file_fd >= 0);
    const std::string before = mount_table();

    struct Case {
        const char *what;
        int fd;
        std::string alias;
        const char *says;
    };
    const std::vector<Case> cases = {
        {"a regular file's fd", file_fd, (box.dir() / "alias").string(), "is not a directory"},
        {"a relative alias", storage.fd, "run/bootc/storage", "is not an absolute path"},
        {"an alias with ..", storage.fd, box.dir().string() + "/x/../alias",
         "is not a normalized path"},
        {"an alias below a file", storage.fd, (file / "storage").string(), "cannot be made"},
        {"an alias that is a file", storage.fd, file.string(), "cannot be made"},
    };
    for (const Case &c : cases) {
        INFO(c.what);
        podpull_connect_options opts = box.options();
        opts.storage_root = nullptr;
        opts.storage_root_fd = c.fd;
        opts.storage_root_alias = c.alias.c_str();
        const ConnectOutcome out = connect(opts);
        CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(out.client == nullptr);
        CHECK_THAT(out.message, ContainsSubstring(c.says));
        CHECK(children_of_this_process().empty());
        podpull_free(out.client);
    }
    // storage_root beside the fd, and the fd without an alias.
    podpull_connect_options both = box.options();
    both.storage_root_fd = storage.fd;
    both.storage_root_alias = "/run/bootc/storage";
    const ConnectOutcome both_out = connect(both);
    CHECK(both_out.code == PODPULL_ERR_INVALID_ARGUMENT);
    podpull_free(both_out.client);
    podpull_connect_options no_alias = box.options();
    no_alias.storage_root = nullptr;
    no_alias.storage_root_fd = storage.fd;
    const ConnectOutcome no_alias_out = connect(no_alias);
    CHECK_THAT(no_alias_out.message, ContainsSubstring("needs storage_root_alias"));
    podpull_free(no_alias_out.client);
    CHECK_FALSE(fs::exists(box.dir() / "alias"));
    CHECK(mount_table() == before);
    ::close(file_fd);
    box.check_no_leftovers();
}
