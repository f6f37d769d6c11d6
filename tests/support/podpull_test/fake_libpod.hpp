// SPDX-License-Identifier: MIT OR Apache-2.0
// tests/fake/fake-libpod.py, the stand-in for a podman service that the tests use for injected
// faults and for body shapes no release sends, and what it recorded of podpull's requests.
#pragma once

#include "podpull_test/process.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace podpull_test {

// The fake on a socket in a directory of its own below `parent`, answering as podman 6.1.1
// with the recorded 6.1.1 pull body (tests/fake/bodies) unless `args` say otherwise (they come
// after those defaults: a later --version or --body wins); it records every request. Started
// at construction (REQUIREd ready within 20 s), stopped and reaped at destruction.
class FakeLibpod {
  public:
    explicit FakeLibpod(const fs::path &parent, const std::vector<std::string> &args = {});
    ~FakeLibpod();
    FakeLibpod(const FakeLibpod &) = delete;
    FakeLibpod &operator=(const FakeLibpod &) = delete;

    void stop();
    int pid() const { return proc_.pid; }
    const fs::path &dir() const { return dir_; }
    const fs::path &socket() const { return socket_; }
    // The requests recorded so far, one JSON object a line: {"method","target","headers"}.
    std::vector<std::string> records() const;

  private:
    static inline int counter_ = 0;
    fs::path dir_, socket_, record_;
    Spawned proc_;
};

// A recorded body of tests/fake/bodies.
fs::path fake_body(const std::string &name);

// What pull-progress-derived-unknown-size.ndjson holds: a layer of 73407797 bytes, a blob of
// unknown size (8192 bytes in the end), a skipped one, and the image's config.
namespace unknown_size_body {
inline const std::string layer =
    "sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2";
inline const std::string unknown_size =
    "sha256:7d1e4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060";
inline const std::string skipped =
    "sha256:3c2b7e6d9a0f4e1b8c5d7a9e0f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d";
inline const std::string image_id =
    "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c";
} // namespace unknown_size_body

// The value of "target" in one recorded request, when it needed no JSON escape (a target that
// is printable ASCII without '"' or '\\'); nullopt otherwise.
std::optional<std::string> plain_target(const std::string &record);
// The query parameters of a request target, split at '&' and '=' (not decoded).
std::vector<std::pair<std::string, std::string>> query_params(const std::string &target);

} // namespace podpull_test
