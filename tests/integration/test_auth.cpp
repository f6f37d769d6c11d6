// Private registries: credentials from a containers-auth.json(5) file (auth_file, auth_fd)
// against the fixture's second registry, which serves HTTPS only, with a certificate from a
// test CA, and wants a password (htpasswd). The library sends the credentials of the image's
// registry as X-Registry-Auth on the API routes, and hands `podman pull` a sealed memfd at
// fd 4 (--authfile /proc/self/fd/4). While each pull runs, every process's cmdline and
// environ is searched for the password; so are the library's log lines, every callback's
// text, every error message, and every file the test's podman left in its sandbox.
//
// How the service trusts the test CA without touching /etc: containers/image (5.23.1 here)
// looks for <host:port>/ca.crt under $HOME/.config/containers/certs.d before
// /etc/containers/certs.d and /etc/docker/certs.d, for root as for anyone
// (docker/docker_client.go, dockerCertDir; $HOME read through containers/storage's
// homedir.Get), and podman's pull handlers set no cert dir of their own (docs/podman.md). So a
// private HOME, given through the env option, is the service's private certs.d. Where no CA is
// trusted, tls_verify=0 (the libpod routes) or `insecure = true` in a registries.conf given
// through CONTAINERS_REGISTRIES_CONF (the Docker-compat route, which has no tlsVerify) skip the
// check.
//
// Every case runs on every release: on the routes it is about, forced (DOCKER_COMPAT is served
// by every podman), and on the route the automatic choice takes there.

#include "routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <unistd.h>

using namespace podpull_test;

namespace {

// ---- credentials ----------------------------------------------------------------------------

std::string base64(std::string_view in, bool url_safe = false) {
    const std::string_view alphabet =
        url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                 : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const std::uint32_t b0 = static_cast<unsigned char>(in[i]);
        const std::uint32_t b1 = i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) : 0U;
        const std::uint32_t b2 = i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0U;
        const std::uint32_t n = (b0 << 16) | (b1 << 8) | b2;
        out += alphabet[(n >> 18) & 63U];
        out += alphabet[(n >> 12) & 63U];
        out += i + 1 < in.size() ? alphabet[(n >> 6) & 63U] : '=';
        out += i + 2 < in.size() ? alphabet[n & 63U] : '=';
    }
    return out;
}

struct AuthEntry {
    std::string key; // "host:port", "host:port/path", ...
    std::string user;
    std::string password;
};

std::string auth_json(const std::vector<AuthEntry> &entries) {
    std::string text = "{\"auths\":{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        text += (i > 0 ? "," : "") + std::string("\"") + e.key + "\":{\"auth\":\"" +
                base64(e.user + ":" + e.password) + "\"}";
    }
    return text + "}}\n";
}

// The auth file a host would keep: 0600, in the test's sandbox.
fs::path write_auth_file(const Sandbox &box, const std::vector<AuthEntry> &entries,
                         const std::string &name = "auth.json") {
    const fs::path path = box.dir() / name;
    write_file(path, auth_json(entries), 0600);
    return path;
}

AuthEntry right_credentials(const std::string &key) {
    const AuthTestEnv &auth = auth_test_env();
    return {key, auth.user, auth.password};
}

AuthEntry wrong_credentials(const std::string &key) {
    const AuthTestEnv &auth = auth_test_env();
    return {key, auth.user, "wrong-" + auth.password.substr(0, 8) + "-password"};
}

// What must never show up outside the auth file: the password, the auth file's base64
// "user:password", and the X-Registry-Auth value the library sends (podman's
// {"username","password"} form, URL-safe base64).
std::vector<std::string> secret_forms(const std::string &user, const std::string &password) {
    return {password, base64(user + ":" + password),
            base64("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}", true)};
}

std::vector<std::string> fixture_secrets() {
    const AuthTestEnv &auth = auth_test_env();
    return secret_forms(auth.user, auth.password);
}

// ---- how the service reaches the TLS registry -----------------------------------------------

