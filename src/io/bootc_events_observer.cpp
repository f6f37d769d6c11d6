// SPDX-License-Identifier: MIT OR Apache-2.0
#include "bootc_events_observer.hpp"

namespace podpull::io {

BootcEventsObserver::BootcEventsObserver(PullObserver &host, BootcProgressWriter &writer,
                                         std::string reference, std::function<bool()> stopping,
                                         LogSink log)
    : host_(host), writer_(writer), events_(std::move(reference)), stopping_(std::move(stopping)),
      log_(std::move(log)) {}

void BootcEventsObserver::manifest_read(const ManifestSummary &manifest) {
    host_.manifest_read(manifest);
    events_.manifest_read(manifest);
}

void BootcEventsObserver::route_chosen(const RouteDecision &decision) {
    host_.route_chosen(decision);
}

void BootcEventsObserver::status(std::string_view line) {
    host_.status(line);
}

bool BootcEventsObserver::blob(const BlobProgress &progress) {
    if (!host_.blob(progress))
        return false; // the host cancelled: bootc writes nothing more for a failed pull
    send(events_.blob(progress));
    return true;
}

void BootcEventsObserver::succeeded(const PullTotals &totals) {
    send(events_.succeeded(totals));
}

void BootcEventsObserver::send(const std::vector<BootcEvent> &events) {
    for (const auto &event : events)
        if (auto why = writer_.send(event, stopping_); why && log_)
            log_(LogLevel::warn, *why);
}

} // namespace podpull::io
