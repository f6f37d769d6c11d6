// SPDX-License-Identifier: MIT OR Apache-2.0
#include "image_manifest.hpp"

#include "error.hpp"
#include "image_id.hpp"
#include "json_view.hpp"
#include "sha256.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_set>

namespace podpull {
namespace {

namespace json = boost::json;

constexpr std::string_view docker_v2 = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view docker_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view docker_v1 = "application/vnd.docker.distribution.manifest.v1+json";
constexpr std::string_view docker_v1_signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";

[[noreturn]] void refuse(std::string_view problem) {
    throw Error(ErrorCode::protocol, fmt::format("the image's manifest {}", problem));
}

const json::value *member(const json::object &object, std::string_view key) {
    const json::value *value = object.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
}

std::optional<std::string_view> string_member(const json::object &object, std::string_view key,
                                              std::string_view where) {
    const json::value *value = member(object, key);
    if (value == nullptr)
        return std::nullopt;
    if (!value->is_string())
        refuse(fmt::format("has a {} \"{}\" that is not a string", where, key));
    return view(value->get_string());
}

BlobDescriptor descriptor(const json::value &value, std::string_view where) {
    const json::object *object = value.if_object();
    if (object == nullptr)
        refuse(fmt::format("has a {} that is not an object", where));
    BlobDescriptor blob;
    const auto digest = string_member(*object, "digest", where);
    if (!digest || !is_blob_digest(*digest))
        refuse(fmt::format("has a {} without a sha256 or sha512 digest", where));
    blob.digest = std::string(*digest);
    const json::value *size = member(*object, "size");
    if (size == nullptr)
        refuse(fmt::format("has a {} without a size", where));
    if (size->is_uint64())
        blob.size = size->get_uint64();
    else if (size->is_int64() && size->get_int64() >= 0)
        blob.size = static_cast<std::uint64_t>(size->get_int64());
    else
        refuse(fmt::format("has a {} whose size is not a byte count", where));
    return blob;
}

const json::array &array_member(const json::object &object, std::string_view key) {
    const json::value *value = member(object, key);
    if (value == nullptr || !value->is_array())
        refuse(fmt::format("has no \"{}\" list", key));
    return value->get_array();
}

ImageManifest image_manifest(const json::object &object) {
    const json::value *config = member(object, "config");
    if (config == nullptr)
        refuse("has no config");
    ImageManifest manifest;
    manifest.config = descriptor(*config, "config");
    for (const json::value &layer : array_member(object, "layers"))
        manifest.layers.push_back(descriptor(layer, "layer"));
    return manifest;
}

ManifestList manifest_list(const json::object &object) {
    ManifestList list;
    for (const json::value &value : array_member(object, "manifests")) {
        ManifestListEntry entry;
        entry.manifest = descriptor(value, "list entry");
        if (const json::value *platform = member(value.get_object(), "platform")) {
            if (!platform->is_object())
                refuse("has a list entry whose platform is not an object");
            const json::object &fields = platform->get_object();
            entry.platform.os = std::string(string_member(fields, "os", "platform").value_or(""));
            entry.platform.architecture =
                std::string(string_member(fields, "architecture", "platform").value_or(""));
            entry.platform.variant =
                std::string(string_member(fields, "variant", "platform").value_or(""));
        }
        if (const json::value *annotations = member(value.get_object(), "annotations")) {
            if (!annotations->is_object())
                refuse("has a list entry whose annotations are not an object");
            entry.ref_name =
                std::string(string_member(annotations->get_object(),
                                          "org.opencontainers.image.ref.name", "annotation")
                                .value_or(""));
        }
        list.entries.push_back(std::move(entry));
    }
    return list;
}

// The variant a platform has when it names none (containers/image's platform matcher).
std::string_view default_variant(std::string_view architecture) {
    if (architecture == "arm64")
        return "v8";
    if (architecture == "amd64")
        return "v1";
    return "";
}

std::string_view normal_variant(const Platform &platform) {
    return platform.variant.empty() ? default_variant(platform.architecture)
                                    : std::string_view(platform.variant);
}

} // namespace

std::string platform_name(const Platform &platform) {
    std::string name = platform.os + "/" + platform.architecture;
    if (!platform.variant.empty())
        name += "/" + platform.variant;
    return name;
}

bool is_blob_digest(std::string_view text) noexcept {
    for (const auto &[algorithm, hex_length] :
         std::array<std::pair<std::string_view, std::size_t>, 2>{
             {{"sha256:", 64}, {"sha512:", 128}}}) {
        if (text.starts_with(algorithm)) {
            const std::string_view hex = text.substr(algorithm.size());
            return hex.size() == hex_length && is_lower_hex(hex);
        }
    }
    return false;
}

Manifest parse_manifest(std::string_view raw) {
    if (raw.size() > max_manifest_bytes)
        refuse(fmt::format("is larger than {} bytes", max_manifest_bytes));
    boost::system::error_code error;
    const json::value parsed = json::parse(raw, error);
    if (error)
        refuse(fmt::format("is not JSON ({})", error.message()));
    const json::object *object = parsed.if_object();
    if (object == nullptr)
        refuse("is not a JSON object");

    const std::string_view media_type =
        string_member(*object, "mediaType", "top-level").value_or("");
    const json::value *schema = member(*object, "schemaVersion");
    if (media_type == docker_v1 || media_type == docker_v1_signed ||
        (schema != nullptr && schema->is_number() && schema->to_number<double>() == 1))
        refuse("is Docker v2 schema 1, which names no blob sizes");
    if (media_type == docker_v2 || media_type == oci_manifest)
        return image_manifest(*object);
    if (media_type == docker_list || media_type == oci_index)
        return manifest_list(*object);
    if (!media_type.empty())
        refuse(fmt::format("has the media type {}, which podpull does not read",
                           quote_for_message(media_type, 100)));
    // OCI leaves mediaType optional: the fields tell.
    if (member(*object, "manifests") != nullptr)
        return manifest_list(*object);
    if (member(*object, "config") != nullptr)
        return image_manifest(*object);
    refuse("is neither an image manifest nor a manifest list");
}

std::vector<BlobDescriptor> image_blobs(const ImageManifest &manifest) {
    std::vector<BlobDescriptor> blobs;
    std::unordered_set<std::string> seen;
    for (const auto &layer : manifest.layers) {
        if (seen.insert(layer.digest).second)
            blobs.push_back(layer);
    }
    if (seen.insert(manifest.config.digest).second)
        blobs.push_back(manifest.config);
    return blobs;
}

std::size_t ManifestSummary::layer_count() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(blobs.begin(), blobs.end(),
                      [&](const BlobDescriptor &blob) { return blob.digest != config; }));
}