enum class Trust {
    none,    // the test CA is unknown: TLS verification fails unless skipped
    ca,      // the test CA in the private HOME's certs.d/<registry>/ca.crt
    insecure // the registry is `insecure = true` in a private registries.conf
};

// Connect options for the auth tests. The service always gets a private HOME (so neither
// root's ~/.docker/config.json nor ~/.config/containers reach it); with Trust::ca its
// certs.d trusts the test CA for the auth registry.
podpull_connect_options auth_options(Sandbox &box, Trust trust, const ServiceDirs &dirs) {
    const AuthTestEnv &auth = auth_test_env();
    const fs::path home = box.dir() / (trust == Trust::ca ? "home-ca" : "home");
    fs::create_directories(home / ".config" / "containers");
    if (trust == Trust::ca) {
        const fs::path certs = home / ".config" / "containers" / "certs.d" / auth.registry;
        fs::create_directories(certs);
        fs::copy_file(fs::path(auth.ca_dir) / "ca.crt", certs / "ca.crt",
                      fs::copy_options::overwrite_existing);
    }
    std::vector<std::string> extra_env{"HOME=" + home.string()};
    if (trust == Trust::insecure) {
        const fs::path conf = box.dir() / "registries.conf";
        write_file(conf, "[[registry]]\nlocation = \"" + auth.registry + "\"\ninsecure = true\n");
        extra_env.push_back("CONTAINERS_REGISTRIES_CONF=" + conf.string());
    }
    return box.options(dirs, extra_env);
}

podpull_connect_options auth_options(Sandbox &box, Trust trust) {
    return auth_options(box, trust, box.main());
}

podpull_pull_options verified_pull_options(podpull_route route = PODPULL_ROUTE_AUTO) {
    podpull_pull_options o;
    podpull_pull_options_init(&o); // tls_verify stays 1
    o.route = route;
    return o;
}

