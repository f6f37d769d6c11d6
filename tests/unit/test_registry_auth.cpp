// SPDX-License-Identifier: MIT OR Apache-2.0
#include "core/base64.hpp"
#include "core/registry_auth.hpp"

#include "podpull_test/core.hpp"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <optional>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using podpull::ErrorCode;
using podpull::parse_reference;
using podpull::parse_registry_auth;
using podpull::RegistryCredentials;

namespace {

// alice's password, and "alice:<password>" as auth.json stores it.
const std::string secret = "Zq7!pW-secret-9xK";
const std::string secret_auth = "YWxpY2U6WnE3IXBXLXNlY3JldC05eEs=";

std::string file_with(const std::string &entries) {
    return R"({"auths":{)" + entries + "}}";
}

// The credentials an auth file gives a reference, as "key user:password token", or "-".
std::string select(const std::string &file, const std::string &reference) {
    const auto credentials =
        podpull::select_credentials(parse_registry_auth(file), parse_reference(reference));
    if (!credentials)
        return "-";
    std::string text = credentials->key + " " + credentials->username + ":" + credentials->password;
    if (!credentials->identity_token.empty())
        text += " " + credentials->identity_token;
    return text;
}

std::string auth_of(const std::string &user_password) {
    return podpull::base64_encode(user_password, podpull::Base64Alphabet::standard);
}

// An entry "key": {"auth": base64(user:password)}.
std::string entry(const std::string &key, const std::string &user_password) {
    return "\"" + key + R"(":{"auth":")" + auth_of(user_password) + "\"}";
}

// Every piece of `secret_text` of 4 bytes or more that shows up in `message`.
std::string leaked_piece(const std::string &message, const std::string &secret_text) {
    for (std::size_t length = secret_text.size(); length >= 4; --length) {
        for (std::size_t at = 0; at + length <= secret_text.size(); ++at) {
            if (message.find(secret_text.substr(at, length)) != std::string::npos)
                return secret_text.substr(at, length);
        }
    }
    return {};
}

// The invalid_argument message that parsing `file` gives; fails the test when there is none,
// and when the message holds any piece of alice's password or of its base64 form.
std::string refusal(const std::string &file) {
    const auto error = podpull_test::error_from([&] { parse_registry_auth(file); });
    REQUIRE(error);
    CHECK(error->code() == ErrorCode::invalid_argument);
    const std::string message = error->what();
    CHECK_THAT(message, ContainsSubstring("auth file: "));
    CHECK(leaked_piece(message, secret) == "");
    CHECK(leaked_piece(message, secret_auth) == "");
    CHECK(leaked_piece(message, "alice:" + secret) == "");
    return message;
}

} // namespace

TEST_CASE("auth file: the forms containers-auth.json(5) allows", "[auth]") {
    const std::string file = file_with(R"("quay.io":{"auth":")" + secret_auth + "\"}");
    CHECK(select(file, "quay.io/team/app:1") == "quay.io alice:" + secret);

    // "identitytoken" beside "auth", and alone
    CHECK(
        select(file_with(R"("quay.io":{"auth":")" + auth_of("u:p") + R"(","identitytoken":"tok"})"),
               "quay.io/x") == "quay.io u:p tok");
    CHECK(select(file_with(R"("quay.io":{"identitytoken":"tok"})"), "quay.io/x") ==
          "quay.io : tok");
    // the password runs to the end; only the first ':' splits
    CHECK(select(file_with(entry("quay.io", "carol:pa:ss")), "quay.io/x") == "quay.io carol:pa:ss");
    // NUL bytes around the password are trimmed, as containers/image does
    CHECK(select(file_with(R"("quay.io":{"auth":"ZGF2ZToAAHB3AA=="})"), "quay.io/x") ==
          "quay.io dave:pw");
    // other fields, and other top-level keys, are ignored
    CHECK(
        select(
            R"({"credHelpers":{"quay.io":"x"},"credsStore":"desktop","auths":{"quay.io":{"auth":")" +
                auth_of("u:p") + R"(","email":"a@b.c"}}})",
            "quay.io/x") == "quay.io u:p");
}

