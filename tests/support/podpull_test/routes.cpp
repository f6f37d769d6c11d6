// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/routes.hpp"

#include "podpull_test/process.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <thread>

namespace podpull_test {

namespace {

// The first podman versions with each feature (docs/podman.md).
constexpr int pull_progress_major = 6, pull_progress_minor = 0;
constexpr int compat_mode_major = 4, compat_mode_minor = 8;

// "127.0.0.1:5000/a/b:v1" is fully qualified; "a/b", "b:v1" are short names. A registry
// component has a '.' or a ':', or is "localhost".
bool fully_qualified(const std::string &image) {
    std::string ref = image;
    if (ref.rfind("docker://", 0) == 0) {
        ref = ref.substr(9);
    }
    const auto slash = ref.find('/');
    if (slash == std::string::npos) {
        return false;
    }
    const std::string first = ref.substr(0, slash);
    return first.find_first_of(".:") != std::string::npos || first == "localhost";
}

} // namespace

const char *route_name(podpull_route route) {
    // podpull.h numbers the routes from 0 (AUTO) to 5 (SUBPROCESS).
    static constexpr std::array<const char *, 6> names = {
        "AUTO", "LIBPOD_PROGRESS", "LIBPOD_COMPAT", "DOCKER_COMPAT", "LIBPOD_TEXT", "SUBPROCESS"};
    const auto i = static_cast<std::size_t>(route);
    return i < names.size() ? names[i] : "UNKNOWN";
}

const std::vector<podpull_route> &forced_routes() {
    static const std::vector<podpull_route> routes = {
        PODPULL_ROUTE_LIBPOD_PROGRESS, PODPULL_ROUTE_LIBPOD_COMPAT, PODPULL_ROUTE_DOCKER_COMPAT,
        PODPULL_ROUTE_LIBPOD_TEXT, PODPULL_ROUTE_SUBPROCESS};
    return routes;
}

bool is_local_transport(const std::string &image) {
    static const std::array<const char *, 6> prefixes = {
        "oci:", "oci-archive:", "dir:", "docker-archive:", "docker-daemon:", "containers-storage:"};
    for (const char *prefix : prefixes) {
        if (image.rfind(prefix, 0) == 0) {
            return true;
        }
    }
    return false;
}

podpull_route expected_auto_route(const std::string &image, const podpull_pull_options *opts) {
    podpull_pull_options defaults;
    podpull_pull_options_init(&defaults);
    const podpull_pull_options &o = opts != nullptr ? *opts : defaults;
    const TestEnv &env = test_env();
    if (is_local_transport(image)) {
        return PODPULL_ROUTE_SUBPROCESS;
    }
    if (env.podman_at_least(pull_progress_major, pull_progress_minor)) {
        return PODPULL_ROUTE_LIBPOD_PROGRESS;
    }
    if (env.podman_at_least(compat_mode_major, compat_mode_minor)) {
        return PODPULL_ROUTE_LIBPOD_COMPAT;
    }
    if (o.tls_verify != 0 && o.policy == PODPULL_POLICY_ALWAYS && fully_qualified(image)) {
        return PODPULL_ROUTE_DOCKER_COMPAT;
    }
    return PODPULL_ROUTE_LIBPOD_TEXT;
}

std::string expected_refusal(podpull_route route, const std::string &image,
                             const podpull_pull_options &opts) {
    const TestEnv &env = test_env();
    if (route == PODPULL_ROUTE_SUBPROCESS || route == PODPULL_ROUTE_AUTO) {
        return "";
    }
    if (is_local_transport(image)) {
        return "references are not served by podman's API";
    }
    switch (route) {
    case PODPULL_ROUTE_LIBPOD_PROGRESS:
        return env.podman_at_least(pull_progress_major, pull_progress_minor)
                   ? ""
                   : "pullProgress needs podman 6.0.0 or newer; this is podman " +
                         env.podman_version;
    case PODPULL_ROUTE_LIBPOD_COMPAT:
        return env.podman_at_least(compat_mode_major, compat_mode_minor)
                   ? ""
                   : "compatMode needs podman 4.8.0 or newer; this is podman " + env.podman_version;
    case PODPULL_ROUTE_DOCKER_COMPAT:
        if (opts.tls_verify == 0) {
            return "tls_verify is off";
        }
        if (opts.policy != PODPULL_POLICY_ALWAYS) {
            return "/images/create always pulls";
        }
        if (!fully_qualified(image)) {
            return "is a short name";
        }
        return "";
    default:
        return "";
    }
}

Progress route_progress(podpull_route route) {
    switch (route) {
    case PODPULL_ROUTE_LIBPOD_PROGRESS:
        return Progress::per_blob_bytes;
    case PODPULL_ROUTE_LIBPOD_COMPAT:
    case PODPULL_ROUTE_DOCKER_COMPAT:
        return Progress::per_layer_bytes;
    default:
        return Progress::text_only;
    }
}

const char *progress_name(Progress progress) {
    static constexpr std::array<const char *, 3> names = {"per-blob bytes with sizes",
                                                          "per-layer bytes", "status text only"};
    return names.at(static_cast<std::size_t>(progress));
}

bool manifest_read(const PullRecorder::Snapshot &seen) {
    return seen.reason.find("blob sizes from the image's manifest") != std::string::npos;
}

Progress reported_progress(podpull_route route, const PullRecorder::Snapshot &seen) {
    return manifest_read(seen) ? Progress::per_blob_bytes : route_progress(route);
}

std::string expected_blob_id(Progress progress, const std::string &hex) {
    switch (progress) {
    case Progress::per_blob_bytes:
        return "sha256:" + hex;
    case Progress::per_layer_bytes:
        return hex.substr(0, 12);
    case Progress::text_only:
        break;
    }
    return "";
}

// ---- what an image holds, and what a pull of it reported -------------------------------------

std::uint64_t ImageBlobs::bytes() const {
    std::uint64_t sum = config.size;
    for (const auto &l : layers) {
        sum += l.size;
    }
    return sum;
}

const Blob *ImageBlobs::find(Progress progress, const std::string &blob_id) const {
    if (blob_id.empty()) {
        return nullptr;
    }
    if (expected_blob_id(progress, config.hex) == blob_id) {
        return &config;
    }
    for (const auto &l : layers) {
        if (expected_blob_id(progress, l.hex) == blob_id) {
            return &l;
        }
    }
    return nullptr;
}

namespace {

// The descriptor (digest and size) that starts after `from` in a manifest or description.
Blob descriptor_at(const std::string &json, std::size_t from) {
    Blob b;
    const auto digest = json.find("\"sha256:", from);
    REQUIRE(digest != std::string::npos);
    b.hex = json.substr(digest + 8, 64);
    // The size belongs to the same descriptor object: between the previous '{' and the next '}'.
    const auto open = json.rfind('{', digest);
    const auto close = json.find('}', digest);
    const auto size_at = json.find("\"size\"", open);
    REQUIRE(size_at != std::string::npos);
    REQUIRE(size_at < close);
    b.size = std::stoull(json.substr(json.find_first_of("0123456789", size_at)));
    REQUIRE(is_hex64(b.hex));
    return b;
}

// The config and layers of a manifest (or of make-os-image.py's description, which has the
// same "config" and "layers" descriptors).
ImageBlobs parse_descriptors(const std::string &json) {
    ImageBlobs image;
    const auto config_at = json.find("\"config\"");
    REQUIRE(config_at != std::string::npos);
    image.config = descriptor_at(json, config_at);
    image.id = image.config.hex;
    const auto layers_at = json.find("\"layers\"");
    REQUIRE(layers_at != std::string::npos);
    // The layers array ends at the first ']' (a descriptor here holds no array).
    const auto layers_end = json.find(']', layers_at);
    REQUIRE(layers_end != std::string::npos);
    for (auto pos = json.find("\"sha256:", layers_at); pos != std::string::npos && pos < layers_end;
         pos = json.find("\"sha256:", json.find('}', pos))) {
        image.layers.push_back(descriptor_at(json, pos));
    }
    REQUIRE_FALSE(image.layers.empty());
    return image;
}

} // namespace

std::string repository_path(const std::string &reference) {
    return reference.substr(reference.find('/') + 1);
}

ImageBlobs registry_image(const std::string &registry, const std::string &path) {
    const auto colon = path.rfind(':');
    const std::string url = "http://" + registry + "/v2/" + path.substr(0, colon) + "/manifests/" +
                            path.substr(colon + 1);
    RunResult r = run_process({"/usr/bin/curl", "-fsS", "--max-time", "10", "-H",
                               "Accept: application/vnd.oci.image.manifest.v1+json", url});
    INFO("curl " << url << ": exit " << r.exit_code << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return parse_descriptors(r.out);
}

ImageBlobs described_image(const fs::path &json_file) {
    const std::string json = read_file(json_file);
    INFO("image description " << json_file);
    REQUIRE_FALSE(json.empty());
    ImageBlobs image = parse_descriptors(json);
    // The description names the ID the image has: the config's digest.
    const auto id_at = json.find("\"image_id\"");
    REQUIRE(id_at != std::string::npos);
    CHECK(json.find(image.id, id_at) != std::string::npos);
    return image;
}

BlobTally tally_blobs(Progress progress, const ImageBlobs &image,
                      const PullRecorder::Snapshot &seen) {
    BlobTally t;
    for (const auto &b : seen.blobs) {
        const Blob *blob = image.find(progress, b.id);
        if (blob == nullptr) {
            if (std::find(t.unknown_ids.begin(), t.unknown_ids.end(), b.id) ==
                t.unknown_ids.end()) {
                t.unknown_ids.push_back(b.id);
            }
        } else if (b.total >= 0 && static_cast<std::uint64_t>(b.total) != blob->size) {
            t.wrong_totals.push_back(b.id + ": total " + std::to_string(b.total) + ", manifest " +
                                     std::to_string(blob->size));
        }
        if (b.state == PODPULL_BLOB_PULLING && b.current > 0) {
            ++t.pulling_with_bytes[b.id];
        }
        t.last[b.id] = b;
    }
    if (!seen.blobs.empty()) {
        t.blobs_seen = seen.blobs.back().blobs_seen;
        t.blobs_done = seen.blobs.back().blobs_done;
    }
    for (const auto &[id, e] : t.last) {
        t.skipped += e.state == PODPULL_BLOB_SKIPPED ? 1 : 0;
        t.done += e.state == PODPULL_BLOB_DONE ? 1 : 0;
    }
    return t;
}

void check_route_progress(const std::string &what, podpull_route route, const ImageBlobs &image,
                          const PullRecorder::Snapshot &seen, const PullOutcome &out, bool fresh) {
    const Progress progress = reported_progress(route, seen);
    const BlobTally t = tally_blobs(progress, image, seen);
    std::printf("%s: %s, %s: %zu blob events, %zu ids (%d done, %d skipped), blobs %u/%u, "
                "%zu status lines, result bytes %llu of %llu\n",
                what.c_str(), route_name(route), progress_name(progress), seen.blobs.size(),
                t.last.size(), t.done, t.skipped, t.blobs_done, t.blobs_seen, seen.status.size(),
                static_cast<unsigned long long>(out.bytes),
                static_cast<unsigned long long>(image.bytes()));
    std::string unknown;
    for (const auto &id : t.unknown_ids) {
        unknown += " " + id;
    }
    std::string wrong;
    for (const auto &w : t.wrong_totals) {
        wrong += "\n  " + w;
    }
    INFO(what << " on " << route_name(route) << "; ids naming no blob of the image:" << unknown
              << "; sizes that are not the manifest's:" << wrong);
    CHECK(out.route == route);
    if (progress == Progress::text_only) {
        CHECK(seen.blobs.empty());
        CHECK(out.bytes == 0);
        // A "Copying blob" line names every layer, and "Copying config" the config.
        for (const auto &l : image.layers) {
            const bool named =
                std::any_of(seen.status.begin(), seen.status.end(), [&](const auto &s) {
                    return s.find("Copying blob") != std::string::npos &&
                           s.find(l.hex.substr(0, 12)) != std::string::npos;
                });
            INFO("layer " << l.hex);
            CHECK(named);
        }
        return;
    }
    CHECK(t.unknown_ids.empty());
    CHECK(t.wrong_totals.empty());
    // Every layer ends DONE (or SKIPPED, when the storage had it), DONE at its size wherever
    // the size was reported.
    std::uint64_t done_bytes = 0;
    for (const auto &l : image.layers) {
        const auto it = t.last.find(expected_blob_id(progress, l.hex));
        INFO("layer " << l.hex << " (" << l.size << " bytes)");
        REQUIRE(it != t.last.end());
        const auto &e = it->second;
        if (fresh) {
            CHECK(e.state == PODPULL_BLOB_DONE);
        } else {
            CHECK((e.state == PODPULL_BLOB_DONE || e.state == PODPULL_BLOB_SKIPPED));
        }
        if (e.state == PODPULL_BLOB_DONE && e.total >= 0) {
            CHECK(e.current == static_cast<std::uint64_t>(e.total));
        }
    }
    for (const auto &[id, e] : t.last) {
        done_bytes += e.state == PODPULL_BLOB_DONE ? e.current : 0;
    }
    // The whole pull: every blob it saw finished, and the result's bytes are what the blob
    // events added up to.
    CHECK(t.blobs_done == t.blobs_seen);
    CHECK(t.blobs_seen == t.last.size());
    CHECK(out.bytes == done_bytes);
    // pull_current counts cached blobs too (ABI 1.2); the result's bytes are those fetched.
    const auto &last = seen.blobs.back();
    CHECK(last.pull_current - (last.has_cached_fields ? last.pull_cached : 0) == out.bytes);
    if (progress == Progress::per_blob_bytes) {
        // The config too, and every size from the start: a fresh pull's bytes are the image's.
        const auto config = t.last.find(expected_blob_id(progress, image.config.hex));
        INFO("config " << image.config.hex);
        REQUIRE(config != t.last.end());
        CHECK(t.blobs_seen == image.layers.size() + 1);
        for (const auto &b : seen.blobs) {
            if (b.state != PODPULL_BLOB_SKIPPED) { // "already exists" comes without a size
                CHECK(b.total >= 0);
            }
        }
        if (fresh) {
            CHECK(out.bytes == image.bytes());
        }
    }
}

void check_still_pulls(podpull_client *client, const podpull_pull_options *opts,
                       const std::string &image) {
    const TestEnv &env = test_env();
    const podpull_pull_options insecure = insecure_pull_options();
    PullRecorder rec;
    const PullOutcome out =
        pull(client, image.empty() ? env.image : image, rec, opts != nullptr ? opts : &insecure);
    INFO("the next pull: " << out.describe() << "\n" << rec.summary());
    CHECK(out.code == PODPULL_OK);
    CHECK(out.image_id == env.image_id);
}

void call_mid_blob(PullRecorder &rec, podpull_route route, std::chrono::milliseconds text_delay,
                   std::function<void()> action) {
    auto fired = std::make_shared<bool>(false);
    auto fire = [fired, action = std::move(action)] {
        if (!*fired) {
            *fired = true;
            action();
        }
    };
    if (route_progress(route) == Progress::text_only) {
        auto previous = rec.on_status_hook;
        rec.on_status_hook = [previous, fire, text_delay](const std::string &line) {
            if (previous) {
                previous(line);
            }
            if (line.find("Copying blob") != std::string::npos) {
                std::this_thread::sleep_for(text_delay); // the blob is in flight, unseen here
                fire();
            }
        };
        return;
    }
    auto previous = rec.on_blob_hook;
    rec.on_blob_hook = [previous, fire](const podpull_blob_progress &p) {
        const int result = previous ? previous(p) : 0;
        if (p.state == PODPULL_BLOB_PULLING && p.current > 0) {
            fire();
        }
        return result;
    };
}

} // namespace podpull_test
