// What test_concurrency.cpp and test_security.cpp watch from outside the library: this
// process's fds, threads and RSS, the processes it (or a host it runs) started, and a client
// handle that is freed when a test ends early.
#pragma once

#include "test_support.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace podpull_test {

std::size_t open_fd_count(); // entries of /proc/self/fd
std::size_t thread_count();  // entries of /proc/self/task
long rss_kib();              // VmRSS of /proc/self/status
std::vector<int> children_named(int parent, const std::string &comm);
int parent_of(int pid);      // from /proc/PID/stat; -1 when gone
std::string exe_of(int pid); // readlink /proc/PID/exe; "" when gone
std::vector<std::string> cmdline_of(int pid);
std::vector<std::string> environ_of(int pid); // /proc/PID/environ entries

// The socket path from the library's "podman service ready at PATH" debug line; "" if none.
std::string socket_from_log(const std::string &log_text);

} // namespace podpull_test
