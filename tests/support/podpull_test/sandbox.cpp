// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/sandbox.hpp"

#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace podpull_test {

namespace {

// Mount points below `dir` in this process's mount namespace.
std::vector<std::string> mounts_below(const fs::path &dir) {
    std::vector<std::string> out;
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    const std::string prefix = dir.string() + "/";
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, point;
        fields >> id >> parent >> devno >> root >> point;
        if (point.rfind(prefix, 0) == 0) {
            out.push_back(point);
        }
    }
    return out;
}

// Whether podman's system-wide runtime state existed before any test ran. If not, a test that
// makes it appear has run a podman without the sandbox's containers.conf.
const bool g_run_libpod_existed = fs::exists("/run/libpod");
const bool g_shm_lock_existed = fs::exists("/dev/shm/libpod_lock");

// A new directory from `pattern` (mkdtemp). With the fixture it is registered there: the
// fixture's cleanup removes it should this process be killed before the sandbox's destructor
// runs (a ctest timeout).
fs::path make_registered_dir(std::string pattern) {
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + pattern + " failed");
    }
    const fs::path dir(pattern);
    write_file(dir / ".podpull-sandbox", "");
    if (const auto state = fixture_state_dir()) {
        std::ofstream list(*state / "sandboxes", std::ios::app);
        list << dir.string() << "\n";
    }
    return dir;
}

} // namespace

// ---- the sandbox ----------------------------------------------------------------------------

std::vector<std::string> ServiceDirs::podman_argv(const std::vector<std::string> &args) const {
    std::vector<std::string> argv = {
        test_env().podman, "--root",           root.string(), "--runroot",
        runroot.string(),  "--storage-driver", driver};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::vector<std::string> ServiceDirs::podman_env() const {
    return {"CONTAINERS_CONF=" + containers_conf.string()};
}

fs::path write_insecure_registries_conf(const fs::path &file,
                                        const std::vector<std::string> &locations) {
    std::string text;
    for (const auto &location : locations) {
        text += "[[registry]]\nlocation = \"" + location + "\"\ninsecure = true\n\n";
    }
    write_file(file, text);
    return file;
}

Sandbox::Sandbox() {
    const char *tmp = std::getenv("TMPDIR");
    dir_ = make_registered_dir(std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                               "/podpull-it-XXXXXX");
    runtime_ = dir_ / "runtime";
    fs::create_directory(runtime_);
    fs::permissions(runtime_, fs::perms::owner_all);
    main_ = make_service_dirs("main");
}

Sandbox::~Sandbox() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (!memory_dir_.empty()) {
        fs::remove_all(memory_dir_, ec);
    }
}

ServiceDirs Sandbox::make_memory_service_dirs(const std::string &name, const std::string &driver) {
    if (memory_dir_.empty()) {
        memory_dir_ = make_registered_dir("/dev/shm/podpull-it-XXXXXX");
    }
    ServiceDirs d = make_service_dirs(name, driver);
    fs::remove(d.root);
    d.root = memory_dir_ / (name + "-root");
    fs::create_directories(d.root);
    return d;
}

ServiceDirs Sandbox::make_service_dirs(const std::string &name, const std::string &driver) const {
    ServiceDirs d;
    d.driver = driver;
    d.root = dir_ / (name + "-root");
    d.runroot = dir_ / (name + "-run");
    d.tmpdir = dir_ / (name + "-tmp");
    d.containers_conf = dir_ / (name + "-containers.conf");
    fs::path copy_tmp = dir_ / (name + "-copytmp");
    for (const auto &p : {d.root, d.runroot, d.tmpdir, copy_tmp}) {
        fs::create_directories(p);
    }
    // Keeps podman's runtime state (tmp_dir, lock files) in the sandbox instead of
    // /run/libpod and /dev/shm, so a test leaves nothing behind.
    write_file(d.containers_conf, "[engine]\n"
                                  "tmp_dir = \"" +
                                      d.tmpdir.string() +
                                      "\"\n"
                                      "lock_type = \"file\"\n"
                                      "events_logger = \"none\"\n"
                                      "image_copy_tmp_dir = \"" +
                                      copy_tmp.string() + "\"\n");
    return d;
}

const char *Sandbox::keep(std::string s) {
    strings_.push_back(std::make_unique<std::string>(std::move(s)));
    return strings_.back()->c_str();
}

