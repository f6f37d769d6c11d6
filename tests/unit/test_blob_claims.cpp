// SPDX-License-Identifier: MIT OR Apache-2.0
// BlobClaims: which pulls of one client may send their request, so that shared blobs are
// fetched once.
#include "core/blob_claims.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

using podpull::BlobClaims;
using Tickets = std::vector<BlobClaims::Ticket>;

TEST_CASE("a pull that comes alone runs at once, before its manifest is read", "[blob_claims]") {
    BlobClaims claims;
    const auto a = claims.enter();
    CHECK(claims.running(a));
    CHECK(claims.blockers(a).empty());
    CHECK(claims.admit().empty());
    claims.leave(a);
    CHECK(claims.size() == 0);
    const auto b = claims.enter(); // alone again
    CHECK(claims.running(b));
}

TEST_CASE("a pull that comes while another runs waits until both know their blobs",
          "[blob_claims]") {
    BlobClaims claims;
    const auto a = claims.enter();
    const auto b = claims.enter();
    CHECK_FALSE(claims.running(b));
    claims.blobs_known(b, {"l1", "c2"});
    CHECK(claims.admit().empty()); // a's blobs are not known yet
    CHECK(claims.blockers(b) == Tickets{a});
    claims.blobs_known(a, {"l0", "c1"});
    CHECK(claims.admit() == Tickets{b}); // they share nothing
    CHECK(claims.running(b));
    CHECK(claims.admit().empty());
}

TEST_CASE("a pull that shares a blob waits until the holder has ended, pulled or failed",
          "[blob_claims]") {
    BlobClaims claims;
    const auto a = claims.enter();
    claims.blobs_known(a, {"base", "app1", "cfg1"});
    const auto b = claims.enter();
    claims.blobs_known(b, {"base", "app2", "cfg2"});
    CHECK(claims.admit().empty());
    CHECK(claims.blockers(b) == Tickets{a});
    CHECK(claims.shared(b, a) == 1);
    claims.leave(a);
    CHECK(claims.admit() == Tickets{b});
}

TEST_CASE("pulls that wait go in the order they came, and never overtake one they share with",
          "[blob_claims]") {
    BlobClaims claims;
    const auto a = claims.enter();
    claims.blobs_known(a, {"base"});
    const auto b = claims.enter();
    const auto c = claims.enter();
    const auto d = claims.enter();
    claims.blobs_known(b, {"base", "b"});
    claims.blobs_known(c, {"b", "c"}); // shares with b, which waits
    claims.blobs_known(d, {"d"});      // shares with nobody
    CHECK(claims.admit() == Tickets{d});
    CHECK(claims.blockers(c) == Tickets{b});
    claims.leave(a);
    CHECK(claims.admit() == Tickets{b}); // c still waits for b, which now runs
    CHECK(claims.blockers(c) == Tickets{b});
    claims.leave(b);
    CHECK(claims.admit() == Tickets{c});
}

TEST_CASE("a waiting pull whose blobs are not known blocks later ones until they are",
          "[blob_claims]") {
    BlobClaims claims;
    const auto a = claims.enter();
    claims.blobs_known(a, {"a"});
    const auto b = claims.enter(); // its manifest step is still running
    const auto c = claims.enter();
    claims.blobs_known(c, {"c"});
    CHECK(claims.admit().empty());
    CHECK(claims.blockers(c) == Tickets{b});
    claims.blobs_known(b, {}); // no manifest: it shares nothing podpull knows of
    CHECK(claims.admit() == Tickets{b, c});
}

TEST_CASE("a waiting pull that leaves (cancelled) frees those behind it, and a digest listed "
          "twice is no reason to wait",
          "[blob_claims]") {
    BlobClaims claims;
    const auto a = claims.enter();
    claims.blobs_known(a, {"x", "x"});
    const auto b = claims.enter();
    claims.blobs_known(b, {"x"});
    const auto c = claims.enter();
    claims.blobs_known(c, {"x", "y"});
    CHECK(claims.admit().empty());
    claims.leave(b);
    claims.leave(a);
    CHECK(claims.admit() == Tickets{c});
    claims.leave(42); // unknown: ignored
    CHECK(claims.size() == 1);
}

TEST_CASE("the status line says whom a pull waits for and why", "[blob_claims]") {
    CHECK(podpull::describe_wait(1, 3) ==
          "waiting for 1 other pull of this client to end, so that the 3 blobs it shares with "
          "this image are fetched once");
    CHECK(podpull::describe_wait(2, 1) ==
          "waiting for 2 other pulls of this client to end, so that the 1 blob they share with "
          "this image is fetched once");
    CHECK(podpull::describe_wait(2, 0) ==
          "waiting for 2 other pulls of this client to read their manifests, to learn which "
          "blobs they share with this image");
}
