// SPDX-License-Identifier: MIT OR Apache-2.0
// Percent-encoding of a query parameter value (RFC 3986): everything but unreserved bytes.
#pragma once

#include <string>
#include <string_view>

namespace podpull {

std::string percent_encode(std::string_view value);

} // namespace podpull
