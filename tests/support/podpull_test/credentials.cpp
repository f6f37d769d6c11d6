// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/credentials.hpp"

#include "podpull_test/fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdint>

namespace podpull_test {

namespace {
std::string join_lines(const std::vector<std::string> &lines) {
    std::string s;
    for (const auto &l : lines) {
        s += "  " + l + "\n";
    }
    return s.empty() ? "  none\n" : s;
}
} // namespace

std::string base64(std::string_view in, bool url_safe) {
    const std::string_view alphabet =
        url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                 : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const std::uint32_t b0 = static_cast<unsigned char>(in[i]);
        const std::uint32_t b1 = i + 1 < in.size() ? static_cast<unsigned char>(in[i + 1]) : 0U;
        const std::uint32_t b2 = i + 2 < in.size() ? static_cast<unsigned char>(in[i + 2]) : 0U;
        const std::uint32_t n = (b0 << 16) | (b1 << 8) | b2;
        out += alphabet[(n >> 18) & 63U];
        out += alphabet[(n >> 12) & 63U];
        out += i + 1 < in.size() ? alphabet[(n >> 6) & 63U] : '=';
        out += i + 2 < in.size() ? alphabet[n & 63U] : '=';
    }
    return out;
}

std::string auth_json(const std::vector<AuthEntry> &entries) {
    std::string text = "{\"auths\":{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto &e = entries[i];
        text += (i > 0 ? "," : "") + std::string("\"") + e.key + "\":{\"auth\":\"" +
                base64(e.user + ":" + e.password) + "\"}";
    }
    return text + "}}\n";
}

fs::path write_auth_file(const Sandbox &box, const std::vector<AuthEntry> &entries,
                         const std::string &name) {
    const fs::path path = box.dir() / name;
    write_file(path, auth_json(entries), 0600);
    return path;
}

AuthEntry right_credentials(const std::string &key) {
    const AuthTestEnv &auth = auth_test_env();
    return {key, auth.user, auth.password};
}

AuthEntry wrong_credentials(const std::string &key) {
    const AuthTestEnv &auth = auth_test_env();
    return {key, auth.user, "wrong-" + auth.password.substr(0, 8) + "-password"};
}

std::vector<std::string> secret_forms(const std::string &user, const std::string &password) {
    return {password, base64(user + ":" + password),
            base64("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}", true)};
}

std::vector<std::string> fixture_secrets() {
    const AuthTestEnv &auth = auth_test_env();
    return secret_forms(auth.user, auth.password);
}

fs::path auth_home(const Sandbox &box, Trust trust) {
    return box.dir() / (trust == Trust::ca ? "home-ca" : "home");
}

podpull_connect_options auth_options(Sandbox &box, Trust trust, const ServiceDirs &dirs,
                                     const std::vector<std::string> &extra_env) {
    const AuthTestEnv &auth = auth_test_env();
    const fs::path home = auth_home(box, trust);
    fs::create_directories(home / ".config" / "containers");
    if (trust == Trust::ca) {
        const fs::path certs = home / ".config" / "containers" / "certs.d" / auth.registry;
        fs::create_directories(certs);
        fs::copy_file(fs::path(auth.ca_dir) / "ca.crt", certs / "ca.crt",
                      fs::copy_options::overwrite_existing);
    }
    std::vector<std::string> env{"HOME=" + home.string()};
    if (trust == Trust::insecure) {
        const fs::path conf = box.dir() / "registries.conf";
        write_file(conf, "[[registry]]\nlocation = \"" + auth.registry + "\"\ninsecure = true\n");
        env.push_back("CONTAINERS_REGISTRIES_CONF=" + conf.string());
    }
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    return box.options(dirs, env);
}

podpull_connect_options auth_options(Sandbox &box, Trust trust) {
    return auth_options(box, trust, box.main());
}

bool SecretWatch::Report::saw_cmdline_with(const std::vector<std::string> &words) const {
    return std::any_of(podman_cmdlines.begin(), podman_cmdlines.end(), [&](const std::string &c) {
        return std::all_of(words.begin(), words.end(),
                           [&](const auto &w) { return contains(c, w); });
    });
}

std::string SecretWatch::Report::describe() const {
    std::string s = "secret watch: " + std::to_string(scans) + " scans, " +
                    std::to_string(processes_read) + " process reads, " +
                    std::to_string(podman_seen) + " podman sightings (" +
                    std::to_string(podman_environ_read) + " with environ)\n";
    for (const auto &c : podman_cmdlines) {
        s += "  podman: " + c + "\n";
    }
    for (const auto &h : hits) {
        s += "  SECRET FOUND: " + h + "\n";
    }
    return s;
}

SecretWatch::SecretWatch(std::vector<std::string> needles)
    : needles_(std::move(needles)), podman_(fs::canonical(test_env().podman_exe)) {}

SecretWatch::~SecretWatch() {
    stop();
}

