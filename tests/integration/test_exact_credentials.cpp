// SPDX-License-Identifier: MIT OR Apache-2.0
// The host's auth file is all the credentials podman and skopeo get, proved the hard way: the
// fixture's password-protected TLS registry, and credentials for it planted in every place
// podman and skopeo search when nobody names a file (containers/image's pkg/docker/config,
// getAuthFilePaths, and the --authfile default of podman pull and skopeo):
//   - REGISTRY_AUTH_FILE in the test process's (the host's) environment;
//   - $XDG_RUNTIME_DIR/containers/auth.json, the variable set for the test process and in the
//     env option;
//   - /run/containers/0/auth.json, root's when XDG_RUNTIME_DIR is unset: every case runs a
//     second time with it unset for the test process and the children;
//   - ~/.config/containers/auth.json, ~/.docker/config.json and ~/.dockercfg in the service's
//     private HOME (the env option; podpull_test/credentials.hpp).
// Then, on every route the release serves, forced and automatic, into one storage:
//   1. the right auth file, wrong credentials planted everywhere: OK with the image's ID, and
//      the manifest read;
//   2. an auth file holding no credentials ({}; {"auths":{}} through auth_fd): with nothing
//      planted, AUTH (the storage holds the image by then, so every route asks the registry
//      whatever it stores); with the right credentials planted everywhere, and in each place
//      alone, AUTH too, and skopeo reads no manifest. Not on podman before 4.4, which reads the
//      HOME places after the file it is given (podman_reads_home_after_given_file): there those
//      give OK, and only they;
//   3. the control, with no auth option and the right credentials in one place at a time:
//      podman's own lookup stands, and at least one place must give OK on each route, or the
//      AUTH of step 2 would prove nothing.
// Each pull prints a line of the table ("exact-credentials: ..."). The password is searched for
// in every process, log, callback, message and sandbox file, as in test_auth.cpp.
//
// /run/containers/0 is outside any temporary directory and must never be written on the host:
// ctest runs these cases through tests/support/private-run-containers.sh (a private mount
// namespace with /run/containers a tmpfs of its own), and each case fails at once when it finds
// itself elsewhere.

#include "podpull_test/credentials.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace podpull_test;