// ---- looking for the password ---------------------------------------------------------------

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
        bool saw_cmdline_with(const std::vector<std::string> &words) const {
            return std::any_of(
                podman_cmdlines.begin(), podman_cmdlines.end(), [&](const std::string &c) {
                    return std::all_of(words.begin(), words.end(),
                                       [&](const auto &w) { return contains(c, w); });
                });
        }
        std::string describe() const {
            std::string s = "secret watch: " + std::to_string(scans) + " scans, " +
                            std::to_string(processes_read) + " process reads, " +
                            std::to_string(podman_seen) + " podman sightings (" +
                            std::to_string(podman_environ_read) + " with environ)\n";
            for (const auto &c : podman_cmdlines) {
                s += "  podman: " + c + "\n";
            }
            for (const auto &h : hits) {
                s += "  SECRET FOUND: " + h + "\n";
            }
            return s;
        }
    };

    explicit SecretWatch(std::vector<std::string> needles)
        : needles_(std::move(needles)), podman_(fs::canonical(test_env().podman_exe)) {}
    ~SecretWatch() { stop(); }
    SecretWatch(const SecretWatch &) = delete;
    SecretWatch &operator=(const SecretWatch &) = delete;

    void start() {
        running_.store(true);
        thread_ = std::thread([this] {
            while (running_.load()) {
                scan();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
    }
    void stop() {
        running_.store(false);
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    void scan() {
        Report found;
        std::error_code ec;
        for (const auto &entry : fs::directory_iterator("/proc", ec)) {
            const std::string name = entry.path().filename().string();
            if (name.empty() || !std::all_of(name.begin(), name.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
                continue;
            }
            std::string cmdline = read_file(entry.path() / "cmdline");
            const std::string env_block = read_file(entry.path() / "environ");
            std::string comm = read_file(entry.path() / "comm");
            if (!comm.empty() && comm.back() == '\n') {
                comm.pop_back();
            }
            ++found.processes_read;
            for (std::size_t i = 0; i < needles_.size(); ++i) {
                const std::string where = "pid " + name + " (" + comm + ") ";
                if (contains(cmdline, needles_[i])) {
                    found.hits.push_back(where + "cmdline holds secret form #" + std::to_string(i));
                }
                if (contains(env_block, needles_[i])) {
                    found.hits.push_back(where + "environ holds secret form #" + std::to_string(i));
                }
            }
            std::error_code exe_ec;
            const fs::path exe = fs::read_symlink(entry.path() / "exe", exe_ec);
            if (comm == "podman" || (!exe_ec && exe == podman_)) {
                ++found.podman_seen;
                if (!env_block.empty()) {
                    ++found.podman_environ_read;
                }
                std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
                found.podman_cmdlines.insert(cmdline);
            }
        }
        std::lock_guard<std::mutex> lock(mutex_);
        ++report_.scans;
        report_.processes_read += found.processes_read;
        report_.podman_seen += found.podman_seen;
        report_.podman_environ_read += found.podman_environ_read;
        if (report_.podman_cmdlines.size() < 50) {
            report_.podman_cmdlines.insert(found.podman_cmdlines.begin(),
                                           found.podman_cmdlines.end());
        }
        if (report_.hits.size() < 50) {
            report_.hits.insert(report_.hits.end(), found.hits.begin(), found.hits.end());
        }
    }

    Report report() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return report_;
    }

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
                         SecretWatch &watch, const podpull_pull_options *opts) {
    rec.on_status_hook = [&watch](const std::string &) { watch.scan(); };
    rec.on_blob_hook = [&watch](const podpull_blob_progress &) {
        watch.scan();
        return 0;
    };
    watch.start();
    PullOutcome out = pull(client, image, rec, opts);
    watch.stop();
    return out;
}

// Every regular file below `dir` (but `allowed`) that holds one of `needles`.
std::vector<std::string> files_holding(const fs::path &dir, const std::vector<std::string> &needles,
                                       const std::set<fs::path> &allowed) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(
             dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_symlink(ec) || !it->is_regular_file(ec) || allowed.count(it->path()) > 0) {
            continue;
        }
        const std::string text = read_file(it->path());
        for (const auto &needle : needles) {
            if (contains(text, needle)) {
                found.push_back(it->path().string());
                break;
            }
        }
    }
    return found;
}

// Where, outside the processes the watch scanned, a secret showed up: the library's log, a
// callback's text, an outcome's error message.
std::vector<std::string> secret_in_texts(const std::vector<std::string> &needles,
                                         const Sandbox &box,
                                         const std::vector<const PullRecorder *> &recs,
                                         const std::vector<const PullOutcome *> &outs) {
    std::vector<std::string> places;
    auto look = [&](const std::string &where, const std::string &text) {
        for (std::size_t i = 0; i < needles.size(); ++i) {
            if (contains(text, needles[i])) {
                places.push_back(where + " holds secret form #" + std::to_string(i));
            }
        }
    };
    look("the library's log", box.log_text());
    for (const auto *rec : recs) {
        const auto s = rec->snapshot();
        look("on_route's reason", s.reason);
        for (const auto &line : s.status) {
            look("an on_status line", line);
        }
        for (const auto &b : s.blobs) {
            look("an on_blob id", b.id);
        }
    }
    for (const auto *out : outs) {
        look("an error message", out->message);
    }
    return places;
}

std::string join_lines(const std::vector<std::string> &lines) {
    std::string s;
    for (const auto &l : lines) {
        s += "  " + l + "\n";
    }
    return s.empty() ? "  none\n" : s;
}

// All the places a secret may never be, after one or more pulls; the watch must have seen
// the service (so its scans really covered podman).
void check_secrets_absent(const std::vector<std::string> &needles, const SecretWatch &watch,
                          const Sandbox &box, const std::vector<const PullRecorder *> &recs,
                          const std::vector<const PullOutcome *> &outs,
                          const std::set<fs::path> &allowed_files) {
    const auto report = watch.report();
    INFO(report.describe());
    CHECK(report.hits.empty());
    CHECK(report.scans > 0);
    CHECK(report.podman_seen > 0);
    CHECK(report.podman_environ_read > 0);
    const auto texts = secret_in_texts(needles, box, recs, outs);
    INFO("secrets in texts:\n" << join_lines(texts));
    CHECK(texts.empty());
    const auto files = files_holding(box.dir(), needles, allowed_files);
    INFO("files in the sandbox holding a secret:\n" << join_lines(files));
    CHECK(files.empty());
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string> &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

// ---- right credentials ----------------------------------------------------------------------

TEST_CASE("right credentials from auth_file pull from the TLS registry with tls_verify off, on "
          "the automatic route, and the password shows up nowhere",
          "[auth][registry]") {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::none);
    opts.auth_file = auth_file.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    PullRecorder rec;
    podpull_pull_options popts = insecure_pull_options();
    const podpull_route expected = expected_auto_route(auth.image, &popts);
    PullOutcome out = watched_pull(client.ptr, auth.image, rec, watch, &popts);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());

    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.route == expected);
    CHECK(rec.snapshot().route == expected);
    CHECK(is_hex64(out.image_id));
    CHECK(out.image_id == auth.image_id);

    client.reset();
    check_secrets_absent(fixture_secrets(), watch, box, {&rec}, {&out}, {auth_file});
    auto ids = box.podman_image_ids(box.main());
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == auth.image_id);
    box.check_no_leftovers();
}

