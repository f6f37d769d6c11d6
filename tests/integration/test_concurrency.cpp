// SPDX-License-Identifier: MIT OR Apache-2.0
// Concurrency and endurance: 8 pulls at once on one client, 4 clients at once, one pull of 8
// cancelled from its own callback, podpull_cancel with 8 in flight, podpull_cancel from a
// SIGINT handler in a C host, and 1000 connect/free cycles. Every multi-threaded case is tagged
// [concurrency] (run under ThreadSanitizer too). docs/reliability.md lists each case.
//
// The pulls take the automatic route with TLS verification on (the registries declared
// insecure in a registries.conf the service reads), which reports bytes on every release:
// DOCKER_COMPAT on podman 4.3, LIBPOD_COMPAT on 5.x, LIBPOD_PROGRESS on 6.x. So byte totals
// and per-blob events can be checked against the registry's manifests on each. Besides the
// fixture's test and big images they pull its four "distinct" images (two random layers each,
// none shared), which the fixture builds once for every release.

#include "podpull_test/fake_libpod.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// ---- the images ----------------------------------------------------------------------------

// An image on the fixture's registry: its references, and its blobs as the manifest lists them.
struct Image : ImageBlobs {
    std::string reference;      // on the fast registry
    std::string slow_reference; // the same through the 16 MiB/s relay
};

Image fixture_image(const std::string &path, const std::string &id) {
    const TestEnv &env = test_env();
    Image image;
    static_cast<ImageBlobs &>(image) = registry_image(env.registry, path);
    REQUIRE(image.id == id); // the config digest is the ID podman gave it
    image.reference = env.registry + "/" + path;
    image.slow_reference = env.slow_registry + "/" + path;
    return image;
}

// Connect options whose service treats both fixture registries as insecure (plain HTTP) on
// its own, so that pulls keep TLS verification on and still reach them on every route.
podpull_connect_options insecure_registries_options(Sandbox &box, const ServiceDirs &dirs) {
    const TestEnv &env = test_env();
    const fs::path conf = write_insecure_registries_conf(box.dir() / "registries.conf",
                                                         {env.registry, env.slow_registry});
    return box.options(dirs, {"CONTAINERS_REGISTRIES_CONF=" + conf.string()});
}

// ---- many pulls at once ---------------------------------------------------------------------

// One pull run on a thread of its own, with what the checks need about it.
struct Job {
    const Image *image = nullptr;
    std::string reference;
    PullRecorder rec;
    PullOutcome out;
    std::mutex mutex;
    std::set<std::thread::id> callback_threads;
    std::thread::id caller;
    Clock::time_point first_callback{}, returned{};
    std::atomic<bool> finished{false}; // podpull_pull returned (read by other jobs' hooks)
    bool saw_callback = false;
    bool saw_bytes = false; // a PULLING event with bytes
    void note_callback(bool bytes) {
        std::lock_guard<std::mutex> lock(mutex);
        callback_threads.insert(std::this_thread::get_id());
        if (!saw_callback) {
            saw_callback = true;
            first_callback = Clock::now();
        }
        saw_bytes = saw_bytes || bytes;
    }
};

// Runs every job at once (released together by a latch) on `client`; each job's hooks are set
// up before. Returns when all have returned.
void run_jobs(podpull_client *client, std::vector<std::unique_ptr<Job>> &jobs) {
    const podpull_pull_options opts = verified_pull_options(); // bytes on the automatic route
    std::latch start(static_cast<std::ptrdiff_t>(jobs.size()));
    std::vector<std::thread> threads;
    for (auto &job : jobs) {
        Job *j = job.get();
        auto blob_hook = j->rec.on_blob_hook;
        j->rec.on_status_hook = [j](const std::string &) { j->note_callback(false); };
        j->rec.on_blob_hook = [j, blob_hook](const podpull_blob_progress &p) {
            j->note_callback(p.state == PODPULL_BLOB_PULLING && p.current > 0);
            return blob_hook ? blob_hook(p) : 0;
        };
        threads.emplace_back([j, client, &opts, &start] {
            j->caller = std::this_thread::get_id();
            start.arrive_and_wait();
            j->out = pull(client, j->reference, j->rec, &opts);
            j->returned = Clock::now();
            j->finished = true;
        });
    }
    for (auto &t : threads) {
        t.join();
    }
}

