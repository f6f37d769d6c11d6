// SPDX-License-Identifier: MIT OR Apache-2.0
// The command's exit status, once everything is torn down: a signal first, then lost output,
// then the outcome of the pulls.
#pragma once

#include <cstdio>
#include <functional>

namespace podpull_cli {

// outcome(signal): the pulls' status given the signal received (0: none), exit_status or
// update_exit_status. `out`: the command's stdout stream (output.hpp); a write error on it
// other than a gone reader is reported on stderr here.
int final_status(std::FILE *out, const std::function<int(int)> &outcome);

} // namespace podpull_cli