TEST_CASE("right credentials pull with TLS verified against the test CA from the service's "
          "private HOME: on the Docker-compat route, the libpod text route and the automatic one",
          "[auth][registry][tls]") {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::ca);
    opts.auth_file = auth_file.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    // One storage: the first pull fetches the blobs, the later ones find them there.
    std::vector<std::unique_ptr<PullRecorder>> recs;
    std::vector<PullOutcome> outs;
    for (podpull_route route :
         {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_LIBPOD_TEXT, PODPULL_ROUTE_AUTO}) {
        podpull_pull_options popts = verified_pull_options(route);
        const podpull_route expected =
            route == PODPULL_ROUTE_AUTO ? expected_auto_route(auth.image, &popts) : route;
        recs.push_back(std::make_unique<PullRecorder>());
        outs.push_back(watched_pull(client.ptr, auth.image, *recs.back(), watch, &popts));
        const PullOutcome &out = outs.back();
        INFO("requested " << route_name(route) << ": " << out.describe() << "\n"
                          << recs.back()->summary() << box.log_text());
        REQUIRE(out.code == PODPULL_OK);
        CHECK(out.route == expected);
        CHECK(out.image_id == auth.image_id);
        if (route == PODPULL_ROUTE_DOCKER_COMPAT) {
            CHECK(recs.back()->snapshot().blob_calls > 0); // per-layer events
        }
    }

    client.reset();
    check_secrets_absent(fixture_secrets(), watch, box,
                         {recs[0].get(), recs[1].get(), recs[2].get()},
                         {&outs[0], &outs[1], &outs[2]}, {auth_file});
    box.check_no_leftovers();
}

TEST_CASE("right credentials pull from the TLS registry declared insecure in a private "
          "registries.conf, on the Docker-compat route and on the automatic one",
          "[auth][registry][tls]") {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::insecure);
    opts.auth_file = auth_file.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    std::vector<std::unique_ptr<PullRecorder>> recs;
    std::vector<PullOutcome> outs;
    for (podpull_route route : {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_AUTO}) {
        podpull_pull_options popts = verified_pull_options(route);
        const podpull_route expected =
            route == PODPULL_ROUTE_AUTO ? expected_auto_route(auth.image, &popts) : route;
        recs.push_back(std::make_unique<PullRecorder>());
        outs.push_back(watched_pull(client.ptr, auth.image, *recs.back(), watch, &popts));
        const PullOutcome &out = outs.back();
        INFO("requested " << route_name(route) << ": " << out.describe() << "\n"
                          << recs.back()->summary() << box.log_text());
        REQUIRE(out.code == PODPULL_OK);
        CHECK(out.route == expected);
        CHECK(out.image_id == auth.image_id);
    }

    client.reset();
    check_secrets_absent(fixture_secrets(), watch, box, {recs[0].get(), recs[1].get()},
                         {&outs[0], &outs[1]}, {auth_file});
    box.check_no_leftovers();
}

