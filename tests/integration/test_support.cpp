#include "test_support.hpp"

#include <catch2/catch_test_case_info.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace podpull_test {

namespace {

// Entries of /var/tmp that podman or containers/image make (big-blob copies, build
// contexts): a podman that ran without the sandbox's image_copy_tmp_dir leaves them there.
std::vector<std::string> podman_entries_of_var_tmp() {
    std::vector<std::string> out;
    for (const auto &name : dir_entries("/var/tmp")) {
        for (const char *prefix : {"container_images", "podman", "buildah", "storage"}) {
            if (name.rfind(prefix, 0) == 0) {
                out.push_back(name);
                break;
            }
        }
    }
    return out;
}

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

std::string strip_quotes(std::string v) {
    if (v.size() >= 2 &&
        ((v.front() == '\'' && v.back() == '\'') || (v.front() == '"' && v.back() == '"'))) {
        v = v.substr(1, v.size() - 2);
    }
    return v;
}

struct Loaded {
    std::optional<TestEnv> env;
    std::string error;
};

// The key/value pairs of the fixture's env file, or an error saying why there are none.
struct EnvFile {
    std::map<std::string, std::string> kv;
    std::string error;
};

EnvFile read_env_file() {
    EnvFile out;
    const char *path = std::getenv("PODPULL_TEST_ENV");
    if (path == nullptr || *path == '\0') {
        out.error = "PODPULL_TEST_ENV is not set. Run the integration tests through ctest (the "
                    "podpull_registry fixture runs tests/support/registry-up.sh and sets it), or "
                    "run registry-up.sh STATE_DIR yourself and set PODPULL_TEST_ENV=STATE_DIR/env.";
        return out;
    }
    std::ifstream in(path);
    if (!in) {
        out.error = std::string("cannot read the fixture's env file ") + path +
                    ": did tests/support/registry-up.sh (the podpull_registry fixture) fail?";
        return out;
    }
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            continue;
        }
        out.kv[line.substr(0, eq)] = strip_quotes(line.substr(eq + 1));
    }
    return out;
}

std::vector<std::string> words(const std::string &text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string word;
    while (in >> word) {
        out.push_back(word);
    }
    return out;
}

// Reads `key` from `kv`, or appends it to `missing`.
std::string require_key(const std::map<std::string, std::string> &kv, const char *key,
                        std::string &missing) {
    auto it = kv.find(key);
    if (it == kv.end() || it->second.empty()) {
        missing += std::string(" ") + key;
        return std::string();
    }
    return it->second;
}

