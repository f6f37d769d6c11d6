// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/totals.hpp"

#include "podpull_test/fixture.hpp"
#include "podpull_test/process.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <sstream>

namespace podpull_test {

ManifestSizes sizes_printed_by(const std::vector<std::string> &argv) {
    const RunResult r = run_process(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    ManifestSizes blobs;
    std::istringstream in(r.out);
    std::string digest;
    uint64_t size = 0;
    while (in >> digest >> size)
        blobs.add(digest, size);
    REQUIRE_FALSE(blobs.sizes.empty());
    return blobs;
}

ManifestSizes described_blobs(const std::string &path, const std::string &key) {
    return sizes_printed_by({test_env().python3, "-c",
                             "import json, sys\n"
                             "m = json.load(open(sys.argv[1]))\n"
                             "m = m[sys.argv[2]] if sys.argv[2] else m\n"
                             "for b in m['layers'] + [m['config']]:\n"
                             "    print(b['digest'], b['size'])\n",
                             path, key});
}

void check_exact_totals(const PullRecorder::Snapshot &rec, const PullOutcome &out,
                        const ManifestSizes &image, const std::set<std::string> &cached) {
    REQUIRE(out.code == PODPULL_OK);
    CHECK(rec.route_calls == 1);
    CHECK(rec.route_first);
    CHECK(rec.reason.find("blob sizes from the image's manifest") != std::string::npos);
    REQUIRE_FALSE(rec.blobs.empty());

    const auto first_bytes =
        std::find_if(rec.blobs.begin(), rec.blobs.end(),
                     [](const PullRecorder::BlobEvent &r) { return r.pull_current > 0; });
    REQUIRE(first_bytes != rec.blobs.end());
    CHECK(first_bytes->pull_total == image.sum);

    uint64_t last_current = 0;
    std::set<std::string> skipped;
    std::set<std::string> reported;
    for (const PullRecorder::BlobEvent &r : rec.blobs) {
        CAPTURE(r.id, state_name(r.state), r.current, r.total, r.pull_current, r.pull_total);
        REQUIRE(r.has_cached_fields);
        CHECK(r.pull_total == image.sum);
        CHECK(r.blobs_total == image.sizes.size());
        CHECK(r.pull_current <= r.pull_total);
        CHECK(r.pull_current >= last_current);
        last_current = r.pull_current;
        const auto size = image.sizes.find(r.id);
        REQUIRE(size != image.sizes.end()); // every id is a digest of the manifest
        CHECK(r.total == static_cast<int64_t>(size->second));
        if (r.state == PODPULL_BLOB_SKIPPED)
            skipped.insert(r.id);
        if (r.state == PODPULL_BLOB_DONE)
            CHECK(r.current == size->second);
        reported.insert(r.id);
    }
    CHECK(reported.size() == image.sizes.size()); // every blob was accounted for
    const PullRecorder::BlobEvent &last = rec.blobs.back();
    CHECK(last.pull_current == image.sum);
    CHECK(last.blobs_done == image.sizes.size());
    CHECK(last.blobs_cached == cached.size());
    CHECK(skipped == cached);

    uint64_t cached_bytes = 0;
    for (const auto &digest : cached)
        cached_bytes += image.sizes.at(digest);
    CHECK(last.pull_cached == cached_bytes);
    CHECK(out.bytes == image.sum - cached_bytes);
    CHECK(out.bytes_cached == cached_bytes);
    CHECK(out.blobs_total == image.sizes.size());
    CHECK(out.blobs_cached == cached.size());
}

} // namespace podpull_test
