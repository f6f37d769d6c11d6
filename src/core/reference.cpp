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

// The length of the UTF-8 sequence that starts `text` at `i`, or 0 when it is not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = at(i);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf; // allowed range of the second byte
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            low = 0xa0;
        if (lead == 0xed)
            high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            low = 0x90;
        if (lead == 0xf4)
            high = 0x8f;
    } else {
        return 0;
    }
    if (i + length > text.size() || at(i + 1) < low || at(i + 1) > high)
        return 0;
    for (std::size_t k = 2; k < length; ++k) {
        if (at(i + k) < 0x80 || at(i + k) > 0xbf)
            return 0;
    }
    return length;
}

// Paths of the local transports may hold any character a file name may, but the reference
// also goes into messages and callbacks for a person, which must be text.
void check_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0)
            reject(text, fmt::format("it is not valid UTF-8 at byte {}", i));
        i += length;
    }
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

// The explicit registry of a registry reference, as distribution/reference's
// splitDockerDomain finds it: the first component when a '/' follows it and it holds '.' or
// ':', is "localhost", or holds an upper-case letter (a repository path cannot). Empty when
// the reference leaves the registry to short-name resolution.
std::string_view explicit_domain(std::string_view body) {
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

std::string registry_host(const ImageReference &ref) {
    if (ref.transport != Transport::registry)
        return {};
    const std::string_view domain = explicit_domain(registry_body(ref));
    // "index.docker.io" is Docker Hub's legacy name; containers/image normalizes it.
    if (domain.empty() || domain == "index.docker.io")
        return "docker.io";
    return std::string(domain);
}

bool is_fully_qualified(const ImageReference &ref) {
    return ref.transport == Transport::registry && !explicit_domain(registry_body(ref)).empty();
}

} // namespace podpull
