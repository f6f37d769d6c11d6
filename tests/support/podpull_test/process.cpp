// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/process.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace podpull_test {

namespace {

// This process's environment with `extra` added; an `extra` entry replaces the same name.
std::vector<std::string> merged_environment(const std::vector<std::string> &extra) {
    std::vector<std::string> env;
    for (char **p = environ; p != nullptr && *p != nullptr; ++p) {
        const std::string entry(*p);
        const std::string key = entry.substr(0, entry.find('='));
        const bool overridden = std::any_of(extra.begin(), extra.end(), [&](const std::string &x) {
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

// posix_spawn of argv with the merged environment and `actions`; the errno it failed with,
// or 0 with *pid set.
int spawn(const std::vector<std::string> &argv, const std::vector<std::string> &extra_env,
          posix_spawn_file_actions_t &actions, pid_t *pid) {
    std::vector<std::string> args = argv;
    std::vector<std::string> env = merged_environment(extra_env);
    auto c_args = c_array(args);
    auto c_env = c_array(env);
    const int rc = posix_spawn(pid, c_args[0], &actions, nullptr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

[[noreturn]] void spawn_failed(int rc, const std::string &program) {
    throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
}

std::vector<std::string> split_nul(const std::string &text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\0', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

// /proc/PID/stat of `pid_dir`, parsed; nullopt for a process that went away or another entry.
std::optional<ProcInfo> proc_info(const fs::path &pid_dir) {
    const std::string name = pid_dir.filename().string();
    if (name.empty() ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    const std::string stat = read_file(pid_dir / "stat");
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > stat.size()) {
        return std::nullopt;
    }
    ProcInfo p;
    p.pid = std::atoi(name.c_str());
    p.comm = stat.substr(open + 1, close - open - 1);
    p.state = stat[close + 2];
    p.ppid = std::atoi(stat.c_str() + close + 4);
    return p;
}

std::vector<ProcInfo> processes_whose_parent_is(int parent) {
    std::vector<ProcInfo> out;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator("/proc", ec)) {
        const auto p = proc_info(entry.path());
        if (p && p->ppid == parent) {
            out.push_back(*p);
        }
    }
    return out;
}

} // namespace

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
    pid_t pid = -1;
    const int rc = spawn(argv, extra_env, fa, &pid);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        spawn_failed(rc, argv[0]);
    }
    RunResult result;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    bool timed_out = false;
    int open_fds = 2;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    while (open_fds > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        const int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            char buf[4096];
            const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
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
    pid_t pid = -1;
    const int rc = spawn(argv, extra_env, fa, &pid);
    if (rc != 0) {
        spawn_failed(rc, argv[0]);
    }
    return Spawned{pid};
}

int stop_process(Spawned &child, int grace_ms) {
    if (child.pid <= 0) {
        return -1;
    }
    ::kill(child.pid, SIGTERM);
    int status = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(grace_ms);
    while (true) {
        const pid_t r = ::waitpid(child.pid, &status, WNOHANG);
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

std::string find_in_path(const std::string &name) {
    const char *path = std::getenv("PATH");
    const std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t pos = 0;
    while (pos <= dirs.size()) {
        auto end = dirs.find(':', pos);
        if (end == std::string::npos) {
            end = dirs.size();
        }
        const fs::path candidate = fs::path(dirs.substr(pos, end - pos)) / name;
        if (end > pos && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        pos = end + 1;
    }
    return {};
}

std::vector<ProcInfo> children_of_this_process() {
    return processes_whose_parent_is(static_cast<int>(::getpid()));
}

std::vector<int> children_named(int parent, const std::string &comm) {
    std::vector<int> out;
    for (const auto &p : processes_whose_parent_is(parent)) {
        if (p.comm == comm) {
            out.push_back(p.pid);
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

int parent_of(int pid) {
    const auto p = proc_info(fs::path("/proc") / std::to_string(pid));
    return p ? p->ppid : -1;
}

std::string exe_of(int pid) {
    char buf[PATH_MAX];
    const std::string link = "/proc/" + std::to_string(pid) + "/exe";
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

std::vector<std::string> cmdline_of(int pid) {
    return split_nul(read_file("/proc/" + std::to_string(pid) + "/cmdline"));
}

std::vector<std::string> environ_of(int pid) {
    return split_nul(read_file("/proc/" + std::to_string(pid) + "/environ"));
}

struct OpenFileWatch::State {
    std::string prefix;
    std::atomic<bool> running{true};
    mutable std::mutex mutex;
    int scans = 0;
    std::vector<std::string> seen;
    std::thread thread;
};

OpenFileWatch::OpenFileWatch(std::string prefix) : state_(std::make_unique<State>()) {
    state_->prefix = std::move(prefix);
    State *st = state_.get();
    st->thread = std::thread([st] {
        while (st->running.load()) {
            std::vector<std::string> found;
            for (const auto &child : children_of_this_process()) {
                std::error_code ec;
                const fs::path fds = fs::path("/proc") / std::to_string(child.pid) / "fd";
                for (const auto &fd : fs::directory_iterator(fds, ec)) {
                    std::error_code link_ec;
                    const auto target = fs::read_symlink(fd.path(), link_ec).string();
                    if (!link_ec && target.rfind(st->prefix, 0) == 0) {
                        found.push_back("pid " + std::to_string(child.pid) + " (" + child.comm +
                                        "): " + target);
                    }
                }
            }
            {
                std::lock_guard<std::mutex> lock(st->mutex);
                ++st->scans;
                for (auto &f : found) {
                    if (st->seen.size() < 50 &&
                        std::find(st->seen.begin(), st->seen.end(), f) == st->seen.end()) {
                        st->seen.push_back(std::move(f));
                    }
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
}

OpenFileWatch::~OpenFileWatch() {
    stop();
}

void OpenFileWatch::stop() {
    state_->running.store(false);
    if (state_->thread.joinable()) {
        state_->thread.join();
    }
}

int OpenFileWatch::scans() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->scans;
}

std::vector<std::string> OpenFileWatch::seen() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->seen;
}

std::size_t open_fd_count() {
    return dir_entries("/proc/self/fd").size();
}

std::size_t thread_count() {
    return dir_entries("/proc/self/task").size();
}

long rss_kib() {
    for (const auto &line : lines_of(read_file("/proc/self/status"))) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atol(line.c_str() + 6);
        }
    }
    return -1;
}

} // namespace podpull_test
