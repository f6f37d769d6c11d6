// SPDX-License-Identifier: MIT OR Apache-2.0
// A client and one pull through the public API, with what came back; the defaults the tests
// pull with.
#pragma once

#include "podpull_test/recorder.hpp"
#include "podpull_test/sandbox.hpp"

#include <podpull.h>

#include <cstdint>
#include <string>

namespace podpull_test {

struct PullOutcome {
    podpull_code code = PODPULL_ERR_INTERNAL;
    std::string code_str;
    std::string message;
    bool have_result = false;
    bool have_error = false;
    podpull_code error_code = PODPULL_OK; // podpull_error_code(err)
    int retryable = -1;                   // podpull_error_retryable(err); -1 without an error
    std::string image_id;
    podpull_route route = PODPULL_ROUTE_AUTO;
    uint64_t bytes = 0;        // fetched
    uint64_t bytes_cached = 0; // podpull_result_bytes_cached
    uint32_t blobs_total = 0, blobs_cached = 0;
    std::string manifest_digest; // podpull_result_manifest_digest
    double seconds = 0;
    std::string describe() const;
};
// podpull_pull with the recorder's callbacks (opts may be NULL); frees result and error.
PullOutcome pull(podpull_client *client, const std::string &image, PullRecorder &rec,
                 const podpull_pull_options *opts = nullptr);

struct ConnectOutcome {
    podpull_code code = PODPULL_ERR_INTERNAL;
    podpull_client *client = nullptr;
    std::string message;
    bool have_error = false;
    podpull_code error_code = PODPULL_OK;
    double seconds = 0;
    std::string describe() const;
};
ConnectOutcome connect(const podpull_connect_options &opts);

// A connected client, podpull_free'd at scope end (also when a REQUIRE throws).
struct Client {
    podpull_client *ptr = nullptr;
    Client() = default;
    explicit Client(podpull_client *p) : ptr(p) {}
    Client(Client &&other) noexcept : ptr(other.ptr) { other.ptr = nullptr; }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    ~Client() { podpull_free(ptr); }
    void reset() {
        podpull_free(ptr);
        ptr = nullptr;
    }
};

// podpull_connect, REQUIREd to succeed (the library's log in the failure message).
podpull_client *connect_or_fail(const Sandbox &box, const podpull_connect_options &opts);

// Pull options for the test registry (plain HTTP): tls_verify = 0.
podpull_pull_options insecure_pull_options();
// The defaults (TLS verification on) with `route`.
podpull_pull_options verified_pull_options(podpull_route route = PODPULL_ROUTE_AUTO);

// The socket path from the library's "podman service ready at PATH" debug line; "" if none.
std::string socket_from_log(const std::string &log_text);

} // namespace podpull_test