const char *const *Sandbox::keep_env(std::vector<std::string> env) {
    auto array = std::make_unique<std::vector<const char *>>();
    for (auto &e : env) {
        array->push_back(keep(std::move(e)));
    }
    array->push_back(nullptr);
    arrays_.push_back(std::move(array));
    return arrays_.back()->data();
}

void Sandbox::log_cb(void *user_data, podpull_log_level level, const char *message) {
    auto *self = static_cast<Sandbox *>(user_data);
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const int lv = static_cast<int>(level);
    std::lock_guard<std::mutex> lock(self->log_mutex_);
    self->log_.push_back(std::string("[") + (lv >= 0 && lv <= 3 ? names[lv] : "?") + "] " +
                         (message != nullptr ? message : "(null)"));
}

std::string Sandbox::log_text() const {
    std::lock_guard<std::mutex> lock(log_mutex_);
    std::string s = "library log:\n";
    for (const auto &line : log_) {
        s += "  " + line + "\n";
    }
    return s;
}

podpull_connect_options Sandbox::options(const ServiceDirs &dirs,
                                         const std::vector<std::string> &extra_env) {
    podpull_connect_options o;
    podpull_connect_options_init(&o);
    o.storage_root = keep(dirs.root.string());
    o.run_root = keep(dirs.runroot.string());
    o.podman_path = keep(test_env().podman);
    o.storage_driver = keep(dirs.driver);
    o.runtime_dir = keep(runtime_.string());
    std::vector<std::string> env = dirs.podman_env();
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    o.env = keep_env(std::move(env));
    // A healthy service answers within a second; a broken one should fail the test quickly.
    o.start_timeout_ms = 20000;
    o.log = &Sandbox::log_cb;
    o.log_user_data = this;
    return o;
}

podpull_connect_options Sandbox::attach_options(const fs::path &socket) {
    podpull_connect_options o;
    podpull_connect_options_init(&o);
    o.socket_path = keep(socket.string());
    o.log = &Sandbox::log_cb;
    o.log_user_data = this;
    return o;
}

std::vector<std::string> Sandbox::podman_image_ids(const ServiceDirs &dirs) const {
    RunResult r = run_process(dirs.podman_argv({"images", "--no-trunc", "--format", "{{.ID}}"}),
                              dirs.podman_env());
    INFO("podman images: exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> ids;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("sha256:", 0) == 0) {
            line = line.substr(7);
        }
        if (!line.empty()) {
            ids.push_back(line);
        }
    }
    return ids;
}

void Sandbox::check_no_leftovers() const {
    auto children = children_of_this_process();
    INFO("child processes of the test left behind:\n" << describe(children));
    CHECK(children.empty());
    auto entries = dir_entries(runtime_);
    std::string listing;
    for (const auto &e : entries) {
        listing += " " + e;
    }
    INFO("entries left in runtime_dir " << runtime_ << ":" << listing);
    CHECK(entries.empty());
    INFO("podman state appeared outside the sandbox: a podman ran without the env option's "
         "CONTAINERS_CONF");
    CHECK((g_run_libpod_existed || !fs::exists("/run/libpod")));
    CHECK((g_shm_lock_existed || !fs::exists("/dev/shm/libpod_lock")));
    const auto temp_dirs = podman_temp_dirs_not_held_elsewhere();
    INFO("podman temporary directories left in "
         << podman_temp_root() << ": " << join({temp_dirs.begin(), temp_dirs.end()}, " "));
    CHECK(temp_dirs.empty());
    auto mounts = mounts_below(dir_);
    if (!memory_dir_.empty()) {
        const auto in_memory = mounts_below(memory_dir_);
        mounts.insert(mounts.end(), in_memory.begin(), in_memory.end());
    }
    std::string mount_list;
    for (const auto &m : mounts) {
        mount_list += " " + m;
    }
    INFO("mounted below the sandbox:" << mount_list);
    CHECK(mounts.empty());

    // Reported above; now kill and reap them (they are ours) so later tests start clean.
    for (const auto &p : children) {
        ::kill(p.pid, SIGKILL);
        int status = 0;
        ::waitpid(p.pid, &status, 0);
    }
}

// ---- a podman service of the test's own ------------------------------------------------------

