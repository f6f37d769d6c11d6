// SPDX-License-Identifier: MIT OR Apache-2.0
#include "format.hpp"

#include "renderer.hpp"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace podpull_cli {

std::string human_bytes(uint64_t bytes) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    if (u == 0) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    }
    return buf;
}

std::string human_rate(double bytes_per_second) {
    if (bytes_per_second < 0) {
        bytes_per_second = 0;
    }
    return human_bytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

std::string human_seconds(double seconds) {
    if (seconds < 0) {
        seconds = 0;
    }
    char buf[32];
    if (seconds < 60) {
        std::snprintf(buf, sizeof buf, "%.1f s", seconds);
    } else {
        const auto whole = static_cast<unsigned long>(seconds);
        std::snprintf(buf, sizeof buf, "%lum%02lus", whole / 60, whole % 60);
    }
    return buf;
}

std::string short_id(const char *id) {
    if (id == nullptr) {
        return "?";
    }
    const char *colon = std::strchr(id, ':');
    std::string hex = colon != nullptr ? colon + 1 : id;
    return hex.substr(0, 12);
}

const char *route_name(podpull_route route) {
    // The library spells every route; the tool shows the name without its C prefix.
    constexpr std::string_view prefix = "PODPULL_ROUTE_";
    const char *name = podpull_route_str(route);
    return std::string_view(name).starts_with(prefix) ? name + prefix.size() : name;
}

std::string percent(uint64_t current, uint64_t total) {
    char buf[16];
    if (total == 0) {
        return "  ?%";
    }
    const uint64_t p = current >= total ? 100 : current * 100 / total;
    std::snprintf(buf, sizeof buf, "%3llu%%", static_cast<unsigned long long>(p));
    return buf;
}

std::string summary_text(const PullSummary &s) {
    std::string text = human_bytes(s.bytes) + " in " + human_seconds(s.seconds);
    if (s.blobs_cached > 0)
        text += ", " + std::to_string(s.blobs_cached) + " of " + std::to_string(s.blobs_total) +
                " blobs cached (" + human_bytes(s.bytes_cached) + ")";
    return text + ", route " + route_name(s.route);
}

} // namespace podpull_cli
