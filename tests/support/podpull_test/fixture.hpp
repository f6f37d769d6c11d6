// SPDX-License-Identifier: MIT OR Apache-2.0
// The registry fixture (tests/support/registry-up.sh, the ctest fixture podpull_registry):
// what it wrote to STATE_DIR/env, and the podman release the test runs on.
#pragma once

#include "podpull_test/util.hpp"

#include <optional>
#include <string>
#include <vector>

namespace podpull_test {

// What tests/support/registry-up.sh wrote to STATE_DIR/env. The path comes from the
// PODPULL_TEST_ENV environment variable (set by ctest). Anything missing FAILs the test.
struct TestEnv {
    std::string state_dir;
    std::string registry;       // 127.0.0.1:PORT
    std::string image;          // 127.0.0.1:PORT/podpull/test:v1
    std::string image_id;       // 64 hex
    std::string oci_archive;    // a path
    std::string oci_archive_id; // 64 hex
    std::string big_image;      // 127.0.0.1:PORT/podpull/big:v1
    std::string big_image_id;   // 64 hex
    std::string slow_registry;  // the same registry behind a throttling proxy
    std::string slow_image;     // the test image through it
    std::string slow_big_image; // the big image through it
    std::string derived_image;  // podpull/derived:v1: the test image's layers and one of 32 MB
    std::string derived_image_id;
    // Four images of two layers each, none shared ("podpull/distinct-N:v1", repository paths
    // on `registry` and `slow_registry`), and their IDs.
    std::vector<std::string> distinct_images, distinct_image_ids;
    std::string python3;         // absolute path of a python3 interpreter
    std::string containers_conf; // the fixture's containers.conf

    // The podman release this run is on: $PODPULL_TEST_RELEASE ("4.3", "5.4", "5.8", "6.1";
    // default "4.3", the host's), its podman (for 4.3 /usr/bin/podman, else the launcher of
    // scripts/podman-peers.sh) and the version it reports. Every podman a test starts, the
    // library's service included (Sandbox::options), is this one.
    std::string release;
    std::string podman;
    std::string podman_version; // "5.4.2"
    // A running podman of this release as the kernel shows it: /proc/PID/exe (for a chroot
    // release the binary inside its root file system) and argv[0] (the launcher execs
    // /usr/bin/podman inside the chroot).
    std::string podman_exe, podman_argv0;
    // Whether `podman` is a launcher of scripts/podman-peers.sh (a /bin/sh script that execs
    // podman in a chroot, in the same process) rather than the podman binary itself.
    bool podman_is_launcher() const { return podman_argv0 != podman; }
    int podman_major = 0, podman_minor = 0;
    // Whether this release's podman is at least major.minor.
    bool podman_at_least(int major, int minor) const {
        return podman_major > major || (podman_major == major && podman_minor >= minor);
    }
};
const TestEnv &test_env();

// The fixture's OS images (make-os-image.py), from the same env file. FAILs the test when the
// fixture was set up without them (PODPULL_FIXTURE_OS_IMAGE=0).
struct OsImageEnv {
    std::string image, image_id, manifest;                         // podpull/os:v1
    std::string sibling_image, sibling_image_id, sibling_manifest; // podpull/os-sibling:v1
    std::string slow_image, slow_sibling_image;                    // both through the relay
};
const OsImageEnv &os_image_env();

// The fixture's second registry: HTTPS with a certificate from a test CA, and htpasswd. From
// the same env file (PODPULL_TEST_AUTH_* and PODPULL_TEST_CA_DIR).
struct AuthTestEnv {
    std::string registry; // 127.0.0.1:PORT
    std::string image;    // 127.0.0.1:PORT/podpull/test:v1
    std::string image_id; // 64 hex, the same image as TestEnv::image
    std::string user;
    std::string password; // random per fixture setup
    std::string ca_dir;   // holds ca.crt, the CA that signed the registry's certificate
};
const AuthTestEnv &auth_test_env();

// The fixture's state dir when a fixture env file is there (PODPULL_TEST_ENV), else nullopt;
// for helpers that also serve tests without the fixture.
std::optional<fs::path> fixture_state_dir();

// A python3 interpreter: the fixture's, else the first on $PATH.
const std::string &python3_interpreter();

} // namespace podpull_test
