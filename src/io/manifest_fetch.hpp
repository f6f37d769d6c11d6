// SPDX-License-Identifier: MIT OR Apache-2.0
// The manifest step, carried out (core/manifest_step.hpp decides it): `skopeo inspect --raw`
// for a registry reference, run on the pull's thread alongside podman's pull; the files of an
// oci:, oci-archive: or dir: reference read directly. Whatever goes wrong, the pull goes on:
// the outcome then says why there are no sizes.
#pragma once

#include "core/manifest_step.hpp"
#include "core/route.hpp"
#include "reader_pull.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace podpull::io {

struct ManifestFetchRequest {
    ManifestStep step;
    std::vector<std::string> env;         // skopeo's whole environment (the children's)
    std::optional<std::string> auth_file; // what skopeo reads at manifest_auth_fd
    // skopeo sees the storage where podman does (bootc's layout), like every podman child.
    std::optional<StorageBinding> storage_binding;
};

struct ManifestOutcome {
    std::optional<ManifestSummary> manifest; // the image's, or none
    std::string note;                        // for on_route's reason and the log
};

// `decision` as the host hears it when the pull ends before the manifest step does.
RouteDecision with_fallback_note(const RouteDecision &decision);

// Carries the step out on `pull`'s thread. skopeo is SIGKILLed when the pull stops, when its
// reader is done, or after the step's timeout (it only reads, so nothing is left behind).
// Never throws for a manifest that cannot be had: the outcome has no blobs and says why.
boost::asio::awaitable<ManifestOutcome> fetch_manifest(const ManifestFetchRequest &request,
                                                       ReaderPull &pull);

// The raw manifest of a local reference (oci:, oci-archive:, dir:), read from its files; an
// oci-archive: is a tar, whose headers are read and whose other members are skipped. Throws
// Error(io) for files that cannot be read, Error(protocol) for what is not a layout, and what
// read_manifest throws.
ManifestSummary read_local_manifest(const LocalManifestStep &step, const Platform &platform);

} // namespace podpull::io
