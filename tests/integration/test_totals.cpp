// SPDX-License-Identifier: MIT OR Apache-2.0
// Exact totals on every route and release, from the image's manifest before the first byte:
// the fixture's 48-layer OS image through the slowed relay into a fresh storage, on every route
// the release can take besides the automatic one (test_os_image.cpp checks that one, and the
// cached layers of the sibling after it). And the manifest step's edges: no skopeo, a skopeo
// that fails or hangs, a registry that stalls (cancel), credentials (only through fd 4), a
// registry reached through a registries.conf mirror, a manifest list (both platforms), and an
// oci-archive: read from its files.
//
// The tests reach the library through podpull.h only, like a host, with their own recorder:
// they read the ABI 1.2 fields of podpull_blob_progress and the result's new accessors.

#include "podpull_test/cli.hpp"
#include "podpull_test/client.hpp"
#include "podpull_test/credentials.hpp"
#include "podpull_test/fixture.hpp"
#include "podpull_test/process.hpp"
#include "podpull_test/recorder.hpp"
#include "podpull_test/routes.hpp"
#include "podpull_test/sandbox.hpp"
#include "podpull_test/totals.hpp"
#include "podpull_test/util.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <cstddef>
#include <map>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;

namespace {

using Env = std::vector<std::string>;

// A registries.conf that declares the fixture's registries insecure (plain HTTP), so that
// TLS verification can stay on, which the DOCKER_COMPAT route needs.
std::string insecure_registries_env(Sandbox &box) {
    const TestEnv &env = test_env();
    const fs::path conf = box.dir() / "registries.conf";
    if (!fs::exists(conf))
        write_file(conf, "[[registry]]\nlocation = \"" + env.slow_registry +
                             "\"\ninsecure = true\n[[registry]]\nlocation = \"" + env.registry +
                             "\"\ninsecure = true\n");
    return "CONTAINERS_REGISTRIES_CONF=" + conf.string();
}

podpull_pull_options route_options(podpull_route route) {
    podpull_pull_options o;
    podpull_pull_options_init(&o); // tls_verify on: the registries.conf says insecure
    o.route = route;
    return o;
}

// One pull with the shared recorder: what came back, and what the callbacks said.
std::pair<PullOutcome, PullRecorder::Snapshot>
pull_recorded(podpull_client *client, const std::string &image, const podpull_pull_options &opts) {
    PullRecorder recorder;
    PullOutcome out = pull(client, image, recorder, &opts);
    return {std::move(out), recorder.snapshot()};
}

// CHECKs that the storage of `dirs` holds exactly `ids`, asking `podman images` of the test's
// release. Its exit also unmounts the overlay home the service leaves mounted after SIGTERM.
void check_stored(const Sandbox &box, const ServiceDirs &dirs, std::vector<std::string> ids) {
    std::vector<std::string> stored = box.podman_image_ids(dirs);
    std::sort(stored.begin(), stored.end());
    std::sort(ids.begin(), ids.end());
    CHECK(stored == ids);
}

// The routes this release serves for `image` besides the automatic one.
std::vector<podpull_route> other_routes(const std::string &image) {
    const podpull_pull_options opts = route_options(PODPULL_ROUTE_AUTO);
    std::vector<podpull_route> routes;
    for (const podpull_route route : forced_routes())
        if (route != expected_auto_route(image, &opts) &&
            expected_refusal(route, image, opts).empty())
            routes.push_back(route);
    return routes;
}

// A PATH for the children in which skopeo is `replacement` (a script), or missing when it is
// empty: every other program of /usr/bin, /usr/sbin and /sbin stays reachable.
std::string path_with_skopeo(Sandbox &box, const std::string &replacement) {
    const fs::path bin = box.dir() / (replacement.empty() ? "bin-no-skopeo" : "bin-fake-skopeo");
    fs::create_directories(bin);
    for (const char *dir : {"/usr/bin"}) {
        for (const auto &entry : fs::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (name != "skopeo" && !fs::exists(bin / name))
                fs::create_symlink(entry.path(), bin / name);
        }
    }
    if (!replacement.empty())
        write_file(bin / "skopeo", replacement, 0755);
    return "PATH=" + bin.string() + ":/usr/sbin:/sbin";
}

} // namespace

