// SPDX-License-Identifier: MIT OR Apache-2.0
// The pull option signature_policy, on every release: a policy that rejects everything, and a
// signedBy policy with a GPG key made here, against an image signed here. The signing is what
// a publisher does: `skopeo copy --sign-by` of the fixture's test image to a new name in the
// fixture's registry, the signature written to a lookaside directory (registries.d(5)
// `sigstore-staging`). podman finds it through a registries.d in the service's private HOME
// (containers/image reads $HOME/.config/containers/registries.d before /etc's), so nothing
// of the machine's configuration is touched. podman's API takes no policy, so these pulls run
// `podman pull --signature-policy` (the SUBPROCESS route), and the route's reason says why.

#include "podpull_test/client.hpp"
#include "podpull_test/fixture.hpp"
#include "podpull_test/process.hpp"
#include "podpull_test/routes.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sys/stat.h>

using Catch::Matchers::ContainsSubstring;
using namespace podpull_test;

namespace {

const std::string reject_all = R"({"default": [{"type": "reject"}]})";

// A signing key of the test's own, in a GnuPG home inside the sandbox; its agent is stopped
// and its sockets removed when the key goes, so no gpg-agent outlives the test.
class SigningKey {
  public:
    explicit SigningKey(const fs::path &dir) : home_(dir / "gnupg") {
        fs::create_directories(home_);
        fs::permissions(home_, fs::perms::owner_all, fs::perm_options::replace);
        gpg_ = find_in_path("gpg");
        REQUIRE_FALSE(gpg_.empty()); // gnupg: scripts/install-deps.sh
        // ed25519: made at once, where an RSA key would wait on the entropy pool.
        const RunResult made = run_process(
            {gpg_, "--batch", "--homedir", home_.string(), "--passphrase", "", "--quick-gen-key",
             "podpull test <podpull-test@example.invalid>", "ed25519", "sign", "never"});
        INFO(made.err);
        REQUIRE(made.exit_code == 0);
        const RunResult listed = run_process(
            {gpg_, "--batch", "--homedir", home_.string(), "--with-colons", "--list-secret-keys"});
        REQUIRE(listed.exit_code == 0);
        // "fpr:::::::::<FINGERPRINT>:"
        const auto at = listed.out.find("\nfpr:");
        REQUIRE(at != std::string::npos);
        const auto start = listed.out.find_first_not_of(':', at + 5);
        fingerprint_ = listed.out.substr(start, listed.out.find(':', start) - start);
        REQUIRE(fingerprint_.size() == 40);
        public_key_ = dir / "signing-key.gpg";
        const RunResult exported =
            run_process({gpg_, "--batch", "--homedir", home_.string(), "--output",
                         public_key_.string(), "--export", fingerprint_});
        REQUIRE(exported.exit_code == 0);
    }
    ~SigningKey() {
        const std::string gpgconf = find_in_path("gpgconf");
        if (gpgconf.empty())
            return;
        run_process({gpgconf, "--homedir", home_.string(), "--kill", "all"});
        run_process({gpgconf, "--homedir", home_.string(), "--remove-socketdir"});
    }
    SigningKey(const SigningKey &) = delete;
    SigningKey &operator=(const SigningKey &) = delete;

    const fs::path &home() const { return home_; }
    const std::string &fingerprint() const { return fingerprint_; }
    const fs::path &public_key() const { return public_key_; }

  private:
    fs::path home_;
    std::string gpg_, fingerprint_;
    fs::path public_key_;
};

// `image` copied to `signed_image` in the same plain-HTTP registry and signed with `key`; the
// signature goes to the lookaside directory `signatures`.
void copy_and_sign(const SigningKey &key, const std::string &image, const std::string &signed_image,
                   const fs::path &signatures, const fs::path &work) {
    const fs::path registries_d = work / "signer-registries.d";
    fs::create_directories(registries_d);
    write_file(registries_d / "default.yaml",
               "default-docker:\n  sigstore-staging: file://" + signatures.string() + "\n");
    const std::string skopeo = find_in_path("skopeo");
    REQUIRE_FALSE(skopeo.empty());
    const RunResult copied =
        run_process({skopeo, "--registries.d", registries_d.string(), "copy",
                     "--src-tls-verify=false", "--dest-tls-verify=false", "--sign-by",
                     key.fingerprint(), "docker://" + image, "docker://" + signed_image},
                    {"GNUPGHOME=" + key.home().string()});
    INFO(copied.out << copied.err);
    REQUIRE(copied.exit_code == 0);
}

// A HOME whose registries.d tells podman where the signatures are.
fs::path home_reading_signatures(const fs::path &dir, const fs::path &signatures) {
    const fs::path home = dir / "home";
    const fs::path registries_d = home / ".config" / "containers" / "registries.d";
    fs::create_directories(registries_d);
    write_file(registries_d / "default.yaml",
               "default-docker:\n  sigstore: file://" + signatures.string() + "\n");
    return home;
}

PullOutcome pull_with_policy(const Client &client, const std::string &image, const fs::path &policy,
                             PullRecorder &rec, podpull_route route = PODPULL_ROUTE_AUTO) {
    podpull_pull_options popts = insecure_pull_options();
    popts.signature_policy = policy.c_str();
    popts.route = route;
    return pull(client.ptr, image, rec, &popts);
}

} // namespace