TEST_CASE("auth file: files with nothing to send", "[auth]") {
    for (const std::string file : {"{}", R"({"auths":{}})", R"({"auths":null})",
                                   R"({"credHelpers":{"quay.io":"secretservice"}})"}) {
        CAPTURE(file);
        CHECK(parse_registry_auth(file).entries.empty());
        CHECK(select(file, "quay.io/x") == "-");
    }
    // Docker writes {} for a registry a credential helper serves; an empty "auth" is the same,
    // and so is ":" (an empty user and password)
    for (const std::string value :
         {"{}", R"({"auth":""})", R"({"auth":null})", R"({"auth":"Og=="})"}) {
        CAPTURE(value);
        const auto auth = parse_registry_auth(R"({"auths":{"quay.io":)" + value + "}}");
        REQUIRE(auth.entries.size() == 1);
        CHECK_FALSE(auth.entries[0].credentials);
        CHECK(select(R"({"auths":{"quay.io":)" + value + "}}", "quay.io/x") == "-");
    }
}

TEST_CASE("auth file: the most specific key wins, on a path-component boundary", "[auth]") {
    const std::string file =
        file_with(entry("quay.io", "host:1") + "," + entry("quay.io/team", "team:2") + "," +
                  entry("quay.io/team/app", "app:3") + "," + entry("localhost:5000", "port:4") +
                  "," + entry("localhost", "local:5") + "," + entry("quay.io/te", "partial:6"));
    const auto [reference, expected] = GENERATE(table<std::string, std::string>({
        {"quay.io/team/app:1", "quay.io/team/app app:3"},
        {"quay.io/team/app@sha256:" + std::string(64, 'a'), "quay.io/team/app app:3"},
        {"docker://quay.io/team/app", "quay.io/team/app app:3"},
        {"quay.io/team/app/sub", "quay.io/team/app app:3"},
        {"quay.io/team/application", "quay.io/team team:2"},
        {"quay.io/team/other", "quay.io/team team:2"},
        {"quay.io/teams/x", "quay.io host:1"},
        {"quay.io/tea", "quay.io host:1"},
        {"quay.io/other/x:latest", "quay.io host:1"},
        {"localhost:5000/test/big:v1", "localhost:5000 port:4"},
        {"localhost/test", "localhost local:5"},
        {"localhost:5001/test", "-"},
        {"quay.iox/team/app", "-"},
        {"registry.example.com/x", "-"},
    }));
    CAPTURE(reference);
    CHECK(select(file, reference) == expected);
}

TEST_CASE("auth file: an entry without credentials shadows less specific ones", "[auth]") {
    // containers/image stops at the first key that exists, credentials or not.
    const std::string file = file_with(entry("quay.io", "host:1") + R"(,"quay.io/public":{})");
    CHECK(select(file, "quay.io/public/x") == "-");
    CHECK(select(file, "quay.io/private/x") == "quay.io host:1");
}

TEST_CASE("auth file: Docker Hub's names and URL keys", "[auth]") {
    const auto [key, normalized] = GENERATE(table<std::string, std::string>({
        {"docker.io", "docker.io"},
        {"index.docker.io", "docker.io"},
        {"registry-1.docker.io", "docker.io"},
        {"https://index.docker.io/v1/", "docker.io"},
        {"https://registry-1.docker.io/v2/", "docker.io"},
        {"http://docker.io", "docker.io"},
    }));
    CAPTURE(key);
    const std::string file = file_with(entry(key, "hub:pw"));
    REQUIRE(parse_registry_auth(file).entries.size() == 1);
    CHECK(parse_registry_auth(file).entries[0].key == normalized);
    for (const std::string &reference :
         std::vector<std::string>{"docker.io/library/alpine:3", "docker.io/alpine",
                                  "index.docker.io/library/alpine", "registry-1.docker.io/user/app",
                                  "docker://docker.io/user/app@sha256:" + std::string(64, 'b')}) {
        CAPTURE(reference);
        CHECK(select(file, reference) == "docker.io hub:pw");
    }
}

TEST_CASE("auth file: URL keys name a whole registry", "[auth]") {
    const auto [key, normalized] = GENERATE(table<std::string, std::string>({
        {"https://quay.io", "quay.io"},
        {"https://quay.io/", "quay.io"},
        {"https://quay.io/v1/", "quay.io"},
        {"https://quay.io/v2/", "quay.io"},
        {"http://localhost:5000/v2/", "localhost:5000"},
        {"https://quay.io/team", "quay.io"}, // containers/image reads no path from a URL
    }));
    CAPTURE(key);
    const std::string file = file_with(entry(key, "u:p"));
    REQUIRE(parse_registry_auth(file).entries.size() == 1);
    CHECK(parse_registry_auth(file).entries[0].key == normalized);
    CHECK(parse_registry_auth(file).entries[0].rewritten);
    const std::string image = normalized + "/team/app:1";
    CHECK(select(file, image) == normalized + " u:p");
}

