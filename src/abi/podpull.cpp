// SPDX-License-Identifier: MIT OR Apache-2.0
// The C ABI shim: reads the host's structs (only the fields their struct_size covers),
// converts them to the core's types, calls the Client, and turns every exception into a
// podpull_code. It decides nothing: option checks and defaults are the core's plan
// (core/connect_plan, core/pull_plan), the ABI's rules are docs/abi.md.
#include "podpull.h"

#include "c_enums.hpp"
#include "client.hpp"
#include "core/error.hpp"
#include "core/retry_policy.hpp"
#include "io/bootc_progress_writer.hpp"
#include "io/canceller.hpp"

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>

struct podpull_client {
    podpull::Client client;
};

struct podpull_error {
    podpull_code code;
    std::string message;
    bool retryable; // the core's answer (core/retry_policy.hpp: is_retryable)
};

struct podpull_canceller {
    podpull::io::Canceller canceller;
};

struct podpull_progress_writer {
    podpull::io::BootcProgressWriter writer;
};

struct podpull_result {
    std::string image_id;
    podpull_route route;
    podpull::PullTotals totals;
    std::string manifest_digest;
};

namespace {
using podpull::Error;
using podpull::ErrorCode;
using podpull::abi::to_c;

// A struct larger than any version of it will ever be is a bug in the host, not a newer header.
constexpr std::uint32_t max_struct_size = 4096;

// Copies what the host passed over a defaulted struct of this library's size. A host built
// against an older header passes fewer fields, which keep their defaults; one built against a
// newer header may pass more, accepted only if those bytes are zero (the rule openat2(2) and
// clone3(2) use), so a setting this library does not know is never silently dropped.
template <typename T> T read_host_struct(const T *host, const T &defaults, const char *what) {
    T copy = defaults;
    if (host == nullptr)
        return copy;
    const std::uint32_t size = host->struct_size;
    if (size < sizeof(std::uint32_t) || size > max_struct_size)
        throw Error(ErrorCode::invalid_argument, std::string(what) + ".struct_size is " +
                                                     std::to_string(size) +
                                                     "; call its podpull_*_init function first");
    const auto *bytes = reinterpret_cast<const unsigned char *>(host);
    for (std::uint32_t i = sizeof(T); i < size; ++i)
        if (bytes[i] != 0)
            throw Error(ErrorCode::invalid_argument,
                        std::string(what) + " sets fields this podpull version does not know");
    std::memcpy(&copy, host, std::min<std::size_t>(size, sizeof(T)));
    copy.struct_size = sizeof(T);
    return copy;
}

template <typename Options> const podpull::io::Canceller *canceller_of(const Options &options) {
    return options.canceller != nullptr ? &options.canceller->canceller : nullptr;
}

std::optional<std::string> optional_string(const char *text) {
    return text != nullptr ? std::optional<std::string>(text) : std::nullopt;
}

podpull::ConnectOptions to_options(const podpull_connect_options &o) {
    podpull::ConnectOptions options;
    options.podman_path = optional_string(o.podman_path);
    options.storage_root = optional_string(o.storage_root);
    options.storage_root_fd = o.storage_root_fd;
    options.storage_root_alias = optional_string(o.storage_root_alias);
    options.run_root = optional_string(o.run_root);
    options.run_root_fd = o.run_root_fd;
    options.storage_driver = optional_string(o.storage_driver);
    options.auth_file = optional_string(o.auth_file);
    options.auth_fd = o.auth_fd;
    options.socket_path = optional_string(o.socket_path);
    options.runtime_dir = optional_string(o.runtime_dir);
    for (auto entry = o.env; entry != nullptr && *entry != nullptr; ++entry)
        options.env.emplace_back(*entry);
    options.start_timeout = std::chrono::milliseconds(o.start_timeout_ms);
    if (o.log != nullptr) {
        options.log = [log = o.log, user = o.log_user_data](podpull::LogLevel level,
                                                            std::string_view message) {
            const std::string text(message);
            log(user, to_c(level), text.c_str());
        };
    }
    return options;
}

// The int a C host stored in an enum field. Loading a value outside the enumerators through
// the C++ enum type is undefined behaviour (UBSan's -fsanitize=enum reports it, and the
// compiler may drop a range check made on it), so the bytes are read as an int.
template <typename E> int enum_value(const E &field) {
    static_assert(sizeof(E) == sizeof(int));
    int value = 0;
    std::memcpy(&value, &field, sizeof value);
    return value;
}

podpull::PullParameters to_parameters(const podpull_pull_options &o) {
    podpull::PullParameters params;
    params.policy = podpull::policy_from_value(enum_value(o.policy));
    params.tls_verify = o.tls_verify != 0;
    params.os = optional_string(o.os);
    params.arch = optional_string(o.arch);
    params.variant = optional_string(o.variant);
    params.retries = o.retries;
    params.retry_delay_ms = o.retry_delay_ms;
    params.stall_timeout_ms = o.stall_timeout_ms;
    params.route = podpull::route_from_value(enum_value(o.route));
    params.signature_policy = optional_string(o.signature_policy);
    return params;
}

class CallbackObserver final : public podpull::PullObserver {
  public:
    explicit CallbackObserver(const podpull_callbacks &callbacks) : cb_(callbacks) {}

