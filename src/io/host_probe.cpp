#include "host_probe.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace podpull::io {

HostFacts probe_host() {
    HostFacts facts;
    facts.is_open_fd = [](int fd) { return ::fcntl(fd, F_GETFD) >= 0; };
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

} // namespace podpull::io
