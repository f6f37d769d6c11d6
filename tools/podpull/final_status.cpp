// SPDX-License-Identifier: MIT OR Apache-2.0
#include "final_status.hpp"

#include "exit_codes.hpp"
#include "output.hpp"
#include "signals.hpp"

namespace podpull_cli {

int final_status(std::FILE *out, const std::function<int(int)> &outcome) {
    if (received_signal() != 0) {
        return outcome(received_signal());
    }
    switch (output_state(out)) {
    case OutputState::ok:
        return outcome(0);
    case OutputState::broken_pipe:
        return exit_broken_pipe; // as a writer killed by SIGPIPE would, and as quietly
    case OutputState::failed:
        break;
    }
    std::fprintf(stderr, "podpull: cannot write to stdout: %s\n", output_error());
    return exit_failure;
}

} // namespace podpull_cli
