// SPDX-License-Identifier: MIT OR Apache-2.0
// The pure core on its own: a PullSession (line splitter, the route's decoder, the progress
// tracker) fed a generated pull body from memory in 64 KiB pieces, as the socket would hand
// it over, with an observer that only counts. Reports MB/s of body and events/s, an event
// being one NDJSON line (one report from podman), plus the host callbacks that came of them.
//
//   podpull_bench_core [--stream-mb=N] [Google Benchmark flags]
//   podpull_bench_core --check-streams [--stream-mb=N]
// The second form only runs each body once through the core and fails unless it is accepted
// whole: the ctest check that keeps the generated bodies in step with the decoders.
#include "core/pull_session.hpp"
#include "ndjson_stream.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

namespace {

using podpull::Route;
using podpull::bench::Stream;
using podpull::bench::StreamShape;

constexpr std::size_t read_size = 64 * 1024; // what one socket read brings, at most

std::size_t stream_bytes = 100u * 1000 * 1000;

class CountingObserver : public podpull::PullObserver {
  public:
    std::uint64_t calls = 0;
    std::uint64_t last_current = 0;

    void route_chosen(const podpull::RouteDecision &) override { ++calls; }
    void status(std::string_view line) override {
        ++calls;
        benchmark::DoNotOptimize(line.data());
    }
    bool blob(const podpull::BlobProgress &p) override {
        ++calls;
        last_current = p.pull_current;
        return true;
    }
};

// Each body is made once, outside the timed region, and reused by every repetition.
const Stream &stream_for(StreamShape shape) {
    static std::map<StreamShape, Stream> made;
    auto it = made.find(shape);
    if (it == made.end())
        it = made.emplace(shape, podpull::bench::make_stream(shape, stream_bytes)).first;
    return it->second;
}

void pull_session(benchmark::State &state, Route route, StreamShape shape) {
    const Stream &stream = stream_for(shape);
    const std::string_view body = stream.body;
    std::uint64_t callbacks = 0;
    for (auto _ : state) {
        CountingObserver observer;
        podpull::PullSession session(route, observer);
        try {
            for (std::size_t at = 0; at < body.size(); at += read_size)
                session.feed(body.substr(at, read_size));
            const podpull::PullOutcome outcome = session.finish();
            benchmark::DoNotOptimize(outcome.totals.fetched);
        } catch (const std::exception &e) {
            // A body the core refuses would measure an error path: fail loudly instead.
            state.SkipWithError(e.what());
            return;
        }
        callbacks += observer.calls;
    }
    const auto iterations = static_cast<double>(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(body.size()) * state.iterations());
    state.counters["events_per_s"] = benchmark::Counter(
        iterations * static_cast<double>(stream.lines), benchmark::Counter::kIsRate);
    state.counters["callbacks_per_s"] =
        benchmark::Counter(static_cast<double>(callbacks), benchmark::Counter::kIsRate);
    state.counters["stream_MB"] = static_cast<double>(body.size()) / 1e6;
    state.counters["lines"] = static_cast<double>(stream.lines);
}

// What a body must give: podman's final report with the image ID the generator wrote, and a
// callback for every line but the closing ones (every line there reports something new).
bool check_stream(const char *name, Route route, StreamShape shape) {
    const Stream &stream = stream_for(shape);
    CountingObserver observer;
    podpull::PullSession session(route, observer);
    try {
        session.feed(stream.body);
        const podpull::PullOutcome outcome = session.finish();
        const std::string id = podpull::bench::image_id();
        const bool id_ok = shape == StreamShape::jsonmessage
                               ? outcome.image_id_prefix == id.substr(0, 12)
                               : outcome.image_id == id;
        if (!id_ok || observer.calls + 2 < stream.lines) {
            std::fprintf(stderr,
                         "%s: the core took the body but reported %llu callbacks for %zu lines "
                         "and image ID %s%s\n",
                         name, static_cast<unsigned long long>(observer.calls), stream.lines,
                         outcome.image_id.c_str(), outcome.image_id_prefix.c_str());
            return false;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: the core refused the generated body: %s\n", name, e.what());
        return false;
    }
    std::printf("%s: %zu bytes, %zu lines, %llu callbacks: accepted\n", name, stream.body.size(),
                stream.lines, static_cast<unsigned long long>(observer.calls));
    return true;
}

} // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check-streams") == 0) {
            check_only = true;
        } else if (std::strncmp(argv[i], "--stream-mb=", 12) == 0) {
            stream_bytes = std::strtoul(argv[i] + 12, nullptr, 10) * 1000 * 1000;
        } else {
            std::fprintf(stderr, "podpull_bench_core: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (stream_bytes == 0) {
        std::fprintf(stderr, "podpull_bench_core: --stream-mb must be at least 1\n");
        return 2;
    }
    if (check_only) {
        bool ok =
            check_stream("LIBPOD_PROGRESS", Route::libpod_progress, StreamShape::libpod_progress);
        ok = check_stream("LIBPOD_TEXT", Route::libpod_text, StreamShape::libpod_text) && ok;
        ok = check_stream("DOCKER_COMPAT", Route::docker_compat, StreamShape::jsonmessage) && ok;
        return ok ? 0 : 1;
    }
    benchmark::RegisterBenchmark("core/LIBPOD_PROGRESS", pull_session, Route::libpod_progress,
                                 StreamShape::libpod_progress)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("core/LIBPOD_TEXT", pull_session, Route::libpod_text,
                                 StreamShape::libpod_text)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("core/DOCKER_COMPAT", pull_session, Route::docker_compat,
                                 StreamShape::jsonmessage)
        ->Unit(benchmark::kMillisecond);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