TEST_CASE("auth file: Docker Hub's official images live under library/", "[auth]") {
    const std::string file =
        file_with(entry("docker.io/library", "lib:1") + "," + entry("docker.io/user", "user:2") +
                  "," + entry("docker.io", "hub:3"));
    CHECK(select(file, "docker.io/alpine") == "docker.io/library lib:1");
    CHECK(select(file, "docker.io/library/alpine") == "docker.io/library lib:1");
    CHECK(select(file, "index.docker.io/alpine:3") == "docker.io/library lib:1");
    CHECK(select(file, "docker.io/user/app") == "docker.io/user user:2");
    CHECK(select(file, "docker.io/other/app") == "docker.io hub:3");
}

TEST_CASE("auth file: at equal specificity a key written as-is wins", "[auth]") {
    for (const bool url_first : {true, false}) {
        CAPTURE(url_first);
        const std::string url = entry("https://index.docker.io/v1/", "old:1");
        const std::string plain = entry("docker.io", "new:2");
        const std::string file = file_with(url_first ? url + "," + plain : plain + "," + url);
        CHECK(select(file, "docker.io/user/app") == "docker.io new:2");
    }
    // docker.io written as-is beats its alias, wherever it stands
    CHECK(select(file_with(entry("index.docker.io", "a:1") + "," + entry("docker.io", "b:2")),
                 "docker.io/x/y") == "docker.io b:2");
    // two rewritten keys that name one registry: the first in the file
    CHECK(select(file_with(entry("registry-1.docker.io", "a:1") + "," +
                           entry("index.docker.io", "b:2")),
                 "docker.io/x/y") == "docker.io a:1");
    CHECK(select(file_with(entry("index.docker.io", "b:2") + "," +
                           entry("registry-1.docker.io", "a:1")),
                 "docker.io/x/y") == "docker.io b:2");
}

TEST_CASE("auth file: nothing for short names or local transports", "[auth]") {
    // A short name's registry is picked at pull time from registries.conf's search list:
    // docker.io's password must not go to whichever registry answers.
    const std::string file = file_with(entry("docker.io", "hub:1") + "," + entry("quay.io", "q:2"));
    for (const std::string reference :
         {"alpine", "alpine:3", "library/alpine", "user/app", "docker://alpine", "oci:/tmp/x",
          "dir:/tmp/quay.io", "containers-storage:quay.io/x", "docker-daemon:docker.io/x:1"}) {
        CAPTURE(reference);
        CHECK(select(file, reference) == "-");
    }
}

