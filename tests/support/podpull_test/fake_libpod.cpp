// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/fake_libpod.hpp"

#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

namespace podpull_test {

fs::path fake_body(const std::string &name) {
    return fs::path(PODPULL_FAKE_BODIES) / name;
}

FakeLibpod::FakeLibpod(const fs::path &parent, const std::vector<std::string> &args) {
    dir_ = parent / ("fake-libpod-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    socket_ = dir_ / "podman.sock";
    record_ = dir_ / "requests.ndjson";
    const fs::path ready = dir_ / "ready";
    std::vector<std::string> argv = {python3_interpreter(),
                                     PODPULL_FAKE_LIBPOD,
                                     "--socket",
                                     socket_.string(),
                                     "--record",
                                     record_.string(),
                                     "--ready-file",
                                     ready.string(),
                                     "--version",
                                     "6.1.1",
                                     "--body",
                                     fake_body("pull-progress-6.1.1.ndjson").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    proc_ = spawn_process(argv, {}, dir_ / "fake.log");
    const bool up = wait_for([&] { return fs::exists(ready) || !process_exists(proc_.pid); },
                             std::chrono::seconds(20));
    INFO("fake-libpod.py's log:\n" << read_file(dir_ / "fake.log"));
    REQUIRE(up);
    REQUIRE(fs::exists(ready));
}

FakeLibpod::~FakeLibpod() {
    stop();
}

void FakeLibpod::stop() {
    if (proc_.pid > 0) {
        stop_process(proc_, 5000);
    }
}

std::vector<std::string> FakeLibpod::records() const {
    return lines_of(fs::exists(record_) ? read_file(record_) : std::string());
}

std::optional<std::string> plain_target(const std::string &record) {
    const std::string key = "\"target\": \"";
    const auto start = record.find(key);
    if (start == std::string::npos) {
        return std::nullopt;
    }
    const auto begin = start + key.size();
    const auto end = record.find('"', begin);
    if (end == std::string::npos) {
        return std::nullopt;
    }
    std::string target = record.substr(begin, end - begin);
    if (target.find('\\') != std::string::npos) {
        return std::nullopt; // an escape: a byte outside printable ASCII, or a quote
    }
    return target;
}

std::vector<std::pair<std::string, std::string>> query_params(const std::string &target) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto q = target.find('?');
    if (q == std::string::npos) {
        return out;
    }
    std::size_t pos = q + 1;
    while (pos <= target.size()) {
        auto end = target.find('&', pos);
        if (end == std::string::npos) {
            end = target.size();
        }
        const std::string item = target.substr(pos, end - pos);
        const auto eq = item.find('=');
        out.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
        pos = end + 1;
    }
    return out;
}

} // namespace podpull_test
