// SPDX-License-Identifier: MIT OR Apache-2.0
#include "manifest_fetch.hpp"

#include "child_process.hpp"
#include "core/diagnostic_text.hpp"
#include "core/error.hpp"
#include "core/tar_header.hpp"
#include "secret_file.hpp"
#include "unique_fd.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace podpull::io {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// What of skopeo's stderr is kept: its last line says why it failed.
constexpr std::size_t skopeo_stderr_limit = 16 * 1024;
// An OCI archive holds a few files per blob; more members than this is not one podpull reads.
constexpr std::size_t max_archive_members = 100000;

// Throwing from an ordinary function: GCC 12 mishandles some throw expressions inside
// coroutines (see api_pull.cpp).
[[noreturn]] void fail(ErrorCode code, const std::string &message) {
    throw Error(code, message);
}

// Reads `pipe` to its end into `text`, keeping at most `limit` bytes; `over` runs once when
// more than that came.
asio::awaitable<void> read_bounded(asio::readable_pipe &pipe, std::string &text, std::size_t limit,
                                   std::function<void()> over) {
    std::array<char, 16 * 1024> buffer{};
    while (true) {
        auto [ec, read] = co_await pipe.async_read_some(asio::buffer(buffer), use_tuple);
        const std::size_t room = limit - std::min(limit, text.size());
        text.append(buffer.data(), std::min(read, room));
        if (read > room && over)
            std::exchange(over, nullptr)();
        if (ec)
            co_return;
    }
}

// What the handlers around one skopeo child share with it. They may run after the coroutine
// that started the child is gone (a deadline that fired just as the child ended), so they own
// it with the coroutine. The lambdas are made here, in ordinary functions: GCC 12 miscompiles
// a lambda that captures a shared_ptr in a coroutine's body (seen: a double release).
struct ChildWatch {
    explicit ChildWatch(pid_t child) : pid(child) {}
    pid_t pid;
    bool exited = false; // reaped: the pid may be someone else's now
    bool timed_out = false;
    bool too_big = false;
    void kill() const {
        if (!exited)
            ::kill(pid, SIGKILL);
    }
};

std::function<void()> ender(std::shared_ptr<ChildWatch> watch) {
    return [watch = std::move(watch)] { watch->kill(); };
}

std::function<void()> overflow(std::shared_ptr<ChildWatch> watch) {
    return [watch = std::move(watch)] {
        watch->too_big = true;
        watch->kill();
    };
}

void arm_deadline(asio::steady_timer &timer, Clock::time_point deadline,
                  std::shared_ptr<ChildWatch> watch) {
    timer.expires_at(deadline);
    timer.async_wait([watch = std::move(watch)](const boost::system::error_code &ec) {
        if (ec || watch->exited)
            return;
        watch->timed_out = true;
        watch->kill();
    });
}

