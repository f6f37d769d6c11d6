// SPDX-License-Identifier: MIT OR Apache-2.0
// Credentials for the fixture's password-protected TLS registry, and the search for them
// where they must never be: every process's argv and environment while podman works, the
// library's log, every callback's text, every error message, every file in the sandbox.
//
// How the service trusts the test CA without touching /etc: containers/image looks for
// <host:port>/ca.crt under $HOME/.config/containers/certs.d before /etc/containers/certs.d
// and /etc/docker/certs.d, for root as for anyone, and podman's pull handlers set no cert dir
// of their own (docs/podman.md). So a private HOME, given through the env option, is the
// service's private certs.d. Where no CA is trusted, tls_verify=0 (the libpod routes) or
// `insecure = true` in a registries.conf given through CONTAINERS_REGISTRIES_CONF (the
// Docker-compat route, which has no tlsVerify) skip the check.
#pragma once

#include "podpull_test/client.hpp"
#include "podpull_test/recorder.hpp"
#include "podpull_test/sandbox.hpp"

#include <podpull.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace podpull_test {

std::string base64(std::string_view in, bool url_safe = false);

struct AuthEntry {
    std::string key; // "host:port", "host:port/path", ...
    std::string user;
    std::string password;
};
// A containers-auth.json(5) document with these entries.
std::string auth_json(const std::vector<AuthEntry> &entries);
// The auth file a host would keep: 0600, in the test's sandbox.
fs::path write_auth_file(const Sandbox &box, const std::vector<AuthEntry> &entries,
                         const std::string &name = "auth.json");
// The fixture's account under `key`, with its password or a wrong one.
AuthEntry right_credentials(const std::string &key);
AuthEntry wrong_credentials(const std::string &key);

// What must never show up outside the auth file: the password, the auth file's base64
// "user:password", and the X-Registry-Auth value the library sends (podman's
// {"username","password"} form, URL-safe base64).
std::vector<std::string> secret_forms(const std::string &user, const std::string &password);
std::vector<std::string> fixture_secrets(); // the fixture's account's
std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string> &b);

// How the service reaches the TLS registry.
enum class Trust {
    none,    // the test CA is unknown: TLS verification fails unless skipped
    ca,      // the test CA in the private HOME's certs.d/<registry>/ca.crt
    insecure // the registry is `insecure = true` in a private registries.conf
};
// Connect options for the auth tests. The service always gets a private HOME (so neither
// root's ~/.docker/config.json nor ~/.config/containers reach it); with Trust::ca its
// certs.d trusts the test CA for the auth registry. `extra_env` goes to the env option after
// HOME (and CONTAINERS_REGISTRIES_CONF).
podpull_connect_options auth_options(Sandbox &box, Trust trust, const ServiceDirs &dirs,
                                     const std::vector<std::string> &extra_env = {});
podpull_connect_options auth_options(Sandbox &box, Trust trust);
// That private HOME, inside the sandbox (made by auth_options).
fs::path auth_home(const Sandbox &box, Trust trust);

// Searches /proc/*/cmdline and /proc/*/environ of every process for the secrets: once per
// scan(), or every few milliseconds on a thread between start() and stop(). It also notes
// the podman processes it saw: those named podman, and podman's helpers, which it starts by
// re-executing /proc/self/exe (their comm is "exe", their /proc/PID/exe the podman binary).
class SecretWatch {
  public:
    struct Report {
        int scans = 0;
        long processes_read = 0;
        long podman_seen = 0;         // podman processes found, summed over the scans
        long podman_environ_read = 0; // ... whose environ could be read
        std::set<std::string> podman_cmdlines;
        std::vector<std::string> hits; // where a secret was found (never the secret)
        bool saw_cmdline_with(const std::vector<std::string> &words) const;
        std::string describe() const;
    };

    explicit SecretWatch(std::vector<std::string> needles);
    ~SecretWatch();
    SecretWatch(const SecretWatch &) = delete;
    SecretWatch &operator=(const SecretWatch &) = delete;

    void start();
    void stop();
    void scan();
    Report report() const;

  private:
    std::vector<std::string> needles_;
    fs::path podman_; // the podman binary, as /proc/PID/exe names it (inside a chroot release's
                      // root file system for those)
    mutable std::mutex mutex_;
    Report report_;
    std::atomic<bool> running_{false};
    std::thread thread_;
};

// A pull with the watch looking: on a thread the whole time, and from each status line and
// blob event (so at least one scan surely happens while podman works on the pull).
PullOutcome watched_pull(podpull_client *client, const std::string &image, PullRecorder &rec,
                         SecretWatch &watch, const podpull_pull_options *opts);

// Every regular file below `dir` (but `allowed`) that holds one of `needles`.
std::vector<std::string> files_holding(const fs::path &dir, const std::vector<std::string> &needles,
                                       const std::set<fs::path> &allowed);
// Where, outside the processes the watch scanned, a secret showed up: the library's log, a
// callback's text, an outcome's error message.
std::vector<std::string> secret_in_texts(const std::vector<std::string> &needles,
                                         const Sandbox &box,
                                         const std::vector<const PullRecorder *> &recs,
                                         const std::vector<const PullOutcome *> &outs);
// All the places a secret may never be, after one or more pulls; the watch must have seen the
// service (so its scans really covered podman). CHECKs each.
void check_secrets_absent(const std::vector<std::string> &needles, const SecretWatch &watch,
                          const Sandbox &box, const std::vector<const PullRecorder *> &recs,
                          const std::vector<const PullOutcome *> &outs,
                          const std::set<fs::path> &allowed_files);
// The same for pulls kept side by side in two vectors.
void check_secrets_absent_after(const std::vector<std::string> &needles, const SecretWatch &watch,
                                const Sandbox &box,
                                const std::vector<std::unique_ptr<PullRecorder>> &recs,
                                const std::vector<PullOutcome> &outs,
                                const std::set<fs::path> &allowed_files);

} // namespace podpull_test
