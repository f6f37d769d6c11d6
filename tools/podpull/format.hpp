// SPDX-License-Identifier: MIT OR Apache-2.0
// Small text helpers shared by the human renderers.
#pragma once

#include <podpull.h>

#include <cstdint>
#include <string>

namespace podpull_cli {

std::string human_bytes(uint64_t bytes);               // "12.3 MiB"
std::string human_rate(double bytes_per_second);       // "16.0 MiB/s"
std::string human_seconds(double seconds);             // "4.2 s", "1m05s"
std::string short_id(const char *id);                  // "sha256:abcdef..." -> 12 hex
const char *route_name(podpull_route route);           // "DOCKER_COMPAT"
std::string percent(uint64_t current, uint64_t total); // " 18%", "  ?%" when total is 0

} // namespace podpull_cli
