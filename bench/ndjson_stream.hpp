// SPDX-License-Identifier: MIT OR Apache-2.0
// Deterministic, arbitrarily long pull bodies for the core benchmark, line for line in the
// shapes podman sends (the recorded bodies in tests/fake/bodies and tests/unit/
// recorded_bodies.hpp, which copy docs/podman.md). Same size in, same bytes out.
#pragma once

#include <cstddef>
#include <string>

namespace podpull::bench {

enum class StreamShape {
    libpod_progress, // POST /libpod/images/pull?pullProgress=true (podman 6.0)
    libpod_text,     // POST /libpod/images/pull on podman 4.3.1: status lines only
    jsonmessage,     // POST /images/create, and compatMode=true on 4.8-5.x
};

struct Stream {
    std::string body; // complete: ends with podman's final report, every line with '\n'
    std::size_t lines = 0;
};

// A body of at least `min_bytes`: blobs pulled four at a time, their progress lines
// interleaved, every eighth one already present, then podman's closing lines.
Stream make_stream(StreamShape shape, std::size_t min_bytes);

// The 64-hex image ID every generated body names in its final report.
std::string image_id();

} // namespace podpull::bench
