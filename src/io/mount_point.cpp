// SPDX-License-Identifier: MIT OR Apache-2.0
#include "mount_point.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace podpull::io {
namespace {

[[noreturn]] void refuse(const std::string &alias, const std::string &component, int error) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("storage_root_alias {} cannot be made: {}: {}",
                            quote_for_message(alias, 80), quote_for_message(component, 80),
                            std::strerror(error)));
}

void make_directory(const std::string &alias, const std::string &path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) == 0)
        return;
    const int error = errno;
    struct stat st {};
    if (error == EEXIST && ::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return;
        refuse(alias, path, ENOTDIR);
    }
    refuse(alias, path, error);
}

} // namespace

void make_mount_point(const std::string &alias) {
    for (std::size_t slash = alias.find('/', 1); slash != std::string::npos;
         slash = alias.find('/', slash + 1))
        make_directory(alias, alias.substr(0, slash), 0755);
    make_directory(alias, alias, 0700);
}

} // namespace podpull::io
