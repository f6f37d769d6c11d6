// Image references. podman decides what a reference means the way containers/image does
// (libimage's Pull): if the text before the first ':' names a known transport, that
// transport parses the rest; otherwise the whole text is a registry reference. "docker" is the
// exception: only "docker://" selects it, so "docker:latest" is the image "docker", tag
// "latest". podpull mirrors that rule so it sends every reference where podman would.
//
// Validation is about safety, not grammar: podpull rejects what could turn the reference into
// a flag, a second query parameter or a header, or hide in logs, and leaves the reference
// grammar (case, tag syntax, short names) to podman so that podman's own message comes back.
#include "reference.hpp"

#include "error.hpp"
#include "utf8.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <optional>

namespace podpull {
namespace {

constexpr std::size_t max_reference_bytes = 4096;
constexpr std::size_t quoted_reference_bytes = 80; // how much of a bad reference a message shows

constexpr std::string_view docker_prefix = "docker://";

struct TransportName {
    std::string_view name; // before the ':'
    Transport transport;
};

// Every transport but the registry's, which only "docker://" selects.
constexpr std::array<TransportName, 6> prefixed_transports{{
    {"oci", Transport::oci},
    {"oci-archive", Transport::oci_archive},
    {"dir", Transport::dir},
    {"docker-archive", Transport::docker_archive},
    {"docker-daemon", Transport::docker_daemon},
    {"containers-storage", Transport::containers_storage},
}};

std::optional<Transport> prefixed_transport(std::string_view name) {
    for (const auto &[known, transport] : prefixed_transports) {
        if (known == name)
            return transport;
    }
    return std::nullopt;
}

// containers-transports(5) names podman knows but podpull does not serve: podman would read
// "sif:x" as that transport, so podpull must not send it on as a registry reference either.
constexpr std::array<std::string_view, 3> unsupported_transports{"sif", "tarball", "ostree"};

[[noreturn]] void reject(std::string_view text, std::string_view problem) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("invalid image reference {}: {}",
                            quote_for_message(text, quoted_reference_bytes), problem));
}

// Bytes that are never part of a reference of any transport: they could end a header or a
// log line, or make the reference look like two arguments.
void check_bytes(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == ' ')
            reject(text, fmt::format("it holds a space at byte {}", i));
        if (byte < 0x20 || byte == 0x7f)
            reject(text, fmt::format("it holds the control byte 0x{:02x} at byte {}", byte, i));
    }
}

// Paths of the local transports may hold any character a file name may, but the reference
// also goes into messages and callbacks for a person, which must be text.
void check_utf8(std::string_view text) {
    if (const auto at = first_invalid_utf8(text))
        reject(text, fmt::format("it is not valid UTF-8 at byte {}", *at));
}

// A registry reference goes into a query string and names a registry whose credentials go
// into a header. Its grammar (distribution/reference) is ASCII letters, digits and ".-_:/@",
// so refusing the bytes below loses nothing valid: '?', '#', '&' and '%' would change a
// request target if encoding were ever skipped, '\' is an escape in too many places, and
// non-ASCII never names an image (host names are punycode).
void check_registry_bytes(std::string_view text) {
    constexpr std::string_view forbidden = "?#&%\\";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (forbidden.find(ch) != std::string_view::npos)
            reject(text,
                   fmt::format("'{}' at byte {} is not allowed in a registry reference", ch, i));
        if (static_cast<unsigned char>(ch) >= 0x80)
            reject(text, fmt::format("a registry reference is ASCII; byte {} is 0x{:02x}", i,
                                     static_cast<unsigned char>(ch)));
    }
}

// The registry reference without "docker://".
std::string_view registry_body(const ImageReference &ref) {
    std::string_view body = ref.text;
    if (body.starts_with(docker_prefix))
        body.remove_prefix(docker_prefix.size());
    return body;
}

constexpr std::array<std::string_view, 3> docker_hub_hosts{"docker.io", "index.docker.io",
                                                           "registry-1.docker.io"};

// The explicit registry of a registry reference, as distribution/reference's
// splitDockerDomain finds it: the first component when a '/' follows it and it holds '.' or
// ':', is "localhost", or holds an upper-case letter (a repository path cannot). Empty when
// the reference leaves the registry to short-name resolution. Only the name counts, as
// distribution/reference splits the digest off first: "quay.io@x/y" is the short name
// "quay.io" with a digest, not an image of the registry "quay.io@x" (found by fuzzing,
// tests/fuzz/regressions/registry_auth: its lookup key became "quay.io/quay.io").
std::string_view explicit_domain(std::string_view body) {
    body = body.substr(0, body.find('@'));
    const std::size_t slash = body.find('/');
    if (slash == std::string_view::npos)
        return {};
    const std::string_view first = body.substr(0, slash);
    const bool has_upper =
        std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || has_upper)
        return first;
    return {};
}

} // namespace

