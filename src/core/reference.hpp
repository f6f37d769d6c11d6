// SPDX-License-Identifier: MIT OR Apache-2.0
// An image reference as the host gave it, and the transport that decides how it is pulled.
#pragma once

#include <string>
#include <string_view>

namespace podpull {

// containers-transports(5) names podman pulls from. `registry` covers plain references
// ("quay.io/a/b:tag", "localhost:5000/x") and the explicit "docker://" form.
enum class Transport {
    registry,
    oci,
    oci_archive,
    dir,
    docker_archive,
    docker_daemon,
    containers_storage,
};

struct ImageReference {
    Transport transport = Transport::registry;
    // The reference exactly as it goes to podman (transport prefix kept).
    std::string text;
};

// Parses and validates a reference. Throws Error(invalid_argument) for one that is empty,
// too long, starts with '-', or holds whitespace, control bytes or other bytes that could
// turn it into a flag, a header or a second query parameter.
ImageReference parse_reference(std::string_view text);

// "oci-archive", "docker" and so on: the transport's name as podman spells it.
std::string_view transport_name(Transport transport);

// Whether this transport needs a `podman pull` subprocess (the API pulls only registries).
bool needs_subprocess(Transport transport);

// A registry reference as the Docker-compatible endpoint, image lookups and auth keys read it:
// without "docker://". Throws Error(internal) for a reference of another transport.
std::string_view without_docker_prefix(const ImageReference &ref);

// Docker Hub's names (docker.io, index.docker.io, registry-1.docker.io) as one: "docker.io",
// as containers/image's normalizeRegistry and distribution/reference treat them. Any other
// host is returned as it is.
std::string_view canonical_registry_host(std::string_view host);

// The registry part of a registry reference: "localhost:5000" for "localhost:5000/a/b:v1",
// "docker.io" for "alpine" (podman's short-name default for the key, not for resolution) and
// for every Docker Hub name (canonical_registry_host). Empty for other transports.
std::string registry_host(const ImageReference &ref);

// A registry reference taken apart as distribution/reference does it.
struct RepositoryParts {
    std::string name;   // as written, without "docker://", tag or digest: "localhost:5000/a/b"
    std::string tag;    // "v1"; empty when the reference has none
    std::string digest; // "sha256:..."; empty when the reference has none
};

// Throws Error(invalid_argument) for a reference of another transport, or one whose name,
// tag or digest is empty ("quay.io/x:", "quay.io/x@").
RepositoryParts split_repository(const ImageReference &ref);

// Whether a registry reference names its registry ("quay.io/x", "localhost:5000/x",
// "localhost/x"), rather than leaving it to short-name resolution.
bool is_fully_qualified(const ImageReference &ref);

} // namespace podpull