// The most pulls that were streaming at one moment: each counts from its first callback (the
// library is working on it) to its return. Pulls serialised inside the library would give 1.
int max_streaming_at_once(const std::vector<std::unique_ptr<Job>> &jobs) {
    int best = 0;
    for (const auto &a : jobs) {
        if (!a->saw_callback) {
            continue;
        }
        int at_once = 0;
        for (const auto &b : jobs) {
            if (b->saw_callback && b->first_callback <= a->first_callback &&
                a->first_callback < b->returned) {
                ++at_once;
            }
        }
        best = std::max(best, at_once);
    }
    return best;
}

// The checks every successful pull must pass: its image's ID, callbacks on its own thread only,
// blob events that name only its own image's blobs with their manifest sizes, every layer
// DONE or SKIPPED, and byte totals that add up.
void check_successful_pull(Job &job, const ServiceDirs &dirs) {
    const auto s = job.rec.snapshot();
    const podpull_pull_options opts = verified_pull_options();
    const podpull_route route = expected_auto_route(job.reference, &opts);
    INFO(job.reference << ": " << job.out.describe() << "\n" << job.rec.summary());
    REQUIRE(job.out.code == PODPULL_OK);
    CHECK(job.out.image_id == job.image->id);
    CHECK(job.out.route == route);
    CHECK(fs::is_directory(dirs.root / "vfs-images" / job.image->id));

    CHECK(s.wrong_thread == 0);
    CHECK(s.after_return == 0);
    CHECK(s.route_first);
    {
        std::lock_guard<std::mutex> lock(job.mutex);
        CHECK(job.callback_threads.size() == 1);
        CHECK(job.callback_threads.count(job.caller) == 1);
    }

    // Every blob event names a blob of this pull's own image (under the id its route gives
    // it), and a size, once known, is that blob's size in the manifest.
    const Progress progress = reported_progress(route, s);
    const BlobTally t = tally_blobs(progress, *job.image, s);
    std::string unknown, wrong;
    for (const auto &id : t.unknown_ids) {
        unknown += " " + id;
    }
    for (const auto &w : t.wrong_totals) {
        wrong += "\n  " + w;
    }
    INFO("ids naming no blob of the image:" << unknown << "; sizes not the manifest's:" << wrong);
    CHECK(t.unknown_ids.empty());
    CHECK(t.wrong_totals.empty());
    // Every layer ends DONE or SKIPPED.
    for (const auto &l : job.image->layers) {
        const auto it = t.last.find(expected_blob_id(progress, l.hex));
        INFO("layer " << l.hex);
        REQUIRE(it != t.last.end());
        CHECK((it->second.state == PODPULL_BLOB_DONE || it->second.state == PODPULL_BLOB_SKIPPED));
    }
    // The result's bytes are what this pull's own events added up to: the sum of its DONE
    // blobs' final byte counts, the last pull_current it reported, and never more than its
    // image's blobs hold.
    uint64_t done_bytes = 0;
    for (const auto &[id, e] : t.last) {
        if (e.state == PODPULL_BLOB_DONE) {
            done_bytes += e.current;
        }
    }
    CHECK(job.out.bytes == done_bytes);
    if (!s.blobs.empty()) { // pull_current counts cached blobs too (ABI 1.2)
        const auto &last = s.blobs.back();
        CHECK(last.pull_current - (last.has_cached_fields ? last.pull_cached : 0) == job.out.bytes);
    }
    CHECK(job.out.bytes <= job.image->bytes());
}

std::unique_ptr<Job> make_job(const Image &image, bool slow) {
    auto job = std::make_unique<Job>();
    job->image = &image;
    job->reference = slow ? image.slow_reference : image.reference;
    return job;
}