ImageReference parse_reference(std::string_view text) {
    if (text.empty())
        throw Error(ErrorCode::invalid_argument, "invalid image reference: it is empty");
    if (text.size() > max_reference_bytes)
        reject(text, fmt::format("it is {} bytes long; the limit is {}", text.size(),
                                 max_reference_bytes));
    check_bytes(text);
    if (text.front() == '-')
        reject(text, "it starts with '-' and could be read as an option");

    ImageReference ref{Transport::registry, std::string(text)};
    std::string_view rest = text; // what the transport parses
    const std::size_t colon = text.find(':');
    if (text.starts_with(docker_prefix)) {
        rest.remove_prefix(docker_prefix.size());
    } else if (colon != std::string_view::npos) {
        const std::string_view name = text.substr(0, colon);
        if (const auto transport = prefixed_transport(name)) {
            ref.transport = *transport;
            rest.remove_prefix(colon + 1);
        } else if (std::find(unsupported_transports.begin(), unsupported_transports.end(), name) !=
                   unsupported_transports.end()) {
            reject(text, fmt::format("podpull does not pull from the \"{}:\" transport", name));
        } else if (text.substr(colon).starts_with("://")) {
            // "https://quay.io/x": a URL scheme, never a registry reference (neither a port
            // nor a tag can be followed by "//").
            reject(text, fmt::format("{} is not a transport podman knows; use \"docker://\" or "
                                     "no prefix for a registry",
                                     quote_for_message(std::string(name) + "://", 40)));
        }
        // Otherwise the ':' is a port or a tag ("localhost:5000/x", "alpine:3"): a registry
        // reference.
    }

    if (rest.empty())
        reject(text,
               fmt::format("nothing follows the \"{}\" transport", transport_name(ref.transport)));
    if (ref.transport == Transport::registry)
        check_registry_bytes(text);
    else
        check_utf8(text);
    return ref;
}

std::string_view transport_name(Transport transport) {
    switch (transport) {
    case Transport::registry:
        return "docker";
    case Transport::oci:
        return "oci";
    case Transport::oci_archive:
        return "oci-archive";
    case Transport::dir:
        return "dir";
    case Transport::docker_archive:
        return "docker-archive";
    case Transport::docker_daemon:
        return "docker-daemon";
    case Transport::containers_storage:
        return "containers-storage";
    }
    return "unknown";
}

bool needs_subprocess(Transport transport) {
    return transport != Transport::registry;
}

std::string_view without_docker_prefix(const ImageReference &ref) {
    if (ref.transport != Transport::registry)
        throw Error(ErrorCode::internal, fmt::format("{}: references are not registry references",
                                                     transport_name(ref.transport)));
    return registry_body(ref);
}

std::string_view canonical_registry_host(std::string_view host) {
    const bool docker_hub =
        std::find(docker_hub_hosts.begin(), docker_hub_hosts.end(), host) != docker_hub_hosts.end();
    return docker_hub ? docker_hub_hosts.front() : host;
}

std::string registry_host(const ImageReference &ref) {
    if (ref.transport != Transport::registry)
        return {};
    const std::string_view domain = explicit_domain(registry_body(ref));
    return std::string(domain.empty() ? docker_hub_hosts.front() : canonical_registry_host(domain));
}

RepositoryParts split_repository(const ImageReference &ref) {
    if (ref.transport != Transport::registry)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("{}: references have no registry repository",
                                transport_name(ref.transport)));
    // name[:tag][@digest]. A digest starts at the first '@' (no name or tag holds one); a tag
    // is a ':' after the last '/', since a ':' before it is the registry's port.
    const std::string_view body = registry_body(ref);
    RepositoryParts parts;
    std::string_view name = body.substr(0, body.find('@'));
    if (name.size() < body.size()) {
        parts.digest = std::string(body.substr(name.size() + 1));
        if (parts.digest.empty())
            reject(ref.text, "'@' is not followed by a digest");
    }
    const std::size_t slash = name.rfind('/');
    const std::size_t colon = name.find(':', slash == std::string_view::npos ? 0 : slash + 1);
    if (colon != std::string_view::npos) {
        parts.tag = std::string(name.substr(colon + 1));
        name = name.substr(0, colon);
        if (parts.tag.empty())
            reject(ref.text, "':' is not followed by a tag");
    }
    if (name.empty())
        reject(ref.text, "it names no repository");
    parts.name = std::string(name);
    return parts;
}

bool is_fully_qualified(const ImageReference &ref) {
    return ref.transport == Transport::registry && !explicit_domain(registry_body(ref)).empty();
}

} // namespace podpull
