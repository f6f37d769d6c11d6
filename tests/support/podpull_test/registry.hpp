// SPDX-License-Identifier: MIT OR Apache-2.0
// Registries of a test's own and TCP on 127.0.0.1: a private docker-registry behind its own
// relay, which a test may stop or kill without harming the fixture's.
#pragma once

#include "podpull_test/process.hpp"
#include "podpull_test/sandbox.hpp"

#include <string>
#include <vector>

namespace podpull_test {

// A TCP port on 127.0.0.1 that was free a moment ago (a clash fails the readiness wait loudly).
int free_tcp_port();
bool tcp_port_answers(int port);
// How many TCP connections in /proc/net/tcp are ESTABLISHED to 127.0.0.1:`port` from a client.
int established_to(int port);

// A registry of the test's own: docker-registry serving the fixture registry's storage
// read-only (so killing it harms no other test), behind its own throttle-proxy.py relay at
// the fixture's rate (16 MiB/s a connection), so the 64 MB blob of the big image takes seconds.
class PrivateRegistry {
  public:
    explicit PrivateRegistry(const Sandbox &box);
    ~PrivateRegistry() { kill_all(); }
    PrivateRegistry(const PrivateRegistry &) = delete;
    PrivateRegistry &operator=(const PrivateRegistry &) = delete;

    // The big image through the relay.
    std::string big_image() const { return relay_address_ + "/podpull/big:v1"; }
    const std::string &relay_address() const { return relay_address_; }
    int relay_port() const { return relay_port_; }

    // SIGSTOP to the relay: it stops sending, but every connection stays open, as with a
    // registry or middlebox that hangs. kill_all() still ends it (SIGKILL ends a stopped
    // process). Returns whether the signal was sent (called from a callback: no REQUIRE).
    bool freeze_relay();

    // SIGKILL to the registry and its relay at once: the registry host is gone, the
    // connection podman reads the blob from breaks and a new one is refused.
    void kill_all();

  private:
    fs::path dir_;
    int port_ = 0, relay_port_ = 0;
    std::string relay_address_;
    Spawned registry_, relay_;
};

// The fixture's registry behind tests/support/fault-proxy.py, which answers some blob GETs with
// a registry error (503, or 429 with Retry-After) and relays the rest. `args` are the proxy's
// options ("--status", "429", "--fail", "5", ...).
class FaultyRegistry {
  public:
    FaultyRegistry(const Sandbox &box, const std::vector<std::string> &args);
    ~FaultyRegistry() { stop(); }
    FaultyRegistry(const FaultyRegistry &) = delete;
    FaultyRegistry &operator=(const FaultyRegistry &) = delete;

    // `repository_and_tag` ("podpull/derived:v1") through the proxy.
    std::string image(const std::string &repository_and_tag) const {
        return address_ + "/" + repository_and_tag;
    }
    // Blob GETs so far: relayed whole (status 200) and failed on purpose.
    int blobs_relayed() const;
    int blobs_failed() const;
    // How often the blob with this digest ("sha256:...") was relayed whole.
    int relayed(const std::string &digest) const;
    std::string log() const;
    // SIGKILL to the proxy, reaped (before Sandbox::check_no_leftovers).
    void stop();

  private:
    fs::path dir_;
    std::string address_;
    Spawned proxy_;
};

} // namespace podpull_test
