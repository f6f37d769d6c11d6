// SPDX-License-Identifier: MIT OR Apache-2.0
#include "podpull_test/fixture.hpp"

#include "podpull_test/process.hpp"

#include <catch2/catch_test_case_info.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <stdexcept>

namespace podpull_test {

namespace {

std::string strip_quotes(std::string v) {
    if (v.size() >= 2 &&
        ((v.front() == '\'' && v.back() == '\'') || (v.front() == '"' && v.back() == '"'))) {
        v = v.substr(1, v.size() - 2);
    }
    return v;
}

// The fixture's env file: its key/value pairs, or why there are none.
struct EnvFile {
    std::string path;
    std::map<std::string, std::string> kv;
    std::string error;
};

const EnvFile &env_file() {
    static const EnvFile file = [] {
        EnvFile out;
        const char *path = std::getenv("PODPULL_TEST_ENV");
        if (path == nullptr || *path == '\0') {
            out.error =
                "PODPULL_TEST_ENV is not set. Run the integration tests through ctest (the "
                "podpull_registry fixture runs tests/support/registry-up.sh and sets it), or run "
                "registry-up.sh STATE_DIR yourself and set PODPULL_TEST_ENV=STATE_DIR/env.";
            return out;
        }
        out.path = path;
        std::ifstream in(path);
        if (!in) {
            out.error = std::string("cannot read the fixture's env file ") + path +
                        ": did tests/support/registry-up.sh (the podpull_registry fixture) fail?";
            return out;
        }
        std::string line;
        while (std::getline(in, line)) {
            const auto eq = line.find('=');
            if (!line.empty() && line[0] != '#' && eq != std::string::npos) {
                out.kv[line.substr(0, eq)] = strip_quotes(line.substr(eq + 1));
            }
        }
        return out;
    }();
    return file;
}

// Reads keys of the env file, noting the ones missing or empty.
class Keys {
  public:
    explicit Keys(const EnvFile &file) : file_(file) {}
    std::string operator()(const std::string &key) {
        const auto it = file_.kv.find(key);
        if (it == file_.kv.end() || it->second.empty()) {
            missing_ += " " + key;
            return {};
        }
        return it->second;
    }
    // Each field from the key PODPULL_TEST_<name>, `names` and `fields` in the same order.
    void read(const std::string &names, std::initializer_list<std::string *> fields) {
        const auto keys = words(names);
        if (keys.size() != fields.size()) {
            missing_ += " (" + std::to_string(keys.size()) + " names for " +
                        std::to_string(fields.size()) + " fields: " + names + ")";
            return;
        }
        auto field = fields.begin();
        for (const auto &key : keys) {
            **field++ = (*this)("PODPULL_TEST_" + key);
        }
    }
    const std::string &missing() const { return missing_; }

