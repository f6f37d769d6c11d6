// SPDX-License-Identifier: MIT OR Apache-2.0
// Whether what the command writes still reaches anyone. stdio keeps going after a failed
// write and forgets why it failed, so the command writes through a stream of its own that
// records the first error of write(2) on stdout; it asks after every callback and at the end,
// so that a reader that went away (`podpull pull ... | head -1`) or a full disk ends the pull
// instead of being ignored.
#pragma once

#include <cstdio>

namespace podpull_cli {

enum class OutputState {
    ok,
    broken_pipe, // the reader closed its end (EPIPE)
    failed,      // another write error; output_error() says which
};

// A stream on stdout (fd 1) that records its write errors. Never NULL: without memory for it,
// stdout itself, whose errors then read as EIO.
std::FILE *open_checked_stdout();
// Flushes `stream` and reports whether anything written to it so far was lost.
OutputState output_state(std::FILE *stream);
// strerror of the first failure, or "" when there was none.
const char *output_error();
// Whether stdout is a terminal that takes escape codes (not TERM=dumb): the bars go there.
bool stdout_is_terminal();

} // namespace podpull_cli
