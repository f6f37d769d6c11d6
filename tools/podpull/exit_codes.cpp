// SPDX-License-Identifier: MIT OR Apache-2.0
#include "exit_codes.hpp"

namespace podpull_cli {

int exit_status(podpull_code code, int signal_received) {
    if (code == PODPULL_OK) {
        return exit_ok;
    }
    if (signal_received != 0 && code == PODPULL_ERR_CANCELLED) {
        return 128 + signal_received;
    }
    return exit_code_base + static_cast<int>(code);
}

int update_exit_status(const std::vector<podpull_code> &codes, int signal_received) {
    for (podpull_code code : codes) {
        if (signal_received != 0 && code == PODPULL_ERR_CANCELLED) {
            return exit_status(code, signal_received);
        }
    }
    for (podpull_code code : codes) {
        if (code != PODPULL_OK) {
            return exit_status(code, 0);
        }
    }
    return exit_ok;
}

const char *exit_status_help() {
    return "Exit status:\n"
           "  0    the image was pulled (with several: every image was)\n"
           "  1    unexpected failure of the tool itself\n"
           "  2    usage error (bad option or argument)\n"
           "  10 + podpull_code, that of the first image (in the order given) that failed:\n"
           "  11   PODPULL_ERR_INVALID_ARGUMENT  bad option value or malformed reference\n"
           "  12   PODPULL_ERR_PODMAN_NOT_FOUND  podman could not be executed\n"
           "  13   PODPULL_ERR_SERVICE           the podman service failed or exited\n"
           "  14   PODPULL_ERR_IO                socket or transport failure\n"
           "  15   PODPULL_ERR_PROTOCOL          malformed answer from the service\n"
           "  16   PODPULL_ERR_PULL              podman says the pull failed\n"
           "  17   PODPULL_ERR_AUTH              credentials missing or refused\n"
           "  18   PODPULL_ERR_NOT_FOUND         no such image or tag\n"
           "  19   PODPULL_ERR_CANCELLED         cancelled (other than by a signal)\n"
           "  20   PODPULL_ERR_TIMEOUT           start or stall timeout\n"
           "  21   PODPULL_ERR_INTERNAL          out of memory or a bug\n"
           "  22   PODPULL_ERR_REJECTED          the signature policy refused the image\n"
           "  129  interrupted by SIGHUP; 130 by Ctrl-C (SIGINT); 143 by SIGTERM\n"
           "  141  stdout's reader went away (as with SIGPIPE)\n";
}

} // namespace podpull_cli
