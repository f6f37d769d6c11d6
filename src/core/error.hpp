// SPDX-License-Identifier: MIT OR Apache-2.0
// The one error type of podpull's C++ side: a code the ABI can report and a message for a
// person. The core throws it; the ABI shim turns it into a podpull_error.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace podpull {

// Same numbers as podpull_code in podpull.h (the shim static_asserts that they agree).
enum class ErrorCode : int {
    ok = 0,
    invalid_argument = 1,
    podman_not_found = 2,
    service = 3,
    io = 4,
    protocol = 5,
    pull = 6,
    auth = 7,
    not_found = 8,
    cancelled = 9,
    timeout = 10,
    internal = 11,
    rejected = 12,
};

class Error : public std::runtime_error {
  public:
    Error(ErrorCode code, const std::string &message) : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

  private:
    ErrorCode code_;
};

// What a failure message from podman (an `error` line, a non-2xx body's `message`, or a
// `podman pull` "Error:" line) means: REJECTED, NOT_FOUND, AUTH, or else PULL.
ErrorCode classify_podman_failure(std::string_view message);

// A failure podman reported during an API pull (the `docker://` transport only), with a
// note when Go's wording says the connection to the registry broke mid-transfer ("unexpected
// EOF", "connection reset by peer", "broken pipe"): podman's own text names neither the
// registry nor the connection (seen on 4.3.1 with the registry killed mid-blob: "writing
// blob: storing blob to file \"…\": happened during read: unexpected EOF").
std::string explain_api_pull_failure(std::string_view message);

// Whether `phrase` (lower case) occurs in `message`, in any case, at the start of a word: the
// matching rule of every wording list (classify_podman_failure, retry_policy).
bool names_phrase(std::string_view message, std::string_view phrase);

// The code for a non-2xx HTTP answer from the service whose body did not say more.
ErrorCode code_for_http_status(unsigned status);

// `text` made safe to put in a message: in double quotes, at most `max_bytes` of it (then
// "..."), with '"', '\\' and every byte outside printable ASCII written as \" \\ \xNN. Used
// wherever a message quotes input that may be long or hostile (a reference, an NDJSON line).
std::string quote_for_message(std::string_view text, std::size_t max_bytes = 200);

// A failure message podman wrote (an `error` line, an error body's `message`) as one line:
// every ASCII control byte (LF, CR, TAB, ESC...) becomes a space. podman relays registry text
// that may hold them, and a host logs podpull's message as one line (found by fuzzing,
// tests/fuzz/regressions/http_response).
std::string one_line(std::string_view text);

// A Boost system_error that escaped the shell, as text for a message: its `what` with the
// error code's part (`code_what`: "No space left on device [system:28 at
// /usr/include/boost/asio/...:161 in function 'bind']") cut down to the code's `message`. A
// source location inside Boost says nothing to a host, and a message is for one.
std::string system_error_text(std::string_view what, std::string_view code_what,
                              std::string_view message);

} // namespace podpull