void SecretWatch::start() {
    running_.store(true);
    thread_ = std::thread([this] {
        while (running_.load()) {
            scan();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
}
void SecretWatch::stop() {
    running_.store(false);
    if (thread_.joinable()) {
        thread_.join();
    }
}

void SecretWatch::scan() {
    Report found;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            continue;
        }
        std::string cmdline = read_file(entry.path() / "cmdline");
        const std::string env_block = read_file(entry.path() / "environ");
        std::string comm = read_file(entry.path() / "comm");
        if (!comm.empty() && comm.back() == '\n') {
            comm.pop_back();
        }
        ++found.processes_read;
        for (std::size_t i = 0; i < needles_.size(); ++i) {
            const std::string where = "pid " + name + " (" + comm + ") ";
            if (contains(cmdline, needles_[i])) {
                found.hits.push_back(where + "cmdline holds secret form #" + std::to_string(i));
            }
            if (contains(env_block, needles_[i])) {
                found.hits.push_back(where + "environ holds secret form #" + std::to_string(i));
            }
        }
        std::error_code exe_ec;
        const fs::path exe = fs::read_symlink(entry.path() / "exe", exe_ec);
        if (comm == "podman" || (!exe_ec && exe == podman_)) {
            ++found.podman_seen;
            if (!env_block.empty()) {
                ++found.podman_environ_read;
            }
            std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
            found.podman_cmdlines.insert(cmdline);
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ++report_.scans;
    report_.processes_read += found.processes_read;
    report_.podman_seen += found.podman_seen;
    report_.podman_environ_read += found.podman_environ_read;
    if (report_.podman_cmdlines.size() < 50) {
        report_.podman_cmdlines.insert(found.podman_cmdlines.begin(), found.podman_cmdlines.end());
    }
    if (report_.hits.size() < 50) {
        report_.hits.insert(report_.hits.end(), found.hits.begin(), found.hits.end());
    }
}

SecretWatch::Report SecretWatch::report() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return report_;
}

PullOutcome watched_pull(podpull_client *client, const std::string &image, PullRecorder &rec,
                         SecretWatch &watch, const podpull_pull_options *opts) {
    rec.on_status_hook = [&watch](const std::string &) { watch.scan(); };
    rec.on_blob_hook = [&watch](const podpull_blob_progress &) {
        watch.scan();
        return 0;
    };
    watch.start();
    PullOutcome out = pull(client, image, rec, opts);
    watch.stop();
    return out;
}

std::vector<std::string> files_holding(const fs::path &dir, const std::vector<std::string> &needles,
                                       const std::set<fs::path> &allowed) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(
             dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_symlink(ec) || !it->is_regular_file(ec) || allowed.count(it->path()) > 0) {
            continue;
        }
        const std::string text = read_file(it->path());
        for (const auto &needle : needles) {
            if (contains(text, needle)) {
                found.push_back(it->path().string());
                break;
            }
        }
    }
    return found;
}

std::vector<std::string> secret_in_texts(const std::vector<std::string> &needles,
                                         const Sandbox &box,
                                         const std::vector<const PullRecorder *> &recs,
                                         const std::vector<const PullOutcome *> &outs) {
    std::vector<std::string> places;
    auto look = [&](const std::string &where, const std::string &text) {
        for (std::size_t i = 0; i < needles.size(); ++i) {
            if (contains(text, needles[i])) {
                places.push_back(where + " holds secret form #" + std::to_string(i));
            }
        }
    };
    look("the library's log", box.log_text());
    for (const auto *rec : recs) {
        const auto s = rec->snapshot();
        look("on_route's reason", s.reason);
        for (const auto &line : s.status) {
            look("an on_status line", line);
        }
        for (const auto &b : s.blobs) {
            look("an on_blob id", b.id);
        }
    }
    for (const auto *out : outs) {
        look("an error message", out->message);
    }
    return places;
}

void check_secrets_absent(const std::vector<std::string> &needles, const SecretWatch &watch,
                          const Sandbox &box, const std::vector<const PullRecorder *> &recs,
                          const std::vector<const PullOutcome *> &outs,
                          const std::set<fs::path> &allowed_files) {
    const auto report = watch.report();
    INFO(report.describe());
    CHECK(report.hits.empty());
    CHECK(report.scans > 0);
    CHECK(report.podman_seen > 0);
    CHECK(report.podman_environ_read > 0);
    const auto texts = secret_in_texts(needles, box, recs, outs);
    INFO("secrets in texts:\n" << join_lines(texts));
    CHECK(texts.empty());
    const auto files = files_holding(box.dir(), needles, allowed_files);
    INFO("files in the sandbox holding a secret:\n" << join_lines(files));
    CHECK(files.empty());
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string> &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

void check_secrets_absent_after(const std::vector<std::string> &needles, const SecretWatch &watch,
                                const Sandbox &box,
                                const std::vector<std::unique_ptr<PullRecorder>> &recs,
                                const std::vector<PullOutcome> &outs,
                                const std::set<fs::path> &allowed_files) {
    std::vector<const PullRecorder *> rec_ptrs;
    for (const auto &rec : recs) {
        rec_ptrs.push_back(rec.get());
    }
    std::vector<const PullOutcome *> out_ptrs;
    for (const auto &out : outs) {
        out_ptrs.push_back(&out);
    }
    check_secrets_absent(needles, watch, box, rec_ptrs, out_ptrs, allowed_files);
}

} // namespace podpull_test