TEST_CASE("a reject-all signature policy: the pull runs podman pull, fails with REJECTED, stores "
          "nothing, and binds only that pull",
          "[signature-policy]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const fs::path policy = box.dir() / "reject-all.json";
    write_file(policy, reject_all);
    Client client(connect_or_fail(box, box.options()));

    PullRecorder rec;
    const PullOutcome out = pull_with_policy(client, env.image, policy, rec);
    INFO("podman " << env.podman_version << ": " << out.describe() << "\n"
                   << rec.summary() << box.log_text());
    CHECK(out.code == PODPULL_ERR_REJECTED);
    CHECK(out.code_str == "PODPULL_ERR_REJECTED");
    CHECK_THAT(out.message, ContainsSubstring("podman pull failed: "));
    CHECK_THAT(out.message, ContainsSubstring("Source image rejected"));
    CHECK_THAT(out.message, ContainsSubstring("rejected by policy"));
    CHECK(out.retryable == 0);
    const auto snap = rec.snapshot();
    CHECK(snap.route_calls == 1);
    CHECK(snap.route == PODPULL_ROUTE_SUBPROCESS);
    CHECK_THAT(snap.reason, ContainsSubstring("a signature policy was given, and podman's API "
                                              "takes none"));
    CHECK(box.podman_image_ids(box.main()).empty());

    // The policy was this pull's: the next one, without it, follows the machine's.
    PullRecorder after;
    podpull_pull_options popts = insecure_pull_options();
    const PullOutcome plain = pull(client.ptr, env.image, after, &popts);
    INFO(plain.describe());
    CHECK(plain.code == PODPULL_OK);
    CHECK(plain.image_id == env.image_id);
    std::printf("podman %s: a reject-all policy: %s, \"%s\"\n", env.podman_version.c_str(),
                out.code_str.c_str(), out.message.c_str());

    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("a signature policy that podman could not read, or an API route forced with one, is "
          "refused before anything starts",
          "[signature-policy]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const fs::path fifo = box.dir() / "policy.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const fs::path policy = box.dir() / "reject-all.json";
    write_file(policy, reject_all);
    Client client(connect_or_fail(box, box.options()));

    struct Case {
        fs::path policy;
        podpull_route route;
        const char *says;
    };
    const Case cases[] = {
        {"relative/policy.json", PODPULL_ROUTE_AUTO, "is not an absolute path"},
        {box.dir() / "missing.json", PODPULL_ROUTE_AUTO, "No such file or directory"},
        {box.dir(), PODPULL_ROUTE_AUTO, "is not a regular file"},
        {fifo, PODPULL_ROUTE_AUTO, "is not a regular file"}, // and no wait for a writer
        {policy, PODPULL_ROUTE_LIBPOD_TEXT, "podman's API takes none"},
        {policy, PODPULL_ROUTE_DOCKER_COMPAT, "podman's API takes none"},
    };
    for (const Case &c : cases) {
        PullRecorder rec;
        const auto start = std::chrono::steady_clock::now();
        const PullOutcome out = pull_with_policy(client, env.image, c.policy, rec, c.route);
        const auto took = std::chrono::steady_clock::now() - start;
        INFO(c.policy << " on " << route_name(c.route) << ": " << out.describe());
        CHECK(out.code == PODPULL_ERR_INVALID_ARGUMENT);
        CHECK_THAT(out.message, ContainsSubstring(c.says));
        CHECK(rec.snapshot().route_calls == 0); // refused before the route was settled
        CHECK(took < std::chrono::seconds(5));
    }
    CHECK(box.podman_image_ids(box.main()).empty());
    client.reset();
    box.check_no_leftovers();
}

TEST_CASE("a signedBy policy: the image signed with the key pulls, the same image unsigned is "
          "REJECTED",
          "[signature-policy]") {
    const TestEnv &env = test_env();
    Sandbox box;
    const SigningKey key(box.dir());
    const fs::path signatures = box.dir() / "signatures";
    fs::create_directories(signatures);
    // A name of this sandbox's: repository names are lower case.
    std::string name = box.dir().filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string signed_image = env.registry + "/podpull/signed-" + name + ":v1";
    copy_and_sign(key, env.image, signed_image, signatures, box.dir());

    const fs::path policy = box.dir() / "signed-by.json";
    write_file(policy, R"({"default": [{"type": "reject"}], "transports": {"docker": {")" +
                           env.registry + R"(": [{"type": "signedBy", "keyType": "GPGKeys", )" +
                           R"("keyPath": ")" + key.public_key().string() + R"("}]}}})");
    const fs::path home = home_reading_signatures(box.dir(), signatures);
    Client client(connect_or_fail(box, box.options(box.main(), {"HOME=" + home.string()})));

    PullRecorder signed_rec;
    const PullOutcome signed_out = pull_with_policy(client, signed_image, policy, signed_rec);
    INFO("podman " << env.podman_version << ", signed: " << signed_out.describe() << "\n"
                   << signed_rec.summary() << box.log_text());
    CHECK(signed_out.code == PODPULL_OK);
    CHECK(signed_out.route == PODPULL_ROUTE_SUBPROCESS);
    CHECK(signed_out.image_id == env.image_id);

    PullRecorder unsigned_rec;
    const PullOutcome unsigned_out = pull_with_policy(client, env.image, policy, unsigned_rec);
    INFO("unsigned: " << unsigned_out.describe());
    CHECK(unsigned_out.code == PODPULL_ERR_REJECTED);
    CHECK_THAT(unsigned_out.message, ContainsSubstring("Source image rejected"));
    CHECK_THAT(unsigned_out.message, ContainsSubstring("signature"));
    std::printf("podman %s: signedBy: signed %s, unsigned %s, \"%s\"\n", env.podman_version.c_str(),
                signed_out.code_str.c_str(), unsigned_out.code_str.c_str(),
                unsigned_out.message.c_str());

    const auto ids = box.podman_image_ids(box.main());
    CHECK(ids == std::vector<std::string>{env.image_id});
    client.reset();
    box.check_no_leftovers();
}
