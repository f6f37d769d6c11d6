// --progress-fd, several images: one bootc task per image on the one descriptor (see
// progress_fd_renderer.hpp), after one Start line.
#pragma once

#include "update_renderer.hpp"

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace podpull_cli {

class ProgressFdUpdateRenderer : public PerImageRenderers {
  public:
    ProgressFdUpdateRenderer(int fd, std::FILE *err, std::function<bool()> interrupted,
                             size_t images);
};

} // namespace podpull_cli
