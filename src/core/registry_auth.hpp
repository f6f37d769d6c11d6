// SPDX-License-Identifier: MIT OR Apache-2.0
// Registry credentials: a containers-auth.json(5) file in, what podman and skopeo are handed for
// one image out. podman ignores REGISTRY_AUTH_FILE for API pulls (docs/podman.md,
// "Credentials"), so podpull reads the file itself and sends the entry the image needs. A host
// that names a file gets exactly its credentials: when it holds none for the image, podman and
// skopeo are told so (an empty set), for without any they would search the host's default
// places (~/.docker/config.json and the like) for credentials the host never chose. Nothing
// here ever puts a secret in an error message, not even a piece of one.
#pragma once

#include "reference.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace podpull {

// The credentials of one auth.json entry.
struct RegistryCredentials {
    // The entry's key in the form containers/image matches it: no scheme, no URL path, Docker
    // Hub as "docker.io". "quay.io", "localhost:5000", "quay.io/team".
    std::string key;
    std::string username; // from "auth" (base64 "user:password")
    std::string password;
    std::string identity_token; // "identitytoken"
};

// One entry of "auths". `credentials` is nullopt for an entry that holds none (Docker writes
// {} for a registry served by a credential helper): it still matches, and means "anonymous".
struct RegistryAuthEntry {
    std::string key;        // normalized, as in RegistryCredentials
    bool rewritten = false; // the file wrote it otherwise: as a URL, or another Docker Hub name
    std::optional<RegistryCredentials> credentials;
};

struct RegistryAuth {
    std::vector<RegistryAuthEntry> entries; // in file order
    // What the file leaves to credential helpers, which podpull does not run: the registries
    // of "credHelpers" as written (in file order), and whether "credsStore" names a helper for
    // all the others. Only to warn the host; the helpers' names are not kept.
    std::vector<std::string> helper_registries;
    bool creds_store = false;
};

// The largest auth file podpull reads; a real one holds a few entries.
inline constexpr std::size_t max_auth_file_bytes = 1024 * 1024;

// Parses and checks a whole containers-auth.json(5) text. Throws Error(invalid_argument) for
// text over max_auth_file_bytes, malformed JSON, a field of the wrong type, an "auth" that is
// not base64 or does not decode to "user:password", or credentials that are not UTF-8. The
// messages name the entry's key and the field, never its value.
RegistryAuth parse_registry_auth(std::string_view text);

// The warning for a file whose "credHelpers" or "credsStore" podpull ignores, naming the
// registries (at most 10, quoted as quote_for_message does), or "" when it has neither.
std::string ignored_helpers_warning(const RegistryAuth &auth);

// The credentials for `ref`'s registry: the entry whose key is the longest match of the
// image's repository on a path-component boundary (so "quay.io/team" beats "quay.io" for
// "quay.io/team/app", and "quay.io/te" matches nothing). nullopt when no entry matches, when
// the best match holds no credentials, for a reference of another transport, and for a short
// name ("alpine"), whose registry podman picks at pull time from registries.conf.
// Throws Error(invalid_argument) for a registry reference split_repository refuses
// ("Quay.io/x@" has an empty digest; found by fuzzing, tests/fuzz/regressions/registry_auth).
std::optional<RegistryCredentials> select_credentials(const RegistryAuth &auth,
                                                      const ImageReference &ref);

// The X-Registry-Auth header value podman reads (pkg/auth/auth.go): URL-safe base64, with
// padding, of {"username":…,"password":…}, {"identitytoken":…}, or all three.
std::string registry_auth_header(const RegistryCredentials &credentials);

// A containers-auth.json(5) text holding only these credentials, for `podman pull --authfile`.
std::string minimal_auth_file(const RegistryCredentials &credentials);

// What one pull hands podman and skopeo of the host's credentials.
struct PullCredentials {
    // podman_default: the host named no auth file; nothing is sent, and podman's and
    // skopeo's own lookup stands. host_file: exactly `entries`, and nothing else. no_registry:
    // a local transport (oci:, dir:, ...) reaches no registry, so nothing is sent either.
    enum class Source { podman_default, host_file, no_registry };
    Source source = Source::podman_default;
    // The image's registry's entry (at most one), or none: anonymous. For a short name, whose
    // registry podman picks at pull time from registries.conf, every entry of the file.
    std::vector<RegistryCredentials> entries;
    bool short_name = false;

    bool sends_any_file() const noexcept { return source == Source::host_file; }
};

// Chooses for `ref` from the host's file (`auth` null: the host named none). Throws what
// select_credentials throws.
PullCredentials credentials_for_pull(const RegistryAuth *auth, const ImageReference &ref);

// The header of the API request, as podman's pkg/auth reads it; nullopt for podman_default.
//   - the image's registry's entry: X-Registry-Auth with it (registry_auth_header), which
//     podman uses for that pull as given, an identity token included;
//   - otherwise X-Registry-Config, URL-safe base64 of the {"registry": {"username", "password"}}
//     map, `{}` when there is none: podman writes the map to a temporary auth file and reads
//     only that one. (An empty X-Registry-Auth map would not do: podman reads it as no header
//     and falls back to its default files.) podman stores only username and password from
//     this map, so an entry holding just an identity token reaches it without one.
std::optional<std::pair<std::string, std::string>>
credentials_header(const PullCredentials &credentials);

// The auth file `podman pull --authfile` and `skopeo --authfile` read: the entries, or
// {"auths":{}}; nullopt for podman_default.
std::optional<std::string> credentials_auth_file(const PullCredentials &credentials);

// What the debug log says of them (never a secret: keys only).
std::string describe_credentials(const PullCredentials &credentials, const ImageReference &ref);

} // namespace podpull
