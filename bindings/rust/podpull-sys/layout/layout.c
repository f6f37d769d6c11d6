// SPDX-License-Identifier: MIT OR Apache-2.0
/* Prints the C compiler's view of podpull.h as Rust source: size, alignment and the offset of
 * every field of every struct, the size of every enum, and the value of the macros src/sys.rs
 * mirrors. build.rs compiles and runs it, and the layout test in src/sys.rs compares the
 * numbers with its #[repr(C)] mirrors and constants. */
#include <podpull.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#define SIZE(T)                                                                                    \
    printf("    (\"%s\", \"<size>\", %zu),\n    (\"%s\", \"<align>\", %zu),\n", #T, sizeof(T), #T, \
           alignof(T))
#define FIELD(T, f) printf("    (\"%s\", \"%s\", %zu),\n", #T, #f, offsetof(T, f))
#define VALUE(M) printf("    (\"%s\", \"<value>\", %zu),\n", #M, (size_t)(M))

int main(void) {
    printf("pub const C_LAYOUT: &[(&str, &str, usize)] = &[\n");
    VALUE(PODPULL_ABI_MAJOR);
    VALUE(PODPULL_PROGRESS_START_SENT);
    SIZE(podpull_code);
    SIZE(podpull_route);
    SIZE(podpull_policy);
    SIZE(podpull_log_level);
    SIZE(podpull_blob_state);

    SIZE(podpull_connect_options);
    FIELD(podpull_connect_options, struct_size);
    FIELD(podpull_connect_options, podman_path);
    FIELD(podpull_connect_options, storage_root);
    FIELD(podpull_connect_options, run_root);
    FIELD(podpull_connect_options, run_root_fd);
    FIELD(podpull_connect_options, storage_driver);
    FIELD(podpull_connect_options, auth_file);
    FIELD(podpull_connect_options, auth_fd);
    FIELD(podpull_connect_options, socket_path);
    FIELD(podpull_connect_options, runtime_dir);
    FIELD(podpull_connect_options, env);
    FIELD(podpull_connect_options, start_timeout_ms);
    FIELD(podpull_connect_options, log);
    FIELD(podpull_connect_options, log_user_data);
    FIELD(podpull_connect_options, canceller);
    FIELD(podpull_connect_options, storage_root_fd);
    FIELD(podpull_connect_options, storage_root_alias);

    SIZE(podpull_pull_options);
    FIELD(podpull_pull_options, struct_size);
    FIELD(podpull_pull_options, policy);
    FIELD(podpull_pull_options, tls_verify);
    FIELD(podpull_pull_options, os);
    FIELD(podpull_pull_options, arch);
    FIELD(podpull_pull_options, variant);
    FIELD(podpull_pull_options, retries);
    FIELD(podpull_pull_options, retry_delay_ms);
    FIELD(podpull_pull_options, stall_timeout_ms);
    FIELD(podpull_pull_options, route);
    FIELD(podpull_pull_options, canceller);
    FIELD(podpull_pull_options, signature_policy);
    FIELD(podpull_pull_options, progress_writer);

    SIZE(podpull_blob_progress);
    FIELD(podpull_blob_progress, struct_size);
    FIELD(podpull_blob_progress, id);
    FIELD(podpull_blob_progress, state);
    FIELD(podpull_blob_progress, current);
    FIELD(podpull_blob_progress, total);
    FIELD(podpull_blob_progress, pull_current);
    FIELD(podpull_blob_progress, pull_total);
    FIELD(podpull_blob_progress, blobs_seen);
    FIELD(podpull_blob_progress, blobs_done);
    FIELD(podpull_blob_progress, pull_cached);
    FIELD(podpull_blob_progress, blobs_total);
    FIELD(podpull_blob_progress, blobs_cached);

    SIZE(podpull_callbacks);
    FIELD(podpull_callbacks, struct_size);
    FIELD(podpull_callbacks, user_data);
    FIELD(podpull_callbacks, on_route);
    FIELD(podpull_callbacks, on_status);
    FIELD(podpull_callbacks, on_blob);

    SIZE(podpull_api);
    FIELD(podpull_api, struct_size);
    FIELD(podpull_api, abi_major);
    FIELD(podpull_api, connect_options_init);
    FIELD(podpull_api, pull_options_init);
    FIELD(podpull_api, callbacks_init);
    FIELD(podpull_api, connect);
    FIELD(podpull_api, pull);
    FIELD(podpull_api, cancel);
    FIELD(podpull_api, free);
    FIELD(podpull_api, error_code);
    FIELD(podpull_api, error_message);
    FIELD(podpull_api, error_free);
    FIELD(podpull_api, result_image_id);
    FIELD(podpull_api, result_route);
    FIELD(podpull_api, result_bytes);
    FIELD(podpull_api, result_free);
    FIELD(podpull_api, code_str);
    FIELD(podpull_api, version);
    FIELD(podpull_api, abi_version);
    FIELD(podpull_api, route_str);
    FIELD(podpull_api, connect_options_init_sized);
    FIELD(podpull_api, pull_options_init_sized);
    FIELD(podpull_api, canceller_new);
    FIELD(podpull_api, canceller_cancel);
    FIELD(podpull_api, canceller_is_cancelled);
    FIELD(podpull_api, canceller_free);
    FIELD(podpull_api, result_bytes_cached);
    FIELD(podpull_api, result_blobs_total);
    FIELD(podpull_api, result_blobs_cached);
    FIELD(podpull_api, error_retryable);
    FIELD(podpull_api, result_manifest_digest);
    FIELD(podpull_api, progress_writer_new);
    FIELD(podpull_api, progress_writer_failed);
    FIELD(podpull_api, progress_writer_free);
    printf("];\n");
    return 0;
}