TEST_CASE("auth file: refused files, and no secret in the message", "[auth]") {
    const std::string good = R"("quay.io":{"auth":")" + secret_auth + "\"}";
    SECTION("not JSON, or not the right JSON") {
        CHECK_THAT(refusal(file_with(good) + ","), ContainsSubstring("not valid JSON"));
        CHECK_THAT(refusal(R"({"auths":{"quay.io":{"auth":")" + secret_auth),
                   ContainsSubstring("not valid JSON"));
        CHECK_THAT(refusal(R"({"auths":{"quay.io":{"auth":")" + secret_auth + "\"}},}"),
                   ContainsSubstring("not valid JSON"));
        CHECK_THAT(refusal(""), ContainsSubstring("not valid JSON"));
        CHECK_THAT(refusal("[]"), ContainsSubstring("not a JSON object"));
        CHECK_THAT(refusal(R"("auths")"), ContainsSubstring("not a JSON object"));
        CHECK_THAT(refusal(R"({"auths":[")" + secret_auth + "\"]}"),
                   ContainsSubstring("\"auths\" is not an object"));
        CHECK_THAT(refusal(file_with(R"("quay.io":")" + secret_auth + "\"")),
                   ContainsSubstring("the entry \"quay.io\" is not an object"));
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":["x"]})")),
                   ContainsSubstring("the entry \"quay.io\" has a \"auth\" that is not a string"));
        CHECK_THAT(
            refusal(file_with(R"("quay.io":{"auth":")" + secret_auth + R"(","identitytoken":7})")),
            ContainsSubstring("\"identitytoken\" that is not a string"));
        // invalid UTF-8 in the file itself
        CHECK_THAT(refusal("{\"auths\":{\"quay.io\":{\"auth\":\"" + secret_auth + "\xff\"}}}"),
                   ContainsSubstring("not valid JSON"));
    }
    SECTION("an auth that is not base64 \"user:password\"") {
        // the secret's base64 with one byte broken or cut
        std::string broken = secret_auth;
        broken[5] = '*';
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":")" + broken + "\"}")),
                   ContainsSubstring("the entry \"quay.io\" has an \"auth\" that is not base64"));
        // unpadded
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":")" +
                                     secret_auth.substr(0, secret_auth.size() - 1) + "\"}")),
                   ContainsSubstring("not base64"));
        // URL-safe or unpadded base64 is not what auth.json holds
        const std::string question_marks = "alice:" + secret + "?????";
        const std::string url_safe =
            podpull::base64_encode(question_marks, podpull::Base64Alphabet::url_safe);
        REQUIRE(url_safe != auth_of(question_marks));
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":")" + url_safe + "\"}")),
                   ContainsSubstring("not base64"));
        CHECK(leaked_piece(refusal(file_with(R"("quay.io":{"auth":")" + url_safe + "\"}")),
                           url_safe) == "");
        const std::string no_colon = auth_of("alice" + secret);
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":")" + no_colon + "\"}")),
                   ContainsSubstring("the entry \"quay.io\" has an \"auth\" that does not decode "
                                     "to \"user:password\""));
        CHECK(leaked_piece(refusal(file_with(R"("quay.io":{"auth":")" + no_colon + "\"}")),
                           no_colon) == "");
        CHECK(leaked_piece(refusal(file_with(R"("quay.io":{"auth":")" + no_colon + "\"}")),
                           "alice" + secret) == "");
    }
    SECTION("credentials that are not UTF-8 could not travel in JSON") {
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":"ZXZlOmNhZuk="})")),
                   ContainsSubstring("has a password that is not UTF-8 text"));
        CHECK_THAT(refusal(file_with(R"("quay.io":{"auth":")" +
                                     auth_of("\xff"
                                             ":" +
                                             secret) +
                                     "\"}")),
                   ContainsSubstring("has a user name that is not UTF-8 text"));
    }
    SECTION("a broken entry is refused even when another registry is pulled") {
        CHECK_THAT(refusal(file_with(good + R"(,"other.io":{"auth":"!!!!"})")),
                   ContainsSubstring("the entry \"other.io\""));
    }
    SECTION("a key is quoted, escaped and cut") {
        const std::string message =
            refusal(file_with("\"bad\\nkey" + std::string(300, 'k') + "\":5"));
        CHECK_THAT(message, ContainsSubstring("the entry \"bad\\x0akeykkk"));
        CHECK(message.size() < 200);
    }
}

TEST_CASE("auth file: the size limit", "[auth]") {
    const std::string head = file_with(R"("quay.io":{"auth":")" + secret_auth + "\"}");
    // JSON allows whitespace: pad to exactly the limit, then one byte past it
    std::string at_limit = head + std::string(podpull::max_auth_file_bytes - head.size(), ' ');
    REQUIRE(at_limit.size() == 1024 * 1024);
    CHECK(parse_registry_auth(at_limit).entries.size() == 1);
    at_limit.push_back(' ');
    const std::string message = refusal(at_limit);
    CHECK_THAT(message, ContainsSubstring("1048577 bytes"));
    CHECK_THAT(message, ContainsSubstring("limit is 1048576"));
}

TEST_CASE("X-Registry-Auth: URL-safe base64 with padding of podman's JSON", "[auth]") {
    RegistryCredentials credentials;
    credentials.key = "quay.io";
    credentials.username = "user";
    credentials.password = "pass";
    CHECK(podpull::registry_auth_header(credentials) ==
          "eyJ1c2VybmFtZSI6InVzZXIiLCJwYXNzd29yZCI6InBhc3MifQ==");
    credentials.password = "p>?";
    credentials.username = "u";
    // '-' where standard base64 has '+'
    CHECK(podpull::registry_auth_header(credentials) ==
          "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InA-PyJ9");

    RegistryCredentials token;
    token.key = "quay.io";
    token.identity_token = "tok";
    CHECK(podpull::registry_auth_header(token) == "eyJpZGVudGl0eXRva2VuIjoidG9rIn0=");
}

