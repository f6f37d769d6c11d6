// SPDX-License-Identifier: MIT OR Apache-2.0
// Decoder for Docker's jsonmessage format, which podman writes on POST /images/create (every
// version) and on the libpod pull with compatMode=true (4.8+). Lines are keyed by a 12-hex
// short id (the first 12 hex digits of the blob's digest):
//   {"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"}   -> BlobEvent started
//   {"status":"Downloading","progressDetail":{"current":N,"total":M},...}   -> progressing
//   {"status":"Download complete","progressDetail":{},"id":"855e90a27705"}  -> finished
//   {"status":"Already exists","progressDetail":{},"id":"..."}              -> skipped
//   {"progressDetail":{},"errorDetail":{"message":"..."},"error":"..."}     -> FailedEvent
// A success ends with one more "Download complete" whose id is the image ID's first 12 hex
// digits; a line cannot tell it from a layer's, so that is for PullSession to judge (it is
// the last line of the body).
#pragma once

#include "pull_events.hpp"

#include <string_view>
#include <vector>

namespace podpull {

// Appends the events of one NDJSON line to `out`. Throws Error(protocol) when the line is not
// a JSON object, a known field has the wrong type, or a blob status comes without an id.
void decode_jsonmessage_line(std::string_view line, std::vector<PullEvent> &out);

} // namespace podpull
