// SPDX-License-Identifier: MIT OR Apache-2.0
// The auth-file parser (src/core/registry_auth): a containers-auth.json(5) text either fails
// with INVALID_ARGUMENT or gives entries whose credentials survive the trip through what
// podpull writes for podman (the X-Registry-Auth header and the one-entry auth file).
#include "core/base64.hpp"
#include "core/reference.hpp"
#include "core/registry_auth.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {
using namespace podpull;
using fuzz::check;

void check_header(const RegistryCredentials &credentials) {
    const std::string header = registry_auth_header(credentials);
    for (const char ch : header) {
        const bool url_safe = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '=';
        check(url_safe, "X-Registry-Auth holds a byte outside URL-safe base64");
    }
    check(base64_decode(header, Base64Alphabet::url_safe).has_value(),
          "X-Registry-Auth does not decode");
}

// The one-entry file podpull hands `podman pull --authfile` reads back as the same entry.
void check_minimal_file(const RegistryCredentials &credentials) {
    const RegistryAuth again = parse_registry_auth(minimal_auth_file(credentials));
    check(again.entries.size() == 1, "the minimal auth file does not hold one entry");
    const auto &entry = again.entries.front();
    check(entry.key == credentials.key, "the minimal auth file changes the key");
    check(entry.credentials.has_value(), "the minimal auth file lost the credentials");
    check(entry.credentials->username == credentials.username &&
              entry.credentials->password == credentials.password &&
              entry.credentials->identity_token == credentials.identity_token,
          "the minimal auth file changes the credentials");
}

// An image of the entry's registry finds this entry, or a longer match.
void check_selection(const RegistryAuth &auth, const RegistryAuthEntry &entry) {
    ImageReference ref;
    try {
        ref = parse_reference(entry.key + "/fuzz/image:v1");
        // A '@' in the key starts the reference's digest, so this image is not under the
        // key: such a key matches no image (distribution/reference allows no '@' in a name).
        if (!is_fully_qualified(ref) || split_repository(ref).name != entry.key + "/fuzz/image")
            return;
    } catch (const Error &) {
        return; // a key no reference can name
    }
    std::optional<RegistryCredentials> selected;
    try {
        selected = select_credentials(auth, ref);
    } catch (const Error &error) {
        fuzz::check_error(error, {ErrorCode::invalid_argument});
        return;
    }
    if (selected)
        check(selected->key.size() >= entry.key.size(),
              "select_credentials chose a shorter key than a matching one");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    RegistryAuth auth;
    try {
        auth = parse_registry_auth(input);
    } catch (const Error &error) {
        fuzz::check_error(error, {ErrorCode::invalid_argument});
        return 0;
    }
    for (const auto &entry : auth.entries) {
        check(!entry.key.empty() || !entry.credentials, "credentials under an empty key");
        if (entry.credentials) {
            check(entry.credentials->key == entry.key, "the credentials' key is not the entry's");
            check_header(*entry.credentials);
            check_minimal_file(*entry.credentials);
        }
        check_selection(auth, entry);
    }
    return 0;
}