namespace {

// ---- the private /run/containers ----------------------------------------------------------------

const fs::path run_containers_dir = "/run/containers";

// The file system type of the topmost mount at `mount_point` ("" when nothing is mounted there):
// the last line of /proc/self/mountinfo naming it, mounts being listed in the order they were
// made.
std::string mount_type_at(const fs::path &mount_point) {
    std::string type;
    for (const auto &line : lines_of(read_file("/proc/self/mountinfo"))) {
        // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
        const auto fields = words(line);
        if (fields.size() < 7 || fields[4] != mount_point.string()) {
            continue;
        }
        for (std::size_t i = 6; i + 1 < fields.size(); ++i) {
            if (fields[i] == "-") {
                type = fields[i + 1];
                break;
            }
        }
    }
    return type;
}

// Fails the test unless /run/containers is a tmpfs of its own in a mount namespace that is not
// the host's. Which namespace is the host's: PID 1's, where it can be read, and the one
// private-run-containers.sh was started in (PODPULL_HOST_MOUNT_NS), since PID 1's cannot always
// be read. Knowing neither fails too: a skip would let the test write the host's /run.
void require_private_run_containers() {
    const std::string own = fs::read_symlink("/proc/self/ns/mnt").string();
    std::set<std::string> host;
    std::error_code ec;
    const fs::path init = fs::read_symlink("/proc/1/ns/mnt", ec);
    if (!ec) {
        host.insert(init.string());
    }
    if (const char *started_in = std::getenv("PODPULL_HOST_MOUNT_NS");
        started_in != nullptr && *started_in != '\0') {
        host.insert(started_in);
    }
    const std::string type = mount_type_at(run_containers_dir);
    INFO("this test writes /run/containers/0/auth.json, which must never happen on the host: run "
         "it through tests/support/private-run-containers.sh, as ctest's "
         "podpull_exact_credentials_tests entries do. Mount namespace "
         << own
         << "; the host's: " << (host.empty() ? "unknown" : join({host.begin(), host.end()}, ", "))
         << "; /run/containers: "
         << (type.empty() ? "no mount of its own" : "a " + type + " mount"));
    REQUIRE_FALSE(host.empty());
    REQUIRE(host.count(own) == 0);
    REQUIRE(type == "tmpfs");
}

// ---- the environment ----------------------------------------------------------------------------

// Sets (or unsets, for nullopt) a variable of this process for a scope, then restores it. Only
// while no client exists: the library reads the environment when it starts a child.
class EnvOverride {
  public:
    EnvOverride(std::string name, const std::optional<std::string> &value)
        : name_(std::move(name)) {
        if (const char *old = std::getenv(name_.c_str())) {
            saved_ = old;
        }
        if (value) {
            ::setenv(name_.c_str(), value->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    ~EnvOverride() {
        if (saved_) {
            ::setenv(name_.c_str(), saved_->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    EnvOverride(const EnvOverride &) = delete;
    EnvOverride &operator=(const EnvOverride &) = delete;

  private:
    std::string name_;
    std::optional<std::string> saved_;
};

// ---- the planted places -------------------------------------------------------------------------

enum class Place {
    registry_auth_file, // $REGISTRY_AUTH_FILE: podman pull's and skopeo's --authfile default
    xdg_runtime_dir,    // $XDG_RUNTIME_DIR/containers/auth.json: podman login's file
    run_containers,     // /run/containers/0/auth.json: the same for root without XDG_RUNTIME_DIR
    config_containers,  // ~/.config/containers/auth.json
    docker_config,      // ~/.docker/config.json
    docker_legacy       // ~/.dockercfg: Docker's old format, {"registry": {"auth": ...}}
};

const char *place_name(Place place) {
    switch (place) {
    case Place::registry_auth_file:
        return "$REGISTRY_AUTH_FILE";
    case Place::xdg_runtime_dir:
        return "$XDG_RUNTIME_DIR/containers/auth.json";
    case Place::run_containers:
        return "/run/containers/0/auth.json";
    case Place::config_containers:
        return "~/.config/containers/auth.json";
    case Place::docker_config:
        return "~/.docker/config.json";
    case Place::docker_legacy:
        return "~/.dockercfg";
    }
    return "?";
}

// ~/.dockercfg: the registries at the top level, without "auths".
std::string legacy_dockercfg(const std::vector<AuthEntry> &entries) {
    std::string text = "{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        text += (i > 0 ? "," : "") + std::string("\"") + e.key + "\":{\"auth\":\"" +
                base64(e.user + ":" + e.password) + "\"}";
    }
    return text + "}\n";
}

// Every place of Place, as this test's processes and podman's see them. While it lives, this
// process's REGISTRY_AUTH_FILE names the sandbox's file, XDG_RUNTIME_DIR names a sandbox
// directory or is unset, and XDG_CONFIG_HOME and DOCKER_CONFIG, which would move the HOME
// places elsewhere, are unset. /run/containers/0 is made here (fresh, in the private tmpfs) and
// removed at the end.
class PlantedPlaces {
  public:
    PlantedPlaces(const Sandbox &box, const fs::path &home, bool xdg_runtime_dir)
        : xdg_runtime_dir_(xdg_runtime_dir ? std::optional<fs::path>(box.dir() / "xdg-runtime")
                                           : std::nullopt),
          registry_auth_file_(box.dir() / "registry-auth-file.json"), home_(home) {
        places_ = {Place::registry_auth_file, Place::run_containers, Place::config_containers,
                   Place::docker_config, Place::docker_legacy};
        if (xdg_runtime_dir_) {
            places_.insert(places_.begin() + 1, Place::xdg_runtime_dir);
            fs::create_directories(*xdg_runtime_dir_ / "containers");
            fs::permissions(*xdg_runtime_dir_, fs::perms::owner_all);
        }
        // Fresh: the tmpfs is the test's alone.
        REQUIRE_FALSE(fs::exists(run_containers_dir / "0"));
        fs::create_directory(run_containers_dir / "0");
        fs::permissions(run_containers_dir / "0", fs::perms::owner_all); // as podman login makes it
        fs::create_directories(home_ / ".config" / "containers");
        fs::create_directories(home_ / ".docker");
        env_.push_back(
            std::make_unique<EnvOverride>("REGISTRY_AUTH_FILE", registry_auth_file_.string()));
        env_.push_back(std::make_unique<EnvOverride>(
            "XDG_RUNTIME_DIR", xdg_runtime_dir_
                                   ? std::optional<std::string>(xdg_runtime_dir_->string())
                                   : std::nullopt));
        env_.push_back(std::make_unique<EnvOverride>("XDG_CONFIG_HOME", std::nullopt));
        env_.push_back(std::make_unique<EnvOverride>("DOCKER_CONFIG", std::nullopt));
        plant({}, {});
    }
    ~PlantedPlaces() {
        std::error_code ec;
        fs::remove_all(run_containers_dir / "0", ec);
    }
    PlantedPlaces(const PlantedPlaces &) = delete;
    PlantedPlaces &operator=(const PlantedPlaces &) = delete;

    const std::vector<Place> &places() const { return places_; }

    // `entries` in each place of `where`; every other place holds a file without credentials,
    // so that an unplanted place is the same as a place nobody ever wrote: podman goes on to
    // the next one (and REGISTRY_AUTH_FILE, were it read, names a file that exists).
    void plant(const std::vector<Place> &where, const std::vector<AuthEntry> &entries) {
        for (Place place : places_) {
            const bool planted = std::find(where.begin(), where.end(), place) != where.end();
            const std::vector<AuthEntry> none;
            const auto &chosen = planted ? entries : none;
            write_file(path(place),
                       place == Place::docker_legacy ? legacy_dockercfg(chosen) : auth_json(chosen),
                       0600);
        }
    }
    void plant_everywhere(const std::vector<AuthEntry> &entries) { plant(places_, entries); }

    // The planted files inside the sandbox, which may hold the secrets.
    std::set<fs::path> sandbox_files() const {
        std::set<fs::path> files;
        for (Place place : places_) {
            if (place != Place::run_containers) {
                files.insert(path(place));
            }
        }
        return files;
    }

    // What the env option adds: the same XDG_RUNTIME_DIR as this process, or nothing.
    std::vector<std::string> connect_env() const {
        if (!xdg_runtime_dir_) {
            return {};
        }
        return {"XDG_RUNTIME_DIR=" + xdg_runtime_dir_->string()};
    }

  private:
    fs::path path(Place place) const {
        switch (place) {
        case Place::registry_auth_file:
            return registry_auth_file_;
        case Place::xdg_runtime_dir:
            return *xdg_runtime_dir_ / "containers" / "auth.json";
        case Place::run_containers:
            return run_containers_dir / "0" / "auth.json";
        case Place::config_containers:
            return home_ / ".config" / "containers" / "auth.json";
        case Place::docker_config:
            return home_ / ".docker" / "config.json";
        case Place::docker_legacy:
            return home_ / ".dockercfg";
        }
        return {};
    }

    std::optional<fs::path> xdg_runtime_dir_;
    fs::path registry_auth_file_, home_;
    std::vector<Place> places_;
    std::vector<std::unique_ptr<EnvOverride>> env_;
};

// ---- pulls and the table ------------------------------------------------------------------------

// The routes a host can ask for: every forced one, and the automatic choice.
std::vector<podpull_route> every_route() {
    std::vector<podpull_route> routes = forced_routes();
    routes.push_back(PODPULL_ROUTE_AUTO);
    return routes;
}

// One pull of the auth image and what the host heard.
struct Attempt {
    podpull_route requested = PODPULL_ROUTE_AUTO;
    podpull_route expected_route = PODPULL_ROUTE_AUTO; // the automatic choice's for AUTO
    std::string refusal; // why this release does not serve the forced route; "" when it does
    PullOutcome out;
    PullRecorder::Snapshot seen;
    std::string describe(const Sandbox &box) const {
        std::ostringstream o;
        o << "requested " << route_name(requested) << ", expected route "
          << route_name(expected_route) << ": " << out.describe()
          << "\non_route: " << route_name(seen.route) << " \"" << seen.reason << "\"\n"
          << box.log_text();
        return o.str();
    }
};

// The pulls of one client, with its watch, kept for check_secrets_absent_after.
class Pulls {
  public:
    Pulls(podpull_client *client, std::vector<std::string> secrets)
        : client_(client), secrets_(std::move(secrets)), watch_(secrets_) {}

    Attempt pull(podpull_route route) {
        const AuthTestEnv &auth = auth_test_env();
        Attempt a;
        a.requested = route;
        // TLS verified on every route: the private HOME trusts the test CA, and the
        // Docker-compat route has no tlsVerify to turn it off with.
        podpull_pull_options popts = verified_pull_options(route);
        a.expected_route =
            route == PODPULL_ROUTE_AUTO ? expected_auto_route(auth.image, &popts) : route;
        a.refusal = expected_refusal(route, auth.image, popts);
        recs_.push_back(std::make_unique<PullRecorder>());
        outs_.push_back(watched_pull(client_, auth.image, *recs_.back(), watch_, &popts));
        a.out = outs_.back();
        a.seen = recs_.back()->snapshot();
        return a;
    }

    void check_secrets(const Sandbox &box, const std::set<fs::path> &allowed) const {
        check_secrets_absent_after(secrets_, watch_, box, recs_, outs_, allowed);
    }

  private:
    podpull_client *client_;
    std::vector<std::string> secrets_;
    SecretWatch watch_;
    std::vector<std::unique_ptr<PullRecorder>> recs_;
    std::vector<PullOutcome> outs_;
};

// The lines the closing note quotes: release, setup, route, what was planted where, the auth
// option, the code, and whether the manifest step read the manifest.
class Table {
  public:
    explicit Table(std::string setup) : setup_(std::move(setup)) {}
    void add(const Attempt &a, const std::string &planted, const std::string &auth_option) {
        std::ostringstream o;
        std::string route = route_name(a.requested);
        if (a.requested == PODPULL_ROUTE_AUTO) {
            route += std::string("->") + route_name(a.seen.route);
        }
        o << "exact-credentials: podman " << test_env().podman_version << " | " << setup_ << " | "
          << route << " | planted: " << planted << " | " << auth_option << " | " << a.out.code_str
          << " | "
          << (!a.refusal.empty()      ? "route not served"
              : manifest_read(a.seen) ? "manifest read"
                                      : "manifest not read");
        std::cout << o.str() << std::endl;
    }

  private:
    std::string setup_;
};

// What one pull must come to.
struct Expected {
    podpull_code code;
    bool manifest_read; // the manifest step (skopeo) read the manifest
};

// Checks `a` against `expected`; a forced route this release does not serve must be refused
// before anything starts, whatever was expected of a pull.
void check_attempt(const Attempt &a, const Expected &expected, const Sandbox &box) {
    INFO(a.describe(box));
    if (!a.refusal.empty()) {
        CHECK(a.out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(contains(a.out.message, a.refusal));
        return;
    }
    CHECK(a.seen.route == a.expected_route);
    CHECK(a.out.code == expected.code);
    CHECK(manifest_read(a.seen) == expected.manifest_read);
    if (expected.code == PODPULL_OK) {
        CHECK(a.out.route == a.expected_route);
        CHECK(a.out.image_id == auth_test_env().image_id);
    } else {
        CHECK(a.out.error_code == expected.code);
        CHECK_FALSE(a.out.have_result);
        // podman's own words: the registry refused, not podpull.
        CHECK((contains_nocase(a.out.message, "unauthorized") ||
               contains_nocase(a.out.message, "authentication required")));
    }
}

// The places in HOME, which containers/image reads after the primary one.
bool in_home(Place place) {
    return place == Place::config_containers || place == Place::docker_config ||
           place == Place::docker_legacy;
}

// Whether this release's podman, handed an auth file that holds nothing for the image's
// registry (X-Registry-Config's temporary file, `podman pull --authfile`), goes on to read the
// HOME places after it. containers/image before 5.24.0 does: "Don't use any default path
// fallbacks if the user specified a path" (containers/image b3748aab) came in 5.24.0, which
// podman 4.4.0 was the first to vendor; podman 4.3.1 has 5.23.1, and so has Debian 12's build.
// The file given replaces only the primary place ($XDG_RUNTIME_DIR/containers/auth.json, else
// /run/containers/0/auth.json). podpull cannot stop it: that podman takes "no credentials" only
// as such a file, and a username and password as the only override.
bool podman_reads_home_after_given_file() {
    return !test_env().podman_at_least(4, 4);
}

// A pull with an auth file that holds no credentials for the image, the right ones planted in
// `planted`: AUTH, unless this podman reads one of them anyway. skopeo is told --no-creds and
// never reads the manifest.
Expected expected_with_empty_file(const std::vector<Place> &planted) {
    const bool found =
        podman_reads_home_after_given_file() &&
        std::any_of(planted.begin(), planted.end(), [](Place p) { return in_home(p); });
    return {found ? PODPULL_OK : PODPULL_ERR_AUTH, false};
}

// What a pull with no auth option gets when the right credentials are in `place` alone:
// podman's and skopeo's own lookup, the same on every release (seen: 4.3.1, 5.4.2, 5.8.6,
// 6.1.1, on the automatic route and `podman pull`).
Expected expected_control(Place place, bool xdg_runtime_dir) {
    switch (place) {
    case Place::registry_auth_file:
        // Only the CLIs read it, as their --authfile default, and podpull passes its children
        // a fixed list of variables without it (src/io/child_process.cpp, child_environment).
        return {PODPULL_ERR_AUTH, false};
    case Place::run_containers:
        // containers/image reads it only when XDG_RUNTIME_DIR is unset, and root's podman
        // does not set the variable itself.
        return xdg_runtime_dir ? Expected{PODPULL_ERR_AUTH, false} : Expected{PODPULL_OK, true};
    case Place::xdg_runtime_dir:
    case Place::config_containers:
    case Place::docker_config:
    case Place::docker_legacy:
        return {PODPULL_OK, true};
    }
    return {PODPULL_ERR_INTERNAL, false};
}

// ---- the cases ----------------------------------------------------------------------------------

void run_exact_credentials(bool xdg_runtime_dir) {
    require_private_run_containers();
    const auto start = Clock::now();
    const AuthTestEnv &auth = auth_test_env();
    const std::string setup = xdg_runtime_dir ? "XDG_RUNTIME_DIR set" : "XDG_RUNTIME_DIR unset";
    Table table(setup);
    Sandbox box;
    const fs::path home = auth_home(box, Trust::ca);
    // Before any client: PlantedPlaces changes this process's environment.
    PlantedPlaces places(box, home, xdg_runtime_dir);
    auto options = [&]() { return auth_options(box, Trust::ca, box.main(), places.connect_env()); };
    const AuthEntry right = right_credentials(auth.registry);
    const AuthEntry wrong = wrong_credentials(auth.registry);
    const auto secrets = concat(fixture_secrets(), secret_forms(wrong.user, wrong.password));
    const std::vector<podpull_route> control_routes{PODPULL_ROUTE_AUTO, PODPULL_ROUTE_SUBPROCESS};

    // The auth files a host would name.
    const fs::path right_file = write_auth_file(box, {right}, "right-auth.json");
    const fs::path empty_file = box.dir() / "empty-auth.json";
    write_file(empty_file, "{}", 0600);
    const fs::path empty_auths_file = write_auth_file(box, {}, "empty-auths.json");
    std::set<fs::path> allowed = places.sandbox_files();
    allowed.insert(right_file);

    // 1. The right file, wrong credentials everywhere else: every route pulls, skopeo too.
    {
        places.plant_everywhere({wrong});
        podpull_connect_options opts = options();
        opts.auth_file = right_file.c_str();
        Client client(connect_or_fail(box, opts));
        Pulls pulls(client.ptr, secrets);
        for (podpull_route route : every_route()) {
            const Attempt a = pulls.pull(route);
            table.add(a, "all, wrong", "auth_file right");
            check_attempt(a, {PODPULL_OK, true}, box);
        }
        client.reset();
        pulls.check_secrets(box, allowed);
    }
    {
        const auto ids = box.podman_image_ids(box.main());
        REQUIRE(ids == std::vector<std::string>{auth.image_id});
    }

    // 2. An auth file without credentials ({}), on one client.
    {
        podpull_connect_options opts = options();
        opts.auth_file = empty_file.c_str();
        Client client(connect_or_fail(box, opts));
        Pulls pulls(client.ptr, secrets);
        // Nothing planted: AUTH on every route, though the storage holds the image. So policy
        // ALWAYS takes each route to the registry for the manifest, stored or not, and an OK
        // below is credentials found, never a pull that skipped the registry.
        places.plant({}, {});
        for (podpull_route route : every_route()) {
            const Attempt a = pulls.pull(route);
            table.add(a, "nowhere", "auth_file {}");
            check_attempt(a, {PODPULL_ERR_AUTH, false}, box);
        }
        // The right credentials everywhere: still AUTH, and skopeo reads no manifest.
        places.plant_everywhere({right});
        for (podpull_route route : every_route()) {
            const Attempt a = pulls.pull(route);
            table.add(a, "all, right", "auth_file {}");
            check_attempt(a, expected_with_empty_file(places.places()), box);
        }
        // One place at a time, so that the table says which place a podman that finds
        // credentials anyway reads.
        for (Place place : places.places()) {
            places.plant({place}, {right});
            for (podpull_route route : control_routes) {
                const Attempt a = pulls.pull(route);
                table.add(a, std::string(place_name(place)) + " alone, right", "auth_file {}");
                INFO("planted in " << place_name(place) << " alone");
                check_attempt(a, expected_with_empty_file({place}), box);
            }
        }
        client.reset();
        pulls.check_secrets(box, allowed);
    }
    // The same through auth_fd, with the other spelling of "none", {"auths":{}}.
    {
        places.plant_everywhere({right});
        const int fd = ::open(empty_auths_file.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        podpull_connect_options opts = options();
        opts.auth_fd = fd;
        ConnectOutcome c = connect(opts);
        ::close(fd); // read at connect
        INFO(c.describe() << "\n" << box.log_text());
        REQUIRE(c.code == PODPULL_OK);
        Client client(c.client);
        Pulls pulls(client.ptr, secrets);
        for (podpull_route route : control_routes) {
            const Attempt a = pulls.pull(route);
            table.add(a, "all, right", "auth_fd {\"auths\":{}}");
            check_attempt(a, expected_with_empty_file(places.places()), box);
        }
        client.reset();
        pulls.check_secrets(box, allowed);
    }

    // 3. The control: no auth option, the right credentials in one place at a time. podman's
    // own lookup stands, so the planting is real where it gives OK.
    {
        Client client(connect_or_fail(box, options()));
        Pulls pulls(client.ptr, secrets);
        std::map<podpull_route, std::vector<std::string>> found;
        for (Place place : places.places()) {
            places.plant({place}, {right});
            for (podpull_route route : control_routes) {
                const Attempt a = pulls.pull(route);
                table.add(a, std::string(place_name(place)) + " alone, right", "no auth option");
                INFO("planted in " << place_name(place) << " alone");
                check_attempt(a, expected_control(place, xdg_runtime_dir), box);
                if (a.out.code == PODPULL_OK) {
                    found[route].push_back(place_name(place));
                }
            }
        }
        // Without a place that podman reads, the AUTH of step 2 would prove nothing.
        for (podpull_route route : control_routes) {
            INFO("planted places " << route_name(route) << " found: " << join(found[route], ", "));
            CHECK_FALSE(found[route].empty());
        }
        client.reset();
        pulls.check_secrets(box, allowed);
    }

    CHECK(box.podman_image_ids(box.main()) == std::vector<std::string>{auth.image_id});
    box.check_no_leftovers();
    std::cout << "exact-credentials: podman " << test_env().podman_version << " | " << setup
              << " | " << seconds_since(start) << " s" << std::endl;
}

} // namespace

TEST_CASE("with credentials planted in every default place and XDG_RUNTIME_DIR set, podman and "
          "skopeo get exactly the auth file's: none for {}, the right ones over wrong ones",
          "[exact-credentials]") {
    run_exact_credentials(true);
}

TEST_CASE("with credentials planted in every default place and XDG_RUNTIME_DIR unset "
          "(/run/containers/0/auth.json read), podman and skopeo get exactly the auth file's",
          "[exact-credentials]") {
    run_exact_credentials(false);
}
