// SPDX-License-Identifier: MIT OR Apache-2.0
// The libpod pull body's line decoder (src/core/libpod_text_decoder), which reads both the
// text body of podman 4.x/5.x and the 6.0 pullProgress body. One input is one line: it decodes to
// consistent events or fails with PROTOCOL, and nothing else escapes.
#include "core/libpod_text_decoder.hpp"
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
        decode_libpod_line(line, events);
    } catch (const Error &error) {
        fuzz::check_error(error, {ErrorCode::protocol});
        return 0;
    }
    fuzz::check_events(events);
    return 0;
}
