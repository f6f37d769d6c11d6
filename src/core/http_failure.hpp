// What a non-2xx answer from the service means. podman answers errors with
// {"cause":…,"message":…,"response":<status>}; older and foreign servers may send anything.
#pragma once

#include "error.hpp"

#include <string_view>

namespace podpull {

// The Error for an answer with this status and body: the code from the status (refined by
// the message where the status is generic) and podman's `message`, or a short excerpt of a
// body that is not podman's JSON.
Error http_failure(unsigned status, std::string_view body);

} // namespace podpull
