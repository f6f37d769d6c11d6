// SPDX-License-Identifier: MIT OR Apache-2.0
// What `podman pull` prints, as docs/podman.md ("podman pull", seen on 4.3.1) records it: status
// lines on stderr, the image ID alone on stdout, and on failure "Error: …" on stderr with exit
// status 125.
#pragma once

#include <string_view>

namespace recorded {

// A pull from an oci: layout: stderr.
inline constexpr std::string_view podman_pull_stderr_4_3_1 =
    "Getting image source signatures\n"
    "Copying blob sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2\n"
    "Copying config sha256:b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c\n"
    "Writing manifest to image destination\n"
    "Storing signatures\n";

// Its stdout: the image ID and a newline.
inline constexpr std::string_view podman_pull_stdout_4_3_1 =
    "b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c\n";

// A missing oci: layout (exit status 125): stderr.
inline constexpr std::string_view podman_pull_missing_layout_4_3_1 =
    "Error: initializing source oci:/var/tmp/none:: open /var/tmp/none/index.json: no such file "
    "or directory\n";

// A registry image that does not exist (exit status 125): stderr.
inline constexpr std::string_view podman_pull_manifest_unknown_4_3_1 =
    "Trying to pull localhost:5000/nope/none:v1...\n"
    "Error: initializing source docker://localhost:5000/nope/none:v1: reading manifest v1 in "
    "localhost:5000/nope/none: manifest unknown: manifest unknown\n";

} // namespace recorded
