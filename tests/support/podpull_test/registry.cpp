// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/registry.hpp"

#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace podpull_test {

namespace {
sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    return addr;
}
} // namespace

int free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr = loopback(0);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool tcp_port_answers(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    const sockaddr_in addr = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

int established_to(int port) {
    std::istringstream table(read_file("/proc/net/tcp"));
    std::string line;
    std::getline(table, line); // the header
    int count = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        const auto colon = remote.find(':');
        if (colon != std::string::npos && state == "01" &&
            std::stoi(remote.substr(colon + 1), nullptr, 16) == port) {
            ++count;
        }
    }
    return count;
}

PrivateRegistry::PrivateRegistry(const Sandbox &box) {
    const TestEnv &env = test_env();
    const std::string registry_bin = find_in_path("docker-registry");
    INFO("PATH=" << (std::getenv("PATH") ? std::getenv("PATH") : ""));
    REQUIRE_FALSE(registry_bin.empty()); // the fixture runs it too: it must be there
    dir_ = box.dir() / "private-registry";
    fs::create_directories(dir_);
    port_ = free_tcp_port();
    const fs::path config = dir_ / "config.yml";
    write_file(config, "version: 0.1\n"
                       "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                       "storage:\n  filesystem:\n    rootdirectory: " +
                           env.state_dir +
                           "/registry\n"
                           "  maintenance:\n    readonly:\n      enabled: true\n"
                           "    uploadpurging:\n      enabled: false\n"
                           "http:\n  addr: 127.0.0.1:" +
                           std::to_string(port_) + "\n");
    registry_ = spawn_process({registry_bin, "serve", config.string()}, {}, dir_ / "log");
    INFO(read_file(dir_ / "log"));
    REQUIRE(wait_for([&] { return tcp_port_answers(port_); }, std::chrono::seconds(20)));
    const fs::path port_file = dir_ / "relay.port";
    relay_ = spawn_process({env.python3, PODPULL_THROTTLE_PROXY, port_file.string(),
                            "127.0.0.1:" + std::to_string(port_), std::to_string(16 * 1024 * 1024)},
                           {}, dir_ / "relay.log");
    REQUIRE(wait_for([&] { return fs::exists(port_file); }, std::chrono::seconds(20)));
    relay_port_ = std::stoi(read_file(port_file));
    relay_address_ = "127.0.0.1:" + std::to_string(relay_port_);
}

bool PrivateRegistry::freeze_relay() {
    return relay_.pid > 0 && ::kill(relay_.pid, SIGSTOP) == 0;
}

void PrivateRegistry::kill_all() {
    for (Spawned *p : {&registry_, &relay_}) {
        if (p->pid > 0) {
            ::kill(p->pid, SIGKILL);
        }
    }
    for (Spawned *p : {&registry_, &relay_}) {
        stop_process(*p, 0); // reaps it
    }
}

FaultyRegistry::FaultyRegistry(const Sandbox &box, const std::vector<std::string> &args) {
    const TestEnv &env = test_env();
    dir_ = box.dir() / "faulty-registry";
    fs::create_directories(dir_);
    const fs::path port_file = dir_ / "proxy.port";
    std::vector<std::string> argv{env.python3, PODPULL_FAULT_PROXY, port_file.string(),
                                  env.registry, (dir_ / "requests.log").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    proxy_ = spawn_process(argv, {}, dir_ / "proxy.stderr");
    INFO(read_file(dir_ / "proxy.stderr"));
    REQUIRE(wait_for([&] { return fs::exists(port_file); }, std::chrono::seconds(20)));
    address_ = "127.0.0.1:" + std::to_string(std::stoi(read_file(port_file)));
}

void FaultyRegistry::stop() {
    if (proxy_.pid > 0) {
        ::kill(proxy_.pid, SIGKILL);
    }
    stop_process(proxy_, 0); // reaps it
}

std::string FaultyRegistry::log() const {
    return fs::exists(dir_ / "requests.log") ? read_file(dir_ / "requests.log") : "";
}

namespace {
int count_lines(const std::string &text, const std::string &needle, const std::string &status) {
    std::istringstream lines(text);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        if (line.find("/blobs/") != std::string::npos && line.find(needle) != std::string::npos &&
            line.find(" " + status + " ") != std::string::npos) {
            ++count;
        }
    }
    return count;
}
} // namespace

int FaultyRegistry::blobs_relayed() const {
    return count_lines(log(), "GET ", "200");
}

int FaultyRegistry::blobs_failed() const {
    const std::string text = log();
    return count_lines(text, "GET ", "503-injected") + count_lines(text, "GET ", "429-injected");
}

int FaultyRegistry::relayed(const std::string &digest) const {
    return count_lines(log(), digest, "200");
}

} // namespace podpull_test
