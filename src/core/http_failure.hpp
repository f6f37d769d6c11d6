// SPDX-License-Identifier: MIT OR Apache-2.0
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

// The Error for an answer other than 200 to `GET /_ping` from the server at `socket_path`.
// Every podman release answers it with 200, so whatever answered otherwise (a 404 from some
// other HTTP server a host's socket_path names) is not a podman service: SERVICE, with the
// status and not the body, which is that server's and may be a page of HTML.
Error ping_failure(std::string_view socket_path, unsigned status);

// The Error for a 200 to `GET /_ping` without the Libpod-Api-Version header that every podman
// release sends: the server speaks Docker's API (a Docker daemon's socket answers so) but is
// not podman, and podpull could not tell its features apart. SERVICE, like ping_failure.
Error ping_without_libpod_version(std::string_view socket_path);

} // namespace podpull