TEST_CASE("the OS image on every route besides the automatic one, each into a fresh storage: the "
          "total at the first byte is the manifest's sum, the result's bytes equal it, every "
          "blob has its manifest size",
          "[totals][os-image]") {
    // The automatic route, and the sibling's cached layers after it, are checked the same way
    // by test_os_image.cpp.
    const OsImageEnv &os = os_image_env();
    const ManifestSizes image = described_blobs(os.manifest);
    REQUIRE(image.sizes.size() == 49);

    Sandbox box;
    const std::string registries = insecure_registries_env(box);
    for (const podpull_route route : other_routes(os.slow_image)) {
        CAPTURE(route_name(route));
        // Storages in memory, on overlay: vfs copies the tree below each of the 48 layers,
        // and removing such a storage from this machine's disk takes minutes.
        const ServiceDirs dirs =
            box.make_memory_service_dirs(std::string("r") + route_name(route), "overlay");
        Client client(connect_or_fail(box, box.options(dirs, Env{registries})));
        const auto [out, rec] = pull_recorded(client.ptr, os.slow_image, route_options(route));
        INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
        CHECK(out.route == route);
        CHECK(out.image_id == os.image_id);
        check_exact_totals(rec, out, image, {});
        WARN("podman " << test_env().podman_version << " " << route_name(route)
                       << ": first-byte total " << rec.blobs.front().pull_total << ", result "
                       << out.bytes << " bytes in " << out.seconds << " s");
        client.reset();
        check_stored(box, dirs, {os.image_id});
    }
    box.check_no_leftovers();
}

TEST_CASE("without skopeo in PATH the pull goes on without sizes, and the route's reason and the "
          "log say why",
          "[totals][manifest-edge]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(
        box, box.options(Env{insecure_registries_env(box), path_with_skopeo(box, "")})));
    const auto [out, rec] = pull_recorded(client.ptr, env.image, route_options(PODPULL_ROUTE_AUTO));
    INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == env.image_id);
    const std::string why = "no blob sizes before the bytes: skopeo, which reads the manifest, is "
                            "not in PATH";
    CHECK(contains(rec.reason, why));
    CHECK(contains(box.log_text(), why));
    CHECK(out.blobs_total == 0);
    for (const PullRecorder::BlobEvent &r : rec.blobs)
        CHECK(r.blobs_total == 0);
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("an image named by a registry that registries.conf mirrors to the fixture's: the "
          "manifest is read through the mirror, as podman pulls it, with exact totals",
          "[totals][manifest-edge]") {
    const TestEnv &env = test_env();
    // The name resolves nowhere (.invalid), so both podman and the manifest step can only
    // have reached the image through the mirror.
    const std::string mirrored = "podpull-mirrored.invalid";
    const std::string path = repository_path(env.image);
    Sandbox box;
    const fs::path conf = box.dir() / "registries-mirror.conf";
    write_file(conf, "[[registry]]\nprefix = \"" + mirrored + "\"\nlocation = \"" + mirrored +
                         "\"\n[[registry.mirror]]\nlocation = \"" + env.registry +
                         "\"\ninsecure = true\n");
    Client client(
        connect_or_fail(box, box.options(Env{"CONTAINERS_REGISTRIES_CONF=" + conf.string()})));
    const ImageBlobs blobs = registry_image(env.registry, path);
    ManifestSizes sizes;
    sizes.add("sha256:" + blobs.config.hex, blobs.config.size);
    for (const Blob &layer : blobs.layers)
        sizes.add("sha256:" + layer.hex, layer.size);

    const auto [out, rec] =
        pull_recorded(client.ptr, mirrored + "/" + path, route_options(PODPULL_ROUTE_AUTO));
    INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == env.image_id);
    CHECK(contains(rec.reason, "blob sizes from the image's manifest"));
    CHECK(out.blobs_total == sizes.sizes.size());
    check_exact_totals(rec, out, sizes, {});
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("a skopeo that fails (the registry refuses the manifest) or hangs past the step's "
          "timeout: the pull goes on as before, and the reason says why",
          "[totals][manifest-edge]") {
    const TestEnv &env = test_env();
    Sandbox box;
    SECTION("refused") {
        Client client(connect_or_fail(
            box, box.options(Env{insecure_registries_env(box),
                                 path_with_skopeo(box, "#!/bin/sh\n"
                                                       "echo 'time=\"x\" level=fatal msg=\"Error "
                                                       "reading manifest v1 in x: manifest "
                                                       "unknown\"' >&2\nexit 1\n")})));
        const auto [out, rec] =
            pull_recorded(client.ptr, env.image, route_options(PODPULL_ROUTE_AUTO));
        INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
        REQUIRE(out.code == PODPULL_OK);
        CHECK(out.image_id == env.image_id);
        CHECK(contains(rec.reason, "no blob sizes before the bytes: skopeo inspect exited with "
                                   "status 1"));
        CHECK(contains(rec.reason, "manifest unknown"));
        CHECK(out.blobs_total == 0);
        client.reset();
    }
    SECTION("hangs") {
        Client client(connect_or_fail(
            box, box.options(Env{insecure_registries_env(box),
                                 path_with_skopeo(box, "#!/bin/sh\nexec sleep 120\n")})));
        podpull_pull_options opts = route_options(PODPULL_ROUTE_AUTO);
        opts.stall_timeout_ms = 3000; // the step's bound: the stall timeout, when shorter
        const auto [out, rec] = pull_recorded(client.ptr, env.image, opts);
        INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
        REQUIRE(out.code == PODPULL_OK);
        CHECK(contains(rec.reason, "skopeo inspect did not answer within 3000 ms"));
        CHECK(out.seconds < 20);
        client.reset();
    }
    box.check_no_leftovers();
}