Loaded load_env() {
    Loaded out;
    EnvFile env_file = read_env_file();
    if (!env_file.error.empty()) {
        out.error = env_file.error;
        return out;
    }
    const char *path = std::getenv("PODPULL_TEST_ENV");
    const std::map<std::string, std::string> &kv = env_file.kv;
    std::string missing;
    auto get = [&](const char *key) { return require_key(kv, key, missing); };
    TestEnv e;
    e.state_dir = get("PODPULL_TEST_STATE_DIR");
    e.registry = get("PODPULL_TEST_REGISTRY");
    e.image = get("PODPULL_TEST_IMAGE");
    e.image_id = get("PODPULL_TEST_IMAGE_ID");
    e.oci_archive = get("PODPULL_TEST_OCI_ARCHIVE");
    e.oci_archive_id = get("PODPULL_TEST_OCI_ARCHIVE_ID");
    e.big_image = get("PODPULL_TEST_BIG_IMAGE");
    e.big_image_id = get("PODPULL_TEST_BIG_IMAGE_ID");
    e.slow_registry = get("PODPULL_TEST_SLOW_REGISTRY");
    e.slow_image = get("PODPULL_TEST_SLOW_IMAGE");
    e.slow_big_image = get("PODPULL_TEST_SLOW_BIG_IMAGE");
    e.derived_image = get("PODPULL_TEST_DERIVED_IMAGE");
    e.derived_image_id = get("PODPULL_TEST_DERIVED_IMAGE_ID");
    e.distinct_images = words(get("PODPULL_TEST_DISTINCT_IMAGES"));
    e.distinct_image_ids = words(get("PODPULL_TEST_DISTINCT_IMAGE_IDS"));
    e.python3 = get("PODPULL_TEST_PYTHON3");
    e.containers_conf = get("PODPULL_TEST_CONTAINERS_CONF");
    const char *release = std::getenv("PODPULL_TEST_RELEASE");
    e.release = release != nullptr && *release != '\0' ? release : "4.3";
    std::string key = e.release;
    std::replace(key.begin(), key.end(), '.', '_');
    e.podman = get(("PODPULL_TEST_PODMAN_" + key).c_str());
    e.podman_version = get(("PODPULL_TEST_PODMAN_VERSION_" + key).c_str());
    e.podman_exe = get(("PODPULL_TEST_PODMAN_EXE_" + key).c_str());
    e.podman_argv0 = get(("PODPULL_TEST_PODMAN_ARGV0_" + key).c_str());
    if (!missing.empty()) {
        out.error = std::string("the fixture's env file ") + path + " lacks:" + missing;
        return out;
    }
    if (std::sscanf(e.podman_version.c_str(), "%d.%d", &e.podman_major, &e.podman_minor) != 2 ||
        e.podman_version.rfind(e.release + ".", 0) != 0) {
        out.error = "podman " + e.release + " reports version '" + e.podman_version + "'";
        return out;
    }
    if (e.distinct_images.size() != 4 || e.distinct_image_ids.size() != 4) {
        out.error = "the fixture's env file does not name four distinct images with their IDs";
        return out;
    }
    std::vector<const std::string *> ids = {&e.image_id, &e.oci_archive_id, &e.big_image_id,
                                            &e.derived_image_id};
    for (const auto &id : e.distinct_image_ids) {
        ids.push_back(&id);
    }
    for (const auto *id : ids) {
        if (!is_hex64(*id)) {
            out.error = "the fixture's env file holds an image ID that is not 64 hex: " + *id;
            return out;
        }
    }
    for (const auto *file :
         {&e.oci_archive, &e.podman, &e.podman_exe, &e.python3, &e.containers_conf}) {
        if (!fs::exists(*file)) {
            out.error = "the fixture's env file names a file that does not exist: " + *file;
            return out;
        }
    }
    out.env = e;
    return out;
}

const Loaded &loaded_env() {
    static const Loaded loaded = load_env();
    return loaded;
}