  private:
    const EnvFile &file_;
    std::string missing_;
};

// One part of the fixture's description, loaded once: the value, or why there is none.
template <typename T> struct Loaded {
    std::optional<T> value;
    std::string error;
};

// `fill` reads the keys into a T and returns "" or what is wrong with them; `what_if_missing`
// says why keys could be missing.
template <typename T>
Loaded<T> load(const std::function<std::string(Keys &, T &)> &fill,
               const std::string &what_if_missing) {
    Loaded<T> out;
    const EnvFile &file = env_file();
    if (!file.error.empty()) {
        out.error = file.error;
        return out;
    }
    Keys get(file);
    T value;
    const std::string wrong = fill(get, value);
    if (!get.missing().empty()) {
        out.error = "the fixture's env file " + file.path + " lacks:" + get.missing() + " " +
                    what_if_missing;
    } else if (!wrong.empty()) {
        out.error = "the fixture's env file " + file.path + ": " + wrong;
    } else {
        out.value = std::move(value);
    }
    return out;
}

// The loaded value, or FAIL the test with the reason.
template <typename T> const T &value_or_fail(const Loaded<T> &loaded) {
    if (!loaded.value) {
        FAIL("integration test fixture missing: " << loaded.error);
        throw std::logic_error("unreachable");
    }
    return *loaded.value;
}

std::string not_hex64(const std::vector<const std::string *> &ids) {
    for (const auto *id : ids) {
        if (!is_hex64(*id)) {
            return "an image ID that is not 64 hex: '" + *id + "'";
        }
    }
    return {};
}

std::string fill_test_env(Keys &get, TestEnv &e) {
    std::string distinct, distinct_ids;
    get.read("STATE_DIR REGISTRY IMAGE IMAGE_ID OCI_ARCHIVE OCI_ARCHIVE_ID BIG_IMAGE BIG_IMAGE_ID "
             "SLOW_REGISTRY SLOW_IMAGE SLOW_BIG_IMAGE DERIVED_IMAGE DERIVED_IMAGE_ID "
             "DISTINCT_IMAGES DISTINCT_IMAGE_IDS PYTHON3 CONTAINERS_CONF",
             {&e.state_dir, &e.registry, &e.image, &e.image_id, &e.oci_archive, &e.oci_archive_id,
              &e.big_image, &e.big_image_id, &e.slow_registry, &e.slow_image, &e.slow_big_image,
              &e.derived_image, &e.derived_image_id, &distinct, &distinct_ids, &e.python3,
              &e.containers_conf});
    e.distinct_images = words(distinct);
    e.distinct_image_ids = words(distinct_ids);
    const char *release = std::getenv("PODPULL_TEST_RELEASE");
    e.release = release != nullptr && *release != '\0' ? release : "4.3";
    std::string key = e.release;
    std::replace(key.begin(), key.end(), '.', '_');
    // This release's podman, the version it reports, and how a running one looks.
    get.read("PODMAN_" + key + " PODMAN_VERSION_" + key + " PODMAN_EXE_" + key + " PODMAN_ARGV0_" +
                 key,
             {&e.podman, &e.podman_version, &e.podman_exe, &e.podman_argv0});
    if (!get.missing().empty()) {
        return {};
    }
    if (std::sscanf(e.podman_version.c_str(), "%d.%d", &e.podman_major, &e.podman_minor) != 2 ||
        e.podman_version.rfind(e.release + ".", 0) != 0) {
        return "podman " + e.release + " reports version '" + e.podman_version + "'";
    }
    if (e.distinct_images.size() != 4 || e.distinct_image_ids.size() != 4) {
        return "not four distinct images with their IDs";
    }
    std::vector<const std::string *> ids = {&e.image_id, &e.oci_archive_id, &e.big_image_id,
                                            &e.derived_image_id};
    for (const auto &id : e.distinct_image_ids) {
        ids.push_back(&id);
    }
    if (auto wrong = not_hex64(ids); !wrong.empty()) {
        return wrong;
    }
    for (const auto *file :
         {&e.oci_archive, &e.podman, &e.podman_exe, &e.python3, &e.containers_conf}) {
        if (!fs::exists(*file)) {
            return "a file that does not exist: " + *file;
        }
    }
    return {};
}

std::string fill_os_image_env(Keys &get, OsImageEnv &e) {
    get.read("OS_IMAGE OS_IMAGE_ID OS_MANIFEST OS_SIBLING_IMAGE OS_SIBLING_IMAGE_ID "
             "OS_SIBLING_MANIFEST SLOW_OS_IMAGE SLOW_OS_SIBLING_IMAGE",
             {&e.image, &e.image_id, &e.manifest, &e.sibling_image, &e.sibling_image_id,
              &e.sibling_manifest, &e.slow_image, &e.slow_sibling_image});
    return get.missing().empty() ? not_hex64({&e.image_id, &e.sibling_image_id}) : "";
}

std::string fill_auth_test_env(Keys &get, AuthTestEnv &e) {
    get.read("AUTH_REGISTRY AUTH_IMAGE AUTH_IMAGE_ID AUTH_USER AUTH_PASSWORD CA_DIR",
             {&e.registry, &e.image, &e.image_id, &e.user, &e.password, &e.ca_dir});
    if (!get.missing().empty()) {
        return {};
    }
    if (!fs::exists(fs::path(e.ca_dir) / "ca.crt")) {
        return "its CA dir holds no ca.crt: " + e.ca_dir;
    }
    // Long and random, so that finding it anywhere is no coincidence.
    if (e.password.size() < 16) {
        return "its password is shorter than 16 characters";
    }
    return not_hex64({&e.image_id});
}

const Loaded<TestEnv> &loaded_test_env() {
    static const Loaded<TestEnv> loaded = load<TestEnv>(fill_test_env, "");
    return loaded;
}

// Every test case says which podman it ran on, in the output: the same binary runs once per
// release (tests/support/fixture.cmake, podpull_add_release_tests).
class ReleaseListener : public Catch::EventListenerBase {
  public:
    using Catch::EventListenerBase::EventListenerBase;
    void testCaseStarting(const Catch::TestCaseInfo &info) override {
        const auto &loaded = loaded_test_env();
        if (loaded.value) {
            std::printf("[podman %s, %s] %s\n", loaded.value->podman_version.c_str(),
                        loaded.value->podman.c_str(), info.name.c_str());
        } else {
            std::printf("[podman unknown: %s] %s\n", loaded.error.c_str(), info.name.c_str());
        }
        std::fflush(stdout);
    }
};
CATCH_REGISTER_LISTENER(ReleaseListener)

} // namespace

const TestEnv &test_env() {
    return value_or_fail(loaded_test_env());
}

const OsImageEnv &os_image_env() {
    static const Loaded<OsImageEnv> loaded =
        load<OsImageEnv>(fill_os_image_env, "(was it set up with PODPULL_FIXTURE_OS_IMAGE=0?)");
    return value_or_fail(loaded);
}

const AuthTestEnv &auth_test_env() {
    static const Loaded<AuthTestEnv> loaded =
        load<AuthTestEnv>(fill_auth_test_env, "(a registry-up.sh without the TLS registry?)");
    return value_or_fail(loaded);
}

std::optional<fs::path> fixture_state_dir() {
    const EnvFile &file = env_file();
    const auto it = file.kv.find("PODPULL_TEST_STATE_DIR");
    if (!file.error.empty() || it == file.kv.end() || it->second.empty()) {
        return std::nullopt;
    }
    return fs::path(it->second);
}

const std::string &python3_interpreter() {
    static const std::string path = [] {
        const auto it = env_file().kv.find("PODPULL_TEST_PYTHON3");
        return it != env_file().kv.end() && !it->second.empty() ? it->second
                                                                : find_in_path("python3");
    }();
    return path;
}

} // namespace podpull_test