// The fixture's test and big images and its four distinct ones, read once for this process.
struct ImageSet {
    Image test, big;
    std::vector<Image> distinct;
};
const ImageSet &images() {
    static const std::unique_ptr<ImageSet> set = [] {
        const TestEnv &env = test_env();
        auto s = std::make_unique<ImageSet>();
        s->test = fixture_image(repository_path(env.image), env.image_id);
        s->big = fixture_image(repository_path(env.big_image), env.big_image_id);
        for (std::size_t i = 0; i < env.distinct_images.size(); ++i) {
            s->distinct.push_back(fixture_image(env.distinct_images[i], env.distinct_image_ids[i]));
            REQUIRE(s->distinct.back().layers.size() == 2);
        }
        return s;
    }();
    return *set;
}

// ---- the SIGINT host ------------------------------------------------------------------------

struct HostRun {
    std::string output;
    int exit_code = -1;
    double cancel_to_exit = -1; // s from the signal to the host's exit
    int service = -1;
};

// Runs tests/c/sigint_host.c in `mode`, sends SIGINT once it printed PULLING (to its pulling
// thread for "thread", to the process for "process"), and waits for it to exit.
HostRun run_sigint_host(Sandbox &box, const std::string &mode) {
    const TestEnv &env = test_env();
    const ServiceDirs &dirs = box.main();
    const fs::path conf =
        write_insecure_registries_conf(box.dir() / "registries.conf", {env.slow_registry});
    const fs::path log = box.dir() / ("host-" + mode + ".log");
    Spawned host =
        spawn_process({PODPULL_SIGINT_HOST, mode, env.podman, env.slow_big_image,
                       box.runtime_dir().string(), dirs.root.string(), dirs.runroot.string(),
                       "CONTAINERS_CONF=" + dirs.containers_conf.string(),
                       "CONTAINERS_REGISTRIES_CONF=" + conf.string()},
                      {}, log);
    HostRun run;
    const bool pulling = wait_for([&] { return contains(read_file(log), "PULLING tid="); }, 120s);
    const auto services = children_named(host.pid, "podman");
    run.service = services.empty() ? -1 : services.front();
    std::string text = read_file(log);
    INFO("host output:\n" << text);
    if (!pulling) {
        stop_process(host, 1000);
        FAIL("the host never printed PULLING");
    }
    const auto sent_at = Clock::now();
    if (mode == "thread") {
        const int tid = std::atoi(text.c_str() + text.find("PULLING tid=") + 12);
        REQUIRE(::syscall(SYS_tgkill, host.pid, tid, SIGINT) == 0);
    } else {
        REQUIRE(::kill(host.pid, SIGINT) == 0);
    }
    int status = 0;
    const bool exited = wait_for(
        [&] {
            const pid_t r = ::waitpid(host.pid, &status, WNOHANG);
            return r == host.pid;
        },
        30s);
    run.cancel_to_exit = seconds_since(sent_at);
    if (!exited) {
        stop_process(host, 1000);
        FAIL("the host did not exit within 30 s of SIGINT");
    }
    host.pid = -1;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.output = read_file(log);
    return run;
}

void check_sigint_host(Sandbox &box, const HostRun &run, bool handler_on_pulling_thread) {
    INFO("host output:\n" << run.output << "exit " << run.exit_code);
    std::printf("SIGINT host: exited %.3f s after the signal; %s", run.cancel_to_exit,
                run.output.substr(run.output.find("RESULT")).c_str());
    CHECK(contains(run.output, "RESULT PODPULL_ERR_CANCELLED"));
    CHECK(contains(run.output, "HANDLER ran=1"));
    CHECK(contains(run.output, "CHILDREN none"));
    CHECK(run.exit_code == 0);
    // podpull_pull returned within 2 s of the handler; the host (podpull_free included: SIGTERM
    // to podman, which exits within milliseconds) within 6 s of the signal.
    const auto at = run.output.find("CANCEL_TO_RETURN_MS ");
    REQUIRE(at != std::string::npos);
    CHECK(std::atol(run.output.c_str() + at + 20) < 2000);
    CHECK(run.cancel_to_exit < 6.0);
    // Which thread ran the handler.
    const auto h = run.output.find("HANDLER ran=1 tid=");
    REQUIRE(h != std::string::npos);
    const int handler_tid = std::atoi(run.output.c_str() + h + 18);
    const int pull_tid = std::atoi(run.output.c_str() + run.output.find("pull_tid=") + 9);
    CHECK((handler_tid == pull_tid) == handler_on_pulling_thread);
    // Its service is gone (reaped by the host's podpull_free), and so is its socket dir.
    REQUIRE(run.service > 0);
    CHECK_FALSE(process_exists(run.service));
    box.check_no_leftovers();
}

