// SPDX-License-Identifier: MIT OR Apache-2.0
// The fixture's OS image: a real Debian root file system in 48 gzip layers laid out the way a
// rechunked bootc image is (one layer of tens of MB, many of a few MB, some tiny), and a
// sibling that shares every other layer with it, blob for blob, as a host's next update
// would. Both are pulled into one fresh storage on the release under test, on its automatic
// route with TLS verification on (the registry declared insecure in the service's
// registries.conf, so every release reports bytes), through the fixture's relay (16 MiB/s a
// connection: the bigger layers take seconds, so the compat routes report their sizes too),
// and checked against the description the
// fixture wrote (tests/support/make-os-image.py): the image ID, every blob id and size, the
// counts at the end, the exact totals the manifest step gives (podpull_test/totals.hpp), and
// what the sibling's pull says of the layers it already has, counted cached. Then
// `podman pull` of the same two images on the same release, timed for comparison.
//
// The storage is overlay, as on a bootc host: vfs copies the whole tree below each layer it
// applies, 48 times here (3.0 GB written for this 150 MB image, against 335 MB on overlay,
// and twice the time). It lives in memory (Sandbox::make_memory_service_dirs): removing it
// from this machine's disk took longer than the pulls.

#include "podpull_test/routes.hpp"
#include "podpull_test/totals.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdio>
#include <set>
#include <sstream>

using namespace podpull_test;

namespace {

struct PodmanPull {
    RunResult run;
    double seconds = 0;
    std::string id; // the last line of stdout
};

// `podman pull IMAGE` of this release into `dirs`, as a person would run it.
PodmanPull podman_pull(const ServiceDirs &dirs, const std::vector<std::string> &env,
                       const std::string &image) {
    PodmanPull p;
    const auto start = Clock::now();
    p.run = run_process(dirs.podman_argv({"pull", image}), env, 600000);
    p.seconds = seconds_since(start);
    const auto lines = lines_of(p.run.out);
    p.id = lines.empty() ? "" : lines.back();
    return p;
}

int count_lines_with(const std::string &text, const std::string &needle) {
    const auto lines = lines_of(text);
    return static_cast<int>(std::count_if(
        lines.begin(), lines.end(), [&](const std::string &l) { return contains(l, needle); }));
}

} // namespace

