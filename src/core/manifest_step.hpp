// SPDX-License-Identifier: MIT OR Apache-2.0
// The manifest step of a pull: where the image's blob sizes come from before podman copies
// any byte, decided before anything runs. For a registry reference it is `skopeo inspect
// --raw` (a second one by digest when the first answers with a manifest list), run by the
// shell concurrently with podman's pull, with the pull's credentials (a sealed memory file at
// fd 4, as for `podman pull`), TLS setting, registries.conf and certs.d; for oci:,
// oci-archive: and dir: the shell reads the manifest from the files itself. What the
// manifest means (which list entry, which blobs) is decided here too. docs/podman.md,
// "The manifest before the bytes", has the facts this relies on.
#pragma once

#include "image_manifest.hpp"
#include "pull_parameters.hpp"
#include "reference.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace podpull {

// What the plan needs to know of the host, as the shell found it.
struct ManifestFacts {
    std::optional<std::string> skopeo; // its path, looked up in the children's PATH
    Platform host;                     // host_platform(uname's machine)
    // CONTAINERS_REGISTRIES_CONF in the children's environment. skopeo 1.9.3 ignores the
    // variable (seen), so it gets it as --registries-conf.
    std::optional<std::string> registries_conf;
};

// What skopeo is given of the host's credentials.
enum class ManifestCredentials {
    own_lookup, // the host named no auth file: skopeo searches where it does by default
    auth_file,  // the image's registry's entry, as an auth file at manifest_auth_fd
    // The host's file holds none for the image: --no-creds. Not an empty --authfile: skopeo
    // 1.9.3 (containers/image 5.23, before 5.24.0's "Don't use any default path fallbacks if
    // the user specified a path") reads ~/.config/containers/auth.json, ~/.docker/config.json
    // and ~/.dockercfg after the file it is given (seen; test_exact_credentials.cpp).
    anonymous
};

// `skopeo inspect --raw` of a registry reference.
struct RegistryManifestStep {
    std::vector<std::string>
        argv; // [skopeo, globals..., inspect, --raw, flags..., --, docker://REF]
    // "docker://name" without tag or digest, for the entry of a list (argv_for_digest).
    std::string repository;
    // argv reads an auth file at manifest_auth_fd (ManifestCredentials::auth_file).
    bool reads_auth_file = false;
};

// A manifest in local files: oci: (a layout directory), oci-archive: (a tar of one), dir:.
struct LocalManifestStep {
    Transport transport = Transport::oci;
    std::string path;     // the directory or archive
    std::string ref_name; // oci:/oci-archive: the image's org.opencontainers.image.ref.name;
                          // empty: the layout's only image
};

struct ManifestStep {
    std::variant<std::monostate, RegistryManifestStep, LocalManifestStep> source;
    std::string unavailable; // why there is no source, for on_route's reason and the log
    Platform platform;       // the list entry to take (wanted_platform)
    // The step's bound: after it the pull goes on without sizes. The stall timeout when one is
    // set and shorter, else manifest_timeout.
    std::chrono::milliseconds timeout{0};
};

inline constexpr std::chrono::milliseconds manifest_timeout{30000};
// Where skopeo finds the credentials, as `podman pull` does (podman_command.hpp).
inline constexpr int manifest_auth_fd = 4;

// Decides the step for one pull, skopeo getting `credentials`.
ManifestStep plan_manifest(const ImageReference &ref, const PullParameters &params,
                           ManifestCredentials credentials, const ManifestFacts &facts);

// The command line that fetches the list entry `digest` (is_blob_digest) of `step`'s image.
std::vector<std::string> argv_for_digest(const RegistryManifestStep &step, std::string_view digest);

// What one fetched manifest means for the pull.
struct ManifestReading {
    std::optional<ManifestSummary> image; // an image manifest: what the pull stores
    std::optional<BlobDescriptor> follow; // a list: the entry to fetch next
};

// Reads `raw`: an image manifest gives its summary; a list gives the entry for `platform` to
// follow, unless `from_list` (a list's entry that is a list again is refused, as podman
// does). Throws Error(protocol) for a manifest parse_manifest refuses, Error(not_found) when
// no entry matches; the message says why, for a person.
ManifestReading read_manifest(std::string_view raw, const Platform &platform, bool from_list);

// An OCI layout's index.json (oci:, oci-archive:): the manifest of the image whose
// org.opencontainers.image.ref.name is `ref_name` or, with no name, of the layout's only
// image. Throws as read_manifest.
BlobDescriptor read_layout_index(std::string_view raw, std::string_view ref_name);

// What the debug log says of the step before it runs: the command line (never a secret: the
// credentials are at fd 4), the files, or why there is none.
std::string describe_manifest_step(const ManifestStep &step);

// What on_route's reason says about the sizes: "blob sizes from the image's manifest before
// the first byte (49 blobs, 133489331 bytes, skopeo inspect)" or "no blob sizes before the
// bytes: <why>".
std::string manifest_note(const ManifestSummary &manifest, std::string_view source);
std::string no_manifest_note(std::string_view why);

} // namespace podpull
