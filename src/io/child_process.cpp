// SPDX-License-Identifier: MIT OR Apache-2.0
#include "child_process.hpp"

#include "core/error.hpp"

#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sched.h>
#include <string_view>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace podpull::io {
namespace bp2 = boost::process::v2;

namespace {

// Exit status of a child whose setup failed before exec (podman's own for "the command
// itself failed", so a caller that maps podman's statuses reads it as an early failure).
constexpr int setup_failed_status = 125;

// What the child needs to bind the storage root, prepared by the parent: the child may only
// make async-signal-safe calls, so no string is built after fork.
struct PreparedBinding {
    int fd = -1;
    std::string alias;
    std::string failure_lead; // "podpull: cannot give podman the storage root at ALIAS: "
};

std::optional<PreparedBinding> prepare_binding(const std::optional<StorageBinding> &binding) {
    if (!binding)
        return std::nullopt;
    return PreparedBinding{
        binding->fd, binding->alias,
        fmt::format("podpull: cannot give podman the storage root at {}: ", binding->alias)};
}

void write_all_to_stderr(std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Runs in the child between fork and exec, after the stdio initializer has put 0-2 in place.
// Only async-signal-safe calls here: the parent may have other threads.
struct ChildSetup {
    const std::vector<InheritedFd> &inherited;
    const std::optional<PreparedBinding> &binding;
    pid_t parent;

    boost::system::error_code on_exec_setup(bp2::posix::default_launcher &launcher,
                                            const bp2::filesystem::path &, const char *const *) {
        // The parent's thread is the one whose death we follow; if it is already gone, the
        // signal would never come, so do not start at all.
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            return last_error();
        if (::getppid() != parent)
            ::_exit(127);

        // Signal dispositions set to "ignore" and the blocked mask survive exec; podman must
        // start with defaults so that SIGTERM stops it.
        for (int sig = 1; sig < NSIG; ++sig)
            if (sig != SIGKILL && sig != SIGSTOP)
                ::signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);

        // Before the inherited fds are placed: the directory's fd may be one of their targets.
        if (binding)
            bind_storage(*binding);
        if (auto ec = place_inherited(); ec)
            return ec;
        close_others(launcher);
        return {};
    }

    // bootc's way (podstorage.rs, bind_storage_roots): mount(2) will not take the directory
    // as /proc/self/fd/N, but it takes the working directory, so the child moves into the
    // directory, unshares, binds ".", and moves back (podman resolves relative paths, an
    // oci: layout's say, against it). Private propagation first: a bind made under a shared
    // mount would otherwise appear in the host's mount table too.
    static void bind_storage(const PreparedBinding &binding) {
        const int old_cwd = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (old_cwd < 0)
            binding_failed(binding, "open(\".\")");
        if (::fchdir(binding.fd) != 0)
            binding_failed(binding, "fchdir");
        if (::unshare(CLONE_NEWNS) != 0)
            binding_failed(binding, "unshare(CLONE_NEWNS)");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            binding_failed(binding, "making the mounts private");
        if (::mount(".", binding.alias.c_str(), nullptr, MS_BIND, nullptr) != 0)
            binding_failed(binding, "bind mount");
        if (::fchdir(old_cwd) != 0)
            binding_failed(binding, "fchdir back");
        ::close(old_cwd);
    }

    [[noreturn]] static void binding_failed(const PreparedBinding &binding, const char *step) {
        const int error = errno;
        write_all_to_stderr(binding.failure_lead);
        write_all_to_stderr(step);
        write_all_to_stderr(": ");
        const char *name = ::strerrorname_np(error); // a table lookup: safe after fork
        write_all_to_stderr(name != nullptr ? name : "an unknown error");
        write_all_to_stderr("\n");
        ::_exit(setup_failed_status);
    }

    // Puts each inherited fd at its target. Sources are first moved above every target, so
    // that placing one cannot overwrite another's source; dup2 then clears FD_CLOEXEC on the
    // target (dup2 of an fd onto itself would not, which is why the detour is taken always).
    boost::system::error_code place_inherited() const {
        std::array<int, max_inherited> moved{};
        for (std::size_t i = 0; i < inherited.size(); ++i) {
            moved[i] = ::fcntl(inherited[i].source, F_DUPFD_CLOEXEC, first_free_fd);
            if (moved[i] < 0)
                return last_error();
        }
        for (std::size_t i = 0; i < inherited.size(); ++i)
            if (::dup2(moved[i], inherited[i].target) < 0)
                return last_error();
        return {};
    }

    // Closes every fd but 0-2, the inherited targets, and the launcher's own (close-on-exec)
    // error pipe. Boost 1.83's close_all skips the gaps between whitelisted fds, so fds
    // between 3 and the error pipe would leak into the child without this.
    void close_others(bp2::posix::default_launcher &launcher) const {
        std::array<int, 3 + max_inherited + 8> keep{0, 1, 2};
        std::size_t count = 3;
        for (const auto &fd : inherited)
            keep[count++] = fd.target;
        for (int fd : launcher.fd_whitelist)
            if (fd > 2 && count < keep.size())
                keep[count++] = fd;
        std::sort(keep.begin(), keep.begin() + static_cast<std::ptrdiff_t>(count));
        int next = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (keep[i] > next)
                close_range_or_loop(next, keep[i] - 1);
            next = std::max(next, keep[i] + 1);
        }
        close_range_or_loop(next, INT_MAX);
        for (const auto &fd : inherited)
            launcher.fd_whitelist.push_back(fd.target); // so Boost's own pass keeps them too
    }

