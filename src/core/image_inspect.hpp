// SPDX-License-Identifier: MIT OR Apache-2.0
// The full image ID after a pull on LIBPOD_COMPAT or DOCKER_COMPAT, whose body carries only
// its first 12 hex digits: the caller asks GET image_inspect_target(ref) and reads the answer
// here.
#pragma once

#include <string>
#include <string_view>

namespace podpull {

// The 64-hex "Id" of a libpod image inspect body ({"Id":"<64 hex>",...}; a "sha256:" prefix
// is accepted and dropped). Throws Error(protocol) for a body that is not such JSON, and
// Error(pull) when the ID does not start with `expected_prefix` (the 12 hex digits the pull
// reported): the reference then names another image than the one the pull stored, which
// happens when it is re-tagged meanwhile. An empty prefix checks nothing.
std::string image_id_from_inspect(std::string_view body, std::string_view expected_prefix);

} // namespace podpull
