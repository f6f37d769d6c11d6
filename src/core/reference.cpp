// SPDX-License-Identifier: MIT OR Apache-2.0
// Image references. podman decides what a reference means the way containers/image does
// (libimage's Pull): if the text before the first ':' names a known transport, that
// transport parses the rest; otherwise the whole text is a registry reference. "docker" is the
// exception: only "docker://" selects it, so "docker:latest" is the image "docker", tag
// "latest". podpull mirrors that rule so it sends every reference where podman would.
//
// Validation has two parts. Safety, for every transport: podpull rejects what could turn the
// reference into a flag, a second query parameter or a header, or hide in logs. Grammar, for
// registry references: podpull applies distribution/reference's grammar (which podman applies
// too) before any request or process, so that a host learns of a malformed reference as
// INVALID_ARGUMENT, in podman's own words, rather than as a failed pull. Which image a short
// name means stays podman's to decide.
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

// ---- distribution/reference's grammar -----------------------------------------------------

constexpr std::size_t max_name_bytes = 255; // NameTotalLengthMax
constexpr std::size_t max_tag_bytes = 128;

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_word(char c) { // \w
    return is_alnum(c) || c == '_';
}

// domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view part) {
    if (part.empty() || !is_alnum(part.front()) || !is_alnum(part.back()))
        return false;
    return std::all_of(part.begin(), part.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_port(std::string_view port) {
    return !port.empty() && port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// domain-component ('.' domain-component)*
bool is_host_name(std::string_view host) {
    while (true) {
        const std::size_t dot = host.find('.');
        if (!is_domain_component(host.substr(0, dot)))
            return false;
        if (dot == std::string_view::npos)
            return true;
        host.remove_prefix(dot + 1);
    }
}

// host [':' port], the host a name or an IPv6 address in brackets.
bool is_domain(std::string_view domain) {
    if (domain.starts_with('[')) {
        const std::size_t close = domain.find(']');
        if (close == std::string_view::npos || close == 1)
            return false;
        const std::string_view address = domain.substr(1, close - 1);
        const bool ipv6_chars = std::all_of(address.begin(), address.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                   c == ':' || c == '.';
        });
        const std::string_view after = domain.substr(close + 1);
        return ipv6_chars && (after.empty() || (after.front() == ':' && is_port(after.substr(1))));
    }
    const std::size_t colon = domain.find(':');
    if (colon == std::string_view::npos)
        return is_host_name(domain);
    return is_host_name(domain.substr(0, colon)) && is_port(domain.substr(colon + 1));
}

// path-component: [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )*
bool is_path_component(std::string_view part) {
    std::size_t i = 0;
    auto alnum_run = [&] {
        const std::size_t start = i;
        while (i < part.size() && is_lower_alnum(part[i]))
            ++i;
        return i > start;
    };
    if (!alnum_run())
        return false;
    while (i < part.size()) {
        if (part.substr(i).starts_with("__"))
            i += 2;
        else if (part[i] == '.' || part[i] == '_')
            ++i;
        else if (part[i] == '-')
            while (i < part.size() && part[i] == '-')
                ++i;
        else
            return false;
        if (!alnum_run())
            return false;
    }
    return true;
}

// tag: [\w][\w.-]{0,127}
bool is_tag(std::string_view tag) {
    return !tag.empty() && tag.size() <= max_tag_bytes && is_word(tag.front()) &&
           std::all_of(tag.begin(), tag.end(),
                       [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

// algorithm ':' hex, with the hex length go-digest requires of the algorithms podman knows.
std::optional<std::string> digest_problem(std::string_view digest) {
    const std::size_t colon = digest.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return std::string("the digest has no algorithm (\"sha256:<hex>\")");
    const std::string_view algorithm = digest.substr(0, colon);
    const std::string_view hex = digest.substr(colon + 1);
    std::size_t want = 0;
    if (algorithm == "sha256")
        want = 64;
    else if (algorithm == "sha384")
        want = 96;
    else if (algorithm == "sha512")
        want = 128;
    else
        return fmt::format("unsupported digest algorithm {}", quote_for_message(algorithm, 20));
    const bool lower_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (hex.size() != want || !lower_hex)
        return fmt::format("invalid digest: a {} digest is {} lowercase hex digits", algorithm,
                           want);
    return std::nullopt;
}

// The grammar of a registry reference (`body`, without "docker://"), as distribution/reference
// parses it; podman's messages where it has one.
void check_registry_grammar(std::string_view text, std::string_view body) {
    std::string_view name = body.substr(0, body.find('@'));
    if (name.size() < body.size()) {
        if (const auto problem = digest_problem(body.substr(name.size() + 1)))
            reject(text, *problem);
    }
    const std::size_t last_slash = name.rfind('/');
    const std::size_t tag_colon =
        name.find(':', last_slash == std::string_view::npos ? 0 : last_slash + 1);
    if (tag_colon != std::string_view::npos) {
        if (!is_tag(name.substr(tag_colon + 1)))
            reject(text, "invalid tag: a tag is up to 128 letters, digits, '_', '.' and '-', "
                         "not starting with '.' or '-'");
        name = name.substr(0, tag_colon);
    }
    if (name.size() > max_name_bytes)
        reject(text,
               fmt::format("repository name must not be more than {} characters", max_name_bytes));
    const std::string_view domain = explicit_domain(name);
    if (!domain.empty() && !is_domain(domain))
        reject(text, fmt::format("invalid reference format: {} is not a registry host[:port]",
                                 quote_for_message(domain, 80)));
    std::string_view path = domain.empty() ? name : name.substr(domain.size() + 1);
    if (std::any_of(path.begin(), path.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        reject(text, "repository name must be lowercase");
    while (true) {
        const std::size_t slash = path.find('/');
        if (!is_path_component(path.substr(0, slash)))
            reject(text, fmt::format("invalid reference format: {} is not a repository path "
                                     "component (lowercase letters and digits, joined by '.', "
                                     "'_', '__' or '-')",
                                     quote_for_message(path.substr(0, slash), 80)));
        if (slash == std::string_view::npos)
            break;
        path.remove_prefix(slash + 1);
    }
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
    if (ref.transport == Transport::registry) {
        check_registry_bytes(text);
        check_registry_grammar(text, rest);
    } else {
        check_utf8(text);
    }
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
