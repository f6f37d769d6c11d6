// SPDX-License-Identifier: MIT OR Apache-2.0
#include "manifest_step.hpp"

#include "error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace podpull {
namespace {

constexpr std::string_view docker_scheme = "docker://";

// "path[:ref]" of oci: and oci-archive:, split where containers/image splits it: at the first
// ':' (ocilayout's ParseReference on Linux).
void split_layout_reference(std::string_view body, LocalManifestStep &step) {
    const std::size_t colon = body.find(':');
    step.path = std::string(body.substr(0, colon));
    if (colon != std::string_view::npos)
        step.ref_name = std::string(body.substr(colon + 1));
}

RegistryManifestStep registry_step(const ImageReference &ref, const PullParameters &params,
                                   ManifestCredentials credentials, const ManifestFacts &facts) {
    RegistryManifestStep step;
    const RepositoryParts parts = split_repository(ref);
    step.repository = std::string(docker_scheme) + parts.name;
    step.argv.push_back(*facts.skopeo);
    if (facts.registries_conf && !facts.registries_conf->empty())
        step.argv.insert(step.argv.end(), {"--registries-conf", *facts.registries_conf});
    step.argv.insert(step.argv.end(), {"inspect", "--raw"});
    if (!params.tls_verify)
        step.argv.emplace_back("--tls-verify=false");
    if (credentials == ManifestCredentials::auth_file) {
        step.argv.insert(step.argv.end(),
                         {"--authfile", fmt::format("/proc/self/fd/{}", manifest_auth_fd)});
        step.reads_auth_file = true;
    } else if (credentials == ManifestCredentials::anonymous) {
        step.argv.emplace_back("--no-creds");
    }
    if (params.retries > 0)
        step.argv.insert(step.argv.end(), {"--retry-times", std::to_string(params.retries)});
    step.argv.emplace_back("--");
    step.argv.push_back(std::string(docker_scheme) + std::string(without_docker_prefix(ref)));
    return step;
}

} // namespace

ManifestStep plan_manifest(const ImageReference &ref, const PullParameters &params,
                           ManifestCredentials credentials, const ManifestFacts &facts) {
    ManifestStep step;
    step.platform = wanted_platform(params, facts.host);
    step.timeout = manifest_timeout;
    if (params.stall_timeout_ms > 0)
        step.timeout = std::min(step.timeout, std::chrono::milliseconds(params.stall_timeout_ms));

    const std::string_view text = ref.text;
    switch (ref.transport) {
    case Transport::registry:
        if (params.policy == PullPolicy::never) {
            step.unavailable = "policy \"never\" keeps the pull away from the registry";
        } else if (!is_fully_qualified(ref)) {
            step.unavailable = fmt::format(
                "{} is a short name, whose registry podman picks through registries.conf",
                quote_for_message(ref.text, 80));
        } else if (!facts.skopeo) {
            step.unavailable = "skopeo, which reads the manifest, is not in PATH";
        } else {
            step.source = registry_step(ref, params, credentials, facts);
        }
        return step;
    case Transport::oci:
    case Transport::oci_archive: {
        LocalManifestStep local;
        local.transport = ref.transport;
        split_layout_reference(text.substr(text.find(':') + 1), local);
        step.source = std::move(local);
        return step;
    }
    case Transport::dir: {
        LocalManifestStep local;
        local.transport = Transport::dir;
        local.path = std::string(text.substr(text.find(':') + 1));
        step.source = std::move(local);
        return step;
    }
    case Transport::docker_archive:
    case Transport::docker_daemon:
    case Transport::containers_storage:
        break;
    }
    step.unavailable =
        fmt::format("podpull reads no manifest from {}: references", transport_name(ref.transport));
    return step;
}

std::vector<std::string> argv_for_digest(const RegistryManifestStep &step,
                                         std::string_view digest) {
    if (!is_blob_digest(digest))
        throw Error(ErrorCode::internal, "argv_for_digest: not a digest");
    std::vector<std::string> argv = step.argv;
    argv.back() = step.repository + "@" + std::string(digest);
    return argv;
}

BlobDescriptor read_layout_index(std::string_view raw, std::string_view ref_name) {
    const Manifest manifest = parse_manifest(raw);
    const auto *list = std::get_if<ManifestList>(&manifest);
    if (list == nullptr)
        throw Error(ErrorCode::protocol, "the layout's index.json is not an index");
    if (ref_name.empty()) {
        if (list->entries.size() == 1)
            return list->entries.front().manifest;
        throw Error(ErrorCode::not_found,
                    fmt::format("the layout holds {} images and the reference names none",
                                list->entries.size()));
    }
    for (const auto &entry : list->entries) {
        if (entry.ref_name == ref_name)
            return entry.manifest;
    }
    throw Error(ErrorCode::not_found, fmt::format("the layout's index names no image {}",
                                                  quote_for_message(ref_name, 80)));
}

ManifestReading read_manifest(std::string_view raw, const Platform &platform, bool from_list) {
    const Manifest manifest = parse_manifest(raw);
    ManifestReading reading;
    if (const auto *image = std::get_if<ImageManifest>(&manifest)) {
        reading.image = summarize_manifest(*image, raw);
        return reading;
    }
    const auto &list = std::get<ManifestList>(manifest);
    if (from_list)
        throw Error(ErrorCode::protocol,
                    "the image's manifest list names another list for the platform");
    if (const auto entry = select_platform(list, platform)) {
        reading.follow = entry->manifest;
        return reading;
    }
    throw Error(ErrorCode::not_found, fmt::format("the image's manifest list has no entry for {}",
                                                  platform_name(platform)));
}

std::string describe_manifest_step(const ManifestStep &step) {
    if (const auto *registry = std::get_if<RegistryManifestStep>(&step.source))
        return fmt::format("reading the manifest alongside the pull: {}",
                           fmt::join(registry->argv, " "));
    if (const auto *local = std::get_if<LocalManifestStep>(&step.source))
        return fmt::format("reading the manifest from the {}: files at {}",
                           transport_name(local->transport), quote_for_message(local->path, 200));
    return no_manifest_note(step.unavailable);
}

std::string manifest_note(const ManifestSummary &manifest, std::string_view source) {
    std::uint64_t bytes = 0;
    for (const auto &blob : manifest.blobs)
        bytes += blob.size;
    return fmt::format("blob sizes from the image's manifest before the first byte ({} blobs, "
                       "{} bytes, {})",
                       manifest.blobs.size(), bytes, source);
}

std::string no_manifest_note(std::string_view why) {
    return fmt::format("no blob sizes before the bytes: {}", why);
}

} // namespace podpull
