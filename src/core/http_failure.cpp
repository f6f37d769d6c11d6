#include "http_failure.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <string>

namespace podpull {
namespace {

// Enough of a foreign body to recognise it, never a whole page of HTML.
constexpr std::size_t excerpt_limit = 200;

std::string excerpt(std::string_view body) {
    std::string text;
    for (char c : body.substr(0, excerpt_limit))
        text += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
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
    return Error(code, fmt::format("podman answered HTTP {}: {}", status, message));
}

} // namespace podpull
