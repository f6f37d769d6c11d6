// What the command hands the library, made from its options: the same for one image and for an
// update of several.
#pragma once

#include "cli.hpp"
#include "renderer.hpp"

#include <podpull.h>

#include <vector>

namespace podpull_cli {

// The --env strings as the NULL-ended array podpull_connect_options.env takes; it points into
// `o`, which must outlive it.
std::vector<const char *> env_array(const Options &o);
// `env` (env_array's) and `o` must outlive the options; canceller ends the connect.
podpull_connect_options connect_options(const Options &o, const std::vector<const char *> &env,
                                        podpull_canceller *canceller);
podpull_pull_options pull_options(const Options &o, podpull_canceller *canceller);
// What a successful pull's result says, for the renderers; seconds: how long it took.
PullSummary pull_summary(const podpull_result *res, double seconds);

} // namespace podpull_cli
