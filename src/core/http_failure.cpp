// SPDX-License-Identifier: MIT OR Apache-2.0
#include "http_failure.hpp"

#include "retry_policy.hpp"
#include "utf8.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <string>

namespace podpull {
namespace {

// Enough of a foreign body to recognise it, never a whole page of HTML.
constexpr std::size_t excerpt_limit = 200;

// The first bytes of a foreign body as one line of UTF-8 text: control bytes become spaces,
// and bytes that are not UTF-8 (a binary body, or a character cut at the limit) become '?'
// (found by fuzzing, tests/fuzz/regressions/http_response).
std::string excerpt(std::string_view body) {
    std::string_view rest = body.substr(0, excerpt_limit);
    std::string text;
    while (!rest.empty()) {
        const auto bad = first_invalid_utf8(rest);
        const std::size_t good = bad ? *bad : rest.size();
        text += one_line(rest.substr(0, good));
        rest.remove_prefix(good);
        if (!rest.empty()) {
            text += '?';
            rest.remove_prefix(1);
        }
    }
    if (body.size() > excerpt_limit)
        text += "…";
    return text;
}

std::string podman_message(std::string_view body) {
    boost::system::error_code ec;
    const auto value = boost::json::parse(body, ec);
    if (ec || !value.is_object())
        return {};
    const auto *message = value.as_object().if_contains("message");
    if (message == nullptr || !message->is_string())
        return {};
    return one_line(std::string_view(message->as_string()));
}

} // namespace

Error http_failure(unsigned status, std::string_view body) {
    ErrorCode code = code_for_http_status(status);
    std::string message = podman_message(body);
    // A 500 carries every kind of pull failure; its message says which.
    if (!message.empty() && status >= 500)
        code = classify_podman_failure(message);
    if (message.empty())
        message = body.empty() ? "no body" : fmt::format("body: {}", excerpt(body));
    // podman 5.8 and 6.1 pass a registry's 429 on as their own answer's status: the registry
    // is rate limiting (code_for_http_status: PULL), said in so many words.
    if (status == 429)
        return Error(code, explain_rate_limit(fmt::format(
                               "podman answered HTTP 429 Too Many Requests: {}", message)));
    return Error(code,
                 explain_rate_limit(fmt::format("podman answered HTTP {}: {}", status, message)));
}

Error ping_failure(std::string_view socket_path, unsigned status) {
    return Error(
        ErrorCode::service,
        fmt::format("the server at {} is not a podman service: GET /_ping answered HTTP {}",
                    socket_path, status));
}

Error ping_without_libpod_version(std::string_view socket_path) {
    return Error(ErrorCode::service,
                 fmt::format("the server at {} is not a podman service: GET /_ping answered "
                             "without a Libpod-Api-Version header (a Docker daemon answers so)",
                             socket_path));
}

} // namespace podpull
