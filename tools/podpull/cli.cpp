// SPDX-License-Identifier: MIT OR Apache-2.0
#include "cli.hpp"

#include "exit_codes.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <charconv>
#include <fcntl.h>
#include <map>
#include <sstream>

namespace podpull_cli {

namespace {

// "os/arch" or "os/arch/variant", every part non-empty.
bool split_platform(const std::string &s, Options &o) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, '/')) {
        parts.push_back(part);
    }
    if (!s.empty() && s.back() == '/') {
        return false;
    }
    if (parts.size() < 2 || parts.size() > 3) {
        return false;
    }
    for (const auto &p : parts) {
        if (p.empty()) {
            return false;
        }
    }
    o.os = parts[0];
    o.arch = parts[1];
    o.variant = parts.size() == 3 ? parts[2] : "";
    return true;
}

// An fd option: a descriptor this process holds open, other than 0, 1 and 2 (stdout carries
// the bars or --json and stderr the messages). Checked here so that a wrong N is a usage
// error, not a message mid-pull. `redirect` shows how a shell opens one ("3>FILE").
std::string check_open_fd(const std::string &s, const char *redirect) {
    int fd = -1;
    const char *end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, fd);
    if (s.empty() || ec != std::errc{} || ptr != end || fd < 0) {
        return "expected a file descriptor number, got '" + s + "'";
    }
    if (fd <= 2) {
        return "fd " + s + " is stdin, stdout or stderr; pass another, 3 or above (" + redirect +
               ")";
    }
    if (::fcntl(fd, F_GETFD) < 0) {
        return "fd " + s + " is not open";
    }
    return {};
}

// --progress-fd N: open for writing too.
std::string check_progress_fd(const std::string &s) {
    if (std::string why = check_open_fd(s, "3>FILE"); !why.empty()) {
        return why;
    }
    const int mode = ::fcntl(std::stoi(s), F_GETFL) & O_ACCMODE;
    if (mode != O_WRONLY && mode != O_RDWR) {
        return "fd " + s + " is not open for writing";
    }
    return {};
}

// --root-fd and --runroot-fd: an open directory (the library says so if it is not one).
std::string check_directory_fd(const std::string &s) {
    return check_open_fd(s, "3<DIR");
}

std::string version_text() {
    return std::string("podpull ") + podpull_version() + " (libpodpull ABI " +
           std::to_string(podpull_abi_version()) + ")";
}

} // namespace

