// SPDX-License-Identifier: MIT OR Apache-2.0
// The diagnostics sink inside podpull. Messages never carry credentials.
#pragma once

#include <functional>
#include <string_view>

namespace podpull {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 }; // podpull_log_level

using LogSink = std::function<void(LogLevel, std::string_view)>;

} // namespace podpull
