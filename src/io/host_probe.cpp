// SPDX-License-Identifier: MIT OR Apache-2.0
#include "host_probe.hpp"

#include "child_process.hpp"
#include "core/error.hpp"

#include <sys/utsname.h>

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace podpull::io {

HostFacts probe_host() {
    HostFacts facts;
    facts.is_open_fd = [](int fd) { return ::fcntl(fd, F_GETFD) >= 0; };
    facts.is_directory_fd = [](int fd) {
        struct stat st {};
        return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    };
    facts.is_writable_dir = [](const std::string &path) {
        struct stat st {};
        return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
               ::access(path.c_str(), W_OK | X_OK) == 0;
    };
    if (const char *xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg != '\0')
        facts.xdg_runtime_dir = xdg;
    if (const char *tmpdir = std::getenv("TMPDIR"); tmpdir != nullptr && *tmpdir != '\0')
        facts.tmpdir = tmpdir;
    return facts;
}

std::string host_search_path() {
    const char *path = std::getenv("PATH");
    return path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
}

ManifestFacts probe_manifest_facts(const std::vector<std::string> &child_env) {
    ManifestFacts facts;
    auto value = [&](std::string_view key) -> std::optional<std::string> {
        for (const auto &entry : child_env) {
            if (entry.size() > key.size() && entry.starts_with(key) && entry[key.size()] == '=')
                return entry.substr(key.size() + 1);
        }
        return std::nullopt;
    };
    try {
        facts.skopeo = resolve_executable("skopeo", value("PATH").value_or(host_search_path()));
    } catch (const Error &) {
        facts.skopeo.reset(); // the plan says why there are no sizes
    }
    struct utsname names {};
    facts.host = host_platform(::uname(&names) == 0 ? names.machine : "x86_64");
    facts.registries_conf = value("CONTAINERS_REGISTRIES_CONF");
    return facts;
}

} // namespace podpull::io