// VmRSS growth over a run of cycles must stay under 2 MiB. Not zero: glibc's malloc keeps
// freed memory in its arenas and trims them only now and then, and each cycle's loop thread
// may land its allocations in another arena, so VmRSS moves by some KiB to some hundreds of
// KiB without any leak. A leak of 2 KiB per cycle would show as 2 MiB over 1000 cycles.
// Under AddressSanitizer or ThreadSanitizer freed memory is held back on purpose (ASan's
// quarantine, TSan's shadow), so RSS says nothing there; LeakSanitizer checks leaks in that
// build instead, and this says so in the output.
void check_rss_growth(long growth_kib) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    std::printf("VmRSS growth %+ld KiB not asserted: a sanitizer build holds freed memory back\n",
                growth_kib);
#else
    CHECK(growth_kib < 2048);
#endif
}

} // namespace

// ---- one client, 8 threads ------------------------------------------------------------------

TEST_CASE("8 threads pulling at once on one client: each gets its image's ID, its own callbacks "
          "on its own thread, and its own byte totals",
          "[concurrency]") {
    const ImageSet &set = images();
    Sandbox box;
    Client client(connect_or_fail(box, insecure_registries_options(box, box.main())));

    // Six different images, and two of them twice, through the slowed relay so that the
    // Docker-compat route reports byte counts (a blob that arrives at once gets none). A pull
    // of an image already in flight waits for that one, then finds its blobs in the storage.
    std::vector<std::unique_ptr<Job>> jobs;
    jobs.push_back(make_job(set.test, true));
    jobs.push_back(make_job(set.big, true));
    for (const auto &image : set.distinct) {
        jobs.push_back(make_job(image, true));
    }
    jobs.push_back(make_job(set.test, true));
    jobs.push_back(make_job(set.distinct[0], true));
    REQUIRE(jobs.size() == 8);
    const auto start = Clock::now();
    run_jobs(client.ptr, jobs);
    const double seconds = seconds_since(start);
    const int at_once = max_streaming_at_once(jobs);
    std::printf("8 pulls on one client: %.2f s, at most %d streaming at once; bytes:", seconds,
                at_once);
    for (auto &job : jobs) {
        std::printf(" %llu", static_cast<unsigned long long>(job->out.bytes));
    }
    std::printf("\n");
    for (auto &job : jobs) {
        check_successful_pull(*job, box.main());
    }
    // The 64 MB layer takes about 4 s through the relay: its bytes are counted, exactly its
    // size in the manifest; the config's too where its size is known: on LIBPOD_PROGRESS, which
    // reports it, and on every route once the manifest was read (the compat routes alone name
    // the config but send no byte count for a blob that small).
    const podpull_pull_options opts = verified_pull_options();
    const bool config_counted =
        manifest_read(jobs[1]->rec.snapshot()) ||
        route_progress(expected_auto_route(set.big.slow_reference, &opts)) ==
            Progress::per_blob_bytes;
    CHECK(jobs[1]->out.bytes ==
          set.big.layers.front().size + (config_counted ? set.big.config.size : 0));
    CHECK(at_once >= 2); // they really ran side by side

    client.reset();
    // What podman itself lists in that storage: the six images, nothing else.
    auto ids = box.podman_image_ids(box.main());
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> expected = {set.test.id, set.big.id};
    for (const auto &image : set.distinct) {
        expected.push_back(image.id);
    }
    std::sort(expected.begin(), expected.end());
    CHECK(ids == expected);
    box.check_no_leftovers();
}