// One `skopeo inspect --raw`: its stdout, the raw manifest. Throws Error(pull) when skopeo
// fails (its last stderr line says why), Error(timeout) after the deadline, Error(protocol)
// for an answer over max_manifest_bytes.
asio::awaitable<std::string> run_skopeo(const std::vector<std::string> &argv,
                                        const ManifestFetchRequest &request, ReaderPull &pull,
                                        Clock::time_point deadline) {
    const auto executor = co_await asio::this_coro::executor;
    if (pull.stopped())
        fail(ErrorCode::cancelled, "the pull stopped before its manifest was read");
    ChildSpec spec;
    spec.argv = argv;
    spec.env = request.env;
    spec.storage = request.storage_binding;
    std::optional<SecretMemfd> auth;
    if (request.auth_file) {
        auth.emplace(*request.auth_file);
        spec.inherited.push_back({auth->fd(), manifest_auth_fd});
    }
    asio::readable_pipe out(executor), err(executor);
    ChildProcess child = launch_child(executor, spec, {nullptr, out, err});
    auth.reset(); // the child has its own copy of the fd

    const auto watch = std::make_shared<ChildWatch>(child.id());
    pull.end_helper_on_stop(ender(watch));
    asio::steady_timer deadline_timer(executor);
    arm_deadline(deadline_timer, deadline, watch);

    std::string manifest, diagnostics;
    co_await (read_bounded(out, manifest, max_manifest_bytes + 1, overflow(watch)) &&
              read_bounded(err, diagnostics, skopeo_stderr_limit, nullptr));
    co_await child.async_wait(asio::use_awaitable);
    watch->exited = true;
    pull.end_helper_on_stop(nullptr);
    deadline_timer.cancel();
    const bool timed_out = watch->timed_out;
    const bool too_big = watch->too_big;

    const int status = child.native_exit_code();
    if (timed_out)
        fail(ErrorCode::timeout, fmt::format("skopeo inspect did not answer within {} ms",
                                             request.step.timeout.count()));
    if (too_big)
        fail(ErrorCode::protocol,
             fmt::format("the image's manifest is larger than {} bytes", max_manifest_bytes));
    if (pull.stopped())
        fail(ErrorCode::cancelled, "the pull stopped while its manifest was read");
    if (WIFSIGNALED(status))
        fail(ErrorCode::pull,
             fmt::format("skopeo inspect was killed by signal {}", WTERMSIG(status)));
    if (WEXITSTATUS(status) != 0) {
        const std::string why = stderr_summary(diagnostics);
        fail(ErrorCode::pull, fmt::format("skopeo inspect exited with status {}{}{}",
                                          WEXITSTATUS(status), why.empty() ? "" : ": ", why));
    }
    co_return manifest;
}

// ---- local files ----------------------------------------------------------------------------

UniqueFd open_file(const std::string &path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        fail(ErrorCode::io,
             fmt::format("cannot open {}: {}", quote_for_message(path, 200), std::strerror(errno)));
    return fd;
}

// `size` bytes at `offset` of `fd`; at most max_manifest_bytes.
std::string read_at(int fd, std::uint64_t offset, std::uint64_t size, const std::string &what) {
    if (size > max_manifest_bytes)
        fail(ErrorCode::protocol,
             fmt::format("{} is larger than {} bytes", what, max_manifest_bytes));
    std::string text(size, '\0');
    std::size_t done = 0;
    while (done < size) {
        const ssize_t got =
            ::pread(fd, text.data() + done, size - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            fail(ErrorCode::io, fmt::format("cannot read {}: {}", what, std::strerror(errno)));
        if (got == 0)
            fail(ErrorCode::io, fmt::format("{} ends early", what));
        done += static_cast<std::size_t>(got);
    }
    return text;
}

std::string read_small_file(const std::string &path) {
    const UniqueFd fd = open_file(path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        fail(ErrorCode::io, fmt::format("{} is not a regular file", quote_for_message(path, 200)));
    return read_at(fd.get(), 0, static_cast<std::uint64_t>(st.st_size),
                   quote_for_message(path, 200));
}

std::string blob_path(std::string_view digest) {
    const std::size_t colon = digest.find(':');
    return fmt::format("blobs/{}/{}", digest.substr(0, colon), digest.substr(colon + 1));
}

// Where each member of a tar archive is: its data's offset and size, by name. Reads every
// header and seeks over every member's data.
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>
archive_members(int fd, const std::string &what) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> members;
    std::uint64_t offset = 0;
    std::string long_name;
    for (std::size_t count = 0; count < max_archive_members; ++count) {
        std::string block(tar_block, '\0');
        const ssize_t got = ::pread(fd, block.data(), tar_block, static_cast<off_t>(offset));
        if (got == 0)
            return members; // no end-of-archive blocks: tolerated
        if (got != static_cast<ssize_t>(tar_block))
            fail(ErrorCode::io, fmt::format("cannot read {}: a short header", what));
        const auto header = parse_tar_header(block);
        if (!header)
            return members;
        const std::uint64_t data = offset + tar_block;
        if (header->type == 'L') {
            long_name = read_at(fd, data, std::min<std::uint64_t>(header->size, 4096), what);
            long_name.resize(std::min(long_name.size(), long_name.find('\0')));
        } else if (header->type == '0' || header->type == '7') {
            std::string name = long_name.empty() ? header->name : long_name;
            while (name.starts_with("./"))
                name.erase(0, 2);
            members[name] = {data, header->size};
            long_name.clear();
        } else {
            long_name.clear();
        }
        offset = data + header->data_blocks() * tar_block;
    }
    fail(ErrorCode::protocol,
         fmt::format("{} has more than {} members", what, max_archive_members));
}

} // namespace