std::vector<std::string> merged_environment(const std::vector<std::string> &extra) {
    std::vector<std::string> env;
    for (char **p = environ; p != nullptr && *p != nullptr; ++p) {
        std::string entry(*p);
        std::string key = entry.substr(0, entry.find('='));
        bool overridden = std::any_of(extra.begin(), extra.end(), [&](const std::string &x) {
            return x.compare(0, key.size() + 1, key + "=") == 0;
        });
        if (!overridden) {
            env.push_back(entry);
        }
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

std::vector<char *> c_array(std::vector<std::string> &strings) {
    std::vector<char *> out;
    out.reserve(strings.size() + 1);
    for (auto &s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

void check_spawn(int rc, const std::string &what) {
    if (rc != 0) {
        throw std::runtime_error(what + ": " + std::strerror(rc));
    }
}

} // namespace

const TestEnv &test_env() {
    const Loaded &loaded = loaded_env();
    if (!loaded.env) {
        FAIL("integration test fixture missing: " << loaded.error);
        throw std::logic_error("unreachable");
    }
    return *loaded.env;
}

namespace {

// Every test case says which podman it ran on, in the output and in its failure messages'
// context: the same binary runs once per release (tests/integration/CMakeLists.txt).
class ReleaseListener : public Catch::EventListenerBase {
  public:
    using Catch::EventListenerBase::EventListenerBase;
    void testCaseStarting(const Catch::TestCaseInfo &info) override {
        const Loaded &loaded = loaded_env();
        if (loaded.env)
            std::printf("[podman %s, %s] %s\n", loaded.env->podman_version.c_str(),
                        loaded.env->podman.c_str(), info.name.c_str());
        else
            std::printf("[podman unknown: %s] %s\n", loaded.error.c_str(), info.name.c_str());
        std::fflush(stdout);
    }
};
CATCH_REGISTER_LISTENER(ReleaseListener)

} // namespace

const OsImageEnv &os_image_env() {
    struct LoadedOs {
        std::optional<OsImageEnv> env;
        std::string error;
    };
    static const LoadedOs loaded = [] {
        LoadedOs out;
        EnvFile env_file = read_env_file();
        if (!env_file.error.empty()) {
            out.error = env_file.error;
            return out;
        }
        std::string missing;
        auto get = [&](const char *key) { return require_key(env_file.kv, key, missing); };
        OsImageEnv e;
        e.image = get("PODPULL_TEST_OS_IMAGE");
        e.image_id = get("PODPULL_TEST_OS_IMAGE_ID");
        e.manifest = get("PODPULL_TEST_OS_MANIFEST");
        e.sibling_image = get("PODPULL_TEST_OS_SIBLING_IMAGE");
        e.sibling_image_id = get("PODPULL_TEST_OS_SIBLING_IMAGE_ID");
        e.sibling_manifest = get("PODPULL_TEST_OS_SIBLING_MANIFEST");
        e.slow_image = get("PODPULL_TEST_SLOW_OS_IMAGE");
        e.slow_sibling_image = get("PODPULL_TEST_SLOW_OS_SIBLING_IMAGE");
        if (!missing.empty())
            out.error = "the fixture's env file lacks:" + missing +
                        " (was it set up with PODPULL_FIXTURE_OS_IMAGE=0?)";
        else
            out.env = e;
        return out;
    }();
    if (!loaded.env) {
        FAIL("integration test fixture missing: " << loaded.error);
        throw std::logic_error("unreachable");
    }
    return *loaded.env;
}

namespace {

struct LoadedAuth {
    std::optional<AuthTestEnv> env;
    std::string error;
};

LoadedAuth load_auth_env() {
    LoadedAuth out;
    EnvFile env_file = read_env_file();
    if (!env_file.error.empty()) {
        out.error = env_file.error;
        return out;
    }
    std::string missing;
    auto get = [&](const char *key) { return require_key(env_file.kv, key, missing); };
    AuthTestEnv e;
    e.registry = get("PODPULL_TEST_AUTH_REGISTRY");
    e.image = get("PODPULL_TEST_AUTH_IMAGE");
    e.image_id = get("PODPULL_TEST_AUTH_IMAGE_ID");
    e.user = get("PODPULL_TEST_AUTH_USER");
    e.password = get("PODPULL_TEST_AUTH_PASSWORD");
    e.ca_dir = get("PODPULL_TEST_CA_DIR");
    if (!missing.empty()) {
        out.error = "the fixture's env file lacks:" + missing +
                    " (an env file from a registry-up.sh without the TLS registry?)";
        return out;
    }
    if (!is_hex64(e.image_id)) {
        out.error = "the fixture's env file holds an image ID that is not 64 hex: " + e.image_id;
        return out;
    }
    if (!fs::exists(fs::path(e.ca_dir) / "ca.crt")) {
        out.error = "the fixture's CA dir holds no ca.crt: " + e.ca_dir;
        return out;
    }
    // Long and random, so that finding it anywhere is no coincidence.
    if (e.password.size() < 16) {
        out.error = "the fixture's password is shorter than 16 characters";
        return out;
    }
    out.env = e;
    return out;
}

} // namespace

const AuthTestEnv &auth_test_env() {
    static const LoadedAuth loaded = load_auth_env();
    if (!loaded.env) {
        FAIL("integration test fixture missing: " << loaded.error);
        throw std::logic_error("unreachable");
    }
    return *loaded.env;
}

// ---- small utilities ------------------------------------------------------------------------

bool is_hex64(const std::string &s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool contains(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

bool contains_nocase(const std::string &haystack, const std::string &needle) {
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    };
    return contains(lower(haystack), lower(needle));
}

std::string read_file(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const fs::path &path, const std::string &text, unsigned mode) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) {
            throw std::runtime_error("cannot write " + path.string());
        }
    }
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
        throw std::runtime_error("cannot chmod " + path.string());
    }
}