TEST_CASE("with tls_verify on and the test CA not trusted, the pull fails on the certificate, "
          "not on credentials",
          "[auth][registry][tls][errors]") {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::none);
    opts.auth_file = auth_file.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    std::vector<PullOutcome> outs;
    std::vector<std::unique_ptr<PullRecorder>> recs;
    for (podpull_route route :
         {PODPULL_ROUTE_AUTO, PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_LIBPOD_TEXT}) {
        recs.push_back(std::make_unique<PullRecorder>());
        podpull_pull_options popts = verified_pull_options(route);
        outs.push_back(watched_pull(client.ptr, auth.image, *recs.back(), watch, &popts));
        const PullOutcome &out = outs.back();
        INFO("requested " << route_name(route) << ": " << out.describe() << "\n"
                          << recs.back()->summary() << box.log_text());
        CHECK(recs.back()->snapshot().route ==
              (route == PODPULL_ROUTE_AUTO ? expected_auto_route(auth.image, &popts) : route));
        CHECK(out.code == PODPULL_ERR_PULL);
        CHECK(out.error_code == out.code);
        CHECK_FALSE(out.have_result);
        CHECK(contains(out.message, "x509"));
        CHECK(contains_nocase(out.message, "certificate"));
    }

    client.reset();
    check_secrets_absent(fixture_secrets(), watch, box,
                         {recs[0].get(), recs[1].get(), recs[2].get()},
                         {&outs[0], &outs[1], &outs[2]}, {auth_file});
    box.check_no_leftovers();
}

