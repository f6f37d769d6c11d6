// SPDX-License-Identifier: MIT OR Apache-2.0
// Several images in one update, on every release: pulls in flight at once on one client that
// share layers fetch them once. The fixture's derived image is the test image's three layers
// and one of its own; pulled side by side with the test image into a fresh storage, one of the
// two waits until the other has ended (the host hears why), then finds the three layers in the
// storage and reports them cached. The big image shares nothing and goes alongside. Also: a
// pull that waits is cancelled by its own canceller while the other goes on, and waiting
// longer than the stall timeout is not a stall (podman was asked nothing yet).

#include "podpull_test/client.hpp"
#include "podpull_test/fixture.hpp"
#include "podpull_test/recorder.hpp"
#include "podpull_test/routes.hpp"
#include "podpull_test/sandbox.hpp"
#include "podpull_test/totals.hpp"
#include "podpull_test/util.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

using namespace podpull_test;

namespace {

// An image of the fixture, through the relay (16 MiB/s a connection), so a pull lasts long
// enough for another to come while it runs.
struct Image {
    ImageBlobs blobs;
    std::string reference;
    ManifestSizes sizes() const {
        ManifestSizes s;
        s.add("sha256:" + blobs.config.hex, blobs.config.size);
        for (const Blob &layer : blobs.layers)
            s.add("sha256:" + layer.hex, layer.size);
        return s;
    }
};

Image slow_image(const std::string &reference, const std::string &id) {
    const TestEnv &env = test_env();
    const std::string path = repository_path(reference);
    Image image{registry_image(env.registry, path), env.slow_registry + "/" + path};
    REQUIRE(image.blobs.id == id);
    return image;
}

// The layers `a` and `b` both list, as digests.
std::set<std::string> shared_layers(const Image &a, const Image &b) {
    std::set<std::string> in_a, shared;
    for (const Blob &layer : a.blobs.layers)
        in_a.insert("sha256:" + layer.hex);
    for (const Blob &layer : b.blobs.layers)
        if (in_a.count("sha256:" + layer.hex) != 0)
            shared.insert("sha256:" + layer.hex);
    return shared;
}

std::uint64_t size_of(const std::set<std::string> &digests, const ManifestSizes &sizes) {
    std::uint64_t sum = 0;
    for (const auto &digest : digests)
        sum += sizes.sizes.at(digest);
    return sum;
}

podpull_connect_options insecure_registries_options(Sandbox &box) {
    const TestEnv &env = test_env();
    const fs::path conf = write_insecure_registries_conf(box.dir() / "registries.conf",
                                                         {env.registry, env.slow_registry});
    return box.options(box.main(), {"CONTAINERS_REGISTRIES_CONF=" + conf.string()});
}

// One pull on a thread of its own.
struct Job {
    const Image *image = nullptr;
    podpull_pull_options opts{};
    PullRecorder rec;
    PullOutcome out;
    std::thread thread;