TEST_CASE("X-Registry-Auth: every byte of the credentials survives", "[auth]") {
    RegistryCredentials credentials;
    credentials.key = "quay.io";
    credentials.username = "al\"ice\\";
    credentials.password = "p\x01w\n\xc3\xa9\xe2\x80\xa6:{}";
    credentials.identity_token = "t/o+k=";
    const std::string header = podpull::registry_auth_header(credentials);
    CHECK(header.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=") ==
          std::string::npos);
    const auto json_text = podpull::base64_decode(header, podpull::Base64Alphabet::url_safe);
    REQUIRE(json_text);
    const auto object = boost::json::parse(*json_text).as_object();
    CHECK(object.size() == 3);
    CHECK(object.at("username").as_string() == credentials.username);
    CHECK(object.at("password").as_string() == credentials.password);
    CHECK(object.at("identitytoken").as_string() == credentials.identity_token);
}

TEST_CASE("minimal auth file: only the selected registry, read back the same", "[auth]") {
    const std::string file = file_with(
        entry("quay.io", "q:1") + "," + entry("https://index.docker.io/v1/", "hub:2") + "," +
        R"("quay.io/team":{"auth":")" + secret_auth + R"(","identitytoken":"tok"})");
    const auto auth = parse_registry_auth(file);
    for (const std::string reference :
         {"quay.io/team/app:1", "docker.io/library/alpine", "quay.io/x"}) {
        CAPTURE(reference);
        const auto credentials = podpull::select_credentials(auth, parse_reference(reference));
        REQUIRE(credentials);
        const std::string minimal = podpull::minimal_auth_file(*credentials);
        const auto reread = parse_registry_auth(minimal);
        REQUIRE(reread.entries.size() == 1);
        CHECK(reread.entries[0].key == credentials->key);
        CHECK_FALSE(reread.entries[0].rewritten);
        const auto again = podpull::select_credentials(reread, parse_reference(reference));
        REQUIRE(again);
        CHECK(again->username == credentials->username);
        CHECK(again->password == credentials->password);
        CHECK(again->identity_token == credentials->identity_token);
    }
    const auto team = podpull::select_credentials(auth, parse_reference("quay.io/team/app"));
    REQUIRE(team);
    CHECK(podpull::minimal_auth_file(*team) ==
          R"({"auths":{"quay.io/team":{"auth":")" + secret_auth + R"(","identitytoken":"tok"}}})");
    const auto hub = podpull::select_credentials(auth, parse_reference("docker.io/x/y"));
    REQUIRE(hub);
    CHECK(podpull::minimal_auth_file(*hub) == R"({"auths":{"docker.io":{"auth":"aHViOjI="}}})");

    RegistryCredentials token_only;
    token_only.key = "quay.io";
    token_only.identity_token = "tok";
    CHECK(podpull::minimal_auth_file(token_only) ==
          R"({"auths":{"quay.io":{"identitytoken":"tok"}}})");
}