TEST_CASE("auth_fd: credentials read from an open file and from a pipe", "[auth][registry]") {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    SecretWatch watch(fixture_secrets());

    // A file descriptor of the auth file, on the Docker-compat route with the CA trusted
    // (X-Registry-Auth to POST /images/create).
    PullRecorder rec;
    PullOutcome out;
    {
        const int fd = ::open(auth_file.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        podpull_connect_options opts = auth_options(box, Trust::ca);
        opts.auth_fd = fd;
        ConnectOutcome c = connect(opts);
        ::close(fd); // read at connect: the host may close it right after
        INFO(c.describe() << "\n" << box.log_text());
        REQUIRE(c.code == PODPULL_OK);
        Client client(c.client);
        podpull_pull_options popts = verified_pull_options(PODPULL_ROUTE_DOCKER_COMPAT);
        out = watched_pull(client.ptr, auth.image, rec, watch, &popts);
        INFO(out.describe() << "\n" << rec.summary() << box.log_text());
        CHECK(out.code == PODPULL_OK);
        CHECK(out.route == PODPULL_ROUTE_DOCKER_COMPAT);
        CHECK(out.image_id == auth.image_id);
    }

    // The read end of a pipe (not seekable), on the automatic route with tls_verify off (a
    // libpod endpoint), into a fresh storage.
    PullRecorder rec2;
    PullOutcome out2;
    {
        int pipe_fds[2];
        REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
        const std::string text = auth_json({right_credentials(auth.registry)});
        REQUIRE(::write(pipe_fds[1], text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()));
        ::close(pipe_fds[1]);
        podpull_connect_options opts =
            auth_options(box, Trust::none, box.make_service_dirs("second"));
        opts.auth_fd = pipe_fds[0];
        ConnectOutcome c = connect(opts);
        ::close(pipe_fds[0]);
        INFO(c.describe() << "\n" << box.log_text());
        REQUIRE(c.code == PODPULL_OK);
        Client client(c.client);
        podpull_pull_options popts = insecure_pull_options();
        out2 = watched_pull(client.ptr, auth.image, rec2, watch, &popts);
        INFO(out2.describe() << "\n" << rec2.summary() << box.log_text());
        CHECK(out2.code == PODPULL_OK);
        CHECK(out2.route == expected_auto_route(auth.image, &popts));
        CHECK(out2.image_id == auth.image_id);
    }

    check_secrets_absent(fixture_secrets(), watch, box, {&rec, &rec2}, {&out, &out2}, {auth_file});
    box.check_no_leftovers();
}

// ---- no, wrong, or misplaced credentials ----------------------------------------------------

// Pulls the auth image with `entries` as the auth file (none: no auth file) on every route the
// release serves for it: DOCKER_COMPAT with TLS verified (the CA trusted), each libpod route
// and the automatic choice with tls_verify off; a libpod route this release does not serve is
// refused, and says so. Checks that each pull fails with AUTH and that no secret of
// `extra_secrets` or the fixture's leaks.
void check_auth_refused(const std::vector<AuthEntry> *entries,
                        const std::vector<std::string> &extra_secrets = {}) {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    std::set<fs::path> allowed;
    podpull_connect_options opts = auth_options(box, Trust::ca);
    fs::path auth_file;
    if (entries != nullptr) {
        auth_file = write_auth_file(box, *entries);
        allowed.insert(auth_file);
        opts.auth_file = auth_file.c_str();
    }
    Client client(connect_or_fail(box, opts));

    const auto secrets = concat(fixture_secrets(), extra_secrets);
    SecretWatch watch(secrets);
    std::vector<PullOutcome> outs;
    std::vector<std::unique_ptr<PullRecorder>> recs;
    for (podpull_route route :
         {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_LIBPOD_TEXT, PODPULL_ROUTE_LIBPOD_COMPAT,
          PODPULL_ROUTE_LIBPOD_PROGRESS, PODPULL_ROUTE_AUTO}) {
        const bool verify = route == PODPULL_ROUTE_DOCKER_COMPAT;
        podpull_pull_options popts = verify ? verified_pull_options() : insecure_pull_options();
        popts.route = route;
        const std::string refusal = expected_refusal(route, auth.image, popts);
        recs.push_back(std::make_unique<PullRecorder>());
        outs.push_back(watched_pull(client.ptr, auth.image, *recs.back(), watch, &popts));
        const PullOutcome &out = outs.back();
        INFO("requested " << route_name(route) << ", tls_verify " << verify << ": "
                          << out.describe() << "\n"
                          << recs.back()->summary() << box.log_text());
        CHECK(out.route == PODPULL_ROUTE_AUTO); // no result
        CHECK_FALSE(out.have_result);
        if (!refusal.empty()) {
            std::printf("%s: not served by podman %s, refused: %s\n", route_name(route),
                        test_env().podman_version.c_str(), out.message.c_str());
            CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
            CHECK(contains(out.message, refusal));
            continue;
        }
        CHECK(recs.back()->snapshot().route ==
              (route == PODPULL_ROUTE_AUTO ? expected_auto_route(auth.image, &popts) : route));
        CHECK(out.code == PODPULL_ERR_AUTH);
        CHECK(out.error_code == PODPULL_ERR_AUTH);
        CHECK((contains_nocase(out.message, "unauthorized") ||
               contains_nocase(out.message, "authentication required")));
    }

    client.reset();
    std::vector<const PullRecorder *> rec_ptrs;
    std::vector<const PullOutcome *> out_ptrs;
    for (std::size_t i = 0; i < recs.size(); ++i) {
        rec_ptrs.push_back(recs[i].get());
        out_ptrs.push_back(&outs[i]);
    }
    check_secrets_absent(secrets, watch, box, rec_ptrs, out_ptrs, allowed);
    CHECK(box.podman_image_ids(box.main()).empty());
    box.check_no_leftovers();
}

TEST_CASE("without an auth file the TLS registry refuses the pull: AUTH",
          "[auth][registry][errors]") {
    check_auth_refused(nullptr);
}

TEST_CASE("a wrong password fails with AUTH, and neither password shows up anywhere",
          "[auth][registry][errors]") {
    const AuthTestEnv &auth = auth_test_env();
    const AuthEntry wrong = wrong_credentials(auth.registry);
    const std::vector<AuthEntry> entries{wrong};
    check_auth_refused(&entries, secret_forms(wrong.user, wrong.password));
}

TEST_CASE("credentials stored for other registries are not sent: AUTH",
          "[auth][registry][errors]") {
    const AuthTestEnv &auth = auth_test_env();
    const std::string host = auth.registry.substr(0, auth.registry.find(':'));
    // The right password, under keys that do not name the image's registry: the plain
    // registry on the same host (another port), the host without a port, another repository
    // of the same registry, and a prefix that ends inside a path component.
    const std::vector<AuthEntry> entries{
        right_credentials(test_env().registry),
        right_credentials(host),
        right_credentials(auth.registry + "/podpull/other"),
        right_credentials(auth.registry + "/podpul"),
    };
    check_auth_refused(&entries);
}

TEST_CASE("the most specific auth file key for the image wins", "[auth][registry]") {
    const AuthTestEnv &auth = auth_test_env();
    const std::string reg = auth.registry;
    struct Case {
        const char *what;
        std::vector<AuthEntry> entries;
        podpull_code expected;
    };
    const std::vector<Case> cases{
        {"host:port/podpull (right) beats host:port (wrong)",
         {wrong_credentials(reg), right_credentials(reg + "/podpull")},
         PODPULL_OK},
        {"the same, in the other order in the file",
         {right_credentials(reg + "/podpull"), wrong_credentials(reg)},
         PODPULL_OK},
        {"host:port/podpull (wrong) beats host:port (right)",
         {right_credentials(reg), wrong_credentials(reg + "/podpull")},
         PODPULL_ERR_AUTH},
        {"host:port/podpull/test (right) beats both",
         {wrong_credentials(reg), wrong_credentials(reg + "/podpull"),
          right_credentials(reg + "/podpull/test")},
         PODPULL_OK},
    };
    for (const auto &c : cases) {
        INFO("case: " << c.what);
        Sandbox box;
        const fs::path auth_file = write_auth_file(box, c.entries);
        podpull_connect_options opts = auth_options(box, Trust::none);
        opts.auth_file = auth_file.c_str();
        Client client(connect_or_fail(box, opts));
        const auto secrets =
            concat(fixture_secrets(), secret_forms(auth.user, wrong_credentials(reg).password));
        SecretWatch watch(secrets);
        PullRecorder rec;
        podpull_pull_options popts = insecure_pull_options();
        PullOutcome out = watched_pull(client.ptr, auth.image, rec, watch, &popts);
        INFO(out.describe() << "\n" << rec.summary() << box.log_text());
        CHECK(out.code == c.expected);
        if (c.expected == PODPULL_OK) {
            CHECK(out.image_id == auth.image_id);
        }
        client.reset();
        check_secrets_absent(secrets, watch, box, {&rec}, {&out}, {auth_file});
        box.check_no_leftovers();
    }
}

// ---- the subprocess route -------------------------------------------------------------------

TEST_CASE("the subprocess route hands podman pull the credentials as a sealed memfd at fd 4, "
          "never on argv",
          "[auth][subprocess]") {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path wrapper = write_recording_wrapper(box.dir());
    const fs::path report = box.dir() / "wrapper-report";
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::ca);
    opts.auth_file = auth_file.c_str();
    opts.podman_path = wrapper.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    PullRecorder rec;
    // A registry reference on the subprocess route only when asked for; tls_verify stays on,
    // and `podman pull` trusts the test CA through the same private HOME.
    podpull_pull_options popts = verified_pull_options(PODPULL_ROUTE_SUBPROCESS);
    PullOutcome out = watched_pull(client.ptr, auth.image, rec, watch, &popts);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.route == PODPULL_ROUTE_SUBPROCESS);
    CHECK(out.image_id == auth.image_id);
    client.reset();

    INFO("wrapper report:\n" << read_file(report));
    int pulls = 0;
    for (const auto &r : read_wrapper_report(report)) {
        for (const auto &arg : r.argv) {
            for (const auto &secret : fixture_secrets()) {
                CHECK_FALSE(contains(arg, secret));
            }
        }
        if (!r.has_args({"pull"})) {
            continue;
        }
        ++pulls;
        CHECK(r.has_option("--authfile", "/proc/self/fd/4"));
        REQUIRE(r.fds.count(4) == 1);
        CHECK(contains(r.fds.at(4), "memfd:podpull-auth"));
        CHECK(r.argv.back() == auth.image);
    }
    CHECK(pulls == 1);
    // The watch saw the `podman pull` child itself while it ran.
    const auto seen = watch.report();
    INFO(seen.describe());
    CHECK(seen.saw_cmdline_with({" pull ", "--authfile /proc/self/fd/4"}));

    check_secrets_absent(fixture_secrets(), watch, box, {&rec}, {&out}, {auth_file});
    box.check_no_leftovers();
}

