// SPDX-License-Identifier: MIT OR Apache-2.0
#include "process_activity.hpp"

#include <charconv>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace podpull::io {
namespace {

// The parent of every process now running: /proc/PID/stat's fourth field, read after the
// last ')' since the command name may hold spaces and parentheses.
std::multimap<int, int> children_by_parent() {
    std::multimap<int, int> children;
    DIR *proc = ::opendir("/proc");
    if (proc == nullptr)
        return children;
    while (const dirent *entry = ::readdir(proc)) {
        int pid = 0;
        const std::string_view name = entry->d_name;
        if (std::from_chars(name.data(), name.data() + name.size(), pid).ptr !=
            name.data() + name.size())
            continue;
        std::ifstream stat_file("/proc/" + std::string(name) + "/stat");
        std::string stat;
        std::getline(stat_file, stat);
        const auto close = stat.rfind(')');
        int parent = 0;
        char state = 0;
        if (close != std::string::npos &&
            std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &parent) == 2)
            children.emplace(parent, pid);
    }
    ::closedir(proc);
    return children;
}

std::optional<std::uint64_t> own_io(int pid) {
    std::ifstream io_file("/proc/" + std::to_string(pid) + "/io");
    if (!io_file)
        return std::nullopt;
    std::uint64_t sum = 0;
    bool read_any = false;
    std::string key;
    std::uint64_t value = 0;
    while (io_file >> key >> value) {
        if (key == "rchar:" || key == "wchar:") {
            sum += value;
            read_any = true;
        }
    }
    return read_any ? std::optional(sum) : std::nullopt;
}

} // namespace

std::optional<std::uint64_t> process_tree_io(int pid) {
    const auto top = own_io(pid);
    if (!top)
        return std::nullopt;
    std::uint64_t sum = *top;
    const auto children = children_by_parent();
    std::vector<int> pending{pid};
    while (!pending.empty()) {
        const int parent = pending.back();
        pending.pop_back();
        const auto [first, last] = children.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            sum += own_io(it->second).value_or(0); // one that just ended counts no more
            pending.push_back(it->second);
        }
    }
    return sum;
}

} // namespace podpull::io
