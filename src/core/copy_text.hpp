// SPDX-License-Identifier: MIT OR Apache-2.0
// What containers/image's status lines say about blobs, on the routes whose only progress is
// text: LIBPOD_TEXT (the libpod body's "stream" lines) and SUBPROCESS (`podman pull`'s
// stderr). Seen on podman 4.3.1, 5.4.2, 5.8.6 and 6.1.1, on both routes (docs/podman.md):
//   Copying blob sha256:<64 hex>      a layer starts; every layer gets one, copied or not
//   Copying config sha256:<64 hex>    every layer is stored (containers/image copies the
//                                     config after all layers); the config starts
//   Writing manifest to image destination   the config is stored
// None of these releases says there which blobs were in the storage already (without a
// terminal, containers/image prints no "skipped: already exists"), so on these routes every
// blob counts as fetched. A line that does say "skipped" (a later containers/image might)
// is read as a skip.
#pragma once

#include "pull_events.hpp"

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace podpull {

class CopyTextReader {
  public:
    // Appends the blob events one status line (without its newline) means to `out`.
    void read(std::string_view line, std::vector<BlobEvent> &out);

  private:
    void finish_layers(std::vector<BlobEvent> &out);

    std::vector<std::string> layers_;        // started, not yet known to be stored, in order
    std::unordered_set<std::string> listed_; // the same, to find one without a scan
    std::string config_;                     // started, not yet known to be stored
};

} // namespace podpull