TEST_CASE("the subprocess route without credentials, or with a wrong password, fails with AUTH",
          "[auth][subprocess][errors]") {
    const AuthTestEnv &auth = auth_test_env();
    const AuthEntry wrong = wrong_credentials(auth.registry);
    const auto secrets = concat(fixture_secrets(), secret_forms(wrong.user, wrong.password));
    for (bool with_file : {false, true}) {
        INFO("case: " << (with_file ? "wrong password" : "no auth file"));
        Sandbox box;
        const fs::path wrapper = write_recording_wrapper(box.dir());
        podpull_connect_options opts = auth_options(box, Trust::ca);
        std::set<fs::path> allowed;
        fs::path auth_file;
        if (with_file) {
            auth_file = write_auth_file(box, {wrong});
            allowed.insert(auth_file);
            opts.auth_file = auth_file.c_str();
        }
        opts.podman_path = wrapper.c_str();
        Client client(connect_or_fail(box, opts));
        SecretWatch watch(secrets);
        PullRecorder rec;
        podpull_pull_options popts = verified_pull_options(PODPULL_ROUTE_SUBPROCESS);
        PullOutcome out = watched_pull(client.ptr, auth.image, rec, watch, &popts);
        INFO(out.describe() << "\n" << rec.summary() << box.log_text());
        CHECK(out.code == PODPULL_ERR_AUTH);
        CHECK_FALSE(out.have_result);
        client.reset();

        bool saw_pull = false;
        for (const auto &r : read_wrapper_report(box.dir() / "wrapper-report")) {
            if (r.has_args({"pull"})) {
                saw_pull = true;
                CHECK(r.has_option("--authfile", "/proc/self/fd/4") == with_file);
            }
        }
        CHECK(saw_pull);
        check_secrets_absent(secrets, watch, box, {&rec}, {&out}, allowed);
        box.check_no_leftovers();
    }
}

