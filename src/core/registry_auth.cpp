// SPDX-License-Identifier: MIT OR Apache-2.0
// How containers/image reads an auth file (pkg/docker/config/config.go, findCredentialsInFile
// and decodeDockerAuth; upstream source), and what podpull does alike or differently:
//   - The image's key is its repository with the registry ("quay.io/team/app"; Docker Hub
//     as "docker.io/library/alpine"). Keys are tried from that down to the bare registry,
//     one path component at a time; the first that exists wins, even when its entry holds no
//     credentials. podpull: the same, as "longest key that matches on a component boundary".
//   - Failing that, keys written as URLs ("https://index.docker.io/v1/", once written by
//     `docker login`) are reduced to their host, and the Docker Hub names docker.io,
//     index.docker.io and registry-1.docker.io are one registry. podpull normalizes every
//     key so up front; an exact key still beats a normalized one of the same length.
//   - "auth" is standard base64 (padded) of "user:password"; the password is cut at the first
//     ':' and NUL bytes around it are trimmed. "identitytoken" is read beside it.
//   - containers/image checks an entry only when it uses it, and skips an "auth" without ':'
//     with a warning. podpull checks every entry when it reads the file and refuses a broken
//     one, so a host learns of it at once, not at some later pull. An "auth" that is empty
//     or absent is not broken: Docker writes {} for a registry that a credential helper
//     serves.
//   - "credHelpers" and "credsStore" are not used: podpull runs no helper programs. Unlike
//     a key in "auths", they are not checked either; the registries they name are kept, so
//     that the host hears which ones get no credentials from them.
#include "registry_auth.hpp"

#include "base64.hpp"
#include "error.hpp"
#include "json_view.hpp"
#include "utf8.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