TEST_CASE("auth file: a key that names no registry is refused", "[auth]") {
    // Found by fuzzing (tests/fuzz/regressions/registry_auth): these keys normalized to an
    // empty or host-less key, which no image matches, so the credentials were ignored silently.
    for (const std::string key : {"", "/team", "https:///v2/", "http://"}) {
        INFO(key);
        const std::string message =
            refusal(file_with("\"" + key + R"(":{"auth":")" + secret_auth + "\"}"));
        CHECK_THAT(message, ContainsSubstring("names no registry"));
    }
}

TEST_CASE("auth file: a '@' in a reference starts its digest, never a registry", "[auth]") {
    // Found by fuzzing (tests/fuzz/regressions/registry_auth): "index.qu@aysr.io/fuzz/image"
    // is the short name "index.qu" with a digest, yet it took index.qu's credentials as if
    // "index.qu/index.qu" were its repository. A key with '@' matches no image at all.
    const std::string file =
        file_with(entry("index.qu", "a:1") + "," + entry("https://index.qu@aysr.io/v1/", "b:2"));
    // parse_reference now refuses such a digest; the lookup stays right on its own.
    auto select_unparsed = [&](const std::string &text) {
        const auto credentials = podpull::select_credentials(
            parse_registry_auth(file), podpull::ImageReference{podpull::Transport::registry, text});
        return credentials ? credentials->key : std::string("-");
    };
    CHECK(select_unparsed("index.qu@aysr.io/fuzz/image:v1") == "-");
    CHECK(select_unparsed("index.qu@sha256:0123") == "-");
    CHECK(select_unparsed("index.qu/team@sha256:0123") == "index.qu");
    CHECK(select(file, "index.qu/team@sha256:" + std::string(64, '0')) == "index.qu a:1");
}

TEST_CASE("credHelpers and credsStore are ignored, and the warning names their registries only",
          "[registry_auth][cred-helpers]") {
    const std::string file =
        R"({"auths":{"quay.io":{"auth":")" + secret_auth +
        R"("}},"credHelpers":{"gcr.io":"gcloud","123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"},)"
        R"("credsStore":"desktop"})";
    const auto auth = parse_registry_auth(file);
    CHECK(auth.helper_registries ==
          std::vector<std::string>{"gcr.io", "123.dkr.ecr.us-east-1.amazonaws.com"});
    CHECK(auth.creds_store);
    const std::string warning = podpull::ignored_helpers_warning(auth);
    CHECK(warning == "auth file: podpull runs no credential helper, so it ignores "
                     "\"credHelpers\" (for \"gcr.io\", \"123.dkr.ecr.us-east-1.amazonaws.com\") "
                     "and \"credsStore\"; credentials come only from \"auths\"");
    for (const std::string &never :
         std::vector<std::string>{"gcloud", "ecr-login", "desktop", secret, secret_auth})
        CHECK_THAT(warning, !ContainsSubstring(never));
    // The entries of "auths" work as before; a helper's registry gets nothing.
    CHECK(select(file, "quay.io/a/b:1") == "quay.io alice:" + secret);
    CHECK(select(file, "gcr.io/a/b:1") == "-");
}

TEST_CASE("the helper warning: one kind alone, none, a file without auths, hostile names",
          "[registry_auth][cred-helpers]") {
    CHECK(podpull::ignored_helpers_warning(parse_registry_auth(R"({"credsStore":"pass"})")) ==
          "auth file: podpull runs no credential helper, so it ignores \"credsStore\"; "
          "credentials come only from \"auths\"");
    CHECK(podpull::ignored_helpers_warning(
              parse_registry_auth(R"({"auths":{},"credHelpers":{"r.example":"x"}})")) ==
          "auth file: podpull runs no credential helper, so it ignores \"credHelpers\" (for "
          "\"r.example\"); credentials come only from \"auths\"");
    CHECK(podpull::ignored_helpers_warning(parse_registry_auth(file_with(""))).empty());
    // Of another type, or an empty store: nothing to run, nothing to say.
    CHECK(podpull::ignored_helpers_warning(
              parse_registry_auth(R"({"credHelpers":[],"credsStore":""})"))
              .empty());
    std::string many = R"({"credHelpers":{)";
    for (int i = 0; i < 12; ++i)
        many += (i ? "," : "") + std::string("\"r") + std::to_string(i) + R"(.example":"h")";
    many += "}}";
    const std::string capped = podpull::ignored_helpers_warning(parse_registry_auth(many));
    CHECK_THAT(capped, ContainsSubstring("\"r9.example\" and 2 more)"));
    CHECK_THAT(capped, !ContainsSubstring("r10.example"));
    const std::string hostile = podpull::ignored_helpers_warning(
        parse_registry_auth("{\"credHelpers\":{\"evil\\n\\u001b[31mhost\":\"h\"}}"));
    CHECK(hostile.find('\n') == std::string::npos);
    CHECK(hostile.find('\x1b') == std::string::npos);
    CHECK_THAT(hostile, ContainsSubstring("\"evil\\x0a\\x1b[31mhost\""));
}

// ---- what one pull hands podman: exactly the host's credentials ------------------------------

namespace {

std::string decoded_header(const std::pair<std::string, std::string> &header) {
    const auto text = podpull::base64_decode(header.second, podpull::Base64Alphabet::url_safe);
    REQUIRE(text);
    return *text;
}

} // namespace

TEST_CASE("credentials for a pull: no auth file named leaves podman's own lookup",
          "[auth][credentials]") {
    const auto none = podpull::credentials_for_pull(nullptr, parse_reference("quay.io/x:1"));
    CHECK_FALSE(none.sends_any_file());
    CHECK_FALSE(podpull::credentials_header(none));
    CHECK_FALSE(podpull::credentials_auth_file(none));
}

