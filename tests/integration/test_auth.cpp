// SPDX-License-Identifier: MIT OR Apache-2.0
// Private registries: credentials from a containers-auth.json(5) file (auth_file, auth_fd)
// against the fixture's second registry, which serves HTTPS only, with a certificate from a
// test CA, and wants a password (htpasswd). The library sends the credentials of the image's
// registry as X-Registry-Auth on the API routes, and hands `podman pull` a sealed memfd at
// fd 4 (--authfile /proc/self/fd/4). While each pull runs, every process's cmdline and
// environ is searched for the password; so are the library's log lines, every callback's
// text, every error message, and every file the test's podman left in its sandbox
// (podpull_test/credentials.hpp, which also says how the service trusts the test CA).
//
// Every case runs on every release: on the routes it is about, forced (DOCKER_COMPAT is served
// by every podman), and on the route the automatic choice takes there.

#include "podpull_test/credentials.hpp"
#include "podpull_test/podman_recorder.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <set>
#include <unistd.h>

using namespace podpull_test;

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

namespace {

// Pulls the auth image once on each of `routes`, TLS verification on, into the storage of one
// client that has the right credentials in its auth file and reaches the registry the `trust`
// way, with the watch looking; each pull must succeed on its route (the automatic choice's for
// AUTO) with the image's ID. Then the password must be nowhere.
void pull_on_routes(Trust trust, const std::vector<podpull_route> &routes) {
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, trust);
    opts.auth_file = auth_file.c_str();
    Client client(connect_or_fail(box, opts));

    SecretWatch watch(fixture_secrets());
    // One storage: the first pull fetches the blobs, the later ones find them there.
    std::vector<std::unique_ptr<PullRecorder>> recs;
    std::vector<PullOutcome> outs;
    for (podpull_route route : routes) {
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
    check_secrets_absent_after(fixture_secrets(), watch, box, recs, outs, {auth_file});
    box.check_no_leftovers();
}

} // namespace

TEST_CASE("right credentials pull with TLS verified against the test CA from the service's "
          "private HOME: on the Docker-compat route, the libpod text route and the automatic one",
          "[auth][registry][tls]") {
    pull_on_routes(Trust::ca,
                   {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_LIBPOD_TEXT, PODPULL_ROUTE_AUTO});
}

TEST_CASE("right credentials pull from the TLS registry declared insecure in a private "
          "registries.conf, on the Docker-compat route and on the automatic one",
          "[auth][registry][tls]") {
    pull_on_routes(Trust::insecure, {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_AUTO});
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
    check_secrets_absent_after(fixture_secrets(), watch, box, recs, outs, {auth_file});
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

namespace {

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
    check_secrets_absent_after(secrets, watch, box, recs, outs, allowed);
    CHECK(box.podman_image_ids(box.main()).empty());
    box.check_no_leftovers();
}

} // namespace

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
    const PodmanRecorder recorder = write_podman_recorder(box.dir());
    const fs::path &report = recorder.report;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::ca);
    opts.auth_file = auth_file.c_str();
    opts.podman_path = recorder.script.c_str();
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

    INFO("recorder's report:\n" << read_file(report));
    int pulls = 0;
    for (const auto &r : read_podman_launches(report)) {
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
        const PodmanRecorder recorder = write_podman_recorder(box.dir());
        podpull_connect_options opts = auth_options(box, Trust::ca);
        std::set<fs::path> allowed;
        fs::path auth_file;
        if (with_file) {
            auth_file = write_auth_file(box, {wrong});
            allowed.insert(auth_file);
            opts.auth_file = auth_file.c_str();
        }
        opts.podman_path = recorder.script.c_str();
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
        for (const auto &r : read_podman_launches(recorder.report)) {
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
    const PodmanRecorder recorder = write_podman_recorder(box.dir());
    const fs::path &report = recorder.report;
    const fs::path auth_file = write_auth_file(box, {right_credentials(auth.registry)});
    podpull_connect_options opts = auth_options(box, Trust::none);
    opts.auth_file = auth_file.c_str();
    opts.podman_path = recorder.script.c_str();
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
    INFO("recorder's report:\n" << read_file(report));
    int pulls = 0;
    for (const auto &r : read_podman_launches(report)) {
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