    void route_chosen(const podpull::RouteDecision &decision) override {
        if (cb_.on_route != nullptr)
            cb_.on_route(cb_.user_data, to_c(decision.route), decision.reason.c_str());
    }
    void status(std::string_view line) override {
        if (cb_.on_status == nullptr)
            return;
        line_.assign(line);
        cb_.on_status(cb_.user_data, line_.c_str());
    }
    bool blob(const podpull::BlobProgress &p) override {
        if (cb_.on_blob == nullptr)
            return true;
        podpull_blob_progress progress{};
        progress.struct_size = sizeof(progress);
        progress.id = p.id.c_str();
        progress.state = to_c(p.state);
        progress.current = p.current;
        progress.total = p.total;
        progress.pull_current = p.pull_current;
        progress.pull_total = p.pull_total;
        progress.blobs_seen = p.blobs_seen;
        progress.blobs_done = p.blobs_done;
        progress.pull_cached = p.pull_cached;
        progress.blobs_total = p.blobs_total;
        progress.blobs_cached = p.blobs_cached;
        return cb_.on_blob(cb_.user_data, &progress) == 0;
    }

  private:
    podpull_callbacks cb_;
    std::string line_; // the NUL-terminated copy on_status gets
};

// Runs `body`, turning any exception into a code and, if the host asked, an error object.
template <typename Body> podpull_code guarded(podpull_error **err, Body &&body) noexcept {
    if (err != nullptr)
        *err = nullptr;
    podpull_code code;
    std::string message;
    bool retryable = false;
    try {
        body();
        return PODPULL_OK;
    } catch (const Error &e) {
        code = to_c(e.code());
        message = e.what();
        retryable = podpull::is_retryable(e.code(), message);
    } catch (const std::bad_alloc &) {
        code = PODPULL_ERR_INTERNAL;
        message = "out of memory";
    } catch (const boost::system::system_error &e) {
        code = PODPULL_ERR_INTERNAL;
        // Its what() names a source file of Boost's.
        message = "internal error: " +
                  podpull::system_error_text(e.what(), e.code().what(), e.code().message());
    } catch (const std::exception &e) {
        code = PODPULL_ERR_INTERNAL;
        message = std::string("internal error: ") + e.what();
    } catch (...) {
        code = PODPULL_ERR_INTERNAL;
        message = "internal error: unknown exception";
    }
    if (err != nullptr)
        *err = new (std::nothrow) podpull_error{code, std::move(message), retryable};
    return code;
}

// Every field's default, the appended ones included.
podpull_connect_options connect_options_defaults() {
    podpull_connect_options defaults{};
    defaults.struct_size = sizeof defaults;
    defaults.run_root_fd = -1;
    defaults.auth_fd = -1;
    defaults.storage_root_fd = -1;
    defaults.start_timeout_ms = 90000;
    return defaults;
}

podpull_pull_options pull_options_defaults() {
    podpull_pull_options defaults{};
    defaults.struct_size = sizeof defaults;
    defaults.policy = PODPULL_POLICY_ALWAYS;
    defaults.tls_verify = 1;
    defaults.stall_timeout_ms = PODPULL_DEFAULT_STALL_TIMEOUT_MS;
    defaults.route = PODPULL_ROUTE_AUTO;
    return defaults;
}

podpull_callbacks callbacks_defaults() {
    podpull_callbacks defaults{};
    defaults.struct_size = sizeof defaults;
    return defaults;
}

// The unsized podpull_*_init cannot know which header its host was built with, so it never
// writes more than the smallest struct any ABI 1 host can have: the ABI 1.0 layout. These
// sizes are frozen. Hosts built against 1.2 or later headers reach the sized init functions
// instead (the header's macros), which write exactly the host's struct.
constexpr std::uint32_t connect_options_1_0_size = 112;
constexpr std::uint32_t pull_options_1_0_size = 56;
constexpr std::uint32_t callbacks_1_0_size = 40;
static_assert(
    sizeof(podpull_callbacks) == callbacks_1_0_size,
    "podpull_callbacks grew: add podpull_callbacks_init_sized and route the header to it");

// Writes `defaults` over the first `size` bytes of the host's struct and sets struct_size.
template <typename T> void init_layout(T *host, const T &defaults, std::uint32_t size) {
    std::memcpy(host, &defaults, size);
    host->struct_size = size;
}

// The sized init: the host's struct is `size` bytes. Past this library's struct the bytes are
// zeroed, so the zero-tail rule of read_host_struct holds until the host sets a field this
// library does not know (which is then refused, not dropped).
template <typename T> void init_sized(T *host, const T &defaults, std::size_t size) {
    if (host == nullptr || size < sizeof(std::uint32_t) || size > max_struct_size)
        return;
    const std::size_t known = std::min(size, sizeof(T));
    std::memcpy(host, &defaults, known);
    if (size > known)
        std::memset(reinterpret_cast<unsigned char *>(host) + known, 0, size - known);
    host->struct_size = static_cast<std::uint32_t>(size);
}

} // namespace

