// SPDX-License-Identifier: MIT OR Apache-2.0
// An image's manifest, read for what progress needs: every blob a pull of the image stores,
// with its size, before podman copies any of it. Pure: the raw bytes come from the shell
// (`skopeo inspect --raw` for a registry, a file for oci:, oci-archive: and dir:).
//
// Formats read (the media types containers/image pulls):
//   - Docker v2 schema 2, application/vnd.docker.distribution.manifest.v2+json, and
//     OCI, application/vnd.oci.image.manifest.v1+json: a config descriptor and layers;
//   - a Docker manifest list, application/vnd.docker.distribution.manifest.list.v2+json,
//     and an OCI index, application/vnd.oci.image.index.v1+json: one entry per platform,
//     whose manifest is fetched by digest once the entry is chosen (select_platform).
// Docker v2 schema 1 (…manifest.v1+json, …v1+prettyjws) names its layers without sizes and is
// refused. An OCI manifest or index may leave "mediaType" out; its fields tell which it is.
#pragma once

#include "pull_parameters.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace podpull {

// A manifest larger than this is refused: containers/image's own limit
// (iolimits.MaxManifestBodySize, 4 MiB). A real one is a few KiB.
inline constexpr std::size_t max_manifest_bytes = 4 * 1024 * 1024;

// A blob as a manifest describes it.
struct BlobDescriptor {
    std::string digest; // "sha256:<64 hex>" or "sha512:<128 hex>"
    std::uint64_t size = 0;

    bool operator==(const BlobDescriptor &) const = default;
};

// An OCI/Docker platform: "linux", "amd64", "" (no variant).
struct Platform {
    std::string os;
    std::string architecture;
    std::string variant;

    bool operator==(const Platform &) const = default;
};

// "linux/amd64", "linux/arm64/v8".
std::string platform_name(const Platform &platform);

// An image manifest: the config blob and the layers, in the manifest's order.
struct ImageManifest {
    BlobDescriptor config;
    std::vector<BlobDescriptor> layers;
};

// One entry of a manifest list or OCI index.
struct ManifestListEntry {
    BlobDescriptor manifest; // the platform's image manifest, by digest
    Platform platform;       // empty fields where the entry gives none
    std::string ref_name;    // its org.opencontainers.image.ref.name annotation (OCI layouts)
};

struct ManifestList {
    std::vector<ManifestListEntry> entries;
};

using Manifest = std::variant<ImageManifest, ManifestList>;

// Whether `text` is a digest podpull accepts: "sha256:" and 64, or "sha512:" and 128,
// lower-case hex digits. A digest goes into a command line (fetching a list's entry), so
// nothing else is let through.
bool is_blob_digest(std::string_view text) noexcept;

// Parses a raw manifest. Throws Error(protocol) for text over max_manifest_bytes, text that is
// not a JSON object, a schema 1 manifest, an unknown media type, a descriptor without a valid
// digest or size, or a list entry without one; the message says which, for a person (it is
// the reason on_route gives when a pull goes on without sizes).
Manifest parse_manifest(std::string_view raw);

// The blobs a pull of `manifest` stores: every layer, then the config, each digest once (a
// manifest may list a layer twice; podman stores it once).
std::vector<BlobDescriptor> image_blobs(const ImageManifest &manifest);

// The image a pull stores, as its manifest tells before the first byte.
struct ManifestSummary {
    std::string digest;                // "sha256:<hex>" of the image manifest's bytes
    std::vector<BlobDescriptor> blobs; // image_blobs(): the layers, then the config
    std::string config;                // the config blob's digest

    // The blobs that are layers (all but the config), each once.
    std::size_t layer_count() const noexcept;
    bool is_layer(std::string_view blob_digest) const noexcept;
};

// The summary of an image manifest whose raw bytes are `raw`.
ManifestSummary summarize_manifest(const ImageManifest &manifest, std::string_view raw);

// The platform of the host as podman names it, from uname's machine field: "x86_64" ->
// linux/amd64, "aarch64" -> linux/arm64 (variant v8), "armv7l" -> linux/arm/v7, "i686" ->
// linux/386, and so on; a machine it does not know is taken as the architecture itself.
Platform host_platform(std::string_view machine);

// The platform a pull asks for: the parts the host set in `params`, `host`'s for the others
// (podman does the same). A variant is taken from `host` only together with its architecture.
Platform wanted_platform(const PullParameters &params, const Platform &host);

// The list's entry for `wanted`, as containers/image chooses it: the same os and
// architecture, and the same variant, where arm64's "" and "v8" (and amd64's "" and "v1")
// are one. Without a wanted variant, an entry without one (or with the default) is
// preferred, else the first that matches. nullopt when no entry matches.
std::optional<ManifestListEntry> select_platform(const ManifestList &list, const Platform &wanted);

} // namespace podpull