    static boost::system::error_code last_error() {
        return {errno, boost::system::system_category()};
    }

    static void close_range_or_loop(int first, int last) {
        if (::close_range(static_cast<unsigned>(first), static_cast<unsigned>(last), 0) == 0)
            return;
        const long limit = std::min<long>(::sysconf(_SC_OPEN_MAX), last + 1L);
        for (long fd = first; fd < limit; ++fd)
            ::close(static_cast<int>(fd));
    }
};

// Ends and reaps a child that no process handle owns.
void reap(pid_t pid) {
    if (pid <= 0)
        return;
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

// Why a child's handle could not be made: Boost reports an invalid descriptor when pidfd_open
// failed, so ask the kernel again for the real reason.
std::string why_unwatchable(const boost::system::error_code &ec) {
    const long fd = ::syscall(SYS_pidfd_open, ::getpid(), 0);
    if (fd >= 0) {
        ::close(static_cast<int>(fd));
        return ec.message();
    }
    return fmt::format("pidfd_open: {} (podpull needs Linux 5.3 or later)", std::strerror(errno));
}

bool is_executable_file(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

} // namespace

std::string resolve_executable(const std::string &podman_path, const std::string &search_path) {
    if (podman_path.find('/') != std::string::npos) {
        if (!is_executable_file(podman_path))
            throw Error(ErrorCode::podman_not_found,
                        fmt::format("podman not found: {} is not an executable file", podman_path));
        return podman_path;
    }
    std::string_view rest = search_path;
    while (true) {
        const auto colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        if (dir.empty())
            dir = ".";
        if (auto candidate = dir + "/" + podman_path; is_executable_file(candidate))
            return candidate;
        if (colon == std::string_view::npos)
            break;
        rest.remove_prefix(colon + 1);
    }
    throw Error(ErrorCode::podman_not_found,
                fmt::format("podman not found: no executable '{}' in PATH", podman_path));
}

std::vector<std::string> child_environment(const std::vector<std::string> &extra) {
    // What podman reads from its environment to find tools, config, storage and temp space.
    static constexpr std::array<std::string_view, 14> passed = {"PATH",
                                                                "HOME",
                                                                "TMPDIR",
                                                                "LANG",
                                                                "LC_ALL",
                                                                "XDG_RUNTIME_DIR",
                                                                "XDG_CONFIG_HOME",
                                                                "XDG_DATA_HOME",
                                                                "CONTAINERS_CONF",
                                                                "CONTAINERS_STORAGE_CONF",
                                                                "CONTAINERS_REGISTRIES_CONF",
                                                                "CONTAINERS_POLICY_JSON",
                                                                "REGISTRIES_CONFIG_PATH",
                                                                "STORAGE_DRIVER"};
    std::vector<std::string> env;
    auto key_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
    for (char **entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text = *entry;
        if (std::find(passed.begin(), passed.end(), key_of(text)) != passed.end())
            env.emplace_back(text);
    }
    if (std::none_of(env.begin(), env.end(), [&](const auto &e) { return key_of(e) == "PATH"; }))
        env.emplace_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (const auto &entry : extra) {
        const auto key = key_of(entry);
        std::erase_if(env, [&](const auto &e) { return key_of(e) == key; });
        env.push_back(entry);
    }
    return env;
}

ChildProcess launch_child(const boost::asio::any_io_executor &executor, const ChildSpec &spec,
                          bp2::process_stdio &&stdio) {
    const std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
    boost::system::error_code ec;
    bp2::posix::default_launcher launcher;
    if (spec.inherited.size() > max_inherited)
        throw Error(ErrorCode::internal, "too many fds to hand to a child");
    for (const auto &fd : spec.inherited)
        if (fd.target < 3 || fd.target >= first_free_fd)
            throw Error(ErrorCode::internal, "an inherited fd's target is out of range");
    const std::optional<PreparedBinding> binding = prepare_binding(spec.storage);
    std::optional<ChildProcess> process;
    try {
        process.emplace(launcher(executor, ec, spec.argv.front(), args, std::move(stdio),
                                 bp2::process_environment(spec.env),
                                 ChildSetup{spec.inherited, binding, ::getpid()}));
    } catch (const boost::system::system_error &e) {
        // Boost forked, then could not make the handle that watches the child (pidfd_open:
        // Linux 5.3, and not under valgrind 3.19). Nothing would ever reap that child.
        reap(launcher.pid);
        throw Error(ErrorCode::internal, fmt::format("cannot watch {}: {}", spec.argv.front(),
                                                     why_unwatchable(e.code())));
    }
    if (ec)
        reap(launcher.pid); // Boost 1.83 leaves a child whose exec failed unreaped
    if (ec == boost::system::errc::no_such_file_or_directory ||
        ec == boost::system::errc::permission_denied ||
        ec == boost::system::errc::executable_format_error)
        throw Error(ErrorCode::podman_not_found,
                    fmt::format("cannot execute {}: {}", spec.argv.front(), ec.message()));
    if (ec)
        throw Error(ErrorCode::internal,
                    fmt::format("cannot start {}: {}", spec.argv.front(), ec.message()));
    return std::move(*process);
}

} // namespace podpull::io