extern "C" {

// The names are in parentheses because podpull.h routes calls to the sized functions through
// macros of the same names; these are the 1.0 symbols for hosts built against older headers.
void(podpull_connect_options_init)(podpull_connect_options *opts) {
    if (opts != nullptr)
        init_layout(opts, connect_options_defaults(), connect_options_1_0_size);
}

void(podpull_pull_options_init)(podpull_pull_options *opts) {
    if (opts != nullptr)
        init_layout(opts, pull_options_defaults(), pull_options_1_0_size);
}

void podpull_callbacks_init(podpull_callbacks *cb) {
    if (cb != nullptr)
        init_layout(cb, callbacks_defaults(), callbacks_1_0_size);
}

void podpull_connect_options_init_sized(podpull_connect_options *opts, size_t size) {
    init_sized(opts, connect_options_defaults(), size);
}

void podpull_pull_options_init_sized(podpull_pull_options *opts, size_t size) {
    init_sized(opts, pull_options_defaults(), size);
}

podpull_code podpull_canceller_new(podpull_canceller **out, podpull_error **err) {
    if (out != nullptr)
        *out = nullptr;
    return guarded(err, [&] {
        if (out == nullptr)
            throw Error(ErrorCode::invalid_argument, "podpull_canceller_new: out is NULL");
        *out = new podpull_canceller;
    });
}

void podpull_canceller_cancel(podpull_canceller *canceller) {
    if (canceller != nullptr)
        canceller->canceller.cancel();
}

int podpull_canceller_is_cancelled(const podpull_canceller *canceller) {
    return canceller != nullptr && canceller->canceller.cancelled() ? 1 : 0;
}

void podpull_canceller_free(podpull_canceller *canceller) {
    delete canceller;
}

podpull_code podpull_connect(const podpull_connect_options *opts, podpull_client **out,
                             podpull_error **err) {
    if (out != nullptr)
        *out = nullptr;
    return guarded(err, [&] {
        if (out == nullptr)
            throw Error(ErrorCode::invalid_argument, "podpull_connect: out is NULL");
        const auto options =
            read_host_struct(opts, connect_options_defaults(), "podpull_connect_options");
        *out = new podpull_client{podpull::Client(to_options(options), canceller_of(options))};
    });
}

podpull_code podpull_pull(podpull_client *client, const char *image,
                          const podpull_pull_options *opts, const podpull_callbacks *cb,
                          podpull_result **result, podpull_error **err) {
    if (result != nullptr)
        *result = nullptr;
    return guarded(err, [&] {
        if (client == nullptr)
            throw Error(ErrorCode::invalid_argument, "podpull_pull: client is NULL");
        if (image == nullptr)
            throw Error(ErrorCode::invalid_argument, "podpull_pull: image is NULL");
        const auto options =
            read_host_struct(opts, pull_options_defaults(), "podpull_pull_options");
        const auto callbacks = read_host_struct(cb, callbacks_defaults(), "podpull_callbacks");
        CallbackObserver observer(callbacks);
        auto pulled = client->client.pull(
            image, to_parameters(options), observer, canceller_of(options),
            options.progress_writer != nullptr ? &options.progress_writer->writer : nullptr);
        if (result != nullptr)
            *result = new podpull_result{std::move(pulled.image_id), to_c(pulled.route),
                                         pulled.totals, std::move(pulled.manifest_digest)};
    });
}

void podpull_cancel(podpull_client *client) {
    if (client != nullptr)
        client->client.cancel();
}

void podpull_free(podpull_client *client) {
    delete client;
}

podpull_code podpull_error_code(const podpull_error *err) {
    return err != nullptr ? err->code : PODPULL_OK;
}

const char *podpull_error_message(const podpull_error *err) {
    return err != nullptr ? err->message.c_str() : "";
}

int podpull_error_retryable(const podpull_error *err) {
    return err != nullptr && err->retryable ? 1 : 0;
}

void podpull_error_free(podpull_error *err) {
    delete err;
}

const char *podpull_result_image_id(const podpull_result *res) {
    return res != nullptr ? res->image_id.c_str() : "";
}

podpull_route podpull_result_route(const podpull_result *res) {
    return res != nullptr ? res->route : PODPULL_ROUTE_AUTO;
}

uint64_t podpull_result_bytes(const podpull_result *res) {
    return res != nullptr ? res->totals.fetched : 0;
}

uint64_t podpull_result_bytes_cached(const podpull_result *res) {
    return res != nullptr ? res->totals.cached : 0;
}

uint32_t podpull_result_blobs_total(const podpull_result *res) {
    return res != nullptr ? res->totals.blobs_total : 0;
}

uint32_t podpull_result_blobs_cached(const podpull_result *res) {
    return res != nullptr ? res->totals.blobs_cached : 0;
}

const char *podpull_result_manifest_digest(const podpull_result *res) {
    return res != nullptr ? res->manifest_digest.c_str() : "";
}

void podpull_result_free(podpull_result *res) {
    delete res;
}

podpull_code podpull_progress_writer_new(int fd, uint32_t flags, podpull_progress_writer **out,
                                         podpull_error **err) {
    if (out != nullptr)
        *out = nullptr;
    return guarded(err, [&] {
        if (out == nullptr)
            throw Error(ErrorCode::invalid_argument, "podpull_progress_writer_new: out is NULL");
        if ((flags & ~PODPULL_PROGRESS_START_SENT) != 0)
            throw Error(ErrorCode::invalid_argument,
                        "podpull_progress_writer_new: flags holds a flag this podpull version "
                        "does not know");
        *out = new podpull_progress_writer{
            podpull::io::BootcProgressWriter(fd, (flags & PODPULL_PROGRESS_START_SENT) != 0)};
    });
}

int podpull_progress_writer_failed(const podpull_progress_writer *writer) {
    return writer != nullptr && writer->writer.failed() ? 1 : 0;
}

void podpull_progress_writer_free(podpull_progress_writer *writer) {
    delete writer;
}

const char *podpull_code_str(podpull_code code) {
    switch (code) {
    case PODPULL_OK:
        return "PODPULL_OK";
    case PODPULL_ERR_INVALID_ARGUMENT:
        return "PODPULL_ERR_INVALID_ARGUMENT";
    case PODPULL_ERR_PODMAN_NOT_FOUND:
        return "PODPULL_ERR_PODMAN_NOT_FOUND";
    case PODPULL_ERR_SERVICE:
        return "PODPULL_ERR_SERVICE";
    case PODPULL_ERR_IO:
        return "PODPULL_ERR_IO";
    case PODPULL_ERR_PROTOCOL:
        return "PODPULL_ERR_PROTOCOL";
    case PODPULL_ERR_PULL:
        return "PODPULL_ERR_PULL";
    case PODPULL_ERR_AUTH:
        return "PODPULL_ERR_AUTH";
    case PODPULL_ERR_NOT_FOUND:
        return "PODPULL_ERR_NOT_FOUND";
    case PODPULL_ERR_CANCELLED:
        return "PODPULL_ERR_CANCELLED";
    case PODPULL_ERR_TIMEOUT:
        return "PODPULL_ERR_TIMEOUT";
    case PODPULL_ERR_INTERNAL:
        return "PODPULL_ERR_INTERNAL";
    case PODPULL_ERR_REJECTED:
        return "PODPULL_ERR_REJECTED";
    }
    return "PODPULL_ERR_UNKNOWN";
}

const char *podpull_version(void) {
    return PODPULL_VERSION_STRING;
}

uint32_t podpull_abi_version(void) {
    return PODPULL_ABI_MAJOR;
}

const char *podpull_route_str(podpull_route route) {
    return podpull::route_c_name(static_cast<podpull::Route>(enum_value(route)));
}

const podpull_api *podpull_get_api(uint32_t abi_major) {
    static const podpull_api api = {
        sizeof(podpull_api),
        PODPULL_ABI_MAJOR,
        podpull_connect_options_init,
        podpull_pull_options_init,
        podpull_callbacks_init,
        podpull_connect,
        podpull_pull,
        podpull_cancel,
        podpull_free,
        podpull_error_code,
        podpull_error_message,
        podpull_error_free,
        podpull_result_image_id,
        podpull_result_route,
        podpull_result_bytes,
        podpull_result_free,
        podpull_code_str,
        podpull_version,
        podpull_abi_version,
        podpull_route_str,
        podpull_connect_options_init_sized,
        podpull_pull_options_init_sized,
        podpull_canceller_new,
        podpull_canceller_cancel,
        podpull_canceller_is_cancelled,
        podpull_canceller_free,
        podpull_result_bytes_cached,
        podpull_result_blobs_total,
        podpull_result_blobs_cached,
        podpull_error_retryable,
        podpull_result_manifest_digest,
        podpull_progress_writer_new,
        podpull_progress_writer_failed,
        podpull_progress_writer_free,
    };
    return abi_major == PODPULL_ABI_MAJOR ? &api : nullptr;
}

} // extern "C"
