// SPDX-License-Identifier: MIT OR Apache-2.0
#include "image_id.hpp"

#include "error.hpp"

#include <fmt/format.h>

namespace podpull {

std::string expect_image_id(std::string_view reported) {
    if (!is_image_id(reported))
        throw Error(ErrorCode::protocol,
                    fmt::format("podman reported '{}' where a full image ID belongs",
                                reported.substr(0, 80)));
    return std::string(reported);
}

} // namespace podpull