ParseOutcome parse_command_line(int argc, const char *const *argv, std::FILE *out, std::FILE *err) {
    Options o;
    std::string platform;

    CLI::App app{"podpull: pull container images through a private podman service, with "
                 "per-blob byte progress",
                 "podpull"};
    app.set_version_flag("--version", version_text());
    app.require_subcommand(1);
    app.footer(exit_status_help());

    CLI::App *pull = app.add_subcommand(
        "pull", "Pull each IMAGE into podman's storage, several at once through one service");
    pull->footer(exit_status_help());
    pull->add_option("IMAGE", o.images,
                     "Image reference (registry image, or oci:, oci-archive:, dir:, ...); "
                     "several are one update: pulled at once through one service, each "
                     "outcome reported, the exit status that of the first that failed")
        ->required();
    pull->add_option("--jobs", o.jobs,
                     "With several images: pull at most this many at once (default 3)")
        ->check(CLI::PositiveNumber)
        ->option_text("N");
    pull->add_option("--root", o.root,
                     "podman --root (storage root); with --root-fd, the path podman sees it at");
    auto *root_fd = pull->add_option(
        "--root-fd", o.root_fd,
        "The storage root as an open directory (bootc's layout, needs root): every podman sees it "
        "at --root, bind-mounted in a private mount namespace of its own");
    root_fd->check(CLI::Validator(check_directory_fd, "FD"))->option_text("FD");
    pull->add_option("--runroot", o.runroot, "podman --runroot");
    pull->add_option("--runroot-fd", o.runroot_fd,
                     "The runroot as an open directory, handed to podman as fd 3 (--runroot "
                     "/proc/self/fd/3, bootc's layout)")
        ->check(CLI::Validator(check_directory_fd, "FD"))
        ->option_text("FD")
        ->excludes("--runroot");
    pull->add_option("--storage-driver", o.storage_driver, "podman --storage-driver (e.g. vfs)");
    pull->add_option("--authfile", o.authfile, "containers-auth.json(5) file with credentials");
    pull->add_option("--signature-policy", o.signature_policy,
                     "containers-policy.json(5) file the image must satisfy (runs podman pull)");
    pull->add_flag("--tls-verify{true}", o.tls_verify,
                   "Verify TLS certificates (default true; --tls-verify=false skips it)")
        ->option_text("[=BOOL]");
    pull->add_option("--platform", platform, "Pull for this platform: os/arch[/variant]")
        ->check(CLI::Validator(
            [](std::string &s) {
                Options tmp;
                return split_platform(s, tmp) ? std::string{}
                                              : "expected os/arch[/variant], got '" + s + "'";
            },
            "OS/ARCH[/VARIANT]"));
    const std::map<std::string, podpull_policy> policies{{"always", PODPULL_POLICY_ALWAYS},
                                                         {"missing", PODPULL_POLICY_MISSING},
                                                         {"newer", PODPULL_POLICY_NEWER},
                                                         {"never", PODPULL_POLICY_NEVER}};
    pull->add_option("--policy", o.policy, "When to contact the registry")
        ->transform(CLI::CheckedTransformer(policies, CLI::ignore_case))
        ->option_text("always|missing|newer|never (default always)");
    pull->add_option("--retry", o.retries, "Retries where podman supports them (0: podman's)");
    pull->add_option("--retry-delay", o.retry_delay_ms, "Delay between retries, ms");
    pull->add_option("--stall-timeout", o.stall_timeout_ms,
                     "Fail when podman is silent and idle for this many ms (default 120000; "
                     "0: never)");
    pull->add_option("--start-timeout", o.start_timeout_ms,
                     "Give up starting the service after this many ms (default 90000)");
    const std::map<std::string, podpull_route> routes{
        {"auto", PODPULL_ROUTE_AUTO},
        {"libpod-progress", PODPULL_ROUTE_LIBPOD_PROGRESS},
        {"libpod-compat", PODPULL_ROUTE_LIBPOD_COMPAT},
        {"docker-compat", PODPULL_ROUTE_DOCKER_COMPAT},
        {"libpod-text", PODPULL_ROUTE_LIBPOD_TEXT},
        {"subprocess", PODPULL_ROUTE_SUBPROCESS}};
    pull->add_option("--route", o.route, "Force a route instead of letting podpull choose")
        ->transform(CLI::Validator(
            [&routes](std::string &s) {
                std::string key;
                for (char c : s) {
                    key += c == '_' ? '-' : static_cast<char>(std::tolower(c));
                }
                const auto it = routes.find(key);
                if (it == routes.end()) {
                    return "unknown route '" + s + "'";
                }
                s = std::to_string(static_cast<int>(it->second));
                return std::string{};
            },
            ""))
        ->option_text("auto|libpod-progress|libpod-compat|docker-compat|libpod-text|subprocess");
    pull->add_option("--socket", o.socket,
                     "Use this running podman service instead of starting one");
    pull->add_option("--podman", o.podman, "The podman binary (default: podman from PATH)");
    pull->add_option("--runtime-dir", o.runtime_dir,
                     "Where the private socket directory is made (default $XDG_RUNTIME_DIR, "
                     "/run or /tmp)");
    // One value per --env: a list would go on to take the images after it as values.
    pull->add_option("--env", o.env, "KEY=VALUE for the service and subprocesses (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->check(CLI::Validator(
            [](std::string &s) {
                const auto eq = s.find('=');
                return eq != std::string::npos && eq > 0 ? std::string{}
                                                         : "expected KEY=VALUE, got '" + s + "'";
            },
            "KEY=VALUE"));
    pull->add_flag("-q,--quiet", o.quiet, "Print only the image ID (and errors)");
    pull->add_flag("-v,--verbose", o.verbose, "Print the library's log on stderr");
    pull->add_flag("--json", o.json,
                   "One JSON event per line on stdout (start, route, status, progress, "
                   "result/error); human text on stderr");
    pull->add_option("--progress-fd", o.progress_fd,
                     "Also write bootc's progress events to this open fd (3 or above), as `bootc "
                     "upgrade --progress-fd` does: Start, then per image ProgressBytes (task "
                     "pulling, id the manifest's digest, a subtask per layer; at most 5 a second, "
                     "one per finished layer) and the ProgressSteps of storing it; writes block "
                     "while a pipe is full, and a write error is reported once on stderr and ends "
                     "the events, not the pull")
        ->check(CLI::Validator(check_progress_fd, "FD"))
        ->option_text("FD");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        std::ostringstream o_out, o_err;
        app.exit(e, o_out, o_err);
        std::fputs(o_out.str().c_str(), out);
        return {std::nullopt, exit_ok};
    } catch (const CLI::CallForAllHelp &e) {
        std::ostringstream o_out, o_err;
        app.exit(e, o_out, o_err);
        std::fputs(o_out.str().c_str(), out);
        return {std::nullopt, exit_ok};
    } catch (const CLI::CallForVersion &e) {
        std::ostringstream o_out, o_err;
        app.exit(e, o_out, o_err);
        std::fputs(o_out.str().c_str(), out);
        return {std::nullopt, exit_ok};
    } catch (const CLI::ParseError &e) {
        std::ostringstream o_out, o_err;
        app.exit(e, o_out, o_err);
        std::fputs(o_err.str().c_str(), err);
        std::fputs(o_out.str().c_str(), err);
        std::fputs("Usage: podpull pull [OPTIONS] IMAGE [IMAGE...]   (podpull pull --help for "
                   "details)\n",
                   err);
        return {std::nullopt, exit_usage};
    }
    if (!platform.empty()) {
        split_platform(platform, o);
    }
    if (o.root_fd >= 0 && o.root.empty()) {
        std::fputs("--root-fd needs --root: the path podman is to see the storage at\n", err);
        std::fputs("Usage: podpull pull [OPTIONS] IMAGE [IMAGE...]   (podpull pull --help for "
                   "details)\n",
                   err);
        return {std::nullopt, exit_usage};
    }
    o.image = o.images.front(); // required(): there is one
    return {std::move(o), exit_ok};
}

} // namespace podpull_cli
