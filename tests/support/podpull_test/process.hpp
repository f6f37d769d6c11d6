// SPDX-License-Identifier: MIT OR Apache-2.0
// Processes: running a command, starting one that keeps running, and looking at what runs
// (this process's children, fds, threads and memory; any process's parent, exe, argv and
// environment) through /proc.
#pragma once

#include "podpull_test/util.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace podpull_test {

struct RunResult {
    int exit_code = -1; // -1: killed by a signal or timed out
    std::string out, err;
};
// Runs argv (argv[0] is an absolute path) with the environment plus `extra_env` (which wins),
// stdin from /dev/null, and waits at most timeout_ms (then kills it).
RunResult run_process(const std::vector<std::string> &argv,
                      const std::vector<std::string> &extra_env = {}, int timeout_ms = 120000);

// A child that keeps running (a test's own podman service, a registry, a fake).
struct Spawned {
    int pid = -1;
};
// Starts argv like run_process, its stdout and stderr appended to `log_file`.
Spawned spawn_process(const std::vector<std::string> &argv,
                      const std::vector<std::string> &extra_env, const fs::path &log_file);
// SIGTERM, wait up to grace_ms, SIGKILL, reap. Returns the wait status or -1.
int stop_process(Spawned &child, int grace_ms = 10000);

// An executable from $PATH, as an absolute path; "" when there is none.
std::string find_in_path(const std::string &name);

struct ProcInfo {
    int pid = 0;
    int ppid = 0;
    char state = '?';
    std::string comm;
};
// Every process whose parent is this process (zombies included).
std::vector<ProcInfo> children_of_this_process();
// The pids of the children of `parent` whose comm is `comm`.
std::vector<int> children_named(int parent, const std::string &comm);
std::string describe(const std::vector<ProcInfo> &procs);
bool process_exists(int pid); // running or a zombie
int parent_of(int pid);       // -1 when gone
std::string exe_of(int pid);  // readlink /proc/PID/exe; "" when gone
std::vector<std::string> cmdline_of(int pid);
std::vector<std::string> environ_of(int pid);

// Watches, on a thread of its own from construction to stop(), the files this process's
// children (podman services, `podman pull`) hold open, and notes those below `prefix`: what
// a podman wrote where it must not (a chroot release shares the host's /var/tmp). Scans
// every 20 ms; a blob staged there is open for far longer.
class OpenFileWatch {
  public:
    explicit OpenFileWatch(std::string prefix);
    ~OpenFileWatch();
    OpenFileWatch(const OpenFileWatch &) = delete;
    OpenFileWatch &operator=(const OpenFileWatch &) = delete;
    void stop();
    int scans() const;
    std::vector<std::string> seen() const; // "pid N (comm): path", at most 50

  private:
    struct State;
    std::unique_ptr<State> state_;
};

std::size_t open_fd_count(); // entries of /proc/self/fd
std::size_t thread_count();  // entries of /proc/self/task
long rss_kib();              // VmRSS of /proc/self/status

} // namespace podpull_test