std::vector<std::string> dir_entries(const fs::path &dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- processes ------------------------------------------------------------------------------

RunResult run_process(const std::vector<std::string> &argv,
                      const std::vector<std::string> &extra_env, int timeout_ms) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    std::vector<std::string> args = argv;
    std::vector<std::string> env = merged_environment(extra_env);
    auto c_args = c_array(args);
    auto c_env = c_array(env);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, c_args[0], &fa, nullptr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        check_spawn(rc, "posix_spawn " + argv[0]);
    }
    RunResult result;
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    bool timed_out = false;
    int open_fds = 2;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            char buf[4096];
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    if (timed_out) {
        ::kill(pid, SIGKILL);
    }
    for (auto &p : fds) {
        if (p.fd >= 0) {
            ::close(p.fd);
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = (!timed_out && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    return result;
}

Spawned spawn_process(const std::vector<std::string> &argv,
                      const std::vector<std::string> &extra_env, const fs::path &log_file) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<std::string> args = argv;
    std::vector<std::string> env = merged_environment(extra_env);
    auto c_args = c_array(args);
    auto c_env = c_array(env);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, c_args[0], &fa, nullptr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&fa);
    check_spawn(rc, "posix_spawn " + argv[0]);
    return Spawned{pid};
}

int stop_process(Spawned &child, int grace_ms) {
    if (child.pid <= 0) {
        return -1;
    }
    ::kill(child.pid, SIGTERM);
    int status = 0;
    auto deadline = Clock::now() + std::chrono::milliseconds(grace_ms);
    while (true) {
        pid_t r = ::waitpid(child.pid, &status, WNOHANG);
        if (r == child.pid) {
            child.pid = -1;
            return status;
        }
        if (r < 0 && errno != EINTR) {
            child.pid = -1;
            return -1;
        }
        if (Clock::now() >= deadline) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(child.pid, SIGKILL);
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    child.pid = -1;
    return status;
}

std::vector<ProcInfo> children_of_this_process() {
    std::vector<ProcInfo> out;
    const int self = static_cast<int>(::getpid());
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            continue;
        }
        std::string stat = read_file(entry.path() / "stat");
        auto open = stat.find('(');
        auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close + 4 > stat.size()) {
            continue;
        }
        ProcInfo p;
        p.pid = std::atoi(name.c_str());
        p.comm = stat.substr(open + 1, close - open - 1);
        p.state = stat[close + 2];
        p.ppid = std::atoi(stat.c_str() + close + 4);
        if (p.ppid == self) {
            out.push_back(p);
        }
    }
    return out;
}

std::string describe(const std::vector<ProcInfo> &procs) {
    std::string s;
    for (const auto &p : procs) {
        s += "pid " + std::to_string(p.pid) + " (" + p.comm + ") state " + p.state + "\n";
    }
    return s.empty() ? "none" : s;
}

bool process_exists(int pid) {
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

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

namespace {

// A new directory from `pattern` (mkdtemp), registered with the fixture, whose cleanup removes
// it should this process be killed before the sandbox's destructor runs (a ctest timeout).
fs::path make_registered_dir(std::string pattern) {
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + pattern + " failed");
    }
    const fs::path dir(pattern);
    write_file(dir / ".podpull-sandbox", "");
    std::ofstream list(fs::path(test_env().state_dir) / "sandboxes", std::ios::app);
    list << dir.string() << "\n";
    return dir;
}

} // namespace

