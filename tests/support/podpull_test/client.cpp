// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/client.hpp"

#include "podpull_test/util.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sstream>

namespace podpull_test {

std::string PullOutcome::describe() const {
    std::ostringstream o;
    o << "pull returned " << code_str << " (" << static_cast<int>(code) << ") after " << seconds
      << " s; error " << (have_error ? "set" : "NULL") << " [code " << static_cast<int>(error_code)
      << "] \"" << message << "\"; result " << (have_result ? "set" : "NULL") << " [id " << image_id
      << ", route " << static_cast<int>(route) << ", bytes " << bytes << ", cached " << bytes_cached
      << " in " << blobs_cached << " of " << blobs_total << " blobs]";
    return o.str();
}

PullOutcome pull(podpull_client *client, const std::string &image, PullRecorder &rec,
                 const podpull_pull_options *opts) {
    podpull_callbacks cb = rec.callbacks();
    podpull_result *res = nullptr;
    podpull_error *err = nullptr;
    rec.mark_started();
    auto start = Clock::now();
    PullOutcome o;
    o.code = podpull_pull(client, image.c_str(), opts, &cb, &res, &err);
    o.seconds = seconds_since(start);
    rec.mark_returned();
    o.code_str = podpull_code_str(o.code);
    o.have_result = res != nullptr;
    o.have_error = err != nullptr;
    if (res != nullptr) {
        o.image_id = podpull_result_image_id(res);
        o.route = podpull_result_route(res);
        o.bytes = podpull_result_bytes(res);
        o.bytes_cached = podpull_result_bytes_cached(res);
        o.blobs_total = podpull_result_blobs_total(res);
        o.blobs_cached = podpull_result_blobs_cached(res);
        o.manifest_digest = podpull_result_manifest_digest(res);
    }
    if (err != nullptr) {
        o.error_code = podpull_error_code(err);
        o.retryable = podpull_error_retryable(err);
        o.message = podpull_error_message(err);
    }
    podpull_result_free(res);
    podpull_error_free(err);
    return o;
}

std::string ConnectOutcome::describe() const {
    std::ostringstream o;
    o << "connect returned " << podpull_code_str(code) << " (" << static_cast<int>(code)
      << ") after " << seconds << " s; client " << (client != nullptr ? "set" : "NULL")
      << "; error " << (have_error ? "set" : "NULL") << " [code " << static_cast<int>(error_code)
      << "] \"" << message << "\"";
    return o.str();
}

ConnectOutcome connect(const podpull_connect_options &opts) {
    ConnectOutcome o;
    podpull_error *err = nullptr;
    auto start = Clock::now();
    o.code = podpull_connect(&opts, &o.client, &err);
    o.seconds = seconds_since(start);
    o.have_error = err != nullptr;
    if (err != nullptr) {
        o.error_code = podpull_error_code(err);
        o.message = podpull_error_message(err);
    }
    podpull_error_free(err);
    return o;
}

podpull_client *connect_or_fail(const Sandbox &box, const podpull_connect_options &opts) {
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    REQUIRE(c.code == PODPULL_OK);
    REQUIRE(c.client != nullptr);
    REQUIRE_FALSE(c.have_error);
    return c.client;
}

podpull_pull_options verified_pull_options(podpull_route route) {
    podpull_pull_options o;
    podpull_pull_options_init(&o); // tls_verify stays 1
    o.route = route;
    return o;
}

podpull_pull_options insecure_pull_options() {
    podpull_pull_options o;
    podpull_pull_options_init(&o);
    o.tls_verify = 0;
    return o;
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