bool ManifestSummary::is_layer(std::string_view blob_digest) const noexcept {
    return blob_digest != config &&
           std::any_of(blobs.begin(), blobs.end(),
                       [&](const BlobDescriptor &blob) { return blob.digest == blob_digest; });
}

ManifestSummary summarize_manifest(const ImageManifest &manifest, std::string_view raw) {
    // The digest of the bytes as the registry serves them: what podman records as the image's
    // digest, and what `podman pull NAME@DIGEST` would fetch.
    return {sha256_digest(raw), image_blobs(manifest), manifest.config.digest};
}

Platform host_platform(std::string_view machine) {
    struct Known {
        std::string_view machine;
        Platform platform;
    };
    // Go's GOARCH names for uname's machine field, as podman (runtime.GOARCH) reports them.
    static const std::array<Known, 10> known{{
        {"x86_64", {"linux", "amd64", ""}},
        {"amd64", {"linux", "amd64", ""}},
        {"aarch64", {"linux", "arm64", "v8"}},
        {"arm64", {"linux", "arm64", "v8"}},
        {"armv7l", {"linux", "arm", "v7"}},
        {"armv6l", {"linux", "arm", "v6"}},
        {"i686", {"linux", "386", ""}},
        {"i386", {"linux", "386", ""}},
        {"ppc64le", {"linux", "ppc64le", ""}},
        {"s390x", {"linux", "s390x", ""}},
    }};
    for (const auto &entry : known) {
        if (entry.machine == machine)
            return entry.platform;
    }
    return {"linux", std::string(machine), ""};
}

Platform wanted_platform(const PullParameters &params, const Platform &host) {
    Platform wanted = host;
    if (params.os && !params.os->empty())
        wanted.os = *params.os;
    if (params.arch && !params.arch->empty() && *params.arch != host.architecture) {
        wanted.architecture = *params.arch;
        wanted.variant.clear(); // the host's variant belongs to the host's architecture
    }
    if (params.variant && !params.variant->empty())
        wanted.variant = *params.variant;
    return wanted;
}

std::optional<ManifestListEntry> select_platform(const ManifestList &list, const Platform &wanted) {
    const ManifestListEntry *fallback = nullptr;
    for (const auto &entry : list.entries) {
        if (entry.platform.os != wanted.os || entry.platform.architecture != wanted.architecture)
            continue;
        if (normal_variant(entry.platform) == normal_variant(wanted))
            return entry;
        if (wanted.variant.empty() && fallback == nullptr)
            fallback = &entry;
    }
    if (fallback != nullptr)
        return *fallback;
    return std::nullopt;
}

} // namespace podpull