RouteDecision with_fallback_note(const RouteDecision &decision) {
    return {decision.route, decision.reason + "; " +
                                no_manifest_note("the pull ended before its manifest step did")};
}

ManifestSummary read_local_manifest(const LocalManifestStep &step, const Platform &platform) {
    // A reader of one file of the layout: the directory's, or the archive's member.
    std::function<std::string(const std::string &)> read;
    UniqueFd archive;
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> members;
    const std::string what = quote_for_message(step.path, 200);
    if (step.transport == Transport::oci_archive) {
        archive = open_file(step.path);
        members = archive_members(archive.get(), what);
        read = [&](const std::string &name) {
            const auto found = members.find(name);
            if (found == members.end())
                fail(ErrorCode::protocol, fmt::format("{} holds no {}", what, name));
            return read_at(archive.get(), found->second.first, found->second.second,
                           what + ":" + name);
        };
    } else {
        read = [&](const std::string &name) { return read_small_file(step.path + "/" + name); };
    }

    const auto image_of = [&](ManifestReading reading) {
        if (!reading.image)
            fail(ErrorCode::protocol, "the manifest is a list");
        return std::move(*reading.image);
    };
    if (step.transport == Transport::dir)
        return image_of(read_manifest(read("manifest.json"), platform, false));
    BlobDescriptor next = read_layout_index(read("index.json"), step.ref_name);
    for (int depth = 0; depth < 2; ++depth) {
        ManifestReading reading = read_manifest(read(blob_path(next.digest)), platform, depth > 0);
        if (!reading.follow)
            return image_of(std::move(reading));
        next = *reading.follow;
    }
    fail(ErrorCode::protocol, "the layout's index leads to lists only");
}

asio::awaitable<ManifestOutcome> fetch_manifest(const ManifestFetchRequest &request,
                                                ReaderPull &pull) {
    const auto started = Clock::now();
    const ManifestStep &step = request.step;
    ManifestOutcome outcome;
    std::string source;
    try {
        if (const auto *local = std::get_if<LocalManifestStep>(&step.source)) {
            outcome.manifest = read_local_manifest(*local, step.platform);
            source = fmt::format("read from the {}: files", transport_name(local->transport));
        } else if (const auto *registry = std::get_if<RegistryManifestStep>(&step.source)) {
            const auto deadline = started + step.timeout;
            std::string raw = co_await run_skopeo(registry->argv, request, pull, deadline);
            ManifestReading reading = read_manifest(raw, step.platform, false);
            source = "skopeo inspect";
            if (reading.follow) {
                raw = co_await run_skopeo(argv_for_digest(*registry, reading.follow->digest),
                                          request, pull, deadline);
                reading = read_manifest(raw, step.platform, true);
                source = fmt::format("skopeo inspect, {} from the manifest list",
                                     platform_name(step.platform));
            }
            outcome.manifest = std::move(reading.image);
        } else {
            outcome.note = no_manifest_note(step.unavailable);
            co_return outcome;
        }
        const auto took =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        if (!outcome.manifest) // a list's entry that is a list again: read_manifest refuses it
            fail(ErrorCode::protocol, "the manifest list's entry is not an image manifest");
        outcome.note =
            manifest_note(*outcome.manifest, fmt::format("{}, {} ms", source, took.count()));
    } catch (const Error &e) {
        outcome.manifest.reset();
        outcome.note = no_manifest_note(e.what());
    } catch (const std::bad_alloc &) {
        outcome.manifest.reset();
        outcome.note = no_manifest_note("out of memory");
    }
    co_return outcome;
}

} // namespace podpull::io