TEST_CASE("an oci-archive pull with an auth file works, and podman pull gets no credentials for "
          "a local transport",
          "[auth][subprocess]") {
    const TestEnv &env = test_env();
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path wrapper = write_recording_wrapper(box.dir());
    const fs::path report = box.dir() / "wrapper-report";
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::none);
    opts.auth_file = auth_file.c_str();
    opts.podman_path = wrapper.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    PullRecorder rec;
    PullOutcome out =
        watched_pull(client.ptr, "oci-archive:" + env.oci_archive, rec, watch, nullptr);
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.route == PODPULL_ROUTE_SUBPROCESS);
    CHECK(out.image_id == env.oci_archive_id);
    client.reset();

    // An oci-archive has no registry, so no entry of the auth file is its: the library passes
    // no --authfile and no fd 4 (credentials only ever go to the image's own registry).
    INFO("wrapper report:\n" << read_file(report));
    int pulls = 0;
    for (const auto &r : read_wrapper_report(report)) {
        if (!r.has_args({"pull"})) {
            continue;
        }
        ++pulls;
        CHECK(std::find(r.argv.begin(), r.argv.end(), "--authfile") == r.argv.end());
        CHECK(r.fds.count(4) == 0);
    }
    CHECK(pulls == 1);
    check_secrets_absent(fixture_secrets(), watch, box, {&rec}, {&out}, {auth_file});
    box.check_no_leftovers();
}
