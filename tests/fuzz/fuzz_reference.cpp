// SPDX-License-Identifier: MIT OR Apache-2.0
// The reference parser (src/core/reference) and what is built from a reference that passes:
// the API request targets and podman's argv. A reference either fails with INVALID_ARGUMENT or
// is kept byte for byte, and then never becomes a flag, a header or a second query parameter.
#include "core/podman_command.hpp"
#include "core/podman_features.hpp"
#include "core/reference.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {
using namespace podpull;
using fuzz::check;

// A request target podpull sends: printable ASCII, nothing that ends the target or starts a
// fragment, and `parameter` exactly once (no query at all when `parameter` is empty).
void check_target(std::string_view target, std::string_view parameter) {
    check(fuzz::printable_ascii(target), "a request target that is not printable ASCII");
    check(target.find(' ') == std::string_view::npos, "a space in a request target");
    check(target.find('#') == std::string_view::npos, "a '#' in a request target");
    if (parameter.empty()) {
        check(target.find('?') == std::string_view::npos, "a query where none belongs");
        return;
    }
    std::size_t count = 0;
    for (std::size_t at = target.find(parameter); at != std::string_view::npos;
         at = target.find(parameter, at + 1)) {
        const char before = at == 0 ? '?' : target[at - 1];
        if (before == '?' || before == '&')
            ++count;
    }
    check(count == 1, "a request target without exactly one reference parameter");
}

void check_accepted(std::string_view input, const ImageReference &ref) {
    check(ref.text == input, "a parsed reference that is not the input, byte for byte");
    check(!ref.text.empty() && ref.text.front() != '-', "an accepted reference that is a flag");
    for (const char ch : ref.text) {
        const auto byte = static_cast<unsigned char>(ch);
        check(byte >= 0x20 && byte != 0x7f && byte != ' ', "an accepted reference with a control "
                                                           "byte or a space");
    }
    check(parse_reference(ref.text).transport == ref.transport, "parsing is not stable");

    const PullParameters params;
    if (needs_subprocess(ref.transport)) {
        const auto argv =
            pull_argv("podman", StorageFlags{}, ref, params, retry_since, std::nullopt);
        check(argv.size() >= 2 && argv[argv.size() - 2] == "--" && argv.back() == ref.text,
              "podman pull's argv does not end with -- and the reference");
        return;
    }
    check(fuzz::printable_ascii(ref.text), "a registry reference that is not printable ASCII");
    (void)registry_host(ref);
    (void)is_fully_qualified(ref);
    for (const Route route : {Route::libpod_text, Route::libpod_progress, Route::libpod_compat})
        check_target(libpod_pull_target(ref, params, route, PodmanVersion{6, 0, 0}), "reference=");
    check_target(image_inspect_target(ref), "");
    try {
        const RepositoryParts parts = split_repository(ref);
        check(!parts.name.empty(), "split_repository gave an empty name");
        check_target(docker_create_target(ref, params, PodmanVersion{4, 3, 1}), "fromImage=");
    } catch (const Error &error) {
        fuzz::check_error(error, {ErrorCode::invalid_argument});
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    ImageReference ref;
    try {
        ref = parse_reference(input);
    } catch (const Error &error) {
        fuzz::check_error(error, {ErrorCode::invalid_argument});
        return 0;
    }
    check_accepted(input, ref);
    return 0;
}
