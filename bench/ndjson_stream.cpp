// SPDX-License-Identifier: MIT OR Apache-2.0
#include "ndjson_stream.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace podpull::bench {
namespace {

// Blobs in flight at once (podman copies several layers in parallel), progress lines per blob
// between its first and last line, and how often a blob is already there.
constexpr std::size_t in_flight = 4;
constexpr std::size_t progress_lines = 48;
constexpr std::size_t skip_every = 8;
// The distinct blobs of the text body: an image of many layers (bootc's are rechunked to 64).
constexpr std::size_t text_blobs = 64;

// splitmix64: fixed, well-spread digests from a counter, so that no two blobs share an id.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::string hex64(std::uint64_t seed) {
    return fmt::format("{:016x}{:016x}{:016x}{:016x}", mix(seed), mix(seed + 1), mix(seed + 2),
                       mix(seed + 3));
}

struct Blob {
    std::string digest; // 64 hex
    std::uint64_t size;
    bool skipped;
};

Blob blob_number(std::size_t n) {
    // Sizes from 4 to 68 MB, like the layers of the recorded bodies (73407797 bytes there).
    return Blob{hex64(n * 4 + 1000), 4'000'000 + mix(n) % 64'000'000,
                n % skip_every == skip_every - 1};
}

// "[=====>      ]  19MB/73.41MB", the progress text Docker's jsonmessage carries.
std::string progress_bar(std::uint64_t current, std::uint64_t total) {
    constexpr std::size_t width = 50;
    const std::size_t filled = static_cast<std::size_t>(current * width / total);
    std::string bar(width, ' ');
    for (std::size_t i = 0; i + 1 < filled; ++i)
        bar[i] = '=';
    if (filled > 0)
        bar[filled - 1] = '>';
    return fmt::format("[{}] {:.4g}MB/{:.4g}MB", bar, static_cast<double>(current) / 1e6,
                       static_cast<double>(total) / 1e6);
}

class Writer {
  public:
    explicit Writer(Stream &out) : out_(out) {}
    template <typename... Args> void line(fmt::format_string<Args...> f, Args &&...args) {
        fmt::format_to(std::back_inserter(out_.body), f, std::forward<Args>(args)...);
        out_.body += '\n';
        ++out_.lines;
    }

  private:
    Stream &out_;
};

// One group of blobs pulled together: every blob's first line, their progress lines in turns,
// their last lines. `first`, `progress` and `last` write one line for a blob.
template <typename First, typename Progress, typename Last>
void pull_group(std::size_t group, First first, Progress progress, Last last) {
    std::array<Blob, in_flight> blobs;
    for (std::size_t i = 0; i < in_flight; ++i)
        blobs[i] = blob_number(group * in_flight + i);
    for (const auto &b : blobs)
        first(b);
    for (std::size_t step = 1; step <= progress_lines; ++step)
        for (const auto &b : blobs)
            if (!b.skipped)
                progress(b, b.size * step / (progress_lines + 1));
    for (const auto &b : blobs)
        last(b);
}

void libpod_progress_stream(Stream &s, std::size_t min_bytes) {
    Writer w(s);
    w.line(
        R"({{"status":"pulling","stream":"Trying to pull registry.example/podpull/bench:v1...\n"}})");
    for (std::size_t group = 0; s.body.size() < min_bytes; ++group) {
        pull_group(
            group,
            [&](const Blob &b) {
                if (b.skipped)
                    w.line(
                        R"({{"status":"pulling","stream":"Artifact already exists","pullProgress":{{"status":"skipped","progressComponentID":"sha256:{}"}}}})",
                        b.digest);
                else
                    w.line(
                        R"({{"status":"pulling","stream":"Starting to pull artifact","pullProgress":{{"status":"pulling","total":{},"progressComponentID":"sha256:{}"}}}})",
                        b.size, b.digest);
            },
            [&](const Blob &b, std::uint64_t current) {
                w.line(
                    R"({{"status":"pulling","stream":"Pulling artifact","pullProgress":{{"status":"pulling","current":{},"total":{},"progressComponentID":"sha256:{}"}}}})",
                    current, b.size, b.digest);
            },
            [&](const Blob &b) {
                if (!b.skipped)
                    w.line(
                        R"({{"status":"pulling","stream":"Artifact pulled successfully","pullProgress":{{"status":"success","current":{},"total":{},"progressComponentID":"sha256:{}"}}}})",
                        b.size, b.size, b.digest);
            });
    }
    const std::string id = image_id();
    w.line(R"({{"status":"pulling","stream":"Copying config sha256:{}\n"}})", id);
    w.line(R"({{"status":"success","images":["{}"],"id":"{}"}})", id, id);
}

void libpod_text_stream(Stream &s, std::size_t min_bytes) {
    Writer w(s);
    w.line(R"({{"stream":"Trying to pull registry.example/podpull/bench:v1...\n"}})");
    w.line(R"({{"stream":"Getting image source signatures\n"}})");
    // A real text body names each of its tens of blobs once, so a 100 MB one cannot be had:
    // the same 64 blobs are named over and over, which measures the decoder and the tracker's
    // lookup of a known blob, not a record per line for a million blobs no image has.
    for (std::size_t n = 0; s.body.size() < min_bytes; ++n)
        w.line(R"({{"stream":"Copying blob sha256:{}\n"}})", blob_number(n % text_blobs).digest);
    const std::string id = image_id();
    w.line(R"({{"stream":"Copying config sha256:{}\n"}})", id);
    w.line(R"({{"stream":"Writing manifest to image destination\n"}})");
    w.line(R"({{"stream":"Storing signatures\n"}})");
    w.line(R"({{"images":["{}"],"id":"{}"}})", id, id);
}

void jsonmessage_stream(Stream &s, std::size_t min_bytes) {
    Writer w(s);
    for (std::size_t group = 0; s.body.size() < min_bytes; ++group) {
        pull_group(
            group,
            [&](const Blob &b) {
                w.line(R"({{"status":"{}","progressDetail":{{}},"id":"{}"}})",
                       b.skipped ? "Already exists" : "Pulling fs layer", b.digest.substr(0, 12));
            },
            [&](const Blob &b, std::uint64_t current) {
                w.line(
                    R"({{"status":"Downloading","progressDetail":{{"current":{},"total":{}}},"progress":"{}","id":"{}"}})",
                    current, b.size, progress_bar(current, b.size), b.digest.substr(0, 12));
            },
            [&](const Blob &b) {
                if (!b.skipped)
                    w.line(R"({{"status":"Download complete","progressDetail":{{}},"id":"{}"}})",
                           b.digest.substr(0, 12));
            });
    }
    // The closing pair names the image: the config blob's short id (recorded on 4.3.1).
    const std::string id = image_id().substr(0, 12);
    w.line(R"({{"status":"Pulling fs layer","progressDetail":{{}},"id":"{}"}})", id);
    w.line(R"({{"status":"Download complete","progressDetail":{{}},"id":"{}"}})", id);
}

} // namespace

std::string image_id() {
    return hex64(1);
}

Stream make_stream(StreamShape shape, std::size_t min_bytes) {
    Stream s;
    s.body.reserve(min_bytes + (1u << 20));
    switch (shape) {
    case StreamShape::libpod_progress:
        libpod_progress_stream(s, min_bytes);
        break;
    case StreamShape::libpod_text:
        libpod_text_stream(s, min_bytes);
        break;
    case StreamShape::jsonmessage:
        jsonmessage_stream(s, min_bytes);
        break;
    }
    return s;
}

} // namespace podpull::bench
