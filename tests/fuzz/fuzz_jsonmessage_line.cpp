// SPDX-License-Identifier: MIT OR Apache-2.0
// The Docker jsonmessage line decoder (src/core/jsonmessage_decoder), for POST
// /images/create and the libpod pull with compatMode. One input is one line: it decodes to
// consistent events or fails with PROTOCOL, and nothing else escapes.
#include "core/jsonmessage_decoder.hpp"
#include "decoded_events_check.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace podpull;
    const std::string_view line(reinterpret_cast<const char *>(data), size);
    std::vector<PullEvent> events;
    try {
        decode_jsonmessage_line(line, events);
    } catch (const Error &error) {
        fuzz::check_error(error, {ErrorCode::protocol});
        return 0;
    }
    fuzz::check_events(events);
    return 0;
}