namespace podpull {
namespace {

namespace json = boost::json;

constexpr std::size_t quoted_key_bytes = 80;

[[noreturn]] void refuse(std::string_view problem) {
    throw Error(ErrorCode::invalid_argument, fmt::format("auth file: {}", problem));
}

[[noreturn]] void refuse_entry(std::string_view key, std::string_view problem) {
    refuse(fmt::format("the entry {} {}", quote_for_message(key, quoted_key_bytes), problem));
}

// "https://index.docker.io/v1/" -> "docker.io"; "index.docker.io/team" -> "docker.io/team";
// "quay.io/team" stays. A URL means a whole registry, so its path ("/v1/", "/v2/") goes.
std::string normalize_key(std::string_view key) {
    std::string_view stripped = key;
    for (const std::string_view scheme : {"https://", "http://"}) {
        if (stripped.starts_with(scheme)) {
            stripped.remove_prefix(scheme.size());
            stripped = stripped.substr(0, stripped.find('/'));
            break;
        }
    }
    const std::size_t slash = stripped.find('/');
    const std::string_view host = stripped.substr(0, slash);
    std::string normalized(canonical_registry_host(host));
    if (slash != std::string_view::npos)
        normalized.append(stripped.substr(slash));
    return normalized;
}

const json::string *string_member(std::string_view key, const json::object &entry,
                                  std::string_view name) {
    const json::value *value = entry.if_contains(name);
    if (value == nullptr || value->is_null())
        return nullptr;
    if (!value->is_string())
        refuse_entry(key, fmt::format("has a \"{}\" that is not a string", name));
    return &value->get_string();
}

void check_utf8(std::string_view key, std::string_view text, std::string_view what) {
    // X-Registry-Auth is JSON, and Go's decoder turns bytes that are not UTF-8 into U+FFFD: a
    // password would arrive changed and fail for no visible reason.
    if (first_invalid_utf8(text))
        refuse_entry(key, fmt::format("has a {} that is not UTF-8 text", what));
}

std::optional<RegistryCredentials> read_credentials(std::string_view key,
                                                    const json::object &entry) {
    const json::string *auth = string_member(key, entry, "auth");
    const json::string *token = string_member(key, entry, "identitytoken");
    RegistryCredentials credentials;
    if (auth != nullptr && !auth->empty()) {
        auto decoded = base64_decode(view(*auth), Base64Alphabet::standard);
        if (!decoded)
            refuse_entry(key, "has an \"auth\" that is not base64");
        const std::size_t colon = decoded->find(':');
        if (colon == std::string::npos)
            refuse_entry(key, "has an \"auth\" that does not decode to \"user:password\"");
        std::string_view password = std::string_view(*decoded).substr(colon + 1);
        while (!password.empty() && password.front() == '\0')
            password.remove_prefix(1);
        while (!password.empty() && password.back() == '\0')
            password.remove_suffix(1);
        credentials.username = decoded->substr(0, colon);
        credentials.password = std::string(password);
        check_utf8(key, credentials.username, "user name");
        check_utf8(key, credentials.password, "password");
    }
    if (token != nullptr)
        credentials.identity_token = std::string(view(*token));
    if (credentials.username.empty() && credentials.password.empty() &&
        credentials.identity_token.empty())
        return std::nullopt;
    return credentials;
}

// The image's repository as the auth file's keys name it, or nullopt for a short name.
std::optional<std::string> lookup_key(const ImageReference &ref) {
    if (ref.transport != Transport::registry || !is_fully_qualified(ref))
        return std::nullopt;
    const std::string name = split_repository(ref).name;
    const std::size_t slash = name.find('/'); // a qualified name has one after its registry
    const std::string_view host = canonical_registry_host(std::string_view(name).substr(0, slash));
    std::string_view path = std::string_view(name).substr(slash + 1);
    // Docker Hub's official images live under "library/", as distribution/reference says.
    const bool official = host == "docker.io" && path.find('/') == std::string_view::npos;
    return fmt::format("{}/{}{}", host, official ? "library/" : "", path);
}

bool matches(std::string_view entry_key, std::string_view image_key) {
    return !entry_key.empty() && image_key.starts_with(entry_key) &&
           (image_key.size() == entry_key.size() || image_key[entry_key.size()] == '/');
}

// The registries the file leaves to credential helpers ("credHelpers": {"gcr.io": "gcloud"})
// or to a store for all ("credsStore": "desktop"). Of a member of another type, nothing: it
// would be ignored just the same.
void read_helper_names(const json::object &file, RegistryAuth &auth) {
    if (const json::value *helpers = file.if_contains("credHelpers");
        helpers != nullptr && helpers->is_object())
        for (const auto &member : helpers->get_object())
            auth.helper_registries.emplace_back(member.key());
    if (const json::value *store = file.if_contains("credsStore");
        store != nullptr && store->is_string() && !store->get_string().empty())
        auth.creds_store = true;
}

} // namespace

RegistryAuth parse_registry_auth(std::string_view text) {
    if (text.size() > max_auth_file_bytes)
        refuse(
            fmt::format("it is {} bytes long; the limit is {}", text.size(), max_auth_file_bytes));
    boost::system::error_code error;
    const json::value parsed = json::parse(text, error);
    // Boost.JSON's messages name the kind of error only ("syntax error"), never the text.
    if (error)
        refuse(fmt::format("it is not valid JSON ({})", error.message()));
    if (!parsed.is_object())
        refuse("it is not a JSON object");

    RegistryAuth auth;
    read_helper_names(parsed.get_object(), auth);
    const json::value *auths = parsed.get_object().if_contains("auths");
    if (auths == nullptr || auths->is_null())
        return auth;
    if (!auths->is_object())
        refuse("\"auths\" is not an object");
    for (const auto &[key_text, value] : auths->get_object()) {
        const std::string_view key(key_text.data(), key_text.size());
        if (!value.is_object())
            refuse_entry(key, "is not an object");
        RegistryAuthEntry entry;
        entry.key = normalize_key(key);
        // "", "/x", "https:///v2/": no registry for the credentials to go to, so they would
        // be ignored without a word (found by fuzzing, tests/fuzz/regressions/registry_auth).
        if (entry.key.empty() || entry.key.front() == '/')
            refuse_entry(key, "names no registry");
        entry.rewritten = entry.key != key;
        entry.credentials = read_credentials(key, value.get_object());
        if (entry.credentials)
            entry.credentials->key = entry.key;
        auth.entries.push_back(std::move(entry));
    }
    return auth;
}

std::string ignored_helpers_warning(const RegistryAuth &auth) {
    constexpr std::size_t max_named = 10;
    std::vector<std::string> ignored;
    if (!auth.helper_registries.empty()) {
        std::string names;
        const std::size_t named = std::min(auth.helper_registries.size(), max_named);
        for (std::size_t i = 0; i < named; ++i)
            names += (i == 0 ? "" : ", ") +
                     quote_for_message(auth.helper_registries[i], quoted_key_bytes);
        if (auth.helper_registries.size() > named)
            names += fmt::format(" and {} more", auth.helper_registries.size() - named);
        ignored.push_back(fmt::format("\"credHelpers\" (for {})", names));
    }
    if (auth.creds_store)
        ignored.emplace_back("\"credsStore\"");
    if (ignored.empty())
        return {};
    return fmt::format("auth file: podpull runs no credential helper, so it ignores {}; "
                       "credentials come only from \"auths\"",
                       fmt::join(ignored, " and "));
}

std::optional<RegistryCredentials> select_credentials(const RegistryAuth &auth,
                                                      const ImageReference &ref) {
    const auto image_key = lookup_key(ref);
    if (!image_key)
        return std::nullopt;
    const RegistryAuthEntry *best = nullptr;
    for (const auto &entry : auth.entries) {
        if (!matches(entry.key, *image_key))
            continue;
        // Longer is more specific; at equal length a key written as-is beats one that was
        // normalized to it; after that the first in the file.
        if (best == nullptr || entry.key.size() > best->key.size() ||
            (entry.key.size() == best->key.size() && best->rewritten && !entry.rewritten))
            best = &entry;
    }
    if (best == nullptr)
        return std::nullopt;
    return best->credentials;
}

std::string registry_auth_header(const RegistryCredentials &credentials) {
    // The field names of Docker's AuthConfig, which podman decodes the header into
    // (pkg/auth/auth.go, parseSingleAuthHeader); Go's encoder leaves out empty ones too.
    json::object object;
    if (!credentials.username.empty())
        object["username"] = credentials.username;
    if (!credentials.password.empty())
        object["password"] = credentials.password;
    if (!credentials.identity_token.empty())
        object["identitytoken"] = credentials.identity_token;
    return base64_encode(json::serialize(object), Base64Alphabet::url_safe);
}

namespace {

json::object auth_file_entry(const RegistryCredentials &credentials) {
    json::object entry;
    if (!credentials.username.empty() || !credentials.password.empty())
        entry["auth"] = base64_encode(credentials.username + ":" + credentials.password,
                                      Base64Alphabet::standard);
    if (!credentials.identity_token.empty())
        entry["identitytoken"] = credentials.identity_token;
    return entry;
}

std::string auth_file_of(const std::vector<RegistryCredentials> &entries) {
    json::object auths;
    for (const auto &credentials : entries)
        auths[credentials.key] = auth_file_entry(credentials);
    json::object file;
    file["auths"] = std::move(auths);
    return json::serialize(file);
}

} // namespace

std::string minimal_auth_file(const RegistryCredentials &credentials) {
    return auth_file_of({credentials});
}

PullCredentials credentials_for_pull(const RegistryAuth *auth, const ImageReference &ref) {
    PullCredentials chosen;
    if (auth == nullptr)
        return chosen;
    if (ref.transport != Transport::registry) {
        chosen.source = PullCredentials::Source::no_registry;
        return chosen;
    }
    chosen.source = PullCredentials::Source::host_file;
    if (!lookup_key(ref)) {
        // A short name: any registry of registries.conf may serve it, so any entry may apply.
        chosen.short_name = true;
        for (const auto &entry : auth->entries)
            if (entry.credentials)
                chosen.entries.push_back(*entry.credentials);
        return chosen;
    }
    if (auto credentials = select_credentials(*auth, ref))
        chosen.entries.push_back(std::move(*credentials));
    return chosen;
}

std::optional<std::pair<std::string, std::string>>
credentials_header(const PullCredentials &credentials) {
    if (!credentials.sends_any_file())
        return std::nullopt;
    if (!credentials.short_name && credentials.entries.size() == 1)
        return std::pair<std::string, std::string>{
            "X-Registry-Auth", registry_auth_header(credentials.entries.front())};
    // The field names of Docker's AuthConfig (pkg/auth/auth.go, getConfigCredentials).
    json::object map;
    for (const auto &entry : credentials.entries) {
        json::object config;
        if (!entry.username.empty())
            config["username"] = entry.username;
        if (!entry.password.empty())
            config["password"] = entry.password;
        if (!entry.identity_token.empty())
            config["identitytoken"] = entry.identity_token;
        map[entry.key] = std::move(config);
    }
    return std::pair<std::string, std::string>{
        "X-Registry-Config", base64_encode(json::serialize(map), Base64Alphabet::url_safe)};
}

std::optional<std::string> credentials_auth_file(const PullCredentials &credentials) {
    if (!credentials.sends_any_file())
        return std::nullopt;
    return auth_file_of(credentials.entries);
}

std::string describe_credentials(const PullCredentials &credentials, const ImageReference &ref) {
    if (credentials.source == PullCredentials::Source::podman_default)
        return "no auth file given: podman and skopeo look for credentials where they do by "
               "default";
    if (credentials.source == PullCredentials::Source::no_registry)
        return fmt::format("{} reaches no registry: no credentials are handed over",
                           quote_for_message(ref.text, 200));
    if (credentials.short_name) {
        std::vector<std::string> keys;
        for (const auto &entry : credentials.entries)
            keys.push_back(quote_for_message(entry.key, quoted_key_bytes));
        return fmt::format("a short name: sending the credentials stored under {} ({} entries); "
                           "podman picks the registry",
                           keys.empty() ? std::string("no key")
                                        : fmt::format("{}", fmt::join(keys, ", ")),
                           keys.size());
    }
    if (credentials.entries.empty())
        return fmt::format("the auth file holds no credentials for {}: podman and skopeo are told "
                           "to use none",
                           quote_for_message(ref.text, 200));
    return fmt::format("sending the credentials stored under '{}'",
                       credentials.entries.front().key);
}

} // namespace podpull
