// Faults and hostile input (issue 6): a killed service, a killed host, a podman that ignores
// SIGTERM, a killed registry, a relay that stops sending, hostile references, bad options and
// auth files, and connect/free cycles. Each case ends in the named code within a bound and
// leaves no process, socket dir, fd or thread.
// docs/reliability.md lists every case with its code, bound and test name.

#include "process_watch.hpp"
#include "routes.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace podpull_test;
using namespace std::chrono_literals;

namespace {

// ---- small helpers --------------------------------------------------------------------------

std::size_t open_fds() {
    return open_fd_count();
}
std::size_t threads() {
    return thread_count();
}

// tests/fake/fake-libpod.py in the sandbox: podman 6.1.1's API on a Unix socket, replaying
// its recorded pull body and recording each request; stopped (and reaped) on destruction.
class FakeLibpod {
  public:
    explicit FakeLibpod(const Sandbox &box, const std::vector<std::string> &extra = {}) {
        dir_ = box.dir() / ("fake-libpod-" + std::to_string(counter_++));
        fs::create_directories(dir_);
        socket_ = dir_ / "podman.sock";
        record_ = dir_ / "requests.ndjson";
        const fs::path ready = dir_ / "ready";
        std::vector<std::string> argv = {
            test_env().python3, PODPULL_FAKE_LIBPOD,
            "--socket",         socket_.string(),
            "--version",        "6.1.1",
            "--body",           std::string(PODPULL_FAKE_BODIES) + "/pull-progress-6.1.1.ndjson",
            "--record",         record_.string(),
            "--ready-file",     ready.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc_ = spawn_process(argv, {}, dir_ / "fake.log");
        REQUIRE(wait_for([&] { return fs::exists(ready); }, 20s));
    }
    ~FakeLibpod() { stop(); }
    FakeLibpod(const FakeLibpod &) = delete;
    FakeLibpod &operator=(const FakeLibpod &) = delete;
    void stop() {
        if (proc_.pid > 0) {
            stop_process(proc_, 5000);
        }
    }
    int pid() const { return proc_.pid; }
    const fs::path &socket() const { return socket_; }
    // The request targets recorded so far, as the raw JSON lines.
    std::vector<std::string> records() const {
        std::vector<std::string> lines;
        if (!fs::exists(record_)) {
            return lines;
        }
        const std::string text = read_file(record_);
        std::size_t pos = 0;
        while (pos < text.size()) {
            auto end = text.find('\n', pos);
            if (end == std::string::npos) {
                end = text.size();
            }
            if (end > pos) {
                lines.push_back(text.substr(pos, end - pos));
            }
            pos = end + 1;
        }
        return lines;
    }

  private:
    static inline int counter_ = 0;
    fs::path dir_, socket_, record_;
    Spawned proc_;
};

// The value of "target" in one recorded JSON line, when it needed no JSON escape (a target
// that is printable ASCII without '"' or '\\'); nullopt otherwise.
std::optional<std::string> plain_target(const std::string &json_line) {
    const std::string key = "\"target\": \"";
    const auto start = json_line.find(key);
    if (start == std::string::npos) {
        return std::nullopt;
    }
    const auto begin = start + key.size();
    const auto end = json_line.find('"', begin);
    if (end == std::string::npos) {
        return std::nullopt;
    }
    std::string target = json_line.substr(begin, end - begin);
    if (target.find('\\') != std::string::npos) {
        return std::nullopt; // an escape: a byte outside printable ASCII, or a quote
    }
    return target;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::string percent_decode(const std::string &text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// The query parameters of a request target, split on '&' and '=' (not decoded).
std::vector<std::pair<std::string, std::string>> query_params(const std::string &target) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto q = target.find('?');
    if (q == std::string::npos) {
        return out;
    }
    std::size_t pos = q + 1;
    while (pos <= target.size()) {
        auto end = target.find('&', pos);
        if (end == std::string::npos) {
            end = target.size();
        }
        const std::string item = target.substr(pos, end - pos);
        const auto eq = item.find('=');
        out.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
        pos = end + 1;
    }
    return out;
}

std::string printable(const std::string &text) {
    std::string out;
    for (unsigned char c : text.substr(0, 120)) {
        if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    if (text.size() > 120) {
        out += "... (" + std::to_string(text.size()) + " bytes)";
    }
    return out;
}

// A podman_path stand-in that records its argv (one line per call, each argument as hex
// bytes, space-separated) and fails.
fs::path write_argv_recorder(const fs::path &dir, const fs::path &report) {
    const fs::path script = dir / "fake-podman-argv";
    write_file(script,
               "#!" + test_env().python3 +
                   "\nimport os, sys\n"
                   "with open(" +
                   "'" + report.string() +
                   "', 'a') as f:\n"
                   "    f.write(' '.join(os.fsencode(a).hex() for a in sys.argv[1:]) + '\\n')\n"
                   "sys.stderr.write('fake podman: refusing\\n')\n"
                   "sys.exit(125)\n",
               0755);
    return script;
}

// The calls write_argv_recorder's script recorded, each its argv without argv[0].
std::vector<std::vector<std::string>> read_argv_report(const fs::path &report) {
    std::vector<std::vector<std::string>> calls;
    if (!fs::exists(report)) {
        return calls;
    }
    const std::string text = read_file(report);
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::vector<std::string> argv;
        std::string arg;
        for (std::size_t i = pos; i < end; ++i) {
            if (text[i] == ' ') {
                argv.push_back(arg);
                arg.clear();
            } else if (i + 1 < end) {
                arg.push_back(static_cast<char>(hex_value(text[i]) * 16 + hex_value(text[i + 1])));
                ++i;
            }
        }
        if (end > pos) {
            argv.push_back(arg);
        }
        calls.push_back(argv);
        pos = end + 1;
    }
    return calls;
}

} // namespace

// ---- a killed service, a killed host --------------------------------------------------------

TEST_CASE("the service SIGKILLed mid-pull: podpull_pull fails with IO within 1 s, nothing left",
          "[faults][service]") {
    const TestEnv &env = test_env();
    Sandbox box;
    Client client(connect_or_fail(box, box.options()));
    const int self = static_cast<int>(::getpid());
    const auto services = children_named(self, "podman");
    REQUIRE(services.size() == 1);
    const int service = services.front();

    Clock::time_point killed_at{};
    bool killed = false;
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    // While the 64 MB blob is copied: at its first byte count, or 200 ms after "Copying blob"
    // on a route without byte counts.
    call_mid_blob(rec, expected_auto_route(env.slow_big_image, &opts), 200ms, [&] {
        killed_at = Clock::now();
        ::kill(service, SIGKILL);
        killed = true;
    });
    PullOutcome out = pull(client.ptr, env.slow_big_image, rec, &opts);
    const auto returned_at = Clock::now();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(killed);
    const double latency = std::chrono::duration<double>(returned_at - killed_at).count();
    std::printf("service SIGKILL: podpull_pull returned %s %.3f s after the kill\n",
                out.code_str.c_str(), latency);
    CHECK(out.code == PODPULL_ERR_IO);
    CHECK(out.error_code == PODPULL_ERR_IO);
    CHECK_FALSE(out.message.empty());
    CHECK(latency < 1.0);
    CHECK(rec.snapshot().after_return == 0);

    const auto before_free = Clock::now();
    client.reset();
    CHECK(seconds_since(before_free) < 4.0);
    CHECK_FALSE(process_exists(service));
    box.check_no_leftovers();
}

TEST_CASE("the host process SIGKILLed mid-pull: its podman service is gone within 2 s",
          "[faults][service]") {
    const TestEnv &env = test_env();
    Sandbox box;
    // The host is the podpull command, a child of this test. Once it is killed its podman is
    // reparented; as a subreaper we get it, so we can see it die and reap it ourselves (and a
    // container's init that does not reap cannot leave a zombie that looks alive).
    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    struct ResetSubreaper {
        ~ResetSubreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
    } reset_subreaper;

    const ServiceDirs &dirs = box.main();
    const fs::path log = box.dir() / "host.log";
    Spawned host =
        spawn_process(cli_pull_argv(PODPULL_CLI, box, dirs, env.slow_big_image), {}, log);
    int service = -1;
    const bool found = wait_for(
        [&] {
            const auto p = children_named(host.pid, "podman");
            if (!p.empty()) {
                service = p.front();
            }
            return service > 0;
        },
        60s);
    INFO(read_file(log));
    REQUIRE(found);
    // Mid-pull: the first blob is being copied (a byte count, or "Copying blob" on a route
    // without them).
    CHECK(wait_for([&] { return cli_is_copying(read_file(log)); }, 60s));
    std::this_thread::sleep_for(300ms);
    REQUIRE(process_exists(service));

    ::kill(host.pid, SIGKILL);
    const auto killed_at = Clock::now();
    int status = 0;
    REQUIRE(::waitpid(host.pid, &status, 0) == host.pid);
    CHECK(WIFSIGNALED(status));
    host.pid = -1;

    // The service dies (PR_SET_PDEATHSIG) and, reparented to us, is reaped here.
    int service_status = 0;
    const bool reaped = wait_for(
        [&] {
            const pid_t r = ::waitpid(service, &service_status, WNOHANG);
            return r == service || (r < 0 && errno == ECHILD && !process_exists(service));
        },
        2000ms);
    const double gone_after = seconds_since(killed_at);
    std::printf("host SIGKILL: podman service %d gone %.3f s after the host was killed\n", service,
                gone_after);
    CHECK(reaped);
    CHECK(gone_after < 2.0);
    CHECK_FALSE(process_exists(service));

    // A host killed outright cannot remove its socket dir: what it leaves is one empty
    // podpull-* directory under runtime_dir (documented in docs/reliability.md). Remove it so
    // the checks below look at processes only.
    std::string left;
    for (const auto &e : dir_entries(box.runtime_dir())) {
        left += " " + e;
        fs::remove_all(box.runtime_dir() / e);
    }
    std::printf("host SIGKILL: runtime_dir held:%s\n", left.c_str());
    box.check_no_leftovers();
}

// ---- a podman that never exits on SIGTERM ---------------------------------------------------

namespace {
// A fake podman: binds the unix:// socket of its argv, sends READY=1 to $NOTIFY_SOCKET and
// ignores SIGTERM. `answer` makes it answer every request as podman 4.3.1's /_ping; otherwise
// it accepts connections and never says a word.
fs::path write_stubborn_podman(const fs::path &dir, const fs::path &pid_file, bool answer) {
    const fs::path script = dir / (answer ? "fake-podman-stubborn" : "fake-podman-mute");
    write_file(
        script,
        "#!" + test_env().python3 + "\n" +
            "import os, signal, socket, sys, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "with open('" +
            pid_file.string() +
            "', 'a') as f:\n"
            "    f.write('%d\\n' % os.getpid())\n"
            "url = [a for a in sys.argv if a.startswith('unix://')][0][len('unix://'):]\n"
            "srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            "srv.bind(url)\n"
            "srv.listen(16)\n"
            "n = os.environ['NOTIFY_SOCKET']\n"
            "if n.startswith('@'):\n"
            "    n = '\\0' + n[1:]\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
            "s.sendto(b'READY=1', n)\n"
            "s.close()\n"
            "answer = " +
            (answer ? "True" : "False") +
            "\n"
            "held = []\n"
            "while True:\n"
            "    c, _ = srv.accept()\n"
            "    if not answer:\n"
            "        held.append(c)\n"
            "        continue\n"
            "    data = b''\n"
            "    while b'\\r\\n\\r\\n' not in data:\n"
            "        chunk = c.recv(4096)\n"
            "        if not chunk:\n"
            "            break\n"
            "        data += chunk\n"
            "    c.sendall(b'HTTP/1.1 200 OK\\r\\nLibpod-Api-Version: 4.3.1\\r\\n'\n"
            "              b'Content-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nOK')\n"
            "    c.close()\n",
        0755);
    return script;
}
} // namespace

TEST_CASE("a podman that ignores SIGTERM and never answers: connect fails with TIMEOUT within "
          "start_timeout + 3 s grace + 1 s, and it is killed",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path pids = box.dir() / "stubborn.pids";
    const fs::path fake = write_stubborn_podman(box.dir(), pids, false);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    opts.start_timeout_ms = 1000;
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    std::printf("mute stubborn podman: connect returned %s after %.3f s\n",
                podpull_code_str(c.code), c.seconds);
    CHECK(c.code == PODPULL_ERR_TIMEOUT);
    CHECK(c.client == nullptr);
    CHECK(c.seconds < 1.0 + 3.0 + 1.0);
    podpull_free(c.client);
    const std::string started = read_file(pids);
    REQUIRE_FALSE(started.empty()); // the fake ran
    CHECK_FALSE(process_exists(std::atoi(started.c_str())));
    box.check_no_leftovers();
}

TEST_CASE("a connected podman that ignores SIGTERM: podpull_free returns within the 3 s grace "
          "+ 1 s and it is killed",
          "[faults][service][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path pids = box.dir() / "stubborn.pids";
    const fs::path fake = write_stubborn_podman(box.dir(), pids, true);
    podpull_connect_options opts = box.options();
    opts.podman_path = fake.c_str();
    opts.start_timeout_ms = 10000;
    ConnectOutcome c = connect(opts);
    INFO(c.describe() << "\n" << box.log_text());
    REQUIRE(c.code == PODPULL_OK);
    const int pid = std::atoi(read_file(pids).c_str());
    REQUIRE(process_exists(pid));
    const auto before = Clock::now();
    podpull_free(c.client);
    const double took = seconds_since(before);
    std::printf("stubborn podman: podpull_free returned after %.3f s\n", took);
    CHECK(took >= 2.5); // it did wait for the grace period
    CHECK(took < 3.0 + 1.0);
    CHECK_FALSE(process_exists(pid));
    box.check_no_leftovers();
}

// ---- hostile references ---------------------------------------------------------------------

TEST_CASE("hostile references are rejected with INVALID_ARGUMENT or sent as exactly one "
          "encoded reference= parameter, never a podman flag",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    const fs::path report = box.dir() / "argv.ndjson";
    const fs::path recorder = write_argv_recorder(box.dir(), report);
    FakeLibpod fake(box);
    podpull_connect_options opts;
    podpull_connect_options_init(&opts);
    const std::string socket = fake.socket().string();
    opts.socket_path = socket.c_str();
    opts.podman_path = recorder.c_str();
    Client client(connect_or_fail(box, opts));

    const std::string reg = "127.0.0.1:5000/podpull/";
    const std::string long_name(5000, 'a');
    const std::vector<std::string> bad_parts = {"-x",
                                                "a b",
                                                "a\nb",
                                                "a\rb",
                                                std::string("a\x01"
                                                            "b"),
                                                "a\x7f",
                                                "a?b",
                                                "a&b",
                                                "a#b",
                                                "a%b",
                                                "a%20b",
                                                "../b",
                                                "a..b",
                                                "\xc3\xa9t\xc3\xa9",
                                                "a\tb",
                                                "a\xff"};
    std::vector<std::string> refs;
    for (const auto &part : bad_parts) {
        refs.push_back(reg + part + ":v1");         // in the repository
        refs.push_back(reg + "ok:" + part);         // in the tag
        refs.push_back(part);                       // as the whole reference
        refs.push_back("oci-archive:/tmp/" + part); // in a subprocess-route path
        refs.push_back("oci-archive:" + part);      // the path itself
    }
    refs.push_back("-" + reg + "ok:v1");
    refs.push_back("--help");
    refs.push_back("--root=/");
    refs.push_back("oci:--help");
    refs.push_back(reg + long_name + ":v1");
    refs.push_back(reg + "ok:" + long_name);
    refs.push_back("oci-archive:/tmp/" + long_name);
    refs.push_back(reg + "ok:v1&policy=never");
    refs.push_back(reg + "ok:v1?reference=evil");
    refs.push_back(reg + "ok:v1\r\nX-Registry-Auth: evil");
    refs.push_back(reg + "ok@sha256:" + std::string(64, 'a'));
    refs.push_back(reg + "ok:v1"); // a well-formed control: it must reach the fake

    int rejected = 0, sent = 0, subprocess = 0;
    for (const auto &ref : refs) {
        const std::size_t before = fake.records().size();
        const std::size_t argv_before = read_argv_report(report).size();
        PullRecorder rec;
        podpull_pull_options popts = insecure_pull_options();
        PullOutcome out = pull(client.ptr, ref, rec, &popts);
        INFO("reference '" << printable(ref) << "': " << out.describe());
        const auto records = fake.records();
        std::printf("  %-22s %s\n", out.code_str.c_str(), printable(ref).c_str());
        CHECK_FALSE(contains(out.message, "\n")); // a message is one line, nothing injected
        if (out.code == PODPULL_ERR_INVALID_ARGUMENT) {
            ++rejected;
            CHECK(records.size() == before); // nothing was sent
            continue;
        }
        if (records.size() > before) {
            ++sent;
            // /_ping is not made per pull; every new record is a request for this pull.
            bool saw_pull = false;
            for (std::size_t i = before; i < records.size(); ++i) {
                INFO("recorded: " << records[i]);
                const auto target = plain_target(records[i]);
                REQUIRE(target.has_value()); // printable ASCII only: nothing raw on the wire
                CHECK(target->find('#') == std::string::npos);
                CHECK(target->find(' ') == std::string::npos);
                const auto params = query_params(*target);
                int references = 0;
                for (const auto &[key, value] : params) {
                    if (key == "reference") {
                        ++references;
                        // Percent-decoded, the parameter holds the whole reference: nothing
                        // of it was split off into another parameter.
                        const std::string decoded = percent_decode(value);
                        INFO("decoded reference= '" << printable(decoded) << "'");
                        CHECK(contains(decoded, ref.substr(ref.find('/') + 1)));
                    }
                }
                if (contains(*target, "/images/pull") || contains(*target, "/images/create")) {
                    saw_pull = true;
                    CHECK(references == 1);
                    std::vector<std::string> keys;
                    for (const auto &p : params) {
                        keys.push_back(p.first);
                    }
                    std::sort(keys.begin(), keys.end());
                    CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
                }
            }
            CHECK(saw_pull);
            continue;
        }
        // Neither rejected nor sent to the service: the subprocess route ran our recorder.
        const auto calls = read_argv_report(report);
        REQUIRE(calls.size() == argv_before + 1);
        ++subprocess;
        const auto &argv = calls.back();
        INFO("podman argv: " << argv.size() << " args");
        REQUIRE(argv.size() >= 2);
        CHECK(argv[argv.size() - 2] == "--"); // the reference is never read as a flag
        CHECK(argv.back() == ref);
    }
    std::printf("hostile references: %zu tried, %d rejected with INVALID_ARGUMENT, %d sent "
                "encoded to the service, %d given to podman pull after --\n",
                refs.size(), rejected, sent, subprocess);
    CHECK(sent >= 1); // the control went through
    client.reset();
    fake.stop();
    box.check_no_leftovers();
}

// ---- bad options ----------------------------------------------------------------------------

TEST_CASE("bad connect and pull options fail with INVALID_ARGUMENT",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box);
    const std::string socket = fake.socket().string();
    auto base = [&] {
        podpull_connect_options o;
        podpull_connect_options_init(&o);
        o.socket_path = socket.c_str();
        return o;
    };
    auto expect_invalid = [&](const podpull_connect_options &o, const char *what) {
        ConnectOutcome c = connect(o);
        INFO(what << ": " << c.describe());
        CHECK(c.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(c.client == nullptr);
        CHECK(c.have_error);
        podpull_free(c.client);
    };

    {
        auto o = base();
        o.struct_size = 0;
        expect_invalid(o, "struct_size 0");
    }
    {
        auto o = base();
        o.struct_size = 3;
        expect_invalid(o, "struct_size 3");
    }
    {
        // A newer host's struct: bigger, with a field this version does not know set.
        alignas(
            podpull_connect_options) unsigned char big[sizeof(podpull_connect_options) + 64] = {};
        auto o = base();
        std::memcpy(big, &o, sizeof o);
        auto *p = reinterpret_cast<podpull_connect_options *>(big);
        p->struct_size = sizeof big;
        big[sizeof(podpull_connect_options) + 10] = 1;
        expect_invalid(*p, "struct_size too big with a nonzero tail");
        // The same with a zero tail is accepted.
        big[sizeof(podpull_connect_options) + 10] = 0;
        ConnectOutcome c = connect(*p);
        INFO(c.describe());
        CHECK(c.code == PODPULL_OK);
        podpull_free(c.client);
    }
    {
        auto o = base();
        o.struct_size = 1u << 20;
        expect_invalid(o, "struct_size 1 MiB");
    }
    {
        auto o = base();
        o.run_root_fd = 999;
        ::close(999);
        expect_invalid(o, "run_root_fd 999, closed");
    }
    for (int fd : {0, 1, 2, -2}) {
        auto o = base();
        o.run_root_fd = fd;
        expect_invalid(o, ("run_root_fd " + std::to_string(fd)).c_str());
    }
    {
        auto o = base();
        o.auth_fd = 999;
        expect_invalid(o, "auth_fd 999, closed");
    }
    {
        auto o = base();
        o.podman_path = "";
        expect_invalid(o, "empty podman_path");
    }
    {
        auto o = base();
        const char *env[] = {"NOEQUALS", nullptr};
        o.env = env;
        expect_invalid(o, "env entry without '='");
    }
    {
        // (NULL options are the documented defaults, a real service on the host's storage:
        // not tried here.) A NULL out pointer is refused before anything starts.
        auto o = base();
        CHECK(podpull_connect(&o, nullptr, nullptr) == PODPULL_ERR_INVALID_ARGUMENT);
    }

    // Pull options and callbacks on a good client.
    auto o = base();
    Client client(connect_or_fail(box, o));
    auto expect_pull_invalid = [&](const podpull_pull_options *popts, const podpull_callbacks *cb,
                                   const char *what) {
        podpull_result *res = nullptr;
        podpull_error *err = nullptr;
        const auto code =
            podpull_pull(client.ptr, "127.0.0.1:5000/podpull/ok:v1", popts, cb, &res, &err);
        INFO(what << ": " << podpull_code_str(code) << " " << podpull_error_message(err));
        CHECK(code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(res == nullptr);
        podpull_result_free(res);
        podpull_error_free(err);
    };
    {
        podpull_pull_options p = insecure_pull_options();
        p.struct_size = 0;
        expect_pull_invalid(&p, nullptr, "pull options struct_size 0");
    }
    {
        alignas(podpull_pull_options) unsigned char big[sizeof(podpull_pull_options) + 32] = {};
        podpull_pull_options p = insecure_pull_options();
        std::memcpy(big, &p, sizeof p);
        reinterpret_cast<podpull_pull_options *>(big)->struct_size = sizeof big;
        big[sizeof big - 1] = 0x7f;
        expect_pull_invalid(reinterpret_cast<podpull_pull_options *>(big), nullptr,
                            "pull options too big with a nonzero tail");
    }
    {
        podpull_pull_options p = insecure_pull_options();
        const int bad = 99; // not a podpull_policy value, as a C host may pass it
        static_assert(sizeof p.policy == sizeof bad);
        std::memcpy(&p.policy, &bad, sizeof bad);
        expect_pull_invalid(&p, nullptr, "policy 99");
    }
    {
        podpull_pull_options p = insecure_pull_options();
        const int bad = -5;
        static_assert(sizeof p.route == sizeof bad);
        std::memcpy(&p.route, &bad, sizeof bad);
        expect_pull_invalid(&p, nullptr, "route -5");
    }
    {
        podpull_callbacks cb;
        podpull_callbacks_init(&cb);
        cb.struct_size = 0;
        expect_pull_invalid(nullptr, &cb, "callbacks struct_size 0");
    }
    {
        podpull_result *res = nullptr;
        podpull_error *err = nullptr;
        CHECK(podpull_pull(client.ptr, nullptr, nullptr, nullptr, &res, &err) ==
              PODPULL_ERR_INVALID_ARGUMENT);
        podpull_error_free(err);
        CHECK(podpull_pull(nullptr, "x", nullptr, nullptr, &res, &err) ==
              PODPULL_ERR_INVALID_ARGUMENT);
        podpull_error_free(err);
    }
    client.reset();
    fake.stop();
    box.check_no_leftovers();
}

// ---- hostile auth files ---------------------------------------------------------------------

TEST_CASE("malformed, huge and bad-base64 auth files fail with INVALID_ARGUMENT and never echo "
          "the password",
          "[faults][hostile][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box);
    const std::string socket = fake.socket().string();
    const std::string secret = "Sekr3tPassw0rd";
    // base64("user:Sekr3tPassw0rd")
    const std::string good_b64 = "dXNlcjpTZWtyM3RQYXNzdzByZA==";
    struct Case {
        const char *name;
        std::string text;
    };
    const std::vector<Case> cases = {
        {"not JSON, the password in clear", "user:" + secret},
        {"truncated JSON", "{\"auths\": {\"r.example\": {\"auth\": \"" + good_b64},
        {"auth not base64", "{\"auths\": {\"r.example\": {\"auth\": \"!!" + secret + "!!\"}}}"},
        {"auth base64 with a bad length", "{\"auths\": {\"r.example\": {\"auth\": \"" +
                                              good_b64.substr(0, good_b64.size() - 3) + "\"}}}"},
        {"auth decodes without a colon",
         "{\"auths\": {\"r.example\": {\"auth\": \"U2VrcjN0UGFzc3cwcmQ=\"}}}"},
        {"auths not an object", "{\"auths\": [\"" + secret + "\"]}"},
        {"auth a number", "{\"auths\": {\"r.example\": {\"auth\": 12}}}"},
        {"huge (2 MiB) with the password at the start",
         "{\"auths\": {\"r.example\": {\"auth\": \"" + good_b64 + "\", \"x\": \"" +
             std::string(2 * 1024 * 1024, 'A') + "\"}}}"},
        {"a NUL inside", std::string("{\"auths\": {\"r.example\": {\"auth\": \"") + good_b64 +
                             std::string(1, '\0') + "\"}}}"},
    };
    int i = 0;
    for (const auto &c : cases) {
        const fs::path file = box.dir() / ("auth-" + std::to_string(i++) + ".json");
        write_file(file, c.text, 0600);
        podpull_connect_options o;
        podpull_connect_options_init(&o);
        o.socket_path = socket.c_str();
        o.auth_file = file.c_str();
        ConnectOutcome out = connect(o);
        INFO(c.name << ": " << out.describe());
        CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK(out.client == nullptr);
        CHECK_FALSE(out.message.empty());
        CHECK_FALSE(contains(out.message, secret));
        CHECK_FALSE(contains(out.message, good_b64));
        CHECK_FALSE(contains(box.log_text(), secret));
        podpull_free(out.client);
    }
    fake.stop();
    box.check_no_leftovers();
}

// ---- connect/free cycles --------------------------------------------------------------------

TEST_CASE("100 connect/free cycles on socket_path leave no fd, thread or process behind",
          "[faults][cycles][no-podman]") {
    (void)test_env();
    Sandbox box;
    FakeLibpod fake(box);
    const std::string socket = fake.socket().string();
    podpull_connect_options o;
    podpull_connect_options_init(&o);
    o.socket_path = socket.c_str();
    auto cycle = [&] {
        ConnectOutcome c = connect(o);
        INFO(c.describe());
        REQUIRE(c.code == PODPULL_OK);
        podpull_free(c.client);
    };
    cycle(); // warm-up: anything allocated once per process
    const std::size_t fds0 = open_fds(), threads0 = threads();
    const auto children0 = children_of_this_process().size(); // the fake
    const auto start = Clock::now();
    for (int i = 0; i < 100; ++i) {
        cycle();
    }
    const double fake_seconds = seconds_since(start);
    const std::size_t fds1 = open_fds(), threads1 = threads();
    const auto children1 = children_of_this_process().size();
    std::printf("100 socket_path cycles in %.2f s: fds %zu -> %zu, threads %zu -> %zu, children "
                "%zu -> %zu\n",
                fake_seconds, fds0, fds1, threads0, threads1, children0, children1);
    CHECK(fds1 == fds0);
    CHECK(threads1 == threads0);
    CHECK(children1 == children0);
    fake.stop();
    box.check_no_leftovers();
}

TEST_CASE("3 connect/free cycles with a real service leave no fd, thread or process behind",
          "[faults][cycles]") {
    (void)test_env();
    Sandbox box;
    Client(connect_or_fail(box, box.options())).reset(); // warm-up: once-per-process state
    const std::size_t fds2 = open_fds(), threads2 = threads();
    for (int i = 0; i < 3; ++i) {
        Client client(connect_or_fail(box, box.options()));
        client.reset();
        INFO("children after real cycle " << i << ":\n" << describe(children_of_this_process()));
        CHECK(children_of_this_process().empty());
    }
    const std::size_t fds3 = open_fds(), threads3 = threads();
    std::printf("3 real-service cycles: fds %zu -> %zu, threads %zu -> %zu\n", fds2, fds3, threads2,
                threads3);
    CHECK(fds3 == fds2);
    CHECK(threads3 == threads2);
    box.check_no_leftovers();
}

// ---- the registry killed mid-pull -----------------------------------------------------------

namespace {

// An executable from $PATH, as an absolute path; empty when there is none.
std::string find_in_path(const std::string &name) {
    const char *path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t pos = 0;
    while (pos <= dirs.size()) {
        auto end = dirs.find(':', pos);
        if (end == std::string::npos) {
            end = dirs.size();
        }
        const fs::path candidate = fs::path(dirs.substr(pos, end - pos)) / name;
        if (!candidate.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        pos = end + 1;
    }
    return {};
}

// A TCP port on 127.0.0.1 that was free a moment ago (the registry binds it; a clash fails the
// readiness wait loudly).
int free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool tcp_port_answers(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// A registry of this test's own: docker-registry serving the fixture registry's storage
// read-only (so killing it harms no other test), behind its own throttle-proxy.py relay at
// the fixture's rate, so the 64 MB blob of the big image takes seconds to copy.
class PrivateRegistry {
  public:
    explicit PrivateRegistry(const Sandbox &box) {
        const TestEnv &env = test_env();
        const std::string registry_bin = find_in_path("docker-registry");
        INFO("PATH=" << (std::getenv("PATH") ? std::getenv("PATH") : ""));
        REQUIRE_FALSE(registry_bin.empty()); // the fixture runs it too: it must be there
        dir_ = box.dir() / "private-registry";
        fs::create_directories(dir_);
        port_ = free_tcp_port();
        const fs::path config = dir_ / "config.yml";
        write_file(config, "version: 0.1\n"
                           "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                           "storage:\n  filesystem:\n    rootdirectory: " +
                               env.state_dir +
                               "/registry\n"
                               "  maintenance:\n    readonly:\n      enabled: true\n"
                               "    uploadpurging:\n      enabled: false\n"
                               "http:\n  addr: 127.0.0.1:" +
                               std::to_string(port_) + "\n");
        registry_ = spawn_process({registry_bin, "serve", config.string()}, {}, dir_ / "log");
        INFO(read_file(dir_ / "log"));
        REQUIRE(wait_for([&] { return tcp_port_answers(port_); }, 20s));
        const fs::path port_file = dir_ / "relay.port";
        relay_ =
            spawn_process({env.python3, PODPULL_THROTTLE_PROXY, port_file.string(),
                           "127.0.0.1:" + std::to_string(port_), std::to_string(16 * 1024 * 1024)},
                          {}, dir_ / "relay.log");
        REQUIRE(wait_for([&] { return fs::exists(port_file); }, 20s));
        relay_address_ = "127.0.0.1:" + std::to_string(std::stoi(read_file(port_file)));
    }
    ~PrivateRegistry() { kill_all(); }
    PrivateRegistry(const PrivateRegistry &) = delete;
    PrivateRegistry &operator=(const PrivateRegistry &) = delete;

    // The big image through the relay.
    std::string big_image() const { return relay_address_ + "/podpull/big:v1"; }
    const std::string &relay_address() const { return relay_address_; }

    // SIGSTOP to the relay: it stops sending, but every connection stays open, as with a
    // registry or middlebox that hangs. kill_all() still ends it (SIGKILL ends a stopped
    // process). Returns whether the signal was sent (called from a callback: no REQUIRE).
    bool freeze_relay() { return relay_.pid > 0 && ::kill(relay_.pid, SIGSTOP) == 0; }

    // SIGKILL to the registry and its relay at once: the registry host is gone, the
    // connection podman reads the blob from breaks and a new one is refused.
    void kill_all() {
        for (Spawned *p : {&registry_, &relay_}) {
            if (p->pid > 0) {
                ::kill(p->pid, SIGKILL);
            }
        }
        for (Spawned *p : {&registry_, &relay_}) {
            stop_process(*p, 0); // reaps it
        }
    }

  private:
    fs::path dir_;
    int port_ = 0;
    std::string relay_address_;
    Spawned registry_, relay_;
};

} // namespace

TEST_CASE("the registry SIGKILLed mid-pull: the pull fails with PULL, saying the registry "
          "connection broke, and the service still pulls afterwards",
          "[faults][registry-killed]") {
    const TestEnv &env = test_env();
    Sandbox box;
    PrivateRegistry registry(box);
    Client client(connect_or_fail(box, box.options()));

    Clock::time_point killed_at{};
    bool killed = false;
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.stall_timeout_ms = 60000; // a hang shows as TIMEOUT, not as a stuck test
    // While the 64 MB blob is in flight (16 MiB/s): at its first byte count, or 500 ms after
    // "Copying blob" on a route without byte counts.
    call_mid_blob(rec, expected_auto_route(registry.big_image(), &opts), 500ms, [&] {
        killed_at = Clock::now();
        registry.kill_all();
        killed = true;
    });
    PullOutcome out = pull(client.ptr, registry.big_image(), rec, &opts);
    const auto returned_at = Clock::now();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(killed);
    const double latency = std::chrono::duration<double>(returned_at - killed_at).count();
    std::printf("registry SIGKILL: podpull_pull returned %s %.3f s after the kill: %s\n",
                out.code_str.c_str(), latency, out.message.c_str());
    CHECK((out.code == PODPULL_ERR_PULL || out.code == PODPULL_ERR_IO));
    CHECK(out.error_code == out.code);
    CHECK(contains(out.message, "connection to the registry broke"));
    CHECK_FALSE(contains(out.message, "\n"));
    // podman 4.3.1 does not retry a blob whose body was cut (measured: 0.01 s with the relay
    // killed, 0.35 s with only the registry killed and the relay draining its buffer).
    CHECK(latency < 10.0);
    CHECK(rec.snapshot().after_return == 0);

    // The service is fine: the next pull, of the small image from the fixture's registry,
    // works on the same client.
    PullRecorder again;
    podpull_pull_options opts2 = insecure_pull_options();
    PullOutcome second = pull(client.ptr, env.image, again, &opts2);
    INFO(second.describe());
    CHECK(second.code == PODPULL_OK);
    CHECK(second.image_id == env.image_id);

    client.reset();
    box.check_no_leftovers();
}

// ---- a relay that stops sending ----------------------------------------------------------

namespace {

// How many TCP connections in /proc/net/tcp are ESTABLISHED to 127.0.0.1:`port` from a client
// (only the podman service connects to a test's private relay).
int established_to(int port) {
    std::istringstream table(read_file("/proc/net/tcp"));
    std::string line;
    std::getline(table, line); // the header
    int count = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        const auto colon = remote.find(':');
        if (colon != std::string::npos && state == "01" &&
            std::stoi(remote.substr(colon + 1), nullptr, 16) == port) {
            ++count;
        }
    }
    return count;
}

// Where a stalled pull runs and when its relay is stopped.
struct StallCase {
    podpull_route requested; // a forced route, or AUTO
    podpull_route route;     // what on_route must name
    bool tls_verify;         // on for DOCKER_COMPAT (the relay declared insecure)
    std::uint32_t stall_timeout_ms;
};

} // namespace

TEST_CASE("a relay that stops sending mid-blob: the pull fails with TIMEOUT once podman has been "
          "silent for stall_timeout_ms, and the service still pulls afterwards",
          "[faults][stall]") {
    const TestEnv &env = test_env();
    // podman sends nothing at all while its registry is silent (seen with curl on 4.3.1, on
    // both routes it has: no progress line repeats the same byte count; docs/podman.md), so
    // podpull's silence timer is what ends such a pull. On a route with byte counts a healthy
    // pull reports bytes about once a second, so 2 s of silence means a stall. On LIBPOD_TEXT
    // a healthy blob copy is silent too, from "Copying blob" to "Copying config" (4 s for this
    // 64 MB blob at 16 MiB/s), so the timeout there has to exceed the longest blob copy: 8 s.
    StallCase c{};
    SECTION("Docker-compat route, forced: the relay stopped at the first byte count") {
        c = {PODPULL_ROUTE_DOCKER_COMPAT, PODPULL_ROUTE_DOCKER_COMPAT, true, 2000};
    }
    SECTION("libpod text route, forced: the relay stopped 0.5 s after Copying blob") {
        c = {PODPULL_ROUTE_LIBPOD_TEXT, PODPULL_ROUTE_LIBPOD_TEXT, false, 8000};
    }
    SECTION("the automatic route with tls_verify on: the relay stopped at the first byte count") {
        podpull_pull_options o;
        podpull_pull_options_init(&o);
        c = {PODPULL_ROUTE_AUTO, expected_auto_route(env.slow_big_image, &o), true, 2000};
        REQUIRE(route_progress(c.route) != Progress::text_only);
        if (c.route == PODPULL_ROUTE_DOCKER_COMPAT) {
            std::printf("the automatic route is DOCKER_COMPAT on podman %s: the forced case above "
                        "is that pull\n",
                        env.podman_version.c_str());
            return;
        }
    }
    const std::chrono::milliseconds stall_timeout(c.stall_timeout_ms);
    Sandbox box;
    PrivateRegistry registry(box);
    const fs::path conf = box.dir() / "registries.conf";
    std::string entries;
    for (const std::string &location :
         {registry.relay_address(), env.registry, env.slow_registry}) {
        entries += "[[registry]]\nlocation = \"" + location + "\"\ninsecure = true\n\n";
    }
    write_file(conf, entries);
    Client client(connect_or_fail(
        box, box.options(box.main(), {"CONTAINERS_REGISTRIES_CONF=" + conf.string()})));
    podpull_pull_options opts = insecure_pull_options();
    opts.tls_verify = c.tls_verify ? 1 : 0;
    opts.stall_timeout_ms = c.stall_timeout_ms;
    opts.route = c.requested;
    const bool text_only = route_progress(c.route) == Progress::text_only;

    const int relay_port = std::stoi(registry.relay_address().substr(10)); // "127.0.0.1:"
    int connections_at_stop = 0;
    Clock::time_point stopped_at{}, last_callback_start{};
    bool stopped = false, signalled = false;
    PullRecorder rec;
    const auto stop_relay = [&] {
        signalled = registry.freeze_relay();
        stopped_at = Clock::now();
        stopped = true;
        connections_at_stop = established_to(relay_port);
    };
    // The stall timer counts podman's silence, not the host's: podpull reads on while a
    // callback runs. A report reaches its callback after podpull read it, so podman's last
    // word came no later than the last callback's start.
    rec.on_status_hook = [&](const std::string &line) {
        last_callback_start = Clock::now();
        if (!stopped && text_only && contains(line, "Copying blob")) {
            std::this_thread::sleep_for(500ms); // the blob is in flight, unseen on this route
            stop_relay();
        }
    };
    rec.on_blob_hook = [&](const podpull_blob_progress &p) {
        last_callback_start = Clock::now();
        if (!stopped && p.state == PODPULL_BLOB_PULLING && p.current > 0) {
            stop_relay();
        }
        return 0;
    };
    // Should the stall timer never fire, cancel instead of hanging: the test then fails on
    // CANCELLED.
    std::atomic<bool> returned{false};
    std::thread watchdog([&] {
        const auto give_up = Clock::now() + stall_timeout + 60s;
        while (!returned && Clock::now() < give_up) {
            std::this_thread::sleep_for(20ms);
        }
        if (!returned) {
            podpull_cancel(client.ptr);
        }
    });
    PullOutcome out = pull(client.ptr, registry.big_image(), rec, &opts);
    const auto returned_at = Clock::now();
    returned = true;
    watchdog.join();
    INFO(out.describe() << "\n" << rec.summary() << box.log_text());
    REQUIRE(stopped);
    REQUIRE(signalled);
    const double after_stop = std::chrono::duration<double>(returned_at - stopped_at).count();
    const double silent = std::chrono::duration<double>(returned_at - last_callback_start).count();
    std::printf("relay stopped (%s, stall_timeout %u ms): podpull_pull returned %s %.3f s after "
                "the stop, %.3f s after the last callback began: %s\n",
                route_name(c.route), c.stall_timeout_ms, out.code_str.c_str(), after_stop, silent,
                out.message.c_str());
    CHECK(rec.snapshot().route == c.route); // the result, which holds the route, is NULL
    CHECK(out.code == PODPULL_ERR_TIMEOUT);
    CHECK(out.error_code == PODPULL_ERR_TIMEOUT);
    CHECK(contains(out.message,
                   "the pull stalled after " + std::to_string(c.stall_timeout_ms) + " ms"));
    CHECK_FALSE(contains(out.message, "\n"));
    // Not before stall_timeout of silence (asio timers never fire early), and soon after it.
    CHECK(silent >= std::chrono::duration<double>(stall_timeout).count() - 0.01);
    CHECK(after_stop < std::chrono::duration<double>(stall_timeout).count() + 3.0);
    CHECK(rec.snapshot().after_return == 0);

    // podman gives up the blob transfer once podpull has closed the pull's connection (seen:
    // its connection to the stopped relay is closed within 1 s), so it holds nothing open.
    CHECK(connections_at_stop >= 1); // the blob transfer, open while the relay was stopped
    CHECK(wait_for([&] { return established_to(relay_port) == 0; }, 10s));
    std::printf("podman closed its connection to the stopped relay %.3f s after the pull "
                "returned\n",
                seconds_since(returned_at));

    registry.kill_all(); // ends the stopped relay and its registry, and reaps both

    // A healthy pull of the same 64 MB blob, through the fixture's relay at the same rate and
    // with the same stall timeout, is not cut: the TIMEOUT above was the stall, not the timer
    // firing on any long pull. It also shows the service survived the abandoned pull.
    PullRecorder healthy;
    PullOutcome big = pull(client.ptr, env.slow_big_image, healthy, &opts);
    INFO(big.describe() << "\n" << healthy.summary());
    CHECK(big.code == PODPULL_OK);
    CHECK(big.route == c.route);
    CHECK(big.image_id == env.big_image_id);
    PullRecorder small;
    PullOutcome second = pull(client.ptr, env.image, small, &opts);
    INFO(second.describe());
    CHECK(second.code == PODPULL_OK);
    CHECK(second.image_id == env.image_id);

    client.reset();
    box.check_no_leftovers();
}

// ---- broken streams: cut chunked bodies, garbage, huge lines --------------------------------

namespace {

// One pull from a fake service started with `fake_args`; `stall_timeout_ms` turns a hang
// into TIMEOUT (which every case below rejects).
struct FakePull {
    PullOutcome out;
    PullRecorder::Snapshot seen;
    double seconds = 0;
};
FakePull pull_from_fake(Sandbox &box, const std::vector<std::string> &fake_args) {
    FakeLibpod fake(box, fake_args);
    const std::string socket = fake.socket().string();
    podpull_connect_options o;
    podpull_connect_options_init(&o);
    o.socket_path = socket.c_str();
    Client client(connect_or_fail(box, o));
    PullRecorder rec;
    podpull_pull_options opts = insecure_pull_options();
    opts.stall_timeout_ms = 20000;
    const auto start = Clock::now();
    FakePull result;
    result.out = pull(client.ptr, "registry.example/podpull/test:v1", rec, &opts);
    result.seconds = seconds_since(start);
    result.seen = rec.snapshot();
    client.reset();
    fake.stop();
    return result;
}

// Resident set size of this process and its peak since reset_peak_rss(), in KiB.
long status_kib(const char *field) {
    const std::string status = read_file("/proc/self/status");
    const auto at = status.find(std::string(field) + ":");
    REQUIRE(at != std::string::npos);
    return std::atol(status.c_str() + at + std::strlen(field) + 1);
}
void reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    FILE *f = std::fopen("/proc/self/clear_refs", "w");
    REQUIRE(f != nullptr);
    REQUIRE(std::fputs("5", f) >= 0);
    REQUIRE(std::fclose(f) == 0);
}

} // namespace

TEST_CASE("a chunked pull body cut mid-chunk, after a chunk that ends mid-line, or ending "
          "cleanly mid-line fails with IO",
          "[faults][stream][no-podman]") {
    (void)test_env();
    Sandbox box;
    struct Case {
        const char *cut;
        const char *says;
    };
    for (const Case &c : {Case{"mid-chunk", "lost the connection to podman"},
                          Case{"mid-line", "lost the connection to podman"},
                          Case{"end-mid-line", "ended in the middle of a line"}}) {
        const FakePull p = pull_from_fake(box, {"--cut", c.cut, "--fault-after", "4"});
        INFO("--cut " << c.cut << ": " << p.out.describe());
        std::printf("cut %s: %s in %.3f s: %s\n", c.cut, p.out.code_str.c_str(), p.seconds,
                    p.out.message.c_str());
        CHECK(p.out.code == PODPULL_ERR_IO);
        CHECK(p.out.error_code == PODPULL_ERR_IO);
        CHECK(contains(p.out.message, c.says));
        CHECK_FALSE(contains(p.out.message, "\n"));
        CHECK(p.seconds < 5.0);
        // The four whole lines before the cut were reported (three status lines and a blob's
        // start): the stream was read as it came.
        CHECK(p.seen.status.size() == 3);
        CHECK(p.seen.blob_calls == 1);
        CHECK(p.seen.after_return == 0);
    }
    box.check_no_leftovers();
}

TEST_CASE("a garbage line and an invalid UTF-8 line in the pull body fail with PROTOCOL",
          "[faults][stream][no-podman]") {
    (void)test_env();
    Sandbox box;
    for (const char *body : {"pull-progress-6.1.1-derived-garbage.ndjson",
                             "pull-progress-6.1.1-derived-invalid-utf8.ndjson"}) {
        const FakePull p =
            pull_from_fake(box, {"--body", std::string(PODPULL_FAKE_BODIES) + "/" + body});
        INFO(body << ": " << p.out.describe());
        std::printf("%s: %s in %.3f s: %s\n", body, p.out.code_str.c_str(), p.seconds,
                    p.out.message.c_str());
        CHECK(p.out.code == PODPULL_ERR_PROTOCOL);
        CHECK(p.out.error_code == PODPULL_ERR_PROTOCOL);
        CHECK_FALSE(p.out.message.empty());
        CHECK_FALSE(contains(p.out.message, "\n"));
        // The message quotes nothing raw: every byte of it is printable ASCII or UTF-8 text
        // podpull wrote itself, never the 0xff of the line.
        CHECK(p.out.message.find('\xff') == std::string::npos);
        CHECK(p.seconds < 5.0);
        // The good lines before it were reported: three status lines and a blob's start.
        CHECK(p.seen.status.size() >= 3);
        CHECK(p.seen.blob_calls >= 1);
    }
    box.check_no_leftovers();
}

TEST_CASE("a 100 MB pull-body line without a newline fails with PROTOCOL once it passes the "
          "1 MiB line limit: podpull stops reading, memory stays bounded",
          "[faults][stream][no-podman]") {
    (void)test_env();
    Sandbox box;
    constexpr long line_bytes = 100L * 1000 * 1000;
    const fs::path sent_file = box.dir() / "huge-line.sent";
    const long rss_before = status_kib("VmRSS");
    reset_peak_rss();
    const FakePull p = pull_from_fake(
        box, {"--huge-line", std::to_string(line_bytes), "--sent-file", sent_file.string()});
    const long peak = status_kib("VmHWM");
    INFO(p.out.describe());
    // The fake writes the count once its handler ends; it is stopped (and so done) by now.
    REQUIRE(fs::exists(sent_file));
    const long sent = std::atol(read_file(sent_file).c_str());
    std::printf("100 MB line: %s in %.3f s after %ld bytes of it were sent; RSS %ld KiB, peak "
                "%ld KiB (+%ld KiB): %s\n",
                p.out.code_str.c_str(), p.seconds, sent, rss_before, peak, peak - rss_before,
                p.out.message.c_str());
    CHECK(p.out.code == PODPULL_ERR_PROTOCOL);
    CHECK(contains(p.out.message, "longer than 1048576 bytes"));
    CHECK(p.seconds < 10.0);
    // Past the limit (podpull read it), and nowhere near the whole line: podpull closed the
    // connection instead of draining it. The slack is the socket buffers and one read.
    CHECK(sent > 1024L * 1024);
    CHECK(sent < 8L * 1024 * 1024);
    // Memory: the line buffer never holds more than the limit plus one read.
    CHECK(peak - rss_before < 32L * 1024);
    box.check_no_leftovers();
}

// ---- HTTP error answers ---------------------------------------------------------------------

TEST_CASE("HTTP 400, 401, 404 and 500 answers with podman's JSON, an empty or an HTML body map "
          "to their code with a one-line message naming the status",
          "[faults][http][no-podman]") {
    (void)test_env();
    Sandbox box;
    const std::string bodies = PODPULL_FAKE_BODIES;
    const fs::path empty = box.dir() / "empty-body";
    write_file(empty, "");
    struct Case {
        int status;
        std::string body;
        const char *content_type; // nullptr: the fake's application/json
        podpull_code code;
        const char *says;
    };
    const std::vector<Case> cases = {
        {400, bodies + "/error-400-4.3.1.json", nullptr, PODPULL_ERR_INVALID_ARGUMENT,
         "only docker transport is supported"},
        {401, bodies + "/error-401-6.1.1.json", nullptr, PODPULL_ERR_AUTH,
         "authentication required"},
        {404, bodies + "/error-404-6.1.1.json", nullptr, PODPULL_ERR_NOT_FOUND, "manifest unknown"},
        {401, bodies + "/error-401-compat-5.8.6.json", nullptr, PODPULL_ERR_AUTH,
         "authentication required"},
        {404, bodies + "/error-404-compat-5.8.6.json", nullptr, PODPULL_ERR_NOT_FOUND,
         "manifest unknown"},
        {500, bodies + "/error-500-4.3.1.json", nullptr, PODPULL_ERR_PULL,
         "reference parameter cannot be empty"},
        {400, empty.string(), nullptr, PODPULL_ERR_INVALID_ARGUMENT, "no body"},
        {401, empty.string(), nullptr, PODPULL_ERR_AUTH, "no body"},
        {404, empty.string(), nullptr, PODPULL_ERR_NOT_FOUND, "no body"},
        {500, empty.string(), nullptr, PODPULL_ERR_PULL, "no body"},
        {400, bodies + "/error-502.html", "text/html", PODPULL_ERR_INVALID_ARGUMENT,
         "502 Bad Gateway"},
        {401, bodies + "/error-502.html", "text/html", PODPULL_ERR_AUTH, "502 Bad Gateway"},
        {404, bodies + "/error-502.html", "text/html", PODPULL_ERR_NOT_FOUND, "502 Bad Gateway"},
        {500, bodies + "/error-502.html", "text/html", PODPULL_ERR_PULL, "502 Bad Gateway"},
    };
    for (const Case &c : cases) {
        std::vector<std::string> args = {"--status", std::to_string(c.status), "--body", c.body};
        if (c.content_type != nullptr) {
            args.insert(args.end(), {"--content-type", c.content_type});
        }
        const FakePull p = pull_from_fake(box, args);
        INFO("HTTP " << c.status << " " << fs::path(c.body).filename() << ": " << p.out.describe());
        std::printf("HTTP %d %s: %s in %.3f s: %s\n", c.status, fs::path(c.body).filename().c_str(),
                    p.out.code_str.c_str(), p.seconds, p.out.message.c_str());
        CHECK(p.out.code == c.code);
        CHECK(p.out.error_code == c.code);
        CHECK(contains(p.out.message, "HTTP " + std::to_string(c.status)));
        CHECK(contains(p.out.message, c.says));
        CHECK(p.out.message.find_first_of("\r\n") == std::string::npos);
        CHECK(p.out.message.size() < 400);
        CHECK(p.seconds < 5.0);
        CHECK(p.seen.blob_calls == 0);
    }
    box.check_no_leftovers();
}