Sandbox::Sandbox() {
    const char *tmp = std::getenv("TMPDIR");
    dir_ = make_registered_dir(std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                               "/podpull-it-XXXXXX");
    var_tmp_before_ = podman_entries_of_var_tmp();
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
    std::vector<std::string> new_in_var_tmp;
    for (const auto &name : podman_entries_of_var_tmp()) {
        if (std::find(var_tmp_before_.begin(), var_tmp_before_.end(), name) ==
            var_tmp_before_.end()) {
            new_in_var_tmp.push_back(name);
        }
    }
    std::string var_tmp_list;
    for (const auto &name : new_in_var_tmp) {
        var_tmp_list += " " + name;
    }
    INFO("new in /var/tmp:" << var_tmp_list);
    CHECK(new_in_var_tmp.empty());

    // Reported above; now kill and reap them (they are ours) so later tests start clean.
    for (const auto &p : children) {
        ::kill(p.pid, SIGKILL);
        int status = 0;
        ::waitpid(p.pid, &status, 0);
    }
}

// ---- the podpull command as a host ----------------------------------------------------------

std::vector<std::string> cli_pull_argv(const std::string &cli, const Sandbox &box,
                                       const ServiceDirs &dirs, const std::string &image) {
    return {cli,
            "pull",
            "--podman",
            test_env().podman,
            "--root",
            dirs.root.string(),
            "--runroot",
            dirs.runroot.string(),
            "--storage-driver",
            dirs.driver,
            "--runtime-dir",
            box.runtime_dir().string(),
            "--env",
            "CONTAINERS_CONF=" + dirs.containers_conf.string(),
            "--tls-verify=false",
            "--json",
            image};
}

bool cli_is_copying(const std::string &json_output) {
    if (contains(json_output, "Copying blob")) {
        return true;
    }
    const std::string key = R"({"event":"progress","bytes":)";
    for (auto at = json_output.find(key); at != std::string::npos;
         at = json_output.find(key, at + 1)) {
        const char first =
            at + key.size() < json_output.size() ? json_output[at + key.size()] : '0';
        if (first >= '1' && first <= '9') {
            return true;
        }
    }
    return false;
}

// ---- a podman service of the test's own ------------------------------------------------------

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

// ---- one pull -------------------------------------------------------------------------------

PullRecorder::PullRecorder() : caller_(std::this_thread::get_id()) {}

podpull_callbacks PullRecorder::callbacks() {
    podpull_callbacks cb;
    podpull_callbacks_init(&cb);
    cb.user_data = this;
    cb.on_route = &PullRecorder::route_cb;
    cb.on_status = &PullRecorder::status_cb;
    cb.on_blob = &PullRecorder::blob_cb;
    return cb;
}

void PullRecorder::mark_started() {
    std::lock_guard<std::mutex> lock(mutex_);
    caller_ = std::this_thread::get_id();
}

void PullRecorder::mark_returned() {
    returned_.store(true);
}

void PullRecorder::common(char kind) {
    // mutex_ held by the caller
    if (returned_.load()) {
        ++s_.after_return;
    }
    if (std::this_thread::get_id() != caller_) {
        ++s_.wrong_thread;
    }
    if (s_.sequence.empty()) {
        s_.route_first = (kind == 'R');
    }
    if (s_.sequence.size() < 400) {
        s_.sequence += kind;
    }
}

void PullRecorder::route_cb(void *ud, podpull_route route, const char *reason) {
    auto *self = static_cast<PullRecorder *>(ud);
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->common('R');
    ++self->s_.route_calls;
    self->s_.route = route;
    self->s_.reason = reason != nullptr ? reason : "";
}