TEST_CASE("the OS image and then its sibling pull into one storage with the described IDs, blob "
          "ids, sizes and counts, the shared layers skipped; and `podman pull` of both, timed",
          "[os-image]") {
    const TestEnv &env = test_env();
    const OsImageEnv &os = os_image_env();
    const ImageBlobs image = described_image(os.manifest);
    const ImageBlobs sibling = described_image(os.sibling_manifest);
    REQUIRE(image.id == os.image_id);
    REQUIRE(sibling.id == os.sibling_image_id);
    REQUIRE(image.layers.size() == 48);
    std::set<std::string> in_image;
    for (const auto &l : image.layers) {
        in_image.insert(l.hex);
    }
    std::set<std::string> shared;
    for (const auto &l : sibling.layers) {
        if (in_image.count(l.hex) != 0) {
            shared.insert(l.hex);
        }
    }
    REQUIRE(shared.size() == sibling.layers.size() / 2); // every other layer
    // The same, as digests and sizes for the exact totals the manifest step gives.
    const ManifestSizes sizes = described_blobs(os.manifest);
    const ManifestSizes sibling_sizes = described_blobs(os.sibling_manifest);
    REQUIRE(sizes.sum == image.bytes());

    Sandbox box;
    const fs::path conf =
        write_insecure_registries_conf(box.dir() / "registries.conf", {env.slow_registry});
    const std::vector<std::string> extra = {"CONTAINERS_REGISTRIES_CONF=" + conf.string()};
    const ServiceDirs dirs = box.make_memory_service_dirs("podpull", "overlay");
    Client client(connect_or_fail(box, box.options(dirs, extra)));
    const podpull_pull_options opts = verified_pull_options(); // bytes on every release
    const podpull_route route = expected_auto_route(os.slow_image, &opts);
    REQUIRE(route_progress(route) != Progress::text_only);

    // Nothing of the pulls goes to the host's /var/tmp, which the chroot releases share, but
    // for the client's private TMPDIR there (podpull-tmp-XXXXXX, removed when the client is
    // freed; check_no_leftovers checks that): podman keeps its big-file copies in TMPDIR.
    OpenFileWatch var_tmp("/var/tmp/");

    // ---- the OS image, into an empty storage
    PullRecorder rec;
    const PullOutcome out = pull(client.ptr, os.slow_image, rec, &opts);
    const auto s = rec.snapshot();
    INFO("os:v1: " << out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(out.code == PODPULL_OK);
    CHECK(out.image_id == image.id);
    CHECK(s.route == route);
    check_route_progress("os:v1", route, image, s, out, true);
    check_exact_totals(s, out, sizes, {});
    const Progress progress = reported_progress(route, s);
    const BlobTally t = tally_blobs(progress, image, s);
    // Each layer and the config, each once: podman names the config as a blob on every route
    // that has blob events (a "Pulling fs layer" under its short id on the compat routes).
    CHECK(t.last.size() == image.layers.size() + 1);
    CHECK(t.blobs_seen == image.layers.size() + 1);
    CHECK(t.blobs_done == image.layers.size() + 1);
    CHECK(t.skipped == 0);
    int layers_with_bytes = 0;
    for (const auto &l : image.layers) {
        layers_with_bytes += t.pulling_with_bytes.count(expected_blob_id(progress, l.hex)) != 0;
    }
    // The 34 MB layer takes two seconds through the relay: its bytes are reported.
    CHECK(layers_with_bytes >= 1);
    std::printf("os:v1 on podman %s: %s in %.1f s, %llu of %llu blob bytes reported, %d of %zu "
                "layers with a byte count\n",
                env.podman_version.c_str(), route_name(route), out.seconds,
                static_cast<unsigned long long>(out.bytes),
                static_cast<unsigned long long>(image.bytes()), layers_with_bytes,
                image.layers.size());

    // ---- its sibling, into the same storage
    PullRecorder rec2;
    const PullOutcome out2 = pull(client.ptr, os.slow_sibling_image, rec2, &opts);
    const auto s2 = rec2.snapshot();
    INFO("os-sibling:v1: " << out2.describe() << "\n" << rec2.summary() << box.log_text());
    REQUIRE(out2.code == PODPULL_OK);
    CHECK(out2.image_id == sibling.id);
    check_route_progress("os-sibling:v1", route, sibling, s2, out2, false);
    // podman reuses a layer it has by digest, whatever its parent was (seen on every release):
    // the shared layers are SKIPPED and counted cached, nothing of them is fetched.
    std::set<std::string> shared_digests;
    for (const auto &hex : shared) {
        shared_digests.insert("sha256:" + hex);
    }
    check_exact_totals(s2, out2, sibling_sizes, shared_digests);
    const BlobTally t2 = tally_blobs(reported_progress(route, s2), sibling, s2);
    // The layers it shares with os:v1 are not fetched again: podman says so ("Already exists"
    // on the compat routes, a "skipped" pullProgress report on LIBPOD_PROGRESS) and podpull
    // reports them SKIPPED; the others are fetched.
    int shared_skipped = 0, own_done = 0;
    std::uint64_t own_bytes = sibling.config.size;
    for (const auto &l : sibling.layers) {
        const auto it = t2.last.find(expected_blob_id(reported_progress(route, s2), l.hex));
        INFO("sibling layer " << l.hex << (shared.count(l.hex) ? " (shared)" : " (its own)"));
        REQUIRE(it != t2.last.end());
        if (shared.count(l.hex) != 0) {
            CHECK(it->second.state == PODPULL_BLOB_SKIPPED);
            shared_skipped += it->second.state == PODPULL_BLOB_SKIPPED;
        } else {
            CHECK(it->second.state == PODPULL_BLOB_DONE);
            own_done += it->second.state == PODPULL_BLOB_DONE;
            own_bytes += l.size;
        }
    }
    CHECK(t2.last.size() == sibling.layers.size() + 1);
    CHECK(t2.blobs_seen == sibling.layers.size() + 1);
    CHECK(t2.blobs_done == sibling.layers.size() + 1);
    if (reported_progress(route, s2) == Progress::per_blob_bytes) {
        CHECK(out2.bytes == own_bytes); // the new layers and the config, nothing shared
    }
    CHECK(out2.bytes <= own_bytes);
    std::printf("os-sibling:v1 on podman %s: %s in %.1f s, %d shared layers skipped, %d own "
                "layers done, %llu bytes reported (%llu new)\n",
                env.podman_version.c_str(), route_name(route), out2.seconds, shared_skipped,
                own_done, static_cast<unsigned long long>(out2.bytes),
                static_cast<unsigned long long>(own_bytes));
    client.reset();
    auto ids = box.podman_image_ids(dirs);
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> both = {image.id, sibling.id};
    std::sort(both.begin(), both.end());
    CHECK(ids == both);

    // ---- `podman pull` of the same two images, into a storage of its own
    const ServiceDirs plain = box.make_memory_service_dirs("podman", "overlay");
    std::vector<std::string> plain_env = plain.podman_env();
    plain_env.insert(plain_env.end(), extra.begin(), extra.end());
    const PodmanPull first = podman_pull(plain, plain_env, os.slow_image);
    INFO("podman pull os:v1: exit " << first.run.exit_code << "\n" << first.run.err);
    REQUIRE(first.run.exit_code == 0);
    CHECK(first.id == image.id);
    const PodmanPull second = podman_pull(plain, plain_env, os.slow_sibling_image);
    INFO("podman pull os-sibling:v1: exit " << second.run.exit_code << "\n" << second.run.err);
    REQUIRE(second.run.exit_code == 0);
    CHECK(second.id == sibling.id);
    // Its own words for the shared layers, for the report.
    std::printf("podman pull on podman %s: os:v1 in %.1f s (%d \"Copying blob\" lines), "
                "os-sibling:v1 in %.1f s (%d \"Copying blob\" lines, %d saying skipped or "
                "already exists); podpull: %.1f s and %.1f s\n",
                env.podman_version.c_str(), first.seconds,
                count_lines_with(first.run.err, "Copying blob"), second.seconds,
                count_lines_with(second.run.err, "Copying blob"),
                count_lines_with(second.run.err, "skipped") +
                    count_lines_with(second.run.err, "already exists"),
                out.seconds, out2.seconds);
    var_tmp.stop();
    const std::string private_tmp = (podman_temp_root() / "podpull-tmp-").string();
    std::vector<std::string> elsewhere;
    for (const auto &open : var_tmp.seen()) {
        if (!contains(open, private_tmp)) {
            elsewhere.push_back(open);
        }
    }
    INFO("files under /var/tmp podman held open outside " << private_tmp << "*:\n"
                                                          << join(elsewhere, "\n"));
    CHECK(var_tmp.scans() > 100); // it did watch, the whole time
    CHECK(elsewhere.empty());
    box.check_no_leftovers();
}
