// SPDX-License-Identifier: MIT OR Apache-2.0
// Failure classification. podman hands failures over as text only (an `error` line, a
// non-2xx body's `message`, or an "Error: ..." line from `podman pull`), so the code a host
// sees is decided from wording that containers/image and registries use. The rules are
// deliberately narrow: a phrase goes on a list only when it cannot also mean something else.
#include "error.hpp"

#include <algorithm>
#include <array>

namespace podpull {
namespace {

std::string to_lower_ascii(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return lower;
}

bool is_word_byte(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

// Whether `needle` occurs in `haystack` at the start of a word ("name unknown:" must not
// match "hostname unknown:").
bool contains_word(std::string_view haystack, std::string_view needle) {
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
         at = haystack.find(needle, at + 1)) {
        if (at == 0 || !is_word_byte(haystack[at - 1]))
            return true;
    }
    return false;
}

bool contains_any(std::string_view haystack, const auto &needles) {
    return std::any_of(std::begin(needles), std::end(needles),
                       [&](std::string_view needle) { return contains_word(haystack, needle); });
}

// The image (or tag, or repository) does not exist. Registry error codes as containers/image
// prints them (MANIFEST_UNKNOWN, NAME_UNKNOWN, with or without the registry's own message),
// a 404 without a JSON body, and the wording of the non-registry transports.
// Not on the list: a bare "not found" ("executable file not found in $PATH" is a broken
// podman, not a missing image) and "no such file or directory" (storage trouble says that
// too; a missing oci:/dir: path is a PULL failure).
constexpr std::array<std::string_view, 9> not_found_phrases{
    "manifest unknown",                      // MANIFEST_UNKNOWN
    "name unknown:",                         // NAME_UNKNOWN with the registry's message
    "repository name not known to registry", // NAME_UNKNOWN's default message
    "invalid status code from registry 404", // a 404 without an error body
    "statuscode: 404",                       // a 404 with a body that is not JSON
    "no such image",                         // docker-daemon:
    "image not known",                       // containers-storage: (storage.ErrImageUnknown)
    "identifier is not an image",            // containers-storage: (storage.ErrNotAnImage)
    "no descriptor found for reference",     // oci: and oci-archive: without that tag
};

// The registry wants credentials or refused them. UNAUTHORIZED and DENIED as containers/image
// prints them, its bad-credentials wrapper, and a 401/403 without a JSON body. "denied" alone
// is not on the list: "permission denied" is a file system error (PULL); DENIED with the
// registry's own message is printed as "denied: <message>", matched below. Phrases match
// only at the start of a word, in any case.
constexpr std::array<std::string_view, 8> auth_phrases{
    "unauthorized",                               // UNAUTHORIZED, and "401 unauthorized"
    "authentication required",                    // UNAUTHORIZED's default message
    "requested access to the resource is denied", // DENIED's default message
    "invalid username/password",                  // ErrUnauthorizedForCredentials
    "insufficient_scope",                         // a token without pull rights
    "invalid status code from registry 401",
    "invalid status code from registry 403",
    "statuscode: 403",
};

bool has_denied_code(std::string_view lower) {
    // "denied: ..." at the start of the message or of one of its ": "-joined parts.
    constexpr std::string_view code = "denied: ";
    for (std::size_t at = lower.find(code); at != std::string_view::npos;
         at = lower.find(code, at + 1)) {
        if (at == 0 || (at >= 2 && lower.substr(at - 2, 2) == ": "))
            return true;
    }
    return false;
}

} // namespace

ErrorCode classify_podman_failure(std::string_view message) {
    const std::string lower = to_lower_ascii(message);
    // containers/image's prefix for every refusal by the signature policy (copy.Image:
    // "Source image rejected: Running image … is rejected by policy.", "…: A signature was
    // required, but no signature exists", "…: Invalid GPG signature …"). It comes first: the
    // rest of such a message may quote a registry's words.
    if (contains_word(lower, "source image rejected"))
        return ErrorCode::rejected;
    // NOT_FOUND wins over AUTH when both appear (a mirror list, a wrapped error): "manifest
    // unknown" is a registry that let us in and looked, while auth wording is also what
    // registries say to hide whether a repository exists.
    if (contains_any(lower, not_found_phrases))
        return ErrorCode::not_found;
    if (contains_any(lower, auth_phrases) || has_denied_code(lower))
        return ErrorCode::auth;
    return ErrorCode::pull;
}

std::string explain_api_pull_failure(std::string_view message) {
    // Go's io.ErrUnexpectedEOF, ECONNRESET and EPIPE as net/http and containers/image print
    // them. On an API pull the only remote end podman reads from or writes to is the registry.
    constexpr std::array<std::string_view, 3> broken_connection_phrases{
        "unexpected eof",
        "connection reset by peer",
        "broken pipe",
    };
    std::string text(message);
    if (contains_any(to_lower_ascii(message), broken_connection_phrases))
        text += " (the connection to the registry broke)";
    return text;
}

bool names_phrase(std::string_view message, std::string_view phrase) {
    return contains_word(to_lower_ascii(message), phrase);
}

ErrorCode code_for_http_status(unsigned status) {
    // 400: podman refused the request's parameters (seen on 4.3.1 for an oci-archive:
    // reference). 401/403: the registry's answer passed through (podman 6.0 may answer so).
    // 404: the image does not exist. 429: the registry's rate limit. 5xx: podman tried and failed.
    // Anything else (including a 2xx, 1xx or 3xx handed here by mistake) is not an answer podman
    // gives: PROTOCOL.
    if (status == 400)
        return ErrorCode::invalid_argument;
    if (status == 401 || status == 403)
        return ErrorCode::auth;
    if (status == 404)
        return ErrorCode::not_found;
    // 429: the registry's rate limit, passed on by podman 5.8 and 6.1 (retry_policy.hpp).
    if (status == 429)
        return ErrorCode::pull;
    if (status >= 500 && status <= 599)
        return ErrorCode::pull;
    return ErrorCode::protocol;
}

std::string one_line(std::string_view text) {
    std::string line(text);
    for (char &ch : line)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
            ch = ' ';
    return line;
}

std::string system_error_text(std::string_view what, std::string_view code_what,
                              std::string_view message) {
    // Boost builds what() as "<prefix>: " + code.what(), and code.what() as the message with
    // " [category:value at location]" after it.
    if (!code_what.empty() && what.ends_with(code_what))
        return std::string(what.substr(0, what.size() - code_what.size())) + std::string(message);
    return std::string(message);
}

std::string quote_for_message(std::string_view text, std::size_t max_bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    const bool cut = text.size() > max_bytes;
    if (cut)
        text = text.substr(0, max_bytes);
    std::string quoted;
    quoted.reserve(text.size() + 8);
    quoted.push_back('"');
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            quoted.push_back('\\');
            quoted.push_back(ch);
        } else if (byte < 0x20 || byte >= 0x7f) {
            quoted.append("\\x");
            quoted.push_back(hex[byte >> 4]);
            quoted.push_back(hex[byte & 0xf]);
        } else {
            quoted.push_back(ch);
        }
    }
    quoted.push_back('"');
    if (cut)
        quoted.append("...");
    return quoted;
}

} // namespace podpull
