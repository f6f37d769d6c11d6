// SPDX-License-Identifier: MIT OR Apache-2.0
/* Links against an installed podpull and checks that the header and the library agree. */
#include <podpull.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    podpull_pull_options options;
    podpull_pull_options_init(&options);
    if (podpull_abi_version() != PODPULL_ABI_MAJOR || podpull_get_api(PODPULL_ABI_MAJOR) == NULL ||
        options.struct_size != sizeof options ||
        strcmp(podpull_code_str(PODPULL_ERR_AUTH), "PODPULL_ERR_AUTH") != 0) {
        fprintf(stderr, "consumer: the installed header and library disagree\n");
        return 1;
    }
    printf("consumer: podpull %s, ABI %u\n", podpull_version(), podpull_abi_version());
    return 0;
}
