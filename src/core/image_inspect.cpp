// SPDX-License-Identifier: MIT OR Apache-2.0
#include "image_inspect.hpp"

#include "error.hpp"
#include "image_id.hpp"
#include "json_view.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace podpull {
namespace {

[[noreturn]] void unreadable(std::string_view problem) {
    throw Error(ErrorCode::protocol, fmt::format("podman's image inspect answer {}", problem));
}

} // namespace

std::string image_id_from_inspect(std::string_view body, std::string_view expected_prefix) {
    // libimage's ImageData names it "Id" (upstream source, libimage/inspect.go); the libpod
    // endpoint writes it without "sha256:", the Docker-compatible one with it.
    boost::system::error_code error;
    const boost::json::value parsed = boost::json::parse(body, error);
    if (error)
        unreadable(fmt::format("is not JSON ({})", error.message()));
    if (!parsed.is_object())
        unreadable("is not a JSON object");
    const boost::json::value *id_value = parsed.get_object().if_contains("Id");
    if (id_value == nullptr || !id_value->is_string())
        unreadable("has no \"Id\" string");
    std::string_view id = view(id_value->get_string());
    constexpr std::string_view digest_prefix = "sha256:";
    if (id.starts_with(digest_prefix))
        id.remove_prefix(digest_prefix.size());
    if (!is_image_id(id))
        unreadable(
            fmt::format("has an \"Id\" that is not 64 hex digits: {}", quote_for_message(id, 80)));
    if (!id.starts_with(expected_prefix))
        throw Error(ErrorCode::pull,
                    fmt::format("the pull stored image {} but the reference now names image {}; "
                                "was it re-tagged during the pull?",
                                quote_for_message(expected_prefix, 80), id));
    return std::string(id);
}

} // namespace podpull
