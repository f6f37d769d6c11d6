#include "process_watch.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace podpull_test {

namespace {

bool all_digits(const std::string &s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
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

} // namespace

std::size_t open_fd_count() {
    return dir_entries("/proc/self/fd").size();
}

std::size_t thread_count() {
    return dir_entries("/proc/self/task").size();
}

long rss_kib() {
    std::istringstream in(read_file("/proc/self/status"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atol(line.c_str() + 6);
        }
    }
    return -1;
}

std::vector<int> children_named(int parent, const std::string &comm) {
    std::vector<int> out;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (!all_digits(name)) {
            continue;
        }
        const std::string stat = read_file(entry.path() / "stat");
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close + 4 > stat.size()) {
            continue;
        }
        if (stat.substr(open + 1, close - open - 1) == comm &&
            std::atoi(stat.c_str() + close + 4) == parent) {
            out.push_back(std::atoi(name.c_str()));
        }
    }
    return out;
}

int parent_of(int pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 > stat.size()) {
        return -1;
    }
    return std::atoi(stat.c_str() + close + 4);
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

std::string socket_from_log(const std::string &log_text) {
    const std::string key = "podman service ready at ";
    const auto pos = log_text.find(key);
    if (pos == std::string::npos) {
        return {};
    }
    const auto begin = pos + key.size();
    const auto end = log_text.find(' ', begin);
    return log_text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

} // namespace podpull_test
