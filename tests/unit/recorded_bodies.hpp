// SPDX-License-Identifier: MIT OR Apache-2.0
// Bodies of podman's pull endpoints, as recorded from podman (docs/podman.md, "Bodies"), so
// that the decoder and tracker are held to what podman really sends. Each constant names the
// observation it comes from. "…" (U+2026) stands where the record shortened a long digest or
// message; it is kept, since it is valid JSON string content.
// Every body ends with "\n", as podman ends every NDJSON line.
#pragma once

#include <string_view>

namespace recorded {

// "Body on 4.3.1 (seen), default mode: text only": a successful pull.
inline constexpr std::string_view libpod_text_4_3_1 =
    R"body({"stream":"Trying to pull localhost:5000/test/big:v1...\n"}
{"stream":"Getting image source signatures\n"}
{"stream":"Copying blob sha256:855e90a27705301e2b384e28c8494150d83723f88e2eeb27e9ffbf48000e5ce2\n"}
{"stream":"Copying config sha256:b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c\n"}
{"stream":"Writing manifest to image destination\n"}
{"stream":"Storing signatures\n"}
{"images":["b3f190ca…"],"id":"b3f190ca3fbc68ca819bd6bbbaaf12d794d08cbdd94b794e691da6f581a4f01c"}
)body";

// "A missing image (seen)": its two lines, as quoted inline (HTTP 200).
inline constexpr std::string_view libpod_text_missing_image_4_3_1 =
    R"body({"stream":"Trying to pull …"}
{"error":"initializing source docker://localhost:5000/nope/none:v1: reading manifest v1 in localhost:5000/nope/none: manifest unknown: manifest unknown"}
)body";

// "A bad name (seen)" (HTTP 200).
inline constexpr std::string_view libpod_text_bad_name_4_3_1 =
    R"body({"error":"repository name must be lowercase"}
)body";

// "Missing credentials (seen)" (HTTP 200).
inline constexpr std::string_view libpod_text_missing_credentials_4_3_1 =
    R"body({"error":"… unauthorized: authentication required"}
)body";

// "Body on 6.0 with `pullProgress=true`" (upstream source): its lines but the last, which is
// the error line below. The block lists the kinds of line, so success and error both appear
// there; a real body ends with one of them.
inline constexpr std::string_view pull_progress_6_0 =
    R"body({"status":"pulling","stream":"Starting to pull artifact","pullProgress":{"status":"pulling","total":73407797,"progressComponentID":"sha256:855e…"}}
{"status":"pulling","stream":"Pulling artifact","pullProgress":{"status":"pulling","current":19003392,"total":73407797,"progressComponentID":"sha256:855e…"}}
{"status":"pulling","stream":"Artifact pulled successfully","pullProgress":{"status":"success","current":73407797,"total":73407797,"progressComponentID":"sha256:855e…"}}
{"status":"pulling","stream":"Artifact already exists","pullProgress":{"status":"skipped","progressComponentID":"sha256:…"}}
{"status":"pulling","stream":"Copying config sha256:…\n"}
{"status":"success","images":["…"],"id":"…"}
)body";

// The last line of that block: how 6.0 reports a failure.
inline constexpr std::string_view pull_progress_error_6_0 = R"body({"status":"error","error":"…"}
)body";

// "Body with `compatMode=true` (4.8+) and on `POST /images/create`" (seen on 4.3.1), read by
// the Docker jsonmessage decoder.
inline constexpr std::string_view docker_compat_4_3_1 =
    R"body({"status":"Pulling fs layer","progressDetail":{},"id":"855e90a27705"}
{"status":"Downloading","progressDetail":{"current":19003392,"total":73407797},"progress":"[====>   ]  19MB/73.41MB","id":"855e90a27705"}
{"status":"Download complete","progressDetail":{},"id":"855e90a27705"}
{"status":"Pulling fs layer","progressDetail":{},"id":"b3f190ca3fbc"}
{"status":"Download complete","progressDetail":{},"id":"b3f190ca3fbc"}
)body";

// The error line of the same section.
inline constexpr std::string_view docker_compat_error =
    R"body({"progressDetail":{},"errorDetail":{"message":"…"},"error":"…"}
)body";

} // namespace recorded