TEST_CASE("a pull cancelled while the manifest step waits on a stalled registry ends CANCELLED "
          "promptly, and nothing is left",
          "[totals][manifest-edge][cancel]") {
    // A registry that accepts connections and never says a word.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 64) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
    const std::string stalled = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

    Sandbox box;
    Client client(connect_or_fail(box, box.options()));
    podpull_pull_options opts = insecure_pull_options();
    std::atomic<bool> done{false};
    Clock::time_point cancelled_at{};
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        cancelled_at = Clock::now();
        podpull_cancel(client.ptr);
        done = true;
    });
    const auto [out, rec] = pull_recorded(client.ptr, stalled + "/podpull/test:v1", opts);
    canceller.join();
    const double after_cancel = seconds_since(cancelled_at);
    INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
    CHECK(out.code == PODPULL_ERR_CANCELLED);
    CHECK(after_cancel < 5.0);
    CHECK(rec.route_calls == 1); // the route still comes first, without sizes
    CHECK(contains(rec.reason, "no blob sizes before the bytes"));
    client.reset();
    ::close(listener);
    box.check_no_leftovers();
}

TEST_CASE("credentials reach skopeo only through fd 4: never on a command line or in an "
          "environment, and the manifest is read with them",
          "[totals][manifest-edge][auth-manifest]") {
    const TestEnv &env = test_env();
    const AuthTestEnv &auth = auth_test_env();
    Sandbox box;
    const fs::path home = box.dir() / "home";
    const fs::path certs = home / ".config" / "containers" / "certs.d" / auth.registry;
    fs::create_directories(certs);
    fs::copy_file(fs::path(auth.ca_dir) / "ca.crt", certs / "ca.crt");
    const std::string basic = [&] {
        const RunResult r = run_process(
            {env.python3, "-c",
             "import base64, sys; print(base64.b64encode(sys.argv[1].encode()).decode())",
             auth.user + ":" + auth.password});
        REQUIRE(r.exit_code == 0);
        return r.out.substr(0, r.out.find('\n'));
    }();
    const fs::path auth_file = box.dir() / "auth.json";
    write_file(auth_file, "{\"auths\":{\"" + auth.registry + "\":{\"auth\":\"" + basic + "\"}}}",
               0600);
    podpull_connect_options opts = box.options(Env{"HOME=" + home.string()});
    opts.auth_file = auth_file.c_str();
    Client client(connect_or_fail(box, opts));

    // Look at every process while the pull runs: the password, its base64, nowhere.
    std::atomic<bool> running{true};
    std::atomic<int> scans{0};
    std::vector<std::string> hits;
    std::set<std::string> skopeo_cmdlines;
    std::mutex mutex;
    std::thread watch([&] {
        while (running) {
            std::error_code ec;
            for (const auto &entry : fs::directory_iterator("/proc", ec)) {
                const std::string pid = entry.path().filename().string();
                if (pid.find_first_not_of("0123456789") != std::string::npos)
                    continue;
                std::string cmdline = read_file(entry.path() / "cmdline");
                const std::string environ_block = read_file(entry.path() / "environ");
                for (const std::string &secret : {auth.password, basic}) {
                    if (contains(cmdline, secret) || contains(environ_block, secret)) {
                        std::lock_guard lock(mutex);
                        hits.push_back("pid " + pid);
                    }
                }
                std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
                // Only the skopeo of this test: others may run on the machine meanwhile.
                if (contains(cmdline, "skopeo") && contains(cmdline, " inspect ") &&
                    contains(cmdline, auth.registry)) {
                    std::lock_guard lock(mutex);
                    skopeo_cmdlines.insert(cmdline);
                }
            }
            ++scans;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    podpull_pull_options popts;
    podpull_pull_options_init(&popts);
    const auto [out, rec] = pull_recorded(client.ptr, auth.image, popts);
    running = false;
    watch.join();
    std::string seen;
    for (const auto &c : skopeo_cmdlines)
        seen += "  " + c + "\n";
    INFO(out.describe() << "\nreason: " << rec.reason << "\nskopeo seen:\n"
                        << seen << scans << " scans\n"
                        << box.log_text());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == auth.image_id);
    CHECK(hits.empty());
    CHECK_FALSE(contains(box.log_text(), auth.password));
    CHECK_FALSE(contains(rec.reason, auth.password));
    CHECK(out.blobs_total == 4); // the manifest was read, with the credentials
    CHECK(contains(rec.reason, "blob sizes from the image's manifest"));
    for (const auto &c : skopeo_cmdlines)
        CHECK(contains(c, "--authfile /proc/self/fd/4"));
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("a manifest list: the host's platform by default, another when asked; the sizes are "
          "the chosen entry's",
          "[totals][manifest-list]") {
    const TestEnv &env = test_env();
    const char *list_env = std::getenv("PODPULL_TEST_ENV");
    REQUIRE(list_env != nullptr);
    const std::string text = read_file(list_env);
    auto value = [&](const std::string &key) {
        const auto at = text.find(key + "='");
        REQUIRE(at != std::string::npos);
        const auto start = at + key.size() + 2;
        return text.substr(start, text.find('\'', start) - start);
    };
    const std::string image = value("PODPULL_TEST_MULTI_IMAGE");
    const std::string description = value("PODPULL_TEST_MULTI_MANIFEST");
    Sandbox box;
    const std::string registries = insecure_registries_env(box);
    for (const std::string arch : {"amd64", "arm64"}) {
        CAPTURE(arch);
        const ManifestSizes blobs = described_blobs(description, arch);
        const ServiceDirs dirs = box.make_service_dirs("multi-" + arch);
        Client client(connect_or_fail(box, box.options(dirs, Env{registries})));
        podpull_pull_options opts = route_options(PODPULL_ROUTE_AUTO);
        if (arch == "arm64")
            opts.arch = "arm64";
        const auto [out, rec] = pull_recorded(client.ptr, image, opts);
        INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
        check_exact_totals(rec, out, blobs, {});
        CHECK(contains(rec.reason, "from the manifest list"));
        CHECK(contains(rec.reason, "linux/" + arch));
        if (arch == "amd64")
            CHECK(out.image_id == env.image_id); // the entry is the fixture's test image
        client.reset();
    }
    box.check_no_leftovers();
}

TEST_CASE("an oci-archive: reference: the manifest is read from the archive, and the "
          "subprocess route has exact totals",
          "[totals][local]") {
    const TestEnv &env = test_env();
    // What the archive's own manifest says, read with Python's tarfile.
    const ManifestSizes blobs =
        sizes_printed_by({env.python3, "-c",
                          "import json, sys, tarfile\n"
                          "t = tarfile.open(sys.argv[1])\n"
                          "index = json.load(t.extractfile('index.json'))\n"
                          "d = index['manifests'][0]['digest'].split(':')\n"
                          "m = json.load(t.extractfile('blobs/%s/%s' % (d[0], d[1])))\n"
                          "for b in m['layers'] + [m['config']]:\n"
                          "    print(b['digest'], b['size'])\n",
                          env.oci_archive});

    Sandbox box;
    Client client(connect_or_fail(box, box.options()));
    podpull_pull_options opts;
    podpull_pull_options_init(&opts);
    const auto [out, rec] = pull_recorded(client.ptr, "oci-archive:" + env.oci_archive, opts);
    INFO(out.describe() << "\nreason: " << rec.reason << "\n" << box.log_text());
    CHECK(out.route == PODPULL_ROUTE_SUBPROCESS);
    CHECK(out.image_id == env.oci_archive_id);
    CHECK(contains(rec.reason, "read from the oci-archive: files"));
    check_exact_totals(rec, out, blobs, {});
    client.reset();
    box.check_no_leftovers();
}