void PullRecorder::status_cb(void *ud, const char *line) {
    auto *self = static_cast<PullRecorder *>(ud);
    std::string text = line != nullptr ? line : "";
    {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->common('S');
        self->s_.status.push_back(text);
    }
    if (self->on_status_hook) {
        self->on_status_hook(text);
    }
}

int PullRecorder::blob_cb(void *ud, const podpull_blob_progress *progress) {
    auto *self = static_cast<PullRecorder *>(ud);
    {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->common('B');
        ++self->s_.blob_calls;
        if (progress != nullptr && self->s_.blobs.size() < 10000) {
            BlobEvent e;
            e.id = progress->id != nullptr ? progress->id : "(null)";
            e.state = progress->state;
            e.current = progress->current;
            e.total = progress->total;
            e.pull_current = progress->pull_current;
            e.pull_total = progress->pull_total;
            e.blobs_seen = progress->blobs_seen;
            e.blobs_done = progress->blobs_done;
            self->s_.blobs.push_back(e);
        }
    }
    if (progress != nullptr && self->on_blob_hook) {
        return self->on_blob_hook(*progress);
    }
    return 0;
}

PullRecorder::Snapshot PullRecorder::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return s_;
}

std::string PullRecorder::summary() const {
    Snapshot s = snapshot();
    std::ostringstream o;
    o << "callbacks: on_route x" << s.route_calls << " (route " << static_cast<int>(s.route)
      << ", reason \"" << s.reason << "\"), on_status x" << s.status.size() << ", on_blob x"
      << s.blob_calls << ", wrong thread x" << s.wrong_thread << ", after return x"
      << s.after_return << ", order " << s.sequence << "\n";
    for (size_t i = 0; i < s.status.size() && i < 40; ++i) {
        o << "  status: " << s.status[i] << "\n";
    }
    for (size_t i = 0; i < s.blobs.size() && i < 60; ++i) {
        const auto &b = s.blobs[i];
        o << "  blob: " << b.id << " state " << static_cast<int>(b.state) << " " << b.current << "/"
          << b.total << " pull " << b.pull_current << "/" << b.pull_total << " blobs "
          << b.blobs_done << "/" << b.blobs_seen << "\n";
    }
    return o.str();
}

std::string PullOutcome::describe() const {
    std::ostringstream o;
    o << "pull returned " << code_str << " (" << static_cast<int>(code) << ") after " << seconds
      << " s; error " << (have_error ? "set" : "NULL") << " [code " << static_cast<int>(error_code)
      << "] \"" << message << "\"; result " << (have_result ? "set" : "NULL") << " [id " << image_id
      << ", route " << static_cast<int>(route) << ", bytes " << bytes << "]";
    return o.str();
}

PullOutcome pull(podpull_client *client, const std::string &image, PullRecorder &rec,
                 const podpull_pull_options *opts) {
    podpull_callbacks cb = rec.callbacks();
    podpull_result *res = nullptr;
    podpull_error *err = nullptr;
    rec.mark_started();
    auto start = Clock::now();
    PullOutcome o;
    o.code = podpull_pull(client, image.c_str(), opts, &cb, &res, &err);
    o.seconds = seconds_since(start);
    rec.mark_returned();
    o.code_str = podpull_code_str(o.code);
    o.have_result = res != nullptr;
    o.have_error = err != nullptr;
    if (res != nullptr) {
        o.image_id = podpull_result_image_id(res);
        o.route = podpull_result_route(res);
        o.bytes = podpull_result_bytes(res);
    }
    if (err != nullptr) {
        o.error_code = podpull_error_code(err);
        o.message = podpull_error_message(err);
    }
    podpull_result_free(res);
    podpull_error_free(err);
    return o;
}

