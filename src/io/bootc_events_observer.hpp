// SPDX-License-Identifier: MIT OR Apache-2.0
// The observer that turns a pull's progress into bootc's events (core/bootc_progress) and
// writes them (BootcProgressWriter), between the client and the host's own observer: the host
// hears everything first, the events follow what it heard, on its thread.
#pragma once

#include "bootc_progress_writer.hpp"
#include "core/bootc_progress.hpp"
#include "core/log.hpp"
#include "core/pull_observer.hpp"

#include <functional>
#include <string>

namespace podpull::io {

class BootcEventsObserver final : public PullObserver {
  public:
    // `stopping` says whether the pull was cancelled (a full pipe is then given up on);
    // `log` hears, once, why the writer stopped.
    BootcEventsObserver(PullObserver &host, BootcProgressWriter &writer, std::string reference,
                        std::function<bool()> stopping, LogSink log);

    void manifest_read(const ManifestSummary &manifest) override;
    void route_chosen(const RouteDecision &decision) override;
    void status(std::string_view line) override;
    bool blob(const BlobProgress &progress) override;

    // The pull succeeded: the last events.
    void succeeded(const PullTotals &totals);

  private:
    void send(const std::vector<BootcEvent> &events);

    PullObserver &host_;
    BootcProgressWriter &writer_;
    BootcPullEvents events_;
    std::function<bool()> stopping_;
    LogSink log_;
};

} // namespace podpull::io
