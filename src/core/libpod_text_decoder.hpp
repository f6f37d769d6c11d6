// SPDX-License-Identifier: MIT OR Apache-2.0
// Decoder for the libpod pull body without pullProgress (every podman from 4.0):
//   {"stream":"Copying blob sha256:...\n"}   -> StatusEvent per line of text
//   {"error":"... manifest unknown"}         -> FailedEvent, classified
//   {"images":[...],"id":"<64 hex>"}         -> CompletedEvent
// The same decoder serves the pullProgress body (podman 6.0+), whose lines add
// "status" and "pullProgress" objects; those become BlobEvents.
#pragma once

#include "pull_events.hpp"

#include <string_view>
#include <vector>

namespace podpull {

// Appends the events of one NDJSON line to `out`. Throws Error(protocol) when the line is
// not a JSON object or a known field has the wrong type.
void decode_libpod_line(std::string_view line, std::vector<PullEvent> &out);

} // namespace podpull
