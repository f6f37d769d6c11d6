// SPDX-License-Identifier: MIT OR Apache-2.0
// How much a process and its descendants have read and written, so that podpull can tell a
// podman that is busy but silent on the API (committing a layer; on the text routes, copying a
// blob) from one that waits on a registry that never answers.
#pragma once

#include <cstdint>
#include <optional>

namespace podpull::io {

// The sum of rchar and wchar (/proc/PID/io: bytes through read and write calls, sockets and
// pipes included) of `pid` and every process below it: podman applies a layer in a child
// (storage-applyLayer), whose counts reach podman's own only when it is reaped. nullopt when
// `pid` is gone or its counters cannot be read. Grows while any of them works; the value
// itself means nothing.
std::optional<std::uint64_t> process_tree_io(int pid);

} // namespace podpull::io
