#include "progress_fd_update_renderer.hpp"

#include "progress_fd_renderer.hpp"

namespace podpull_cli {

ProgressFdUpdateRenderer::ProgressFdUpdateRenderer(int fd, std::FILE *err,
                                                   std::function<bool()> interrupted,
                                                   size_t images) {
    auto stream = std::make_shared<ProgressFdStream>(fd, err, std::move(interrupted));
    for (size_t i = 0; i < images; ++i) {
        add(std::make_unique<ProgressFdRenderer>(stream));
    }
}

} // namespace podpull_cli