std::string ConnectOutcome::describe() const {
    std::ostringstream o;
    o << "connect returned " << podpull_code_str(code) << " (" << static_cast<int>(code)
      << ") after " << seconds << " s; client " << (client != nullptr ? "set" : "NULL")
      << "; error " << (have_error ? "set" : "NULL") << " [code " << static_cast<int>(error_code)
      << "] \"" << message << "\"";
    return o.str();
}

ConnectOutcome connect(const podpull_connect_options &opts) {
    ConnectOutcome o;
    podpull_error *err = nullptr;
    auto start = Clock::now();
    o.code = podpull_connect(&opts, &o.client, &err);
    o.seconds = seconds_since(start);
    o.have_error = err != nullptr;
    if (err != nullptr) {
        o.error_code = podpull_error_code(err);
        o.message = podpull_error_message(err);
    }
    podpull_error_free(err);
    return o;
}

podpull_client *connect_or_fail(const Sandbox &box, const podpull_connect_options &opts) {
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    REQUIRE(c.code == PODPULL_OK);
    REQUIRE(c.client != nullptr);
    REQUIRE_FALSE(c.have_error);
    return c.client;
}

podpull_pull_options insecure_pull_options() {
    podpull_pull_options o;
    podpull_pull_options_init(&o);
    o.tls_verify = 0;
    return o;
}

// ---- the recording wrapper ------------------------------------------------------------------

fs::path write_recording_wrapper(const fs::path &dir) {
    const fs::path script = dir / "podman-wrapper";
    const fs::path report = dir / "wrapper-report";
    const TestEnv &env = test_env();
    std::string text = "#!" + env.python3 + " -I\n" +
                       R"PY(# Records this invocation, then becomes the real podman.
import os, sys
fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))  # includes listdir's own fd
lines = ["BEGIN"]
for a in sys.argv[1:]:
    lines.append("ARG " + a.replace("\\", "\\\\").replace("\n", "\\n"))
for fd in fds:
    try:
        target = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        target = ""  # the directory fd listdir used, closed by now
    lines.append("FD %d %s" % (fd, target))
mark = os.environ.get("PODPULL_WRAPPER_MARK")
if mark is not None:
    lines.append("MARK " + mark)
lines.append("END")
with open(REPORT, "a") as f:
    f.write("\n".join(lines) + "\n")
os.execv(PODMAN, [PODMAN] + sys.argv[1:])
)PY";
    auto replace = [&text](const std::string &what, const std::string &with) {
        auto pos = text.find(what);
        text.replace(pos, what.size(), with);
    };
    replace("REPORT, \"a\"", "\"" + report.string() + "\", \"a\"");
    replace("os.execv(PODMAN, [PODMAN]",
            "os.execv(\"" + env.podman + "\", [\"" + env.podman + "\"]");
    write_file(script, text, 0755);
    return script;
}

bool WrapperRecord::has_args(const std::vector<std::string> &seq) const {
    return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

bool WrapperRecord::has_option(const std::string &name, const std::string &value) const {
    return has_args({name, value}) ||
           std::find(argv.begin(), argv.end(), name + "=" + value) != argv.end();
}

std::vector<WrapperRecord> read_wrapper_report(const fs::path &report) {
    std::vector<WrapperRecord> records;
    std::istringstream in(read_file(report));
    std::string line;
    WrapperRecord cur;
    while (std::getline(in, line)) {
        if (line == "BEGIN") {
            cur = WrapperRecord{};
        } else if (line == "END") {
            records.push_back(cur);
        } else if (line.rfind("ARG ", 0) == 0) {
            cur.argv.push_back(line.substr(4));
        } else if (line.rfind("FD ", 0) == 0) {
            std::string rest = line.substr(3);
            auto sp = rest.find(' ');
            int fd = std::atoi(rest.substr(0, sp).c_str());
            cur.fds[fd] = sp == std::string::npos ? "" : rest.substr(sp + 1);
        } else if (line.rfind("MARK ", 0) == 0) {
            cur.mark = line.substr(5);
        }
    }
    return records;
}

} // namespace podpull_test