TEST_CASE("credentials for a pull: the image's registry's entry, and nothing else",
          "[auth][credentials]") {
    const auto auth = parse_registry_auth(
        file_with(entry("quay.io", "q:1") + "," + entry("localhost:5000", "alice:" + secret)));
    const auto chosen =
        podpull::credentials_for_pull(&auth, parse_reference("localhost:5000/podpull/test:v1"));
    REQUIRE(chosen.entries.size() == 1);
    CHECK(chosen.entries[0].key == "localhost:5000");
    const auto header = podpull::credentials_header(chosen);
    REQUIRE(header);
    CHECK(header->first == "X-Registry-Auth");
    CHECK(decoded_header(*header) == R"({"username":"alice","password":")" + secret + "\"}");
    CHECK(podpull::credentials_auth_file(chosen) ==
          R"({"auths":{"localhost:5000":{"auth":")" + secret_auth + "\"}}}");
}

TEST_CASE("credentials for a pull: a file without the registry is an empty set, not silence",
          "[auth][credentials]") {
    // bootc passes "{}" when it owns no auth file, "so that podman doesn't fall back to
    // searching the user-owned paths".
    for (const std::string &file : {std::string("{}"), file_with(entry("quay.io", "q:1")),
                                    file_with(R"("localhost:5000":{})")}) {
        CAPTURE(file);
        const auto auth = parse_registry_auth(file);
        const auto chosen =
            podpull::credentials_for_pull(&auth, parse_reference("localhost:5000/podpull/test:v1"));
        CHECK(chosen.sends_any_file());
        CHECK(chosen.entries.empty());
        const auto header = podpull::credentials_header(chosen);
        REQUIRE(header);
        // An empty X-Registry-Auth map would read as no header at all (pkg/auth/auth.go,
        // parseMultiAuthHeader); an empty X-Registry-Config map becomes an empty auth file.
        CHECK(header->first == "X-Registry-Config");
        CHECK(decoded_header(*header) == "{}");
        CHECK(podpull::credentials_auth_file(chosen) == R"({"auths":{}})");
    }
}

TEST_CASE("credentials for a pull: a short name takes every entry, podman picks the registry",
          "[auth][credentials]") {
    const auto auth = parse_registry_auth(
        file_with(entry("quay.io", "q:1") + "," + entry("localhost:5000", "alice:" + secret) + "," +
                  R"("docker.io":{},"token.example":{"identitytoken":"tok"})"));
    const auto chosen = podpull::credentials_for_pull(&auth, parse_reference("alpine"));
    CHECK(chosen.short_name);
    REQUIRE(chosen.entries.size() == 3); // docker.io's entry holds none
    const auto header = podpull::credentials_header(chosen);
    REQUIRE(header);
    CHECK(header->first == "X-Registry-Config");
    const auto map = boost::json::parse(decoded_header(*header)).as_object();
    CHECK(map.size() == 3);
    CHECK(map.at("quay.io").as_object().at("username").as_string() == "q");
    CHECK(map.at("localhost:5000").as_object().at("password").as_string() == secret);
    CHECK(map.at("token.example").as_object().at("identitytoken").as_string() == "tok");
    const auto file = podpull::credentials_auth_file(chosen);
    REQUIRE(file);
    const auto reread = parse_registry_auth(*file);
    CHECK(reread.entries.size() == 3);
    const std::string note = podpull::describe_credentials(chosen, parse_reference("alpine"));
    CHECK_THAT(note, ContainsSubstring(R"("quay.io", "localhost:5000", "token.example")"));
    CHECK_THAT(note, !ContainsSubstring(secret));
}

TEST_CASE("credentials for a pull: a local transport reaches no registry and gets nothing",
          "[auth][credentials]") {
    const auto auth = parse_registry_auth(file_with(entry("quay.io", "q:1")));
    for (const std::string reference :
         {"oci-archive:/tmp/a.tar", "oci:/tmp/layout:v1", "dir:/tmp/d", "docker-archive:/tmp/x"}) {
        CAPTURE(reference);
        const auto chosen = podpull::credentials_for_pull(&auth, parse_reference(reference));
        CHECK(chosen.source == podpull::PullCredentials::Source::no_registry);
        CHECK_FALSE(chosen.sends_any_file());
        CHECK_FALSE(podpull::credentials_header(chosen));
        CHECK_FALSE(podpull::credentials_auth_file(chosen));
        CHECK_THAT(podpull::describe_credentials(chosen, parse_reference(reference)),
                   ContainsSubstring("reaches no registry"));
    }
}