TEST_CASE("on_blob returning nonzero in one of 8 concurrent pulls cancels that pull only; the "
          "other 7 finish OK",
          "[concurrency][cancel]") {
    const ImageSet &set = images();
    Sandbox box;
    Client client(connect_or_fail(box, insecure_registries_options(box, box.main())));

    // All through the slowed relay, so that the others are still streaming when the victim
    // (the 64 MB image, about 4 s) says stop.
    std::vector<std::unique_ptr<Job>> jobs;
    jobs.push_back(make_job(set.big, true)); // the victim
    jobs.push_back(make_job(set.test, true));
    jobs.push_back(make_job(set.test, true));
    for (const auto &image : set.distinct) {
        jobs.push_back(make_job(image, true));
    }
    jobs.push_back(make_job(set.distinct[1], true));
    REQUIRE(jobs.size() == 8);

    // The victim stops at its first blob event (its 64 MB layer is far from through then) once
    // at least 3 others are streaming at that moment (had a callback, not returned yet), waiting
    // for that at most 60 s; it records how many others were still running when it stopped.
    auto streaming_others = [&jobs] {
        int n = 0;
        for (std::size_t i = 1; i < jobs.size(); ++i) {
            std::lock_guard<std::mutex> lock(jobs[i]->mutex);
            n += jobs[i]->saw_callback && !jobs[i]->finished.load() ? 1 : 0;
        }
        return n;
    };
    int running_when_stopped = -1;
    bool stopped = false;
    int blob_calls_after_stop = 0;
    jobs[0]->rec.on_blob_hook = [&](const podpull_blob_progress &p) {
        if (stopped) {
            ++blob_calls_after_stop;
            return 1;
        }
        (void)p;
        wait_for([&] { return streaming_others() >= 3; }, 60s);
        int running = 0;
        for (std::size_t i = 1; i < jobs.size(); ++i) {
            running += jobs[i]->finished.load() ? 0 : 1;
        }
        running_when_stopped = running;
        stopped = true;
        return 1;
    };
    run_jobs(client.ptr, jobs);

    INFO("victim: " << jobs[0]->out.describe() << "\n" << jobs[0]->rec.summary() << box.log_text());
    std::printf("on_blob stop: %d of the 7 others were still running when the victim stopped\n",
                running_when_stopped);
    REQUIRE(stopped);
    CHECK(jobs[0]->out.code == PODPULL_ERR_CANCELLED);
    CHECK(jobs[0]->out.error_code == PODPULL_ERR_CANCELLED);
    CHECK_FALSE(jobs[0]->out.have_result);
    CHECK(blob_calls_after_stop == 0);
    CHECK(running_when_stopped >= 3); // the stop happened with others in flight
    for (std::size_t i = 1; i < jobs.size(); ++i) {
        check_successful_pull(*jobs[i], box.main());
    }
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("podpull_cancel with 8 pulls in flight, one streaming and seven waiting for the blobs "
          "it fetches, cancels every one within 2 s, and the client stays usable",
          "[concurrency][cancel]") {
    const ImageSet &set = images();
    Sandbox box;
    Client client(connect_or_fail(box, insecure_registries_options(box, box.main())));

    // Eight pulls of one image: one fetches it, the others wait until it has ended, so that its
    // blobs are fetched once (io::BlobClaimsGate). Both kinds must end at once.
    std::vector<std::unique_ptr<Job>> jobs;
    for (int i = 0; i < 8; ++i) {
        jobs.push_back(make_job(set.big, true));
    }
    const auto waiting = [](const Job &job) {
        for (const auto &line : job.rec.snapshot().status) {
            if (contains(line, "to end, so that")) {
                return true;
            }
        }
        return false;
    };
    Clock::time_point cancelled_at{};
    std::thread canceller([&] {
        // Once one streams bytes and the seven others said they wait (bounded: the pulls fail
        // the test if they never do).
        wait_for(
            [&] {
                int streaming = 0, waiting_ones = 0;
                for (const auto &j : jobs) {
                    std::lock_guard<std::mutex> lock(j->mutex);
                    streaming += j->saw_bytes ? 1 : 0;
                }
                for (const auto &j : jobs) {
                    waiting_ones += waiting(*j) ? 1 : 0;
                }
                return streaming == 1 && waiting_ones == 7;
            },
            120s);
        cancelled_at = Clock::now();
        podpull_cancel(client.ptr);
    });
    run_jobs(client.ptr, jobs);
    canceller.join();

    int streamed = 0;
    for (auto &job : jobs) {
        streamed += job->saw_bytes ? 1 : 0;
        CHECK(job->saw_bytes != waiting(*job));
    }
    CHECK(streamed == 1);
    double slowest = 0;
    for (auto &job : jobs) {
        INFO(job->out.describe() << "\n" << job->rec.summary());
        CHECK(job->out.code == PODPULL_ERR_CANCELLED);
        CHECK(job->rec.snapshot().after_return == 0);
        CHECK(job->rec.snapshot().wrong_thread == 0);
        slowest =
            std::max(slowest, std::chrono::duration<double>(job->returned - cancelled_at).count());
    }
    std::printf("podpull_cancel with 8 in flight: the last returned %.3f s after it\n", slowest);
    CHECK(slowest < 2.0);

    // Pulls that start after the cancel are not affected.
    PullRecorder rec;
    const podpull_pull_options opts = verified_pull_options();
    PullOutcome again = pull(client.ptr, set.test.reference, rec, &opts);
    INFO(again.describe() << "\n" << rec.summary() << box.log_text());
    CHECK(again.code == PODPULL_OK);
    CHECK(again.image_id == set.test.id);
    client.reset();
    box.check_no_leftovers();
}

// ---- 4 clients, 4 services ------------------------------------------------------------------

TEST_CASE("4 clients in parallel, each with its own podman service, connect and pull correctly; "
          "every service is gone after podpull_free",
          "[concurrency]") {
    const ImageSet &set = images();
    Sandbox box;
    const int self = static_cast<int>(::getpid());
    struct PerClient {
        ServiceDirs dirs;
        podpull_connect_options opts{};
        ConnectOutcome connected;
        Client client; // frees the client should a check below end the test early
        std::vector<std::unique_ptr<Job>> jobs;
        int service = -1;
    };
    std::vector<PerClient> clients(4);
    for (int i = 0; i < 4; ++i) {
        clients[i].dirs = box.make_service_dirs("client" + std::to_string(i));
        clients[i].opts = insecure_registries_options(box, clients[i].dirs);
        // Each its own image, and the test image.
        clients[i].jobs.push_back(make_job(set.distinct[static_cast<std::size_t>(i)], false));
        clients[i].jobs.push_back(make_job(set.test, false));
    }
    std::latch start(4);
    std::vector<std::thread> threads;
    for (auto &c : clients) {
        threads.emplace_back([&c, &start] {
            start.arrive_and_wait();
            c.connected = connect(c.opts);
            c.client.ptr = c.connected.client;
            if (c.connected.code == PODPULL_OK) {
                run_jobs(c.connected.client, c.jobs);
            }
        });
    }
    for (auto &t : threads) {
        t.join();
    }
    INFO(box.log_text());
    // Four services, each a child of this process, each in its own socket dir.
    const auto services = children_named(self, "podman");
    CHECK(services.size() == 4);
    CHECK(dir_entries(box.runtime_dir()).size() == 4);
    for (auto &c : clients) {
        INFO(c.connected.describe());
        REQUIRE(c.connected.code == PODPULL_OK);
        for (auto &job : c.jobs) {
            check_successful_pull(*job, c.dirs);
        }
    }
    // Freed in parallel too.
    threads.clear();
    for (auto &c : clients) {
        threads.emplace_back([&c] { c.client.reset(); });
    }
    for (auto &t : threads) {
        t.join();
    }
    for (int pid : services) {
        CHECK_FALSE(process_exists(pid));
    }
    // What podman lists in each storage: that client's two images, nothing else.
    for (std::size_t i = 0; i < clients.size(); ++i) {
        auto ids = box.podman_image_ids(clients[i].dirs);
        std::sort(ids.begin(), ids.end());
        std::vector<std::string> expected = {set.distinct[i].id, set.test.id};
        std::sort(expected.begin(), expected.end());
        CHECK(ids == expected);
    }
    box.check_no_leftovers();
}

// ---- SIGINT in a C host ---------------------------------------------------------------------

TEST_CASE("podpull_cancel from a SIGINT handler of a C host, on the pulling thread and on another "
          "one: CANCELLED, and the host exits with its service gone",
          "[concurrency][signal]") {
    (void)test_env();
    // "thread": the signal goes to the pulling thread; "process": to the process, where a
    // thread of the host's own takes it.
    const std::string mode = GENERATE("thread", "process");
    INFO("mode " << mode);
    Sandbox box;
    HostRun run = run_sigint_host(box, mode);
    check_sigint_host(box, run, mode == "thread");
}

// ---- endurance ------------------------------------------------------------------------------

TEST_CASE("1000 connect/free cycles on socket_path: no growth in fds, threads, child processes "
          "or RSS",
          "[endurance][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box.dir());

    // Without a log callback: the cycles should allocate nothing that stays.
    podpull_connect_options o;
    podpull_connect_options_init(&o);
    const std::string socket_str = fake.socket().string();
    o.socket_path = socket_str.c_str();
    int failures = 0;
    auto cycle = [&] {
        podpull_client *c = nullptr;
        podpull_error *err = nullptr;
        if (podpull_connect(&o, &c, &err) != PODPULL_OK) {
            ++failures;
        }
        podpull_error_free(err);
        podpull_free(c);
    };
    // Warm-up: what is allocated once per process (the allocator's arenas for the loop threads,
    // Asio's and libstdc++'s one-time state) is in place before the baseline.
    for (int i = 0; i < 50; ++i) {
        cycle();
    }
    const std::size_t fds0 = open_fd_count(), threads0 = thread_count();
    const std::size_t children0 = children_of_this_process().size(); // the fake
    const long rss0 = rss_kib();
    const auto start = Clock::now();
    for (int i = 0; i < 1000; ++i) {
        cycle();
    }
    const double seconds = seconds_since(start);
    const std::size_t fds1 = open_fd_count(), threads1 = thread_count();
    const std::size_t children1 = children_of_this_process().size();
    const long rss1 = rss_kib();
    std::printf("1000 socket_path cycles in %.2f s: fds %zu -> %zu, threads %zu -> %zu, children "
                "%zu -> %zu, VmRSS %ld -> %ld KiB (%+ld)\n",
                seconds, fds0, fds1, threads0, threads1, children0, children1, rss0, rss1,
                rss1 - rss0);
    CHECK(failures == 0);
    CHECK(fds1 == fds0);
    CHECK(threads1 == threads0);
    CHECK(children1 == children0);
    check_rss_growth(rss1 - rss0);
    fake.stop();
    box.check_no_leftovers();
}

TEST_CASE("20 connect/free cycles with a real service: no growth in fds, threads, child "
          "processes or RSS",
          "[endurance]") {
    (void)test_env();
    Sandbox box;
    for (int i = 0; i < 3; ++i) { // warm-up
        Client client(connect_or_fail(box, box.options()));
    }
    const std::size_t fds2 = open_fd_count(), threads2 = thread_count();
    const long rss2 = rss_kib();
    const auto real_start = Clock::now();
    for (int i = 0; i < 20; ++i) {
        Client client(connect_or_fail(box, box.options()));
        client.reset();
        INFO("after real cycle " << i << ":\n" << describe(children_of_this_process()));
        REQUIRE(children_of_this_process().empty());
        REQUIRE(dir_entries(box.runtime_dir()).empty());
    }
    const double real_seconds = seconds_since(real_start);
    const std::size_t fds3 = open_fd_count(), threads3 = thread_count();
    const long rss3 = rss_kib();
    std::printf("20 real-service cycles in %.2f s: fds %zu -> %zu, threads %zu -> %zu, VmRSS %ld "
                "-> %ld KiB (%+ld)\n",
                real_seconds, fds2, fds3, threads2, threads3, rss2, rss3, rss3 - rss2);
    CHECK(fds3 == fds2);
    CHECK(threads3 == threads2);
    check_rss_growth(rss3 - rss2);
    box.check_no_leftovers();
}