fs::path podman_temp_root() {
    const char *tmp = std::getenv("TMPDIR");
    return tmp != nullptr && *tmp != '\0' ? fs::path(tmp) : fs::path("/var/tmp");
}

std::set<std::string> podman_temp_dirs() {
    std::set<std::string> found;
    for (const auto &name : dir_entries(podman_temp_root())) {
        if (name.rfind("podpull-tmp-", 0) == 0) {
            found.insert(name);
        }
    }
    return found;
}

namespace {

// Whether an fd of this process is open on `path`.
bool open_here(const fs::path &path) {
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator("/proc/self/fd", ec)) {
        std::error_code link_ec;
        if (fs::read_symlink(entry.path(), link_ec) == path) {
            return true;
        }
    }
    return false;
}

// Whether the lock of the private directory `dir` is held, and not by this process.
bool held_elsewhere(const fs::path &dir) {
    const fs::path lock = dir / "lock";
    const int fd = ::open(lock.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd); // releases the shared lock if it was taken
    return held && !open_here(lock);
}

} // namespace

std::set<std::string> podman_temp_dirs_not_held_elsewhere() {
    std::set<std::string> found;
    for (const auto &name : podman_temp_dirs()) {
        if (!held_elsewhere(podman_temp_root() / name)) {
            found.insert(name);
        }
    }
    return found;
}

bool unix_socket_answers(const fs::path &path) {
    const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return false;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    const bool ok = ::connect(s, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0;
    ::close(s);
    return ok;
}

PodmanService::PodmanService(const Sandbox &box, const ServiceDirs &dirs,
                             const std::vector<std::string> &extra_env) {
    dir_ = box.dir() / ("own-service-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    socket_ = dir_ / "podman.sock";
    std::vector<std::string> argv =
        dirs.podman_argv({"system", "service", "--time=0", "unix://" + socket_.string()});
    argv.insert(argv.begin() + 1, "--log-level=debug");
    std::vector<std::string> env = dirs.podman_env();
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    proc_ = spawn_process(argv, env, dir_ / "service.log");
    const bool up = wait_for(
        [&] {
            int status = 0;
            return unix_socket_answers(socket_) || ::waitpid(proc_.pid, &status, WNOHANG) != 0;
        },
        std::chrono::seconds(30));
    INFO("own podman service log:\n" << log());
    REQUIRE(up);
    REQUIRE(running());
}

PodmanService::~PodmanService() {
    stop();
}

bool PodmanService::running() {
    if (proc_.pid <= 0) {
        return false;
    }
    int status = 0;
    if (::waitpid(proc_.pid, &status, WNOHANG) == proc_.pid) {
        proc_.pid = -1;
        return false;
    }
    return true;
}

void PodmanService::stop() {
    if (proc_.pid > 0) {
        stop_process(proc_);
    }
}

std::string PodmanService::log() const {
    return read_file(dir_ / "service.log");
}

std::vector<std::string> PodmanService::requests() const {
    // @ - - [01/Dec/2026:21:51:28 +0000] "POST /v5.0.0/libpod/images/pull?... HTTP/1.1" 200 ...
    std::vector<std::string> out;
    std::istringstream in(log());
    std::string line;
    while (std::getline(in, line)) {
        const auto open = line.find("] \"");
        const auto close = line.find(" HTTP/1.", open == std::string::npos ? 0 : open);
        if (line.rfind("@ ", 0) != 0 || open == std::string::npos || close == std::string::npos) {
            continue;
        }
        out.push_back(line.substr(open + 3, close - open - 3));
    }
    return out;
}

HttpAnswer curl_unix(const fs::path &socket, const std::string &method, const std::string &target,
                     int timeout_ms) {
    // The status goes last, on a line of its own, after the body.
    RunResult r = run_process({"/usr/bin/curl", "-sS", "-N", "--unix-socket", socket.string(), "-X",
                               method, "-w", "\n%{http_code}", "http://podman" + target},
                              {}, timeout_ms);
    HttpAnswer answer;
    const auto nl = r.out.rfind('\n');
    if (r.exit_code != 0 || nl == std::string::npos) {
        answer.error = "curl exit " + std::to_string(r.exit_code) + ": " + r.err;
        return answer;
    }
    answer.status = std::atoi(r.out.c_str() + nl + 1);
    answer.body = r.out.substr(0, nl);
    return answer;
}

} // namespace podpull_test