    explicit Job(const Image &i) : image(&i) { podpull_pull_options_init(&opts); }
    void start(podpull_client *client) {
        thread = std::thread([this, client] { out = pull(client, image->reference, rec, &opts); });
    }
    // Starts the pull and returns once it has told its route, that is once its manifest is
    // read and its blobs are claimed: a pull started after that finds them held.
    void start_and_await_route(podpull_client *client) {
        start(client);
        const auto deadline = Clock::now() + std::chrono::seconds(30);
        while (rec.snapshot().route_calls == 0 && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(rec.snapshot().route_calls == 1);
    }
    void join() {
        if (thread.joinable())
            thread.join();
    }
    ~Job() { join(); }
    // Whether it waited for another pull to end. A pull that comes while another has not read
    // its manifest yet may first wait for that ("... to read its manifest"), shared blobs or
    // not: that wait is not this one.
    bool waited() const {
        for (const auto &line : rec.snapshot().status)
            if (contains(line, "to end, so that"))
                return true;
        return false;
    }
};

bool said(const PullRecorder::Snapshot &s, const std::string &line) {
    for (const auto &status : s.status)
        if (status == line)
            return true;
    return false;
}

} // namespace

TEST_CASE("three images at once on one client, two of them sharing three layers: the shared "
          "layers are fetched once, the pull that waits says why, and the other image goes "
          "alongside",
          "[shared-blobs][concurrency]") {
    const TestEnv &env = test_env();
    const Image test = slow_image(env.image, env.image_id);
    const Image derived = slow_image(env.derived_image, env.derived_image_id);
    const Image big = slow_image(env.big_image, env.big_image_id);
    const std::set<std::string> shared = shared_layers(test, derived);
    REQUIRE(shared.size() == 3); // the fixture's promise: derived is test's layers and one more

    Sandbox box;
    Client client(connect_or_fail(box, insecure_registries_options(box)));
    Job a(test), b(derived), c(big);
    for (Job *job : {&a, &b, &c})
        job->start(client.ptr);
    for (Job *job : {&a, &b, &c})
        job->join();
    INFO("test: " << a.out.describe() << "\n"
                  << a.rec.summary() << "\nderived: " << b.out.describe() << "\n"
                  << b.rec.summary() << "\nbig: " << c.out.describe() << "\n"
                  << c.rec.summary() << "\n"
                  << box.log_text());
    REQUIRE(a.out.code == PODPULL_OK);
    REQUIRE(b.out.code == PODPULL_OK);
    REQUIRE(c.out.code == PODPULL_OK);
    CHECK(a.out.image_id == test.blobs.id);
    CHECK(b.out.image_id == derived.blobs.id);
    CHECK(c.out.image_id == big.blobs.id);

    // Exactly one of the two that share waited for the other, and said so; what it shares came
    // from the storage: SKIPPED, counted cached, not fetched.
    REQUIRE(a.waited() != b.waited());
    const Job &waiter = a.waited() ? a : b;
    const Job &holder = a.waited() ? b : a;
    const ManifestSizes waiter_sizes = waiter.image->sizes();
    const ManifestSizes holder_sizes = holder.image->sizes();
    CHECK(said(waiter.rec.snapshot(), "waiting for 1 other pull of this client to end, so that "
                                      "the 3 blobs it shares with this image are fetched once"));
    check_exact_totals(holder.rec.snapshot(), holder.out, holder_sizes, {});
    check_exact_totals(waiter.rec.snapshot(), waiter.out, waiter_sizes, shared);
    CHECK(waiter.out.blobs_cached == 3);
    CHECK(waiter.out.bytes_cached == size_of(shared, waiter_sizes));
    CHECK(holder.out.bytes == holder_sizes.sum);
    // Every blob of the two images fetched once, the shared ones by the holder.
    CHECK(holder.out.bytes + waiter.out.bytes ==
          holder_sizes.sum + waiter_sizes.sum - size_of(shared, waiter_sizes));
    // The big image shares nothing: it never waited for the end of another pull (at most for
    // the others' manifests, to learn that).
    for (const auto &line : c.rec.snapshot().status)
        CHECK_FALSE(contains(line, "to end, so that"));
    CHECK(c.out.blobs_cached == 0);
    std::printf("podman %s: test %s %.1f s, derived %s %.1f s (%s waited), big %.1f s\n",
                env.podman_version.c_str(), route_name(a.out.route), a.out.seconds,
                route_name(b.out.route), b.out.seconds, a.waited() ? "test" : "derived",
                c.out.seconds);

    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("a pull that waits for another ends with CANCELLED when its own canceller fires, and "
          "the other pull goes on; waiting past the stall timeout is no stall",
          "[shared-blobs][concurrency]") {
    const TestEnv &env = test_env();
    const Image test = slow_image(env.image, env.image_id);
    const Image derived = slow_image(env.derived_image, env.derived_image_id);
    Sandbox box;
    Client client(connect_or_fail(box, insecure_registries_options(box)));

    SECTION("cancelled while waiting") {
        podpull_canceller *canceller = nullptr;
        REQUIRE(podpull_canceller_new(&canceller, nullptr) == PODPULL_OK);
        Job holder(derived), waiter(test);
        holder.start_and_await_route(client.ptr);
        Clock::time_point fired{};
        waiter.opts.canceller = canceller;
        waiter.rec.on_status_hook = [&](const std::string &line) {
            if (contains(line, "to end, so that") && fired == Clock::time_point{}) {
                fired = Clock::now();
                podpull_canceller_cancel(canceller);
            }
        };
        waiter.start(client.ptr);
        waiter.join();
        const double after_cancel = std::chrono::duration<double>(Clock::now() - fired).count();
        holder.join();
        podpull_canceller_free(canceller);
        INFO("holder: " << holder.out.describe() << "\n"
                        << holder.rec.summary() << "\nwaiter: " << waiter.out.describe() << "\n"
                        << waiter.rec.summary() << "\n"
                        << box.log_text());
        REQUIRE(fired != Clock::time_point{});
        CHECK(waiter.out.code == PODPULL_ERR_CANCELLED);
        CHECK(holder.out.code == PODPULL_OK);
        CHECK(holder.out.image_id == derived.blobs.id);
        std::printf("podman %s: a waiting pull returned %.3f s after its canceller fired\n",
                    env.podman_version.c_str(), after_cancel);
        // The test image was never stored: the waiter's request never went out.
        const auto ids = box.podman_image_ids(box.main());
        CHECK(std::find(ids.begin(), ids.end(), test.blobs.id) == ids.end());
    }

    SECTION("a stall timeout shorter than the wait") {
        Job holder(derived), waiter(test);
        holder.start_and_await_route(client.ptr);
        // The derived image's own 32 MB layer takes two seconds through the relay.
        waiter.opts.stall_timeout_ms = 1000;
        waiter.start(client.ptr);
        waiter.join();
        holder.join();
        INFO("holder: " << holder.out.describe() << "\nwaiter: " << waiter.out.describe() << "\n"
                        << waiter.rec.summary());
        CHECK(holder.out.code == PODPULL_OK);
        REQUIRE(waiter.out.code == PODPULL_OK);
        CHECK(waiter.waited());
        CHECK(waiter.out.blobs_cached == 3);
    }

    client.reset();
    box.check_no_leftovers();
}
